"""Error groups: the summary's rows that failed for the same reason, with one message true for all of them.

A message names row-specific values (a quoted cell, a line number, a time, an id) around fixed words that
say which rule failed. Rows group by (status, code, fixed words), so "is in the past" and "is not a time"
never share a group although both are `invalid ScheduledTime`. Service messages are grouped the same way,
so this needs no rule id from whoever wrote the message. A group's message keeps a value where every row
had the same one and shows `...` where its rows differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bulkload.records import RowOutcome

__all__ = ["ErrorGroup", "ErrorGroups"]

_EXAMPLE_ROWS = 5  # rows listed per group
_PATTERNS_PER_CODE = 50  # distinct messages of one (status, code) before the rest share one group
DIFFERS = "..."
"""What a group's message shows in place of a value its rows do not share."""
OTHER_MESSAGES = "other messages: see the results file"
"""The message of the group that takes a code's rows past its first distinct messages."""

# The row-specific parts of a message, tried in this order at each position.
_VALUE = re.compile(
    r"""(?<![\w'"])'(?:[^'\\\n]|\\.)*'(?!\w)"""  # a value quoted as repr() quotes it
    r"""|(?<![\w'"])"(?:[^"\\\n]|\\.)*"(?!\w)"""
    r"|\b\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?(?:Z|[+-]\d\d:?\d\d)?"  # a date or time
    r"|\b[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}\b"  # an id (UUID)
    r"|(?<![\w.])\d+(?:\.\d+)?(?!\w)"  # a number
)


def split_message(message: str) -> tuple[tuple[str, ...], list[str]]:
    """A message's fixed words (between its values) and its row-specific values, in order."""
    fixed: list[str] = []
    values: list[str] = []
    start = 0
    for match in _VALUE.finditer(message):
        fixed.append(message[start : match.start()])
        values.append(match.group())
        start = match.end()
    fixed.append(message[start:])
    return tuple(fixed), values


@dataclass
class ErrorGroup:
    """Rows that ended with the same status, error code and message pattern: a count, a message true
    for every one of them, and a few example rows."""

    status: str
    code: str
    message: str
    count: int = 0
    rows: list[int] = field(default_factory=list)
    _fixed: tuple[str, ...] = field(default=(), repr=False)
    _values: list[str | None] = field(default_factory=list, repr=False)  # None: the rows differ

    def add(self, row: int, values: list[str] | None = None) -> None:
        """Count one more row, whose message had these `values` in the group's pattern."""
        self.count += 1
        if len(self.rows) < _EXAMPLE_ROWS:
            self.rows.append(row)
        if values is None or not self._fixed:
            return
        changed = False
        for i, value in enumerate(values):
            if self._values[i] is not None and self._values[i] != value:
                self._values[i] = None
                changed = True
        if changed:
            shown = [DIFFERS if v is None else v for v in self._values]
            self.message = "".join(f + v for f, v in zip(self._fixed, [*shown, ""], strict=True))

    def as_dict(self) -> dict[str, Any]:
        """The group as the summary's `top_errors` lists it."""
        return {
            "status": self.status,
            "code": self.code,
            "message": self.message,
            "count": self.count,
            "rows": list(self.rows),
        }


class ErrorGroups:
    """Groups the outcomes of rows that were not created (see the module docstring)."""

    def __init__(self) -> None:
        self._groups: dict[tuple[str, str, tuple[str, ...] | None], ErrorGroup] = {}
        self._patterns: dict[tuple[str, str], int] = {}  # distinct patterns seen per (status, code)

    def add(self, outcome: RowOutcome) -> None:
        """Count the outcome of a row that was not created in its group."""
        self.add_row(outcome.status.value, outcome.row, outcome.error_code, outcome.error_message)

    def add_row(self, status: str, row: int, code: str, message: str) -> None:
        """Count one row of this status whose error was `code` and `message` (a stop's, say)."""
        fixed, values = split_message(message)
        key: tuple[str, str, tuple[str, ...] | None] = (status, code, fixed)
        group = self._groups.get(key)
        if group is None:
            seen = self._patterns.get((status, code), 0)
            if seen >= _PATTERNS_PER_CODE:
                # Bounded memory, whatever the messages: the rest of this code's rows share one group.
                key = (status, code, None)
                group = self._groups.setdefault(key, ErrorGroup(status, code, OTHER_MESSAGES))
                group.add(row)
                return
            self._patterns[(status, code)] = seen + 1
            group = ErrorGroup(status, code, message, _fixed=fixed, _values=list(values))
            self._groups[key] = group
        group.add(row, values)

    def find(self, status: str, code: str) -> list[ErrorGroup]:
        """Every group of this status and code, largest first."""
        return sorted(
            (g for g in self._groups.values() if (g.status, g.code) == (status, code)), key=lambda g: -g.count
        )

    def top(self, n: int) -> list[ErrorGroup]:
        """The `n` largest groups, largest first (the first seen first among equals)."""
        return sorted(self._groups.values(), key=lambda g: -g.count)[:n]

    def __len__(self) -> int:
        return len(self._groups)
