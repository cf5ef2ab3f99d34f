"""What the pool sends: an operation says which call to make for a request and what its answers mean.

The pool's machinery (gate, limiter, adaptive rate, retries, the drain on a stop) is the same for every
call; an `Operation` supplies the call and turns each way a request can end into the caller's outcome.
`StartTask` is StartTaskContact's: a created task, or why not, as a line of the results file.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from bulkload.connect.classify import ClassifiedError
from bulkload.records import RowOutcome, Status, TaskRequest


class Keyed(Protocol):
    """A request or an outcome: the input row it belongs to, and that row's key (for logs and ordering)."""

    @property
    def row(self) -> int:
        """The row's 1-based number in the input."""

    @property
    def key(self) -> str:
        """The row's key."""


RequestT = TypeVar("RequestT", bound=Keyed)
OutcomeT = TypeVar("OutcomeT", bound=Keyed)


class Operation(Protocol[RequestT, OutcomeT]):
    """One service call per request, and the outcome of each way a request can end.

    `attempts` is the number of calls made for the request; `unknown` the last failed attempt that may
    have taken effect (a 5xx, a timeout, a dropped connection; not a throttle), None if none did.
    """

    request_type: type[RequestT]

    async def call(self, client: Any, request: RequestT) -> Any:
        """Make the call for one attempt; return the service's answer (a failure raises)."""

    def answered(self, request: RequestT, response: Any, attempts: int) -> OutcomeT:
        """The outcome of a request the service answered with success."""

    def refused(
        self, request: RequestT, error: ClassifiedError, attempts: int, unknown: ClassifiedError | None
    ) -> OutcomeT:
        """The outcome of a request the service refused (retrying cannot help)."""

    def gave_up(self, request: RequestT, error: ClassifiedError, attempts: int, *, stopped: bool) -> OutcomeT:
        """The outcome of a request whose attempts ran out, or (`stopped`) that the job stopped before its
        next attempt; either way its last attempt's effect is unknown (`error`)."""

    def done(self, outcome: OutcomeT) -> bool:
        """Whether an outcome is the operation's success (a row decided earlier counts as carried over)."""


class StartTask:
    """StartTaskContact with the row's own ClientToken: the outcome says created, rejected or failed."""

    request_type = TaskRequest

    def __init__(self, job_id: str) -> None:
        self.job_id = job_id

    async def call(self, client: Any, request: TaskRequest) -> Any:
        """Ask the service to create the row's task."""
        return await client.start_task_contact(**request.call_kwargs())

    def outcome(self, request: TaskRequest, status: Status, attempts: int, **fields: str) -> RowOutcome:
        """The outcome of `request` with this job's id and the request's token, instance, schedule and the
        time its token was first sent."""
        return RowOutcome(
            row=request.row,
            line=request.line,
            key=request.key,
            status=status,
            job_id=self.job_id,
            client_token=request.client_token,
            request_hash=request.request_hash,
            attempts=attempts,
            instance_id=str(request.params.get("InstanceId", "")),
            scheduled_time=request.params.get("ScheduledTime"),
            sent_at=request.sent_at,
            **fields,
        )

    def answered(self, request: TaskRequest, response: Any, attempts: int) -> RowOutcome:
        """Created: the service returned the task's ContactId."""
        return self.outcome(request, Status.CREATED, attempts, contact_id=str(response["ContactId"]))

    def refused(
        self, request: TaskRequest, error: ClassifiedError, attempts: int, unknown: ClassifiedError | None
    ) -> RowOutcome:
        """Rejected, with the service's reason."""
        return self.outcome(
            request, Status.REJECTED, attempts, error_code=error.code, error_message=error.message
        )

    def gave_up(
        self, request: TaskRequest, error: ClassifiedError, attempts: int, *, stopped: bool
    ) -> RowOutcome:
        """Failed. Recorded with its token and request hash, so a re-run resolves the attempt that may have
        created a task, and an edited row is held back instead of being sent under a new token as a
        second task."""
        message = (
            f"stopped before the next attempt; the last one failed: {error.message}"
            if stopped
            else error.message
        )
        return self.outcome(request, Status.FAILED, attempts, error_code=error.code, error_message=message)

    def done(self, outcome: RowOutcome) -> bool:
        """A created row."""
        return outcome.status is Status.CREATED
