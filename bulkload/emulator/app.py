"""The aiohttp application: StartTaskContact on the rest-json wire, plus inspection routes for tests.

A request goes through: auth -> throttle -> injected latency -> injected fault -> parse and validate ->
ClientToken lookup -> quotas -> create -> (maybe) drop the answer. Everything after the latency sleep
runs without awaiting, so concurrent requests cannot interleave between the token lookup and the create.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from aiohttp import web

from bulkload.emulator.auth import check_authorization
from bulkload.emulator.state import EmulatorState, Fault
from bulkload.emulator.validation import check_quotas, decode_body, validate_request
from bulkload.emulator.wire import (
    INTERNAL_SERVICE,
    THROTTLING,
    ServiceError,
    error_response,
    success_response,
)

STATE = web.AppKey("state", EmulatorState)
TASK_PATH = "/contact/task"


def create_app(state: EmulatorState) -> web.Application:
    """An application serving StartTaskContact and the /_emulator routes from `state`."""
    app = web.Application()
    app[STATE] = state
    app.router.add_put(TASK_PATH, _start_task_contact)
    app.router.add_get("/_emulator/tasks", _tasks)
    app.router.add_get("/_emulator/stats", _stats)
    app.router.add_post("/_emulator/config", _configure)
    app.router.add_post("/_emulator/reset", _reset)
    app.router.add_post("/_emulator/end-tasks", _end_tasks)
    return app


async def _start_task_contact(request: web.Request) -> web.StreamResponse:
    state = request.app[STATE]
    # Read the whole body first: dropping a connection mid-upload would show the client a write error
    # rather than the lost answer being simulated.
    body = await request.read()
    try:
        check_authorization(request.headers, state.config.denied_access_keys)
        if not state.try_acquire():
            raise ServiceError(THROTTLING, "Rate exceeded")
        delay = state.draw_latency()
        if delay > 0:
            await asyncio.sleep(delay)
        fault = state.draw_fault()
        if fault is Fault.RESET_BEFORE:
            state.record("reset_before")
            return _drop_connection(request)
        if fault is Fault.FAIL:
            raise ServiceError(INTERNAL_SERVICE, "An internal error occurred. Please try again.")
        params = decode_body(body)
        validate_request(params, state.config, now=state.clock())
        task = state.task_for_token(params.get("ClientToken"))
        # A known token answers with its task, whatever the parameters now say, and before the quotas:
        # a retry of the 12th task in a chain must find it rather than be told the chain is full.
        outcome = "idempotent_replay"
        if task is None:
            previous = params.get("PreviousContactId")
            check_quotas(
                params,
                state.config,
                chain_count=state.chain_count(previous) if previous is not None else 0,
                active_tasks=state.active_tasks,
            )
            task = state.create_task(params)
            outcome = "created"
        if fault is Fault.DROP_AFTER:
            state.record("dropped_after")
            return _drop_connection(request)
        state.record(outcome)
        return success_response(task.contact_id)
    except ServiceError as error:
        state.record(error.outcome)
        return error_response(error)


def _drop_connection(request: web.Request) -> web.StreamResponse:
    """Close the socket without answering; the client sees the connection end before any response.

    aiohttp then fails to write the returned response, takes it for a client that went away, and
    drops it quietly.
    """
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=204)


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
