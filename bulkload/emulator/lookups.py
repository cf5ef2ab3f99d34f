"""DescribeInstance, DescribeContactFlow, GetTaskTemplate and DescribeQuickConnect, for the ids it knows.

A caller checks a job's ids with these before sending rows; each operation draws on its own token
bucket, never StartTaskContact's, and an id the emulator does not know is ResourceNotFoundException.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bulkload.emulator import resources
from bulkload.emulator.handling import STATE, serve
from bulkload.emulator.operations import (
    DESCRIBE_CONTACT_FLOW,
    DESCRIBE_INSTANCE,
    DESCRIBE_QUICK_CONNECT,
    GET_TASK_TEMPLATE,
)
from bulkload.emulator.wire import json_response

# operation -> (the builder of its output, the URI members naming the resource after the instance)
_DESCRIBERS: dict[str, tuple[Callable[..., dict[str, Any]], tuple[str, ...]]] = {
    DESCRIBE_INSTANCE: (resources.describe_instance, ()),
    DESCRIBE_CONTACT_FLOW: (resources.describe_contact_flow, ("ContactFlowId",)),
    GET_TASK_TEMPLATE: (resources.get_task_template, ("TaskTemplateId",)),
    DESCRIBE_QUICK_CONNECT: (resources.describe_quick_connect, ("QuickConnectId",)),
}


def lookup_handler(operation: str) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler answering `operation` (one of operations.LOOKUPS)."""
    describe, members = _DESCRIBERS[operation]

    async def handle(request: web.Request) -> web.StreamResponse:
        state = request.app[STATE]
        ids = [request.match_info["InstanceId"], *(request.match_info[name] for name in members)]

        def answer(_body: bytes, region: str) -> tuple[str, web.Response]:
            return "found", json_response(describe(state.config, region, *ids))

        return await serve(request, operation, answer, faults=False)

    return handle
