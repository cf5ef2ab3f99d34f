"""Local validation of StartTaskContact requests, so a row the service would refuse is never sent.

Two layers, both reporting every problem rather than the first:
- the shapes in botocore's model (required members, types, lengths), checked by botocore's own
  `ParamValidator`, whose report is translated into `Problem`s naming the member path; botocore checks only
  the lower bound of lengths and ranges, so the subclass here checks both ends, with units;
- the documented rules the model does not express (service_model's constants): one routing member,
  attribute key characters and total size, reference types and size, the ScheduledTime window, and
  PreviousContactId with RelatedContactId.

`FileRules` adds what only the whole file shows: repeated keys and over-long PreviousContactId chains.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.validate import ParamValidator, ValidationErrors

from bulkload.connect import model as service_model
from bulkload.records import MappedRow, Problem

__all__ = ["FileRules", "RequestValidator", "describe_problems", "format_epoch"]

_ATTRIBUTE_KEY = re.compile(r"[A-Za-z0-9_-]+")
# Map keys are validated under this suffix so the translation can tell a bad key from a bad value.
_KEY_MARK = "\x00key"
_LENGTH_LIMITS = "length limits"
_ROUTING_LIST = ", ".join(sorted(service_model.ROUTING_MEMBERS))
_ALLOWED_REFERENCE_TYPES = frozenset(service_model.REFERENCE_TYPES_AT_CREATION)
_TYPE_WORDS = {
    str(str): "a string",
    str(dict): "an object",
    str(int): "an integer",
    str(list): "a list",
    str(tuple): "a list",
    str(bool): "true or false",
    str(float): "a number",
    str(datetime): "a time",
    "timestamp-string": "epoch seconds",
}


def format_epoch(seconds: float) -> str:
    """Epoch seconds as ISO 8601 UTC (`2026-12-09T10:00:00Z`), or the number if it is out of range."""
    try:
        return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, OSError, ValueError):
        return f"{seconds} (epoch seconds)"


def _describe_value(value: object) -> str:
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string {shown!r}"
    if isinstance(value, bool):
        return f"a boolean {value}"
    if isinstance(value, int | float):
        return f"a number {value}"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "null"
    return type(value).__name__


class _ModelValidator(ParamValidator):  # type: ignore[misc]  # botocore ships no type information
    """botocore's validator, with both ends of every length and range checked and map keys marked."""

    def __init__(self) -> None:
        super().__init__()
        # id(shape) -> (shape, bound validator). botocore looks the validator up by name on every node;
        # shapes are cached by the model, so one lookup per shape serves every request. The shape is kept
        # in the value so its id cannot be reused.
        self._dispatch: dict[int, tuple[Any, Callable[[Any, Any, ValidationErrors, str], None]]] = {}
        # id(plain string shape) -> (min, max): the hot path. A string within its limits needs no report
        # name, so the loops below skip building one (most of the cost of a valid request).
        self._string_limits: dict[int, tuple[float, float]] = {}

    def _validate(self, params: Any, shape: Any, errors: ValidationErrors, name: str) -> None:
        entry = self._dispatch.get(id(shape))
        if entry is None:
            special = self._check_special_validation_cases(shape)
            entry = (shape, special or getattr(self, f"_validate_{shape.type_name}"))
            self._dispatch[id(shape)] = entry
            if special is None and shape.type_name == "string":
                metadata = shape.metadata
                limits = (metadata.get("min", -math.inf), metadata.get("max", math.inf))
                self._string_limits[id(shape)] = limits
        entry[1](params, shape, errors, name)

    def _validate_structure(self, params: Any, shape: Any, errors: ValidationErrors, name: str) -> None:
        if shape.is_tagged_union or not isinstance(params, dict):
            super()._validate_structure(params, shape, errors, name)
            return
        # botocore's checks in botocore's order, with the fast path for valid strings.
        for required in shape.metadata.get("required", ()):
            if required not in params:
                errors.report(name, "missing required field", required_name=required, user_params=params)
        members = shape.members
        known = []
        for param in params:
            if param in members:
                known.append(param)
            else:
                errors.report(name, "unknown field", unknown_param=param, valid_names=list(members))
        limits = self._string_limits
        for param in known:
            value, member_shape = params[param], members[param]
            bounds = limits.get(id(member_shape))
            if bounds is not None and type(value) is str and bounds[0] <= len(value) <= bounds[1]:
                continue
            self._validate(value, member_shape, errors, f"{name}.{param}")

    def _validate_string(self, param: Any, shape: Any, errors: ValidationErrors, name: str) -> None:
        if not _type_ok(param, (str,), errors, name):
            return
        _check_range(name, len(param), shape, "characters", errors)

    def _validate_list(self, param: Any, shape: Any, errors: ValidationErrors, name: str) -> None:
        if not _type_ok(param, (list, tuple), errors, name):
            return
        _check_range(name, len(param), shape, "items", errors)
        member_shape = shape.member
        for i, item in enumerate(param):
            self._validate(item, member_shape, errors, f"{name}[{i}]")

    def _validate_map(self, param: Any, shape: Any, errors: ValidationErrors, name: str) -> None:
        if not _type_ok(param, (dict,), errors, name):
            return
        _check_range(name, len(param), shape, "entries", errors)
        key_shape, value_shape = shape.key, shape.value
        limits = self._string_limits
        for key, value in param.items():
            bounds = limits.get(id(key_shape))
            if bounds is None or type(key) is not str or not bounds[0] <= len(key) <= bounds[1]:
                self._validate(key, key_shape, errors, f"{name}{_KEY_MARK}{key}")
            bounds = limits.get(id(value_shape))
            if bounds is None or type(value) is not str or not bounds[0] <= len(value) <= bounds[1]:
                self._validate(value, value_shape, errors, f"{name}.{key}")

    def _validate_integer(self, param: Any, shape: Any, errors: ValidationErrors, name: str) -> None:
        if not _type_ok(param, (int,), errors, name):
            return
        _check_range(name, param, shape, "", errors)

    _validate_long = _validate_integer

    def _validate_timestamp(self, param: Any, shape: Any, errors: ValidationErrors, name: str) -> None:
        # Mapping produces int epoch seconds; accept those without botocore's slow parse.
        if isinstance(param, int | float | datetime) and not isinstance(param, bool):
            return
        super()._validate_timestamp(param, shape, errors, name)


def _type_ok(param: Any, types: tuple[type, ...], errors: ValidationErrors, name: str) -> bool:
    # What botocore's private `type_check` decorator does, without an untyped decorator.
    if isinstance(param, types):
        return True
    errors.report(name, "invalid type", param=param, valid_types=[str(t) for t in types])
    return False


def _check_range(name: str, value: int, shape: Any, unit: str, errors: ValidationErrors) -> None:
    metadata = shape.metadata
    low = metadata.get("min")
    high = metadata.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        errors.report(name, _LENGTH_LIMITS, value=value, low=low, high=high, unit=unit)


def _translate(error: tuple[str, str, dict[str, Any]]) -> Problem:
    """One entry of botocore's ValidationErrors as a Problem naming the member path in plain words."""
    reason, name, details = error
    path = name[1:] if name.startswith(".") else name
    prefix = ""
    if _KEY_MARK in path:
        path, _, key = path.rpartition(_KEY_MARK)
        shown = key if len(key) <= 40 else key[:37] + "..."
        prefix = f"key {shown!r}: "
    if reason == "missing required field":
        required = details["required_name"]
        return Problem(f"{path}.{required}" if path else required, "is required")
    if reason == "unknown field":
        unknown = details["unknown_param"]
        valid = ", ".join(details["valid_names"])
        return Problem(f"{path}.{unknown}" if path else unknown, f"is not a member here; use one of {valid}")
    if reason == "invalid type":
        wanted = " or ".join(dict.fromkeys(_TYPE_WORDS.get(t, t) for t in details["valid_types"]))
        return Problem(path or None, f"{prefix}must be {wanted}; got {_describe_value(details['param'])}")
    if reason == _LENGTH_LIMITS:
        value, low, high, unit = details["value"], details["low"], details["high"], details["unit"]
        amount = f"{value} {unit}" if unit else f"{value}"
        if high is not None and value > high:
            return Problem(path or None, f"{prefix}{amount}; at most {high}")
        return Problem(path or None, f"{prefix}{amount}; at least {low}")
    # Kinds this model does not produce today (tagged unions, documents); botocore's own words then.
    single = ValidationErrors()
    single.report(name, reason, **details)
    return Problem(path or None, single.generate_report())


class RequestValidator:
    """Checks one request against the model and the documented rules; stateless, so safe to share."""

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        """`clock` gives the current epoch time for the ScheduledTime window; tests pin it."""
        self._clock = clock
        self._shape = service_model.input_shape()
        self._model = _ModelValidator()
        self._max_ahead = service_model.SCHEDULE_MAX_AHEAD_SECONDS

    def validate(self, params: Mapping[str, Any]) -> tuple[Problem, ...]:
        """Every problem with `params`, in member order; empty when the request may be sent."""
        report = self._model.validate(params, self._shape)
        problems = [_translate(error) for error in report._errors]

        routing = [member for member in service_model.ROUTING_MEMBERS if member in params]
        if len(routing) != 1:
            count = "none" if not routing else str(len(routing))
            problems.append(
                Problem(
                    ", ".join(sorted(routing)) or None,
                    f"send exactly one of {_ROUTING_LIST}; this row has {count}",
                )
            )
        if "PreviousContactId" in params and "RelatedContactId" in params:
            problems.append(
                Problem(
                    "PreviousContactId, RelatedContactId",
                    "send at most one: a task follows a previous contact or relates to one, not both",
                )
            )
        attributes = params.get("Attributes")
        if attributes and isinstance(attributes, Mapping):
            problems.extend(self._attribute_problems(attributes))
        references = params.get("References")
        if references and isinstance(references, Mapping):
            problems.extend(self._reference_problems(references))
        scheduled = params.get("ScheduledTime")
        if scheduled is not None:
            problem = self._schedule_problem(scheduled)
            if problem is not None:
                problems.append(problem)
        return tuple(problems)

    def _attribute_problems(self, attributes: Mapping[Any, Any]) -> list[Problem]:
        problems: list[Problem] = []
        total = 0
        for key, value in attributes.items():
            if not isinstance(key, str) or not isinstance(value, str):
                continue  # the model check already reported it
            if key and not _ATTRIBUTE_KEY.fullmatch(key):
                problems.append(
                    Problem(f"Attributes.{key}", "key may hold only letters, digits, '-' and '_'")
                )
            total += len(key.encode()) + len(value.encode())
        if total > service_model.ATTRIBUTES_MAX_BYTES:
            problems.append(
                Problem(
                    "Attributes",
                    f"{total} UTF-8 bytes across all keys and values; "
                    f"at most {service_model.ATTRIBUTES_MAX_BYTES}",
                )
            )
        return problems

    def _reference_problems(self, references: Mapping[Any, Any]) -> list[Problem]:
        problems: list[Problem] = []
        total = 0
        for name, reference in references.items():
            if not isinstance(name, str) or not isinstance(reference, Mapping):
                continue  # the model check already reported it
            total += len(name.encode())
            value = reference.get("Value")
            ref_type = reference.get("Type")
            if value is None:
                problems.append(Problem(f"References.{name}.Value", "is required"))
            elif isinstance(value, str):
                total += len(value.encode())
            if not isinstance(ref_type, str):
                continue
            if ref_type == "ATTACHMENT":
                problems.append(
                    Problem(
                        f"References.{name}.Type",
                        "ATTACHMENT references cannot be set when a task is created",
                    )
                )
            elif ref_type not in _ALLOWED_REFERENCE_TYPES:
                problems.append(
                    Problem(
                        f"References.{name}.Type",
                        f"{ref_type!r} is not allowed when a task is created; use one of "
                        f"{', '.join(service_model.REFERENCE_TYPES_AT_CREATION)}",
                    )
                )
            elif ref_type == "DATE" and isinstance(value, str) and not (value.isascii() and value.isdigit()):
                problems.append(
                    Problem(f"References.{name}.Value", f"a DATE reference takes epoch digits; got {value!r}")
                )
        if total > service_model.REFERENCES_MAX_BYTES:
            problems.append(
                Problem(
                    "References",
                    f"{total} UTF-8 bytes across all names and values; "
                    f"at most {service_model.REFERENCES_MAX_BYTES}",
                )
            )
        return problems

    def _schedule_problem(self, scheduled: object) -> Problem | None:
        if isinstance(scheduled, datetime):
            seconds: float = scheduled.timestamp()
        elif isinstance(scheduled, int | float) and not isinstance(scheduled, bool):
            seconds = scheduled
        else:
            return None  # the model check reports what it is
        now = self._clock()
        if seconds < math.floor(now):
            return Problem("ScheduledTime", f"{format_epoch(seconds)} is in the past")
        if seconds > now + self._max_ahead:
            days = self._max_ahead // 86_400
            return Problem("ScheduledTime", f"{format_epoch(seconds)} is more than {days} days ahead")
        return None


class FileRules:
    """Rules that span the file: repeated --key values and ClientTokens, the PreviousContactId chain limit."""

    def __init__(
        self,
        *,
        check_duplicate_keys: bool,
        chain_limit: int = service_model.PREVIOUS_CONTACT_CHAIN_LIMIT,
    ) -> None:
        """`check_duplicate_keys` is for a --key column; row numbers never repeat."""
        self._check_duplicate_keys = check_duplicate_keys
        self._chain_limit = chain_limit
        # 64-bit hash of a key -> the row it was first seen on: ~100 bytes a row, keys themselves not kept.
        # Python's str hash is 64-bit SipHash; a false "appears again" needs a collision, about 1 in
        # 30 million for a file of a million keys.
        self._first_row: dict[int, int] = {}
        self._first_token: dict[int, int] = {}  # the same, for ClientTokens given in a column
        self._chains: dict[str, int] = {}

    def check_key(self, row: MappedRow) -> tuple[Problem, ...]:
        """A repeat of an earlier row's key; call for every row, valid or not, carried over or not.

        Every row counts, because a key names one row of the results file: a repeat of an invalid row's
        key, or of a row created in an earlier run, would make two outcomes for one key.
        """
        if not self._check_duplicate_keys or not row.key:  # an empty key is reported by mapping
            return ()
        first = self._first_row.setdefault(hash(row.key), row.row)
        if first != row.row:
            return (Problem(None, f"key {row.key!r} appears again (first on row {first})"),)
        return ()

    def check(self, row: MappedRow) -> tuple[Problem, ...]:
        """Problems of `row` given the rows before it; call in input order, once per otherwise-valid row."""
        repeated = self.check_key(row)
        if repeated:
            return repeated  # a repeated row is never sent, so it does not count towards a chain
        token = row.params.get("ClientToken")
        if token is not None:
            first = self._first_token.setdefault(hash(token), row.row)
            if first != row.row:
                return (
                    Problem(
                        "ClientToken",
                        f"ClientToken {token!r} appears again (first on row {first}): the service would "
                        "answer this row with that row's task and create nothing",
                    ),
                )
        return self._add_to_chain(row)

    def count_created(self, row: MappedRow) -> None:
        """Count a row created in an earlier run towards its PreviousContactId chain (the service does)."""
        previous = row.params.get("PreviousContactId")
        if previous is not None:
            self._chains[previous] = self._chains.get(previous, 0) + 1

    def _add_to_chain(self, row: MappedRow) -> tuple[Problem, ...]:
        previous = row.params.get("PreviousContactId")
        if previous is None:
            return ()
        count = self._chains.get(previous, 0) + 1
        if count > self._chain_limit:
            return (
                Problem(
                    "PreviousContactId",
                    f"more than {self._chain_limit} tasks would share {previous!r} "
                    f"(the service allows {self._chain_limit})",
                ),
            )
        self._chains[previous] = count
        return ()


def describe_problems(
    problems: tuple[Problem, ...], column_for: Callable[[str], str | None]
) -> tuple[str, str]:
    """The error code and message of an invalid row: the first field at fault, then every problem."""
    parts = []
    for problem in problems:
        column = column_for(problem.field) if problem.field else None
        where = problem.field or ""
        if column and problem.field and column != problem.field:
            where = f"{problem.field} (column {column!r})"
        parts.append(f"{where}: {problem.message}" if where else problem.message)
    first = problems[0]
    if first.field is None or ", " in first.field:
        code = "Routing" if "exactly one of" in first.message else "Row"
    else:
        code = first.field.split(".")[0]
    return code, "; ".join(parts)
