"""The small frozen records that flow between the pipeline's stages.

source -> SourceRow -> mapping -> MappedRow -> validation -> TaskRequest -> pool -> RowOutcome -> results
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Final


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One data record of the input, every cell as the text the user typed.

    `row` counts data records from 1 (the header is not a row); `line` is where the record starts in the
    file as the user's editor or spreadsheet numbers it (CSV physical line, Excel sheet row, Parquet
    record index + 1 + 1 for an imaginary header, so that row 1 is line 2 everywhere).
    `cells` maps header -> text and omits empty cells: an empty cell means "absent".
    `problem` is set when the record itself is broken (a ragged line); `cells` is then empty.
    """

    row: int
    line: int
    cells: Mapping[str, str]
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a row cannot be sent: the member (or column) at fault, the rule it breaks, and its error code.

    `code` is what the results file's `error_code` says when this is the row's first problem: the member
    at fault (`Attributes` for `Attributes.prio`), `Routing` when the row's routing is not exactly one
    member, `Row` when the whole row is at fault. It is set where the problem is found, never read back
    from the message.
    """

    field: str | None
    message: str
    code: str

    ROW: ClassVar[str] = "Row"
    ROUTING: ClassVar[str] = "Routing"

    @classmethod
    def at(cls, field: str | None, message: str) -> Problem:
        """A problem of the member path (or key column) `field`, coded by its first segment.

        A field listing several names (`A, B`), or none, is no one member's fault: the code is `Row`.
        """
        if field is None or ", " in field:
            return cls(field, message, cls.ROW)
        return cls(field, message, field.partition(".")[0])

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


@dataclass(frozen=True, slots=True)
class MappedRow:
    """A row turned into StartTaskContact parameters, or the problems that stopped it.

    `params` holds the API's own shapes (ScheduledTime as epoch seconds, an int). It never holds
    ClientToken unless the row brought its own.
    """

    row: int
    line: int
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class TaskRequest:
    """A validated request ready to send: the parameters with their stable ClientToken."""

    row: int
    line: int
    key: str
    params: Mapping[str, Any]
    client_token: str
    request_hash: str
    sent_at: str = ""  # when an earlier run first sent this token (ISO 8601 UTC); empty for a new token

    def call_kwargs(self) -> dict[str, Any]:
        """The keyword arguments for `client.start_task_contact`."""
        return {**self.params, "ClientToken": self.client_token}


class Status(enum.StrEnum):
    """What became of a row; the `status` column of the results file."""

    CREATED = "created"  # the service returned a ContactId (this run or an earlier one)
    INVALID = "invalid"  # refused by local validation; never sent
    REJECTED = "rejected"  # the service refused it with a non-retryable error; not created
    FAILED = "failed"  # retries ran out; it may or may not exist; a re-run resolves it with the same token


VALID: Final = "valid"
"""What `validate` says of a row it found fit to send (a report's status, not an outcome: nothing was sent)."""


@dataclass(frozen=True, slots=True)
class RowOutcome:
    """One line of the results file."""

    row: int
    line: int
    key: str
    status: Status
    job_id: str
    contact_id: str = ""
    client_token: str = ""
    request_hash: str = ""
    error_code: str = ""
    error_message: str = ""
    attempts: int = 0
    instance_id: str = ""  # the request's InstanceId: where `bulkload stop` finds the task
    scheduled_time: int | None = None  # the request's ScheduledTime (epoch seconds), if it had one
    sent_at: str = ""  # when the row's first request under `client_token` was sent (ISO 8601 UTC)
