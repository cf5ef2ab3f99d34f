"""StartTaskContact as the pool's operation: each way a row can end, as a line of the results file."""

from __future__ import annotations

from typing import Any

from bulkload.connect.classify import ClassifiedError, ErrorKind
from bulkload.pool import StartTask
from bulkload.records import Status, TaskRequest

REQUEST = TaskRequest(
    row=3,
    line=4,
    key="T-3",
    params={"InstanceId": "i-1", "Name": "Call back", "ScheduledTime": 1_900_000_000},
    client_token="bl1-3",
    request_hash="h3",
)
TIMEOUT = ClassifiedError(ErrorKind.RETRYABLE, "Timeout", "the call timed out")


class Client:
    def __init__(self) -> None:
        self.kwargs: dict[str, Any] = {}

    async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
        self.kwargs = kwargs
        return {"ContactId": "c-3"}


async def test_the_call_carries_the_rows_token_and_the_answer_is_created() -> None:
    client = Client()
    start = StartTask("job-1")

    created = start.answered(REQUEST, await start.call(client, REQUEST), 2)

    assert client.kwargs == {**REQUEST.params, "ClientToken": "bl1-3"}
    assert (created.status, created.contact_id, created.attempts, created.job_id) == (
        Status.CREATED,
        "c-3",
        2,
        "job-1",
    )
    assert (created.instance_id, created.scheduled_time) == ("i-1", 1_900_000_000)
    assert start.done(created)


def test_refused_rows_are_rejected_and_unanswered_ones_failed_with_their_token() -> None:
    start = StartTask("job-1")
    refused = ClassifiedError(ErrorKind.REJECTED, "InvalidParameterException", "bad name")

    rejected = start.refused(REQUEST, refused, 1, None)
    failed = start.gave_up(REQUEST, TIMEOUT, 8, stopped=False)
    stopped = start.gave_up(REQUEST, TIMEOUT, 1, stopped=True)

    assert (rejected.status, rejected.error_code, rejected.error_message) == (
        Status.REJECTED,
        "InvalidParameterException",
        "bad name",
    )
    assert (failed.status, failed.attempts, failed.client_token, failed.request_hash) == (
        Status.FAILED,
        8,
        "bl1-3",
        "h3",
    )
    assert stopped.error_message == "stopped before the next attempt; the last one failed: the call timed out"
    assert not any(start.done(o) for o in (rejected, failed, stopped))
