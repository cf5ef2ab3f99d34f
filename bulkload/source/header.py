"""The rules every format's header follows: names stripped, none blank, none twice."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from bulkload.errors import InputError


def check_header(
    names: Sequence[str], path: Path | str, where: str, column: Callable[[int], str], drop_trailing: bool
) -> tuple[str, ...]:
    """Strip the names; drop trailing blank ones (Excel exports leave them); refuse blanks and duplicates."""
    header = [name.strip() for name in names]
    if drop_trailing:
        while header and not header[-1]:
            header.pop()
    for i, name in enumerate(header):
        if not name:
            left = next((n for n in reversed(header[:i]) if n), None)
            right = next((n for n in header[i + 1 :] if n), None)
            if left is None:
                place = f"before {right!r}"
            elif right is None:
                place = f"after {left!r}"
            else:
                place = f"between {left!r} and {right!r}"
            raise InputError(
                f"{path}: {where} has no name in column {column(i)}, {place}; name the column or delete it"
            )
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in seen:
            raise InputError(
                f"{path}: {where} names {name!r} twice, in columns {column(seen[name])} and {column(i)}"
            )
        seen[name] = i
    return tuple(header)


def column_number(i: int) -> str:
    """A 0-based column index as the user counts columns: from 1."""
    return str(i + 1)
