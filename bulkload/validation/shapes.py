"""The shapes in botocore's model (required members, types, lengths), checked by botocore's own validator.

botocore's `ParamValidator` checks only the lower bound of lengths and ranges; the subclass here checks
both ends, with units, and marks map keys so that the translation can tell a bad key from a bad value.
Its report becomes `Problem`s naming the member path in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from botocore.validate import ParamValidator, ValidationErrors

from bulkload.connect import model
from bulkload.records import Problem
from bulkload.validation.words import IS_REQUIRED, describe_value, shorten

__all__ = ["ShapeChecker"]

# Map keys are validated under this suffix so the translation can tell a bad key from a bad value.
_KEY_MARK = "\x00key"
_LENGTH_LIMITS = "length limits"
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
        prefix = f"key {shorten(key)!r}: "
    if reason == "missing required field":
        required = details["required_name"]
        return Problem.at(f"{path}.{required}" if path else required, IS_REQUIRED)
    if reason == "unknown field":
        unknown = details["unknown_param"]
        valid = ", ".join(details["valid_names"])
        return Problem.at(
            f"{path}.{unknown}" if path else unknown, f"is not a member here; use one of {valid}"
        )
    if reason == "invalid type":
        wanted = " or ".join(dict.fromkeys(_TYPE_WORDS.get(t, t) for t in details["valid_types"]))
        return Problem.at(path or None, f"{prefix}must be {wanted}; got {describe_value(details['param'])}")
    if reason == _LENGTH_LIMITS:
        value, low, high, unit = details["value"], details["low"], details["high"], details["unit"]
        amount = f"{value} {unit}" if unit else f"{value}"
        if high is not None and value > high:
            return Problem.at(path or None, f"{prefix}{amount}; at most {high}")
        return Problem.at(path or None, f"{prefix}{amount}; at least {low}")
    # Kinds this model does not produce today (tagged unions, documents); botocore's own words then.
    single = ValidationErrors()
    single.report(name, reason, **details)
    return Problem.at(path or None, single.generate_report())


class ShapeChecker:
    """Checks a request against the StartTaskContact input shape; safe to share (it caches only shapes)."""

    def __init__(self) -> None:
        """Load the input shape (the model is loaded once per process)."""
        self._shape = model.input_shape()
        self._validator = _ModelValidator()

    def problems(self, params: Mapping[str, Any]) -> list[Problem]:
        """Every way `params` breaks the model's shapes, in botocore's order."""
        report = self._validator.validate(params, self._shape)
        return [_translate(error) for error in report._errors]
