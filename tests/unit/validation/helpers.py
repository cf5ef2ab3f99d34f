"""Helpers shared by the validation tests: a pinned clock, a valid request to vary, a mapped row."""

from __future__ import annotations

from typing import Any

from bulkload.records import MappedRow
from bulkload.validation import RequestValidator

NOW = 1_795_507_200.5  # 2026-11-24T08:00:00.5Z
DAY = 86_400


def request(**overrides: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"InstanceId": "i-1", "Name": "Call back", "ContactFlowId": "f-1"}
    params.update(overrides)
    return {k: v for k, v in params.items() if v is not None}


def messages(validator: RequestValidator, params: dict[str, Any]) -> list[str]:
    return [str(p) for p in validator.validate(params)]


def mapped(row: int, key: str, **params: Any) -> MappedRow:
    return MappedRow(row=row, line=row + 1, key=key, params=params)
