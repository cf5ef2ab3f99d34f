"""The documented StartTaskContact rules that botocore's model does not express.

Exactly one routing member; PreviousContactId or RelatedContactId, not both; attribute key characters and
total size; reference types, values and total size; the ScheduledTime window. The limits are the service
model's constants. Mapping applies two of these rules early, from here: it refuses an ATTACHMENT column
and passes DATE digits through as typed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bulkload.connect import model
from bulkload.records import Problem
from bulkload.validation.words import IS_REQUIRED, format_epoch

__all__ = [
    "ATTACHMENT_REFUSED",
    "REFERENCE_TYPES_LISTED",
    "attribute_problems",
    "contact_link_problems",
    "is_epoch_digits",
    "reference_problems",
    "routing_problems",
    "schedule_problem",
]

ATTACHMENT_REFUSED = "ATTACHMENT references cannot be set when a task is created"
REFERENCE_TYPES_LISTED = ", ".join(model.REFERENCE_TYPES_AT_CREATION)
_ATTRIBUTE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ROUTING_LISTED = ", ".join(sorted(model.ROUTING_MEMBERS))
_REFERENCE_TYPES = frozenset(model.REFERENCE_TYPES_AT_CREATION)


def is_epoch_digits(text: str) -> bool:
    """Whether `text` is what a DATE reference's Value takes: ASCII digits (`str.isdigit` alone takes `²`)."""
    return text.isascii() and text.isdigit()


def routing_problems(params: Mapping[str, Any]) -> list[Problem]:
    """A row must name exactly one of ContactFlowId, QuickConnectId and TaskTemplateId."""
    routing = [member for member in model.ROUTING_MEMBERS if member in params]
    if len(routing) == 1:
        return []
    count = "none" if not routing else str(len(routing))
    message = f"send exactly one of {_ROUTING_LISTED}; this row has {count}"
    return [Problem(", ".join(sorted(routing)) or None, message, Problem.ROUTING)]


def contact_link_problems(params: Mapping[str, Any]) -> list[Problem]:
    """A task follows a previous contact or relates to one, not both."""
    if "PreviousContactId" in params and "RelatedContactId" in params:
        message = "send at most one: a task follows a previous contact or relates to one, not both"
        return [Problem("PreviousContactId, RelatedContactId", message, Problem.ROW)]
    return []


def attribute_problems(attributes: Mapping[Any, Any]) -> list[Problem]:
    """Attribute keys of letters, digits, `-` and `_`; keys and values within the total size in bytes."""
    problems: list[Problem] = []
    total = 0
    for key, value in attributes.items():
        if not isinstance(key, str) or not isinstance(value, str):
            continue  # the model check already reported it
        if key and not _ATTRIBUTE_KEY.fullmatch(key):
            problems.append(Problem.at(f"Attributes.{key}", "key may hold only letters, digits, '-' and '_'"))
        total += len(key.encode()) + len(value.encode())
    if total > model.ATTRIBUTES_MAX_BYTES:
        problems.append(
            Problem.at(
                "Attributes",
                f"{total} UTF-8 bytes across all keys and values; at most {model.ATTRIBUTES_MAX_BYTES}",
            )
        )
    return problems


def reference_problems(references: Mapping[Any, Any]) -> list[Problem]:
    """Each reference with a Value and a type a task may be created with; all within the total size."""
    problems: list[Problem] = []
    total = 0
    for name, reference in references.items():
        if not isinstance(name, str) or not isinstance(reference, Mapping):
            continue  # the model check already reported it
        total += len(name.encode())
        value = reference.get("Value")
        ref_type = reference.get("Type")
        if value is None:
            problems.append(Problem.at(f"References.{name}.Value", IS_REQUIRED))
        elif isinstance(value, str):
            total += len(value.encode())
        if not isinstance(ref_type, str):
            continue
        if ref_type == "ATTACHMENT":
            problems.append(Problem.at(f"References.{name}.Type", ATTACHMENT_REFUSED))
        elif ref_type not in _REFERENCE_TYPES:
            problems.append(
                Problem.at(
                    f"References.{name}.Type",
                    f"{ref_type!r} is not allowed when a task is created; use one of {REFERENCE_TYPES_LISTED}",
                )
            )
        elif ref_type == "DATE" and isinstance(value, str) and not is_epoch_digits(value):
            problems.append(
                Problem.at(f"References.{name}.Value", f"a DATE reference takes epoch digits; got {value!r}")
            )
    if total > model.REFERENCES_MAX_BYTES:
        problems.append(
            Problem.at(
                "References",
                f"{total} UTF-8 bytes across all names and values; at most {model.REFERENCES_MAX_BYTES}",
            )
        )
    return problems


def schedule_problem(scheduled: object, now: float, max_ahead: int) -> Problem | None:
    """A ScheduledTime from the current second up to `max_ahead` seconds ahead, or why it is not."""
    if isinstance(scheduled, datetime):
        seconds: float = scheduled.timestamp()
    elif isinstance(scheduled, int | float) and not isinstance(scheduled, bool):
        seconds = scheduled
    else:
        return None  # the model check reports what it is
    if seconds < math.floor(now):
        return Problem.at("ScheduledTime", f"{format_epoch(seconds)} is in the past")
    if seconds > now + max_ahead:
        days = timedelta(seconds=max_ahead).days
        return Problem.at("ScheduledTime", f"{format_epoch(seconds)} is more than {days} days ahead")
    return None
