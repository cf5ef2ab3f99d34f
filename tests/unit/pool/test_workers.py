"""The send loop alone: a real RowSender over a stand-in client, prepared items fed by a list."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.exceptions
import pytest

from bulkload.errors import InputError
from bulkload.ledger.ordering import InOrderWriter
from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.writer import ResultsWriter
from bulkload.pool import PoolSettings, RowSender
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
) -> SendLoop[TaskRequest, RowOutcome]:
    feed = iter(chunks)

    async def next_items() -> list[Prepared] | None:
        chunk = next(feed, None)
        if chunk is None and fail_after:
            raise InputError("bad bytes at line 9")
        return chunk

    return SendLoop(
        sender,
        ordered,
        JobProgress(),
        next_items=next_items,
        stop=stop or asyncio.Event(),
        concurrency=3,
        drain_timeout=1,
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
