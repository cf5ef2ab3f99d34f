"""The exactly-once decisions: what a run does with each row, given what earlier runs did with it.

A row is mapped and validated, then looked up by key among the earlier outcomes:

- created earlier: carried over, never sent again (even if it was edited since: that is counted);
- an earlier attempt whose outcome is unknown (failed, made invalid since, or sent by a run that stopped
  before its answer came: see `ledger.sends`) and the row unchanged: sent again with the same ClientToken,
  so the service answers with the task it may already have made (an attempt older than a day is counted:
  the service may have forgotten its token by now);
- such an attempt and the row edited: held as EditedAfterUnknownOutcome, unless the run resends edited rows;
- invalid now, after an unknown attempt: recorded invalid, keeping that attempt's token and hash;
- anything else: a new request, its ClientToken derived from the job id, the key and the request.

Everything here is synchronous and needs no service: the job runs it in a worker thread, chunk by chunk.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from bulkload.ledger.sends import stamp_seconds
from bulkload.mapping import ColumnMapping
from bulkload.progress import STALE_AFTER, JobProgress
from bulkload.records import MappedRow, Problem, RowOutcome, SourceRow, Status, TaskRequest
from bulkload.tokens import client_token, request_hash
from bulkload.validation import FileRules, RequestValidator, describe_problems

if TYPE_CHECKING:
    from bulkload.connect.findings import PreflightReport

EDITED_AFTER_UNKNOWN = "EditedAfterUnknownOutcome"

Prepared = TaskRequest | RowOutcome  # a request to send, or an outcome decided without sending


class KnownOutcomes(Protocol):
    """Earlier runs' outcomes by row key (the ledger's index, or a dict in tests)."""

    def get(self, key: str, /) -> RowOutcome | None:
        """The latest known outcome of the row with this key."""


def outcome_unknown(prev: RowOutcome) -> bool:
    """Whether an earlier outcome left a task that may exist: a failed row, or one made invalid since."""
    return prev.status in (Status.FAILED, Status.INVALID) and bool(prev.client_token and prev.request_hash)


class RowPreparer:
    """Turns input rows into requests to send or outcomes decided without sending, in input order.

    `previous` holds earlier runs' outcomes (None: nothing is known, as for `validate`); `resend_edited`
    sends a row edited after an unknown outcome instead of holding it (it may create a second task).
    `checked` is what preflight learnt of the ids rows use: a row naming one the service refuses is
    invalid. Created rows that changed since, and unknown outcomes resolved more than `STALE_AFTER` after
    their first attempt (by `clock`, seconds since the epoch), are counted in `progress` (None: not
    counted, as in a pass that only looks at the rows).
    """

    def __init__(
        self,
        mapping: ColumnMapping,
        validator: RequestValidator,
        rules: FileRules,
        previous: KnownOutcomes | None = None,
        *,
        job_id: str,
        resend_edited: bool = False,
        progress: JobProgress | None = None,
        checked: PreflightReport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.mapping = mapping
        self.validator = validator
        self.rules = rules
        self.previous = previous
        self.job_id = job_id
        self.resend_edited = resend_edited
        self.progress = progress
        self.checked = checked
        self.clock = clock

    def prepare(self, chunk: Iterable[SourceRow]) -> list[Prepared]:
        """Decide every row of a chunk; call in input order (the file rules count rows as they pass)."""
        return [self.decide(src) for src in chunk]

    def prepare_next(self, chunks: Iterator[list[SourceRow]]) -> list[Prepared] | None:
        """Read the next chunk of rows and decide it; None at the end of the input."""
        chunk = next(chunks, None)
        return None if chunk is None else self.prepare(chunk)

    def decide(self, src: SourceRow) -> Prepared:
        """Decide one row (see the module docstring)."""
        mapped = self.mapping.map_row(src)
        repeated = self.rules.check_key(mapped)
        if repeated:
            # Before the lookup: a repeated key must not inherit the outcome of the row that owns it.
            return self._invalid(mapped, mapped.problems + repeated)
        prev = self.previous.get(mapped.key) if self.previous is not None else None
        if prev is not None and prev.status is Status.CREATED:
            self.rules.count_created(mapped)  # its task counts towards its PreviousContactId's 12
            # Created rows are never sent again, even if the row was edited since.
            if (
                self.progress is not None
                and mapped.params
                and prev.request_hash
                and request_hash(mapped.params) != prev.request_hash
            ):
                self.progress.record_changed_after_created(src.row, mapped.key)
            return dataclasses.replace(prev, row=src.row, line=src.line)
        return self._check(mapped, prev)

    def _check(self, mapped: MappedRow, prev: RowOutcome | None) -> Prepared:
        unknown = prev if prev is not None and outcome_unknown(prev) else None  # an attempt that may exist
        problems = (
            mapped.problems
            or self.validator.validate(mapped.params)
            # Before the file rules: a row never sent does not count towards a PreviousContactId chain.
            or (self.checked.problems_for(mapped.params) if self.checked is not None else ())
            or self.rules.check(mapped)
        )
        if problems:
            invalid = self._invalid(mapped, problems)
            if unknown is not None:
                # Keep the unknown attempt's token and hash: once the row is fixed, it must be resolved
                # with that token (unchanged) or held back (edited), never sent as a new task.
                invalid = dataclasses.replace(
                    invalid,
                    client_token=unknown.client_token,
                    request_hash=unknown.request_hash,
                    sent_at=unknown.sent_at,
                    error_message=f"{invalid.error_message} (an earlier attempt of this row, whose outcome "
                    "is unknown, is kept: see EditedAfterUnknownOutcome)",
                )
            return invalid
        req_hash = request_hash(mapped.params)
        if unknown is not None and unknown.request_hash != req_hash and not self.resend_edited:
            # The earlier attempt may have created a task under the old token. Sending the edited row under
            # a new token could make a second task, so hold it until the user decides.
            return dataclasses.replace(
                unknown,
                row=mapped.row,
                line=mapped.line,
                status=Status.FAILED,
                error_code=EDITED_AFTER_UNKNOWN,
                error_message=(
                    "the row was edited after an attempt whose outcome is unknown, so its task may already "
                    "exist; restore the row as it was to resolve that attempt, or pass --resend-edited to "
                    "send the edited row as a new task"
                ),
            )
        token = str(mapped.params.get("ClientToken") or client_token(self.job_id, mapped.key, req_hash))
        params = {k: v for k, v in mapped.params.items() if k != "ClientToken"}
        # Resolving the unknown attempt: its first send's time stays, for the token's window.
        sent_at = unknown.sent_at if unknown is not None and unknown.client_token == token else ""
        if sent_at and self.progress is not None:
            self._check_age(self.progress, mapped, sent_at)
        return TaskRequest(
            row=mapped.row,
            line=mapped.line,
            key=mapped.key,
            params=params,
            client_token=token,
            request_hash=req_hash,
            sent_at=sent_at,
        )

    def _check_age(self, progress: JobProgress, mapped: MappedRow, sent_at: str) -> None:
        sent = stamp_seconds(sent_at)
        if sent is not None and (age := self.clock() - sent) > STALE_AFTER:
            progress.record_stale_unknown(mapped.row, mapped.key, age)

    def _invalid(self, mapped: MappedRow, problems: tuple[Problem, ...]) -> RowOutcome:
        code, message = describe_problems(problems, self.mapping.column_for)
        return RowOutcome(
            row=mapped.row,
            line=mapped.line,
            key=mapped.key,
            status=Status.INVALID,
            job_id=self.job_id,
            error_code=code,
            error_message=message,
        )


def carried_over(item: Prepared) -> bool:
    """Whether a prepared row is one created in an earlier run, carried over without being sent."""
    return isinstance(item, RowOutcome) and item.status is Status.CREATED


class RowLimit:
    """`--limit N`: a run takes the first N rows not created yet, in input order, and stops before the next.

    Rows created earlier do not count and are always taken, so a run stopped by its limit also carries
    over the created rows that follow, up to the next row it would have to send. None: no limit.
    """

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.taken = 0  # rows not created yet that the run took
        self.reached = False  # a row past the limit was met: the input has more to do

    def admits(self, item: Prepared) -> bool:
        """Whether the run takes `item`; False once the limit is reached (and for every row after it)."""
        if self.limit is None or carried_over(item):
            return not self.reached
        if self.taken >= self.limit:
            self.reached = True
            return False
        self.taken += 1
        return True
