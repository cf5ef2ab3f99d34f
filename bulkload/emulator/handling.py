"""What every operation's request goes through before and after the operation itself.

auth -> the operation's own token bucket -> injected latency -> injected fault -> the operation ->
(maybe) drop the answer. The operation runs without awaiting, after the latency sleep, so concurrent
requests cannot interleave inside it (between a ClientToken lookup and the create, say). Lookups skip
latency and faults: checking ids before a job should behave the same on every run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

from bulkload.emulator.auth import check_authorization
from bulkload.emulator.state import EmulatorState, Fault
from bulkload.emulator.wire import INTERNAL_SERVICE, THROTTLING, ServiceError, error_response

STATE = web.AppKey("state", EmulatorState)
# The operation itself: (request body, region the caller signed for) -> (outcome to count, answer).
Action = Callable[[bytes, str], tuple[str, web.Response]]


async def serve(
    request: web.Request, operation: str, action: Action, *, faults: bool = True
) -> web.StreamResponse:
    """Answer `request` for `operation`, counting its outcome; `faults=False` skips latency and faults."""
    state = request.app[STATE]
    # Read the whole body first: dropping a connection mid-upload would show the client a write error
    # rather than the lost answer being simulated.
    body = await request.read()
    try:
        region = check_authorization(request.headers, state.config.denied_access_keys, operation)
        if not state.try_acquire(operation):
            raise ServiceError(THROTTLING, "Rate exceeded")
        fault = await _latency_then_fault(state) if faults else None
        if fault is Fault.RESET_BEFORE:
            state.record("reset_before", operation)
            return drop_connection(request)
        if fault is Fault.FAIL:
            raise ServiceError(INTERNAL_SERVICE, "An internal error occurred. Please try again.")
        outcome, response = action(body, region)
        if fault is Fault.DROP_AFTER:
            state.record("dropped_after", operation)
            return drop_connection(request)
        state.record(outcome, operation)
        return response
    except ServiceError as error:
        state.record(error.outcome, operation)
        return error_response(error)


async def _latency_then_fault(state: EmulatorState) -> Fault | None:
    delay = state.draw_latency()
    if delay > 0:
        await asyncio.sleep(delay)
    return state.draw_fault()


def drop_connection(request: web.Request) -> web.StreamResponse:
    """Close the socket without answering; the client sees the connection end before any response.

    aiohttp then fails to write the returned response, takes it for a client that went away, and
    drops it quietly.
    """
    transport = request.transport
    if transport is not None:
        transport.abort()
    return web.Response(status=204)
