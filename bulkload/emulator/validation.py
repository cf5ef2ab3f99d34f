"""The service's own checks on a StartTaskContact request, as the emulator applies them.

Written apart from the loader's client-side validation on purpose: a test compares the two, which only
means something if they do not share code. Shapes and lengths come from botocore's model
(`service_model`); the rules the model does not express come from the API reference.

Checks run in the order the service's errors rank: the shape of each member (InvalidParameterException),
then how the members combine (InvalidRequestException), then whether the named resources exist
(ResourceNotFoundException). Quotas (ServiceQuotaExceededException) depend on what was already created
and are checked separately, after the idempotency lookup.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from collections.abc import Mapping
from typing import Any

from botocore.validate import ParamValidator

from bulkload.connect import model as service_model
from bulkload.emulator import resources
from bulkload.emulator.config import EmulatorConfig
from bulkload.emulator.wire import (
    INVALID_PARAMETER,
    INVALID_REQUEST,
    SERVICE_QUOTA_EXCEEDED,
    ServiceError,
)

_ATTRIBUTE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_REPORT_HEADER = "Parameter validation failed:"


def decode_body(body: bytes) -> dict[str, Any]:
    """The request's JSON object; JSON `null` members are dropped (the service reads them as absent)."""
    try:
        decoded = json.loads(body or b"{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ServiceError(INVALID_PARAMETER, f"The request body is not valid JSON: {exc}") from exc
    if not isinstance(decoded, dict):
        raise ServiceError(INVALID_PARAMETER, "The request body must be a JSON object")
    return {key: value for key, value in decoded.items() if value is not None}


def validate_request(params: Mapping[str, Any], config: EmulatorConfig, *, now: float) -> None:
    """Raise ServiceError if the service would refuse `params` (the decoded body); `now` is epoch seconds."""
    check_shape(params, service_model.input_shape())
    _check_attributes(params.get("Attributes"))
    _check_references(params.get("References"))
    _check_scheduled_time(params.get("ScheduledTime"), now)
    _check_combination(params)
    _check_resources(params, config)


def check_quotas(
    params: Mapping[str, Any], config: EmulatorConfig, *, chain_count: int, active_tasks: int
) -> None:
    """Raise ServiceQuotaExceededException if creating one more task breaks a quota.

    `chain_count` is how many tasks already share the request's PreviousContactId; `active_tasks` how
    many of the instance's tasks have not ended. The messages are the only way to tell the two apart.
    """
    if "PreviousContactId" in params and chain_count >= config.chain_limit:
        raise ServiceError(SERVICE_QUOTA_EXCEEDED, service_model.CHAIN_FULL_MESSAGE)
    if active_tasks >= config.active_task_quota:
        raise ServiceError(SERVICE_QUOTA_EXCEEDED, service_model.ACTIVE_TASKS_MESSAGE)


def check_shape(params: Mapping[str, Any], shape: Any) -> None:
    """InvalidParameterException unless `params` fit `shape`, an operation's input (StopContact's too)."""
    for name in shape.required_members:
        if name not in params:
            raise ServiceError(INVALID_PARAMETER, f"{name} is required")
    # The service ignores members it does not know (a newer client's); so does the emulator.
    known = {name: value for name, value in params.items() if name in shape.members}
    if "ScheduledTime" in known:
        known["ScheduledTime"] = _scheduled_datetime(known["ScheduledTime"])
    errors = ParamValidator().validate(known, shape)
    if errors.has_errors():
        report = errors.generate_report().removeprefix(_REPORT_HEADER).strip()
        raise ServiceError(INVALID_PARAMETER, "; ".join(line.strip() for line in report.splitlines()))
    # botocore checks minimum lengths only; maxima, enums and patterns are the service's to enforce.
    for name, value in params.items():
        if name in shape.members and name != "ScheduledTime":
            _check_limits(value, shape.members[name], name)


def _scheduled_datetime(value: object) -> datetime.datetime:
    # On the wire a timestamp is a JSON number of epoch seconds (botocore sends a float when it keeps
    # milliseconds); botocore's validator wants a datetime.
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise ServiceError(
            INVALID_PARAMETER, f"ScheduledTime must be a number of epoch seconds, got {value!r}"
        )
    try:
        return datetime.datetime.fromtimestamp(value, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ServiceError(INVALID_PARAMETER, f"ScheduledTime is out of range: {value!r}") from exc


def _check_limits(value: Any, shape: Any, path: str) -> None:
    """Maximum lengths and sizes, enums and patterns of `value` and everything inside it."""
    meta = shape.metadata
    kind = shape.type_name
    if kind == "string":
        _check_string(value, meta, path)
    elif kind in ("integer", "long"):
        if ("min" in meta and value < meta["min"]) or ("max" in meta and value > meta["max"]):
            raise ServiceError(INVALID_PARAMETER, f"{path} is out of range: {value}")
    elif kind == "map":
        _check_count(value, meta, path)
        for key, item in value.items():
            _check_limits(key, shape.key, f"{path} key")
            _check_limits(item, shape.value, f"{path}.{key}")
    elif kind == "list":
        _check_count(value, meta, path)
        for index, item in enumerate(value):
            _check_limits(item, shape.member, f"{path}[{index}]")
    elif kind == "structure":
        for name, item in value.items():
            if name in shape.members:
                _check_limits(item, shape.members[name], f"{path}.{name}")


def _check_string(value: str, meta: Mapping[str, Any], path: str) -> None:
    if "max" in meta and len(value) > meta["max"]:
        raise ServiceError(
            INVALID_PARAMETER, f"{path} must be at most {meta['max']} characters long, got {len(value)}"
        )
    if "enum" in meta and value not in meta["enum"]:
        raise ServiceError(
            INVALID_PARAMETER, f"{path} must be one of {', '.join(meta['enum'])}, got {value!r}"
        )
    if "pattern" in meta and re.search(meta["pattern"], value) is None:
        raise ServiceError(INVALID_PARAMETER, f"{path} does not match the pattern {meta['pattern']}")


def _check_count(value: Any, meta: Mapping[str, Any], path: str) -> None:
    if "max" in meta and len(value) > meta["max"]:
        raise ServiceError(
            INVALID_PARAMETER, f"{path} must have at most {meta['max']} entries, got {len(value)}"
        )


def _utf8_size(*texts: str) -> int:
    return sum(len(text.encode("utf-8", "surrogatepass")) for text in texts)


def _check_attributes(attributes: Mapping[str, str] | None) -> None:
    if not attributes:
        return
    for key in attributes:
        if _ATTRIBUTE_KEY.fullmatch(key) is None:
            raise ServiceError(
                INVALID_PARAMETER,
                f"Attribute key {key!r} is invalid: keys may only contain letters, digits, '-' and '_'",
            )
    size = _utf8_size(*attributes.keys(), *attributes.values())
    if size > service_model.ATTRIBUTES_MAX_BYTES:
        raise ServiceError(
            INVALID_PARAMETER,
            f"Attributes must total at most {service_model.ATTRIBUTES_MAX_BYTES} UTF-8 bytes "
            f"across keys and values, got {size}",
        )


def _check_references(references: Mapping[str, Mapping[str, str]] | None) -> None:
    if not references:
        return
    allowed = service_model.REFERENCE_TYPES_AT_CREATION
    for name, reference in references.items():
        if reference["Type"] not in allowed:
            raise ServiceError(
                INVALID_PARAMETER,
                f"Reference {name!r} has type {reference['Type']}, which is not supported when creating "
                f"a task; use one of {', '.join(allowed)}",
            )
        value = reference.get("Value")
        if value is None:
            raise ServiceError(INVALID_PARAMETER, f"Reference {name!r} has no Value")
        if reference["Type"] == "DATE" and not (value.isascii() and value.isdigit()):
            raise ServiceError(
                INVALID_PARAMETER, f"Reference {name!r} of type DATE must hold an epoch timestamp"
            )
    size = _utf8_size(*references.keys(), *(ref.get("Value", "") for ref in references.values()))
    if size > service_model.REFERENCES_MAX_BYTES:
        raise ServiceError(
            INVALID_PARAMETER,
            f"References must total at most {service_model.REFERENCES_MAX_BYTES} UTF-8 bytes "
            f"across names and values, got {size}",
        )


def _check_scheduled_time(scheduled: float | None, now: float) -> None:
    if scheduled is None:
        return
    # botocore truncates a datetime to whole seconds, so "now" arrives up to a second old: the current
    # second is not the past.
    if scheduled < math.floor(now):
        raise ServiceError(INVALID_PARAMETER, "ScheduledTime cannot be in the past")
    if scheduled > now + service_model.SCHEDULE_MAX_AHEAD_SECONDS:
        raise ServiceError(INVALID_PARAMETER, "ScheduledTime must be within 6 days from now")


def _check_combination(params: Mapping[str, Any]) -> None:
    routing = [name for name in service_model.ROUTING_MEMBERS if name in params]
    if not routing:
        raise ServiceError(
            INVALID_REQUEST, f"One of {', '.join(service_model.ROUTING_MEMBERS)} must be provided"
        )
    if len(routing) > 1:
        raise ServiceError(
            INVALID_REQUEST,
            f"Only one of {', '.join(service_model.ROUTING_MEMBERS)} may be provided, got {' and '.join(routing)}",
        )
    if "PreviousContactId" in params and "RelatedContactId" in params:
        raise ServiceError(
            INVALID_REQUEST, "PreviousContactId and RelatedContactId cannot be provided together"
        )


def _check_resources(params: Mapping[str, Any], config: EmulatorConfig) -> None:
    instance_id = params["InstanceId"]
    resources.require_instance(config, instance_id)
    flow_id = params.get("ContactFlowId")
    if flow_id is not None:
        resources.require_flow(config, instance_id, flow_id)
    quick_connect_id = params.get("QuickConnectId")
    if quick_connect_id is not None:
        resources.require_quick_connect(config, instance_id, quick_connect_id)
    template_id = params.get("TaskTemplateId")
    if template_id is not None:
        resources.require_routing_template(config, instance_id, template_id)
