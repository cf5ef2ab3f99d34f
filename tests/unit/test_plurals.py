"""Counts in messages."""

from __future__ import annotations

from bulkload.plurals import counted


def test_one_is_singular_and_every_other_count_plural() -> None:
    assert [counted(n, "row") for n in (0, 1, 2)] == ["0 rows", "1 row", "2 rows"]
    assert counted(1, "retry", "retries") == "1 retry"
    assert counted(3, "retry", "retries") == "3 retries"
