"""Reading a results file (or any ledger file bulkload writes) back, so a run can resume where the last
one stopped.

A line torn by `kill -9` (no final newline) is ignored; every line before it is kept.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Final

from bulkload.cells import CSV_FIELD_LIMIT
from bulkload.errors import ResultsFileError
from bulkload.ledger.writer import restore
from bulkload.records import RowOutcome, Status

Cells = Callable[[str], str]
"""One line's cells by column name, as written (`restore` undone); a column the file lacks reads empty."""

_REQUIRED: Final = frozenset({"row", "key", "status", "contact_id", "client_token", "job_id"})


def _complete_lines(handle: IO[str]) -> Iterator[str]:
    """Every line that ends in a newline; a final line without one was torn by a crash and is dropped."""
    for line in handle:
        if line.endswith("\n"):
            yield line


def read_table(path: Path, required: frozenset[str], what: str) -> Iterator[tuple[int, Cells]]:
    """Read a ledger file written by bulkload (a results file, a stop ledger) as (line number, cells),
    ignoring a torn last line; `required` are the columns it must have, `what` names it in errors."""
    try:
        # newline="\n": split lines only where the writer ends them, so a "\r" inside a quoted value (a
        # key may hold one) is not taken for the end of a torn line; nothing is translated either way.
        handle = path.open(newline="\n", encoding="utf-8")
    except OSError as exc:
        raise ResultsFileError(f"cannot read the {what} {path}: {exc.strerror}") from exc
    with handle:
        csv.field_size_limit(CSV_FIELD_LIMIT)  # process-global; set where the reader is made, as source does
        reader = csv.reader(_complete_lines(handle))
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise ResultsFileError(f"{path} is not a bulkload {what}: {exc}") from exc
        if header is None:
            return
        missing = required - set(header)
        if missing:
            raise ResultsFileError(
                f"{path} is not a bulkload {what}: it has no {', '.join(sorted(missing))} column"
            )
        index = {name: i for i, name in enumerate(header)}
        try:
            for number, record in enumerate(reader, start=2):
                if len(record) != len(header):
                    raise ResultsFileError(
                        f"{path}, line {number}: {len(record)} fields, expected {len(header)}; "
                        f"the file was edited or is not a bulkload {what}"
                    )
                yield number, functools.partial(_cell, record, index)
        except csv.Error as exc:  # an unterminated quote at the very end: a torn write
            if "EOF" not in str(exc) and "end of data" not in str(exc):
                raise ResultsFileError(f"{path}: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise ResultsFileError(f"{path} is not UTF-8 text: {exc}") from exc


def _cell(record: list[str], index: dict[str, int], name: str) -> str:
    i = index.get(name)
    return restore(record[i]) if i is not None else ""


def read_outcomes(path: Path) -> Iterator[RowOutcome]:
    """Read a results file written by bulkload, ignoring a torn last line."""
    for number, cells in read_table(path, _REQUIRED, "results file"):
        yield _parse(cells, path, number)


def _parse(get: Cells, path: Path, number: int) -> RowOutcome:
    try:
        status = Status(get("status"))
        row = int(get("row"))
        line = int(get("line") or 0)
        attempts = int(get("attempts") or 0)
        scheduled = get("scheduled_time")  # absent from files written before the column
        scheduled_time = int(scheduled) if scheduled else None
    except ValueError as exc:
        raise ResultsFileError(f"{path}, line {number}: {exc}") from exc
    return RowOutcome(
        row=row,
        line=line,
        key=get("key"),
        status=status,
        job_id=get("job_id"),
        contact_id=get("contact_id"),
        client_token=get("client_token"),
        request_hash=get("request_hash"),
        error_code=get("error_code"),
        error_message=get("error_message"),
        attempts=attempts,
        instance_id=get("instance_id"),
        scheduled_time=scheduled_time,
        sent_at=get("sent_at"),  # absent from files written before the column existed
    )
