"""An invalid row's error code and message for the results file, from its problems."""

from __future__ import annotations

from collections.abc import Callable

from bulkload.records import Problem

__all__ = ["describe_problems"]


def describe_problems(
    problems: tuple[Problem, ...], column_for: Callable[[str], str | None]
) -> tuple[str, str]:
    """The error code and message of an invalid row: the first problem's code, then every problem.

    `column_for` names the column behind a member path, so that a message about a mapped member also
    says which column to fix.
    """
    parts = []
    for problem in problems:
        column = column_for(problem.field) if problem.field else None
        where = problem.field or ""
        if column and problem.field and column != problem.field:
            where = f"{problem.field} (column {column!r})"
        parts.append(f"{where}: {problem.message}" if where else problem.message)
    return problems[0].code, "; ".join(parts)
