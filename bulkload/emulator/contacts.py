"""StartTaskContact and StopContact: the operations that create and end task contacts.

Stopping a task that has already ended answers InvalidRequestException: the API reference limits
ContactNotFoundException to voice contacts, and a task that ended is still a contact the instance
knows. A ContactId the instance never created answers ResourceNotFoundException.
"""

from __future__ import annotations

from aiohttp import web

from bulkload.emulator.handling import STATE, serve
from bulkload.emulator.operations import START_TASK_CONTACT, STOP_CONTACT, operation_model
from bulkload.emulator.resources import require_instance
from bulkload.emulator.state import EmulatorState, StopResult
from bulkload.emulator.validation import check_quotas, check_shape, decode_body, validate_request
from bulkload.emulator.wire import (
    INVALID_REQUEST,
    RESOURCE_NOT_FOUND,
    ServiceError,
    json_response,
    success_response,
)


async def start_task_contact(request: web.Request) -> web.StreamResponse:
    """PUT /contact/task: validate, replay a known ClientToken, check quotas, create."""
    state = request.app[STATE]
    return await serve(request, START_TASK_CONTACT, lambda body, _region: _create(state, body))


async def stop_contact(request: web.Request) -> web.StreamResponse:
    """POST /contact/stop: end an active or scheduled task (its disconnect reason becomes API)."""
    state = request.app[STATE]
    return await serve(request, STOP_CONTACT, lambda body, _region: _stop(state, body))


def _create(state: EmulatorState, body: bytes) -> tuple[str, web.Response]:
    params = decode_body(body)
    validate_request(params, state.config, now=state.clock())
    task = state.task_for_token(params.get("ClientToken"))
    # A known token answers with its task, whatever the parameters now say, and before the quotas:
    # a retry of the 12th task in a chain must find it rather than be told the chain is full.
    if task is not None:
        return "idempotent_replay", success_response(task.contact_id)
    previous = params.get("PreviousContactId")
    check_quotas(
        params,
        state.config,
        chain_count=state.chain_count(previous) if previous is not None else 0,
        active_tasks=state.active_tasks,
    )
    return "created", success_response(state.create_task(params).contact_id)


def _stop(state: EmulatorState, body: bytes) -> tuple[str, web.Response]:
    params = decode_body(body)
    check_shape(params, operation_model(STOP_CONTACT).input_shape)
    contact_id, instance_id = params["ContactId"], params["InstanceId"]
    require_instance(state.config, instance_id)
    result = state.stop_task(contact_id, instance_id)
    if result is StopResult.UNKNOWN:
        raise ServiceError(RESOURCE_NOT_FOUND, f"Contact {contact_id} not found in instance {instance_id}")
    if result is StopResult.NOT_ACTIVE:
        raise ServiceError(INVALID_REQUEST, f"Contact {contact_id} is not active: it has already ended")
    return "stopped", json_response({})
