"""How values are told in messages."""

from __future__ import annotations

from bulkload.validation import format_epoch


def test_format_epoch() -> None:
    assert format_epoch(1_796_810_400) == "2026-12-09T10:00:00Z"
