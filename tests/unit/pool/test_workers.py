"""The send loop alone: a real RowSender over a stand-in client, prepared items fed by a list."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from bulkload.errors import EndpointUnreachableError, InputError
from bulkload.ledger.ordering import InOrderWriter
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.writer import ResultsWriter
from bulkload.pool import PoolSettings, RowSender
from bulkload.pool.breaker import RoutingBreaker, UnreachableBreaker
from bulkload.pool.workers import SendLoop
from bulkload.prepare import Prepared
from bulkload.progress import JobProgress
from bulkload.records import RowOutcome, Status, TaskRequest

POOL = PoolSettings(
    rate=1000, burst=100, concurrency=3, max_attempts=2, backoff_initial=0.001, backoff_max=0.01
)


def request(row: int) -> TaskRequest:
    return TaskRequest(
        row=row,
        line=row + 1,
        key=str(row),
        params={"Name": f"Task {row}"},
        client_token=f"bl1-{row}",
        request_hash="h",
    )


def decided(row: int, status: Status) -> RowOutcome:
    return RowOutcome(row=row, line=row + 1, key=str(row), status=status, job_id="job-1", contact_id="c-old")


@dataclass
class Client:
    """Creates every task, except that it refuses the caller from `refuse_from` on."""

    refuse_from: int | None = None
    names: list[str] = field(default_factory=list)

    async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
        await asyncio.sleep(0)
        row = int(kwargs["Name"].split()[-1])
        if self.refuse_from is not None and row >= self.refuse_from:
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "AccessDeniedException", "Message": "not you"}}, "StartTaskContact"
            )
        self.names.append(kwargs["Name"])
        return {"ContactId": f"c-{row}"}


@pytest.fixture
def results(tmp_path: Path) -> Iterator[tuple[Path, InOrderWriter]]:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    ordered = InOrderWriter(writer)
    yield path, ordered
    ordered.flush_all()
    writer.close()


def send_loop(
    sender: RowSender,
    ordered: InOrderWriter,
    chunks: list[list[Prepared]],
    *,
    fail_after: bool = False,
    stop: asyncio.Event | None = None,
    limit: int | None = None,
    drain_timeout: float = 1,
) -> SendLoop[TaskRequest, RowOutcome]:
    feed = iter(chunks)

    async def next_items() -> list[Prepared] | None:
        chunk = next(feed, None)
        if chunk is None and fail_after:
            raise InputError("bad bytes at line 9")
        return chunk

    progress = JobProgress()
    return SendLoop(
        sender,
        ordered,
        progress,
        next_items=next_items,
        on_decided=progress.record,
        stop=stop or asyncio.Event(),
        concurrency=3,
        drain_timeout=drain_timeout,
        limit=limit,
    )


async def test_every_request_is_sent_and_every_outcome_written_in_input_order(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    client = Client()
    chunks: list[list[Prepared]] = [
        [request(1), decided(2, Status.CREATED), request(3)],
        [decided(4, Status.INVALID), *(request(row) for row in range(5, 11))],
    ]
    loop = send_loop(RowSender(client, POOL, job_id="job-1"), ordered, chunks)

    assert await loop.run() == 10
    ordered.flush_all()
    written = list(read_outcomes(path))
    assert [o.row for o in written] == list(range(1, 11))
    assert [o.status for o in written].count(Status.CREATED) == 9
    assert sorted(client.names) == sorted(f"Task {row}" for row in (1, 3, 5, 6, 7, 8, 9, 10))
    assert (loop.progress.sent, loop.progress.carried_over) == (8, 1)
    assert loop.refused is None
    assert loop.crash is None


async def test_a_refusal_of_the_caller_stops_the_loop_and_is_kept(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    client = Client(refuse_from=4)
    stop = asyncio.Event()
    rows: list[list[Prepared]] = [[request(row) for row in range(1, 30)]]
    loop = send_loop(RowSender(client, POOL, job_id="job-1"), ordered, rows, stop=stop)

    await loop.run()

    assert loop.refused is not None
    assert loop.refused.error.code == "AccessDeniedException"
    assert stop.is_set()
    ordered.flush_all()
    written = {o.row: o for o in read_outcomes(path)}
    assert written[4].status is Status.REJECTED
    assert written[4].error_code == "AccessDeniedException"
    assert len(client.names) < 29  # nothing after the refusal was sent


async def test_a_crash_in_a_worker_stops_every_worker_and_is_raised(
    results: tuple[Path, InOrderWriter],
) -> None:
    class Broken(RowSender):
        async def send(self, request: TaskRequest) -> RowOutcome | None:
            if request.row == 2:
                raise RuntimeError("boom")
            return await super().send(request)

    _, ordered = results
    loop = send_loop(
        Broken(Client(), POOL, job_id="job-1"), ordered, [[request(row) for row in range(1, 30)]]
    )
    with pytest.raises(RuntimeError, match="boom"):
        await loop.run()
    assert isinstance(loop.crash, RuntimeError)
    assert loop.progress.sent < 29


async def test_an_input_error_part_way_is_raised_once_the_rows_in_flight_are_answered(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    loop = send_loop(
        RowSender(Client(), POOL, job_id="job-1"), ordered, [[request(1), request(2)]], fail_after=True
    )
    with pytest.raises(InputError, match="bad bytes"):
        await loop.run()
    ordered.flush_all()
    assert loop.total == 2
    assert [o.status for o in read_outcomes(path)] == [Status.CREATED, Status.CREATED]


async def test_a_stop_takes_no_new_row(results: tuple[Path, InOrderWriter]) -> None:
    _, ordered = results
    client = Client()
    stop = asyncio.Event()
    stop.set()
    loop = send_loop(
        RowSender(client, POOL, job_id="job-1"), ordered, [[request(1)], [request(2)]], stop=stop
    )
    assert await loop.run() == 0
    assert client.names == []


async def test_progress_counts_rows_as_they_finish_while_an_earlier_row_still_waits(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    release = asyncio.Event()
    others_sent = asyncio.Event()

    class SlowFirst(Client):
        async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
            if kwargs["Name"] == "Task 1":
                await release.wait()  # row 1 is still being retried, say
            answer = await super().start_task_contact(**kwargs)
            if len(self.names) == 7:
                others_sent.set()
            return answer

    client = SlowFirst()
    chunks: list[list[Prepared]] = [[request(1), decided(2, Status.CREATED), decided(3, Status.INVALID)]]
    chunks.append([request(row) for row in range(4, 11)])
    loop = send_loop(RowSender(client, POOL, job_id="job-1"), ordered, chunks)
    running = asyncio.create_task(loop.run())
    await others_sent.wait()
    await asyncio.sleep(0.05)  # the workers record the last answers

    # Nine rows are decided; the results file still waits for row 1 to keep input order.
    assert loop.progress.rows_done == 9
    assert loop.progress.counts == {"created": 8, "invalid": 1}
    assert ordered.waiting == 9
    release.set()
    assert await running == 10
    assert loop.progress.rows_done == 10
    ordered.flush_all()
    assert [o.row for o in read_outcomes(path)] == list(range(1, 11))


async def test_a_limit_takes_the_first_rows_not_created_and_the_created_ones_up_to_the_next(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    client = Client()
    chunks: list[list[Prepared]] = [
        [decided(1, Status.CREATED), request(2), decided(3, Status.INVALID)],
        [request(4), decided(5, Status.CREATED), request(6), request(7)],
    ]
    loop = send_loop(RowSender(client, POOL, job_id="job-1"), ordered, chunks, limit=3)

    assert await loop.run() == 5  # rows 1-5: three not created (2, 3, 4), and the created 1 and 5
    assert loop.limit_reached
    ordered.flush_all()
    assert [o.row for o in read_outcomes(path)] == [1, 2, 3, 4, 5]
    assert sorted(client.names) == ["Task 2", "Task 4"]
    assert (loop.progress.sent, loop.progress.carried_over) == (2, 2)


async def test_a_limit_the_input_does_not_reach_is_not_reported(
    results: tuple[Path, InOrderWriter],
) -> None:
    _, ordered = results
    chunks: list[list[Prepared]] = [[request(1), request(2), decided(3, Status.CREATED)]]
    loop = send_loop(RowSender(Client(), POOL, job_id="job-1"), ordered, chunks, limit=2)

    assert await loop.run() == 3
    assert not loop.limit_reached  # every row was taken: the job is complete


@dataclass
class Refusing:
    """Refuses every request with one error, or raises `error` for every call."""

    error: Exception = field(
        default_factory=lambda: botocore.exceptions.ClientError(
            {"Error": {"Code": "ResourceNotFoundException", "Message": "no such flow"}}, "StartTaskContact"
        )
    )
    calls: int = 0

    async def start_task_contact(self, **_kwargs: Any) -> dict[str, str]:
        await asyncio.sleep(0)
        self.calls += 1
        raise self.error


def routed(row: int) -> TaskRequest:
    return TaskRequest(
        row=row,
        line=row + 1,
        key=str(row),
        params={"InstanceId": "i", "ContactFlowId": "f", "Name": f"Task {row}"},
        client_token=f"bl1-{row}",
        request_hash="h",
    )


async def test_rows_the_breaker_refuses_without_sending_are_not_counted_as_sent(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    client = Refusing()
    sender = RowSender(client, POOL, job_id="job-1", breaker=RoutingBreaker(2))
    loop = send_loop(sender, ordered, [[routed(row) for row in range(1, 11)]])

    await loop.run()

    ordered.flush_all()
    written = list(read_outcomes(path))
    assert [o.status for o in written] == [Status.REJECTED] * 10
    assert client.calls == 2
    assert loop.progress.sent == 2
    assert [o.attempts for o in written].count(0) == 8


async def test_missing_credentials_stop_the_loop_and_record_no_row(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    client = Refusing(error=botocore.exceptions.NoCredentialsError())
    loop = send_loop(RowSender(client, POOL, job_id="job-1"), ordered, [[request(1), request(2)]])

    await loop.run()

    assert loop.refused is not None
    assert loop.refused.error.code == "NoCredentials"
    ordered.flush_all()
    assert list(read_outcomes(path)) == []  # nothing was sent, so nothing is recorded
    assert loop.progress.sent == 0


async def test_an_endpoint_that_never_answers_stops_the_loop_and_is_raised_after_draining(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0  # every reading is a second later
        return now[0]

    pool = PoolSettings(rate=1000, burst=100, concurrency=3, max_attempts=100, backoff_initial=0.001)
    client = Refusing(error=ConnectionRefusedError("connection refused"))
    unreachable = UnreachableBreaker(5, clock=clock)
    sender = RowSender(client, pool, job_id="job-1", clock=clock, unreachable=unreachable)
    loop = send_loop(sender, ordered, [[request(row) for row in range(1, 30)]])

    with pytest.raises(EndpointUnreachableError, match=r"no call was answered in 5 s \(ConnectionError"):
        await loop.run()

    ordered.flush_all()
    written = list(read_outcomes(path))
    assert written, "the row that tripped the stop is recorded"
    assert {o.status for o in written} == {Status.FAILED}
    assert all(o.client_token and o.attempts > 0 for o in written)
    assert len(written) <= 3  # only rows that were sent: the others were never taken or never sent


@dataclass
class HalfHung:
    """Refuses the connection for row 1; never answers any other row."""

    async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
        if kwargs["Name"] == "Task 1":
            await asyncio.sleep(0)
            raise ConnectionRefusedError("connection refused")
        await asyncio.Event().wait()
        raise AssertionError("never answered")


async def test_when_the_endpoint_is_given_up_the_calls_in_flight_end_and_their_rows_are_recorded(
    results: tuple[Path, InOrderWriter],
) -> None:
    path, ordered = results
    now = [0.0]

    def clock() -> float:
        now[0] += 1.0
        return now[0]

    pool = PoolSettings(rate=1000, burst=100, concurrency=3, max_attempts=100, backoff_initial=0.001)
    unreachable = UnreachableBreaker(5, clock=clock)
    sender = RowSender(HalfHung(), pool, job_id="job-1", clock=clock, unreachable=unreachable)
    # The drain is not waited for: the hung calls end as soon as the endpoint is given up.
    loop = send_loop(sender, ordered, [[request(1), request(2), request(3)]], drain_timeout=60)

    with pytest.raises(EndpointUnreachableError):
        await asyncio.wait_for(loop.run(), 10)

    ordered.flush_all()
    written = {o.row: o for o in read_outcomes(path)}
    assert sorted(written) == [1, 2, 3]
    assert {o.status for o in written.values()} == {Status.FAILED}
    assert (written[2].error_code, written[3].error_code) == ("Timeout", "Timeout")
    assert all(o.client_token for o in written.values())
