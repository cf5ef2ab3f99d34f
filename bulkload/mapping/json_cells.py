"""JSON cells: a member given whole, in the API's own shape (`Attributes`, `References`, ...).

A cell is decoded and its outer shape checked here, so a problem names the member and the JSON; botocore
checks the rest in validation. Reference Types are upper-cased like flat ones; values are otherwise sent
as given (validation checks that DATE values are digits).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from bulkload.mapping.members import ATTRIBUTES, REFERENCES, SEGMENT_ATTRIBUTES
from bulkload.records import Problem
from bulkload.validation.words import value_kind

__all__ = ["decode_json"]

_REFERENCE_EXAMPLE = '{"Value": "...", "Type": "URL"}'


def decode_json(text: str, member: str) -> tuple[Any, list[Problem]]:
    """The value a JSON cell gives `member`, or the problems that stop it (the value is then None)."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [Problem.at(member, f"not valid JSON (line {exc.lineno} column {exc.colno}: {exc.msg})")]
    if "\\u" in text:
        surrogate = _lone_surrogate(value)
        if surrogate is not None:
            message = (
                f"JSON escape \\u{ord(surrogate):04x} is half of a surrogate pair, not a character: "
                "the text cannot be sent as UTF-8"
            )
            return None, [Problem.at(member, message)]
    checker = _SHAPE_CHECKS.get(member)
    problems = checker(value, member) if checker is not None else []
    return (None, problems) if problems else (value, [])


def _lone_surrogate(value: object) -> str | None:
    """The first unpaired surrogate in decoded JSON (`"\\ud800"` decodes to one; UTF-8 cannot carry it)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        return str(exc.object[exc.start])
    return None


def _not_an_object(field: str, value: object, like: str = "", *, subject: str = "JSON ") -> Problem:
    """`field` should hold an object (shaped like `like`) and holds `value` instead."""
    example = f" like {like}" if like else ""
    return Problem.at(field, f"{subject}must be an object{example}; got {value_kind(value)}")


def _check_attributes(value: object, member: str) -> list[Problem]:
    if not isinstance(value, dict):
        return [_not_an_object(member, value, '{"key": "value"}')]
    return [
        Problem.at(
            f"{member}.{key}", f"JSON value must be a string; got {value_kind(item)} {json.dumps(item)}"
        )
        for key, item in value.items()
        if not isinstance(item, str)
    ]


def _check_references(value: object, member: str) -> list[Problem]:
    if not isinstance(value, dict):
        return [_not_an_object(member, value, f'{{"name": {_REFERENCE_EXAMPLE}}}')]
    problems: list[Problem] = []
    for name, item in value.items():
        if not isinstance(item, dict):
            problems.append(_not_an_object(f"{member}.{name}", item, _REFERENCE_EXAMPLE, subject=""))
        elif isinstance(item.get("Type"), str):
            item["Type"] = item["Type"].upper()
    return problems


def _check_object(value: object, member: str) -> list[Problem]:
    return [] if isinstance(value, dict) else [_not_an_object(member, value)]


_SHAPE_CHECKS: dict[str, Callable[[object, str], list[Problem]]] = {
    ATTRIBUTES: _check_attributes,
    REFERENCES: _check_references,
    SEGMENT_ATTRIBUTES: _check_object,
}
