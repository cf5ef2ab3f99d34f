"""StopContact as an operation of the pool: the call, and what each answer means for the task.

A stop succeeds, or the service says the contact has already ended or is gone (`connect.classify.
contact_gone`): either way the task is over, which is what a stop is for. Which of `stopped` and
`already-ended` the ledger says depends on whether a stop of bulkload's may have ended it: when an
earlier attempt went unanswered (a dropped connection, a timeout, a 5xx, a process killed while it
waited), that attempt most likely did, and the task is `stopped` with the service's later answer kept in
`error_message`. `already-ended` is kept for tasks that were over before bulkload first asked.
"""

from __future__ import annotations

from typing import Any

from bulkload.connect.classify import ClassifiedError, contact_gone
from bulkload.undo.ledger import StopLedger, now_text
from bulkload.undo.records import FINAL, StopOutcome, StopRequest, StopStatus


class StopTask:
    """StopContact for one task: the outcome says stopped, already-ended, rejected or failed.

    The first attempt of each task is recorded in the ledger as `sending` before it leaves.
    """

    request_type = StopRequest

    def __init__(self, ledger: StopLedger) -> None:
        self._ledger = ledger
        self._sent: set[int] = set()  # rows with an attempt sent and no outcome yet

    async def call(self, client: Any, request: StopRequest) -> Any:
        """Ask the service to end the task."""
        if request.row not in self._sent:
            self._sent.add(request.row)
            self._ledger.sending(request)
        return await client.stop_contact(ContactId=request.contact_id, InstanceId=request.instance_id)

    def _outcome(self, request: StopRequest, status: StopStatus, attempts: int, **fields: str) -> StopOutcome:
        self._sent.discard(request.row)
        return StopOutcome(
            row=request.row,
            key=request.key,
            contact_id=request.contact_id,
            instance_id=request.instance_id,
            status=status,
            attempts=attempts,
            time=now_text(),
            **fields,
        )

    def answered(self, request: StopRequest, response: Any, attempts: int) -> StopOutcome:
        """Stopped: the service ended the task."""
        return self._outcome(request, StopStatus.STOPPED, attempts)

    def refused(
        self, request: StopRequest, error: ClassifiedError, attempts: int, unknown: ClassifiedError | None
    ) -> StopOutcome:
        """Already-ended, or stopped when a lost answer of ours explains it (see the module); else rejected."""
        fields = {"error_code": error.code, "error_message": error.message}
        if not contact_gone(error, request.contact_id):
            return self._outcome(request, StopStatus.REJECTED, attempts, **fields)
        if not (request.maybe_stopped or unknown is not None):
            return self._outcome(request, StopStatus.ALREADY_ENDED, attempts, **fields)
        fields["error_message"] = (
            f"the answer to an earlier stop was lost, and the service now says the task has ended: "
            f"{error.message}"
        )
        return self._outcome(request, StopStatus.STOPPED, attempts, **fields)

    def gave_up(
        self, request: StopRequest, error: ClassifiedError, attempts: int, *, stopped: bool
    ) -> StopOutcome:
        """Failed: the task may or may not have ended; a later stop sends it again."""
        message = (
            f"interrupted before the next attempt; the last one failed: {error.message}"
            if stopped
            else error.message
        )
        return self._outcome(
            request, StopStatus.FAILED, attempts, error_code=error.code, error_message=message
        )

    def done(self, outcome: StopOutcome) -> bool:
        """The task has ended."""
        return outcome.status in FINAL
