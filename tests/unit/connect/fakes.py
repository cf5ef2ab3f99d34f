"""A scripted stand-in for the Connect client's four Describe/Get calls, and helpers for preflight tests."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any

import botocore.exceptions

from bulkload.connect.used_ids import UsedIds

ENDPOINT = "https://connect.eu-west-2.amazonaws.com"


def client_error(code: str, status: int, message: str = "m") -> botocore.exceptions.ClientError:
    """The ClientError botocore raises for a service error answer."""
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return botocore.exceptions.ClientError(response, "Describe")


THROTTLED = client_error("ThrottlingException", 429, "Rate exceeded")
NOT_FOUND = client_error("ResourceNotFoundException", 404, "not found")
DENIED = client_error("AccessDeniedException", 403, "User is not authorized")


class ScriptedConnect:
    """Answers the four Describe/Get calls: scripted answers per (operation, id), then an empty success."""

    def __init__(self, script: Mapping[tuple[str, str], list[Any]] | None = None, delay: float = 0.001):
        self.meta = SimpleNamespace(endpoint_url=ENDPOINT, region_name="eu-west-2")
        self.script = {key: list(answers) for key, answers in (script or {}).items()}
        self.delay = delay
        self.calls: list[tuple[str, str]] = []
        self.in_flight = 0
        self.most_in_flight = 0

    async def _answer(self, operation: str, value: str) -> dict[str, Any]:
        self.calls.append((operation, value))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
            answers = self.script.get((operation, value))
            answer = answers.pop(0) if answers else {}
            if isinstance(answer, BaseException):
                raise answer
            return dict(answer)
        finally:
            self.in_flight -= 1

    async def describe_instance(self, *, InstanceId: str) -> dict[str, Any]:
        return await self._answer("DescribeInstance", InstanceId)

    async def describe_contact_flow(self, *, InstanceId: str, ContactFlowId: str) -> dict[str, Any]:
        return await self._answer("DescribeContactFlow", ContactFlowId)

    async def get_task_template(self, *, InstanceId: str, TaskTemplateId: str) -> dict[str, Any]:
        return await self._answer("GetTaskTemplate", TaskTemplateId)

    async def describe_quick_connect(self, *, InstanceId: str, QuickConnectId: str) -> dict[str, Any]:
        return await self._answer("DescribeQuickConnect", QuickConnectId)


class Sleeps:
    """Backoff that records its delays and does not wait."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def used(*rows: Mapping[str, str]) -> UsedIds:
    """The ids these rows' parameters use."""
    ids = UsedIds()
    for params in rows:
        ids.add(params)
    return ids


def flow_row(flow: str, instance: str = "i-1") -> dict[str, str]:
    """A row's parameters routed by a contact flow."""
    return {"InstanceId": instance, "Name": "n", "ContactFlowId": flow}
