"""The aiohttp application: the Connect operations on the rest-json wire, plus inspection routes for tests.

The operations' paths come from botocore's model (`operations.route`); the /_emulator routes read and
steer the state: what was created and stopped, counts, settings, ending tasks as agents would.
"""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from bulkload.emulator.contacts import start_task_contact, stop_contact
from bulkload.emulator.handling import STATE
from bulkload.emulator.lookups import lookup_handler
from bulkload.emulator.operations import LOOKUPS, START_TASK_CONTACT, STOP_CONTACT, route
from bulkload.emulator.state import EmulatorState


def create_app(state: EmulatorState) -> web.Application:
    """An application serving the Connect operations and the /_emulator routes from `state`."""
    app = web.Application()
    app[STATE] = state
    app.router.add_route(*route(START_TASK_CONTACT), start_task_contact)
    app.router.add_route(*route(STOP_CONTACT), stop_contact)
    for operation in LOOKUPS:
        app.router.add_route(*route(operation), lookup_handler(operation))
    app.router.add_get("/_emulator/tasks", _tasks)
    app.router.add_get("/_emulator/stats", _stats)
    app.router.add_post("/_emulator/config", _configure)
    app.router.add_post("/_emulator/reset", _reset)
    app.router.add_post("/_emulator/end-tasks", _end_tasks)
    return app


async def _tasks(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE].snapshot().tasks_json())


async def _stats(request: web.Request) -> web.Response:
    return web.json_response(request.app[STATE].snapshot().stats_json())


async def _configure(request: web.Request) -> web.Response:
    state = request.app[STATE]
    changes = await _json_object(request)
    try:
        config = state.configure(**changes)
    except (TypeError, ValueError) as exc:
        raise _bad_request(str(exc)) from exc
    return web.json_response(config.to_json())


async def _reset(request: web.Request) -> web.Response:
    state = request.app[STATE]
    state.reset()
    return web.json_response(state.snapshot().stats_json())


async def _end_tasks(request: web.Request) -> web.Response:
    """End `{"count": N}` oldest active tasks, the `{"contact_ids": [...]}` given, or all (empty body)."""
    state = request.app[STATE]
    body = await _json_object(request)
    unknown = sorted(set(body) - {"count", "contact_ids"})
    if unknown:
        raise _bad_request(f"unknown field(s): {', '.join(unknown)}")
    count = body.get("count")
    contact_ids = body.get("contact_ids")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        raise _bad_request("count must be an integer >= 0")
    if contact_ids is not None and (
        not isinstance(contact_ids, list) or not all(isinstance(cid, str) for cid in contact_ids)
    ):
        raise _bad_request("contact_ids must be a list of strings")
    ended = state.end_tasks(count, contact_ids)
    return web.json_response({"ended": ended, "active_tasks": state.active_tasks})


async def _json_object(request: web.Request) -> dict[str, Any]:
    text = await request.text()
    if not text.strip():
        return {}
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _bad_request(f"body is not valid JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise _bad_request("body must be a JSON object")
    return body


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"Message": message}), content_type="application/json")
