"""How messages say a count: `1 row`, `2 rows`, never `1 rows`."""

from __future__ import annotations

__all__ = ["counted"]


def counted(count: int, noun: str, plural: str | None = None) -> str:
    """`count` and `noun`, plural unless the count is one (`plural` for a noun that takes more than an s)."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"
