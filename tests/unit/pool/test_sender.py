"""A row's attempts and the record of sends: recorded before the first request leaves, once per row."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.exceptions

from bulkload.ledger.sends import SendRecord, read_sends, utc_stamp
from bulkload.pool import PoolSettings, RowSender
from bulkload.records import Status, TaskRequest

POOL = PoolSettings(
    rate=1000, burst=100, concurrency=8, max_attempts=3, backoff_initial=0.001, backoff_max=0.01
)
NOW = 1_795_000_000.0
EARLIER = "2026-11-17T09:00:00Z"


def request(row: int, sent_at: str = "") -> TaskRequest:
    return TaskRequest(
        row=row,
        line=row + 1,
        key=f"k{row}",
        params={"Name": f"Task {row}"},
        client_token=f"bl1-{row}",
        request_hash=f"h{row}",
        sent_at=sent_at,
    )


@dataclass
class Client:
    """Notes which rows the record held when each call arrived; drops the first call of `flaky` rows."""

    record: Path
    flaky: set[int] = field(default_factory=set)
    recorded_at_call: list[tuple[int, bool]] = field(default_factory=list)

    async def start_task_contact(self, **kwargs: Any) -> dict[str, str]:
        row = int(kwargs["Name"].split()[-1])
        recorded = self.record.exists() and any(o.row == row for o in read_sends(self.record))
        self.recorded_at_call.append((row, recorded))
        await asyncio.sleep(0)
        if row in self.flaky:
            self.flaky.discard(row)
            raise botocore.exceptions.ClientError(
                {"Error": {"Code": "InternalServiceException", "Message": "try again"}}, "StartTaskContact"
            )
        return {"ContactId": f"c-{row}"}


def sender(tmp_path: Path, client: Client) -> tuple[RowSender, SendRecord]:
    record = SendRecord(client.record, job_id="job-1", clock=lambda: NOW)
    return RowSender(client, POOL, job_id="job-1", record=record.before_send), record


async def test_every_request_leaves_only_once_its_row_is_recorded(tmp_path: Path) -> None:
    client = Client(tmp_path / "r.csv.sends")
    rows, record = sender(tmp_path, client)

    outcomes = await asyncio.gather(*(rows.send(request(row)) for row in range(1, 21)))
    record.close()

    assert sorted(client.recorded_at_call) == [(row, True) for row in range(1, 21)]
    assert [o.status for o in outcomes if o is not None] == [Status.CREATED] * 20
    assert {o.sent_at for o in outcomes if o is not None} == {utc_stamp(NOW)}


async def test_a_retry_reuses_the_record_of_the_first_attempt(tmp_path: Path) -> None:
    client = Client(tmp_path / "r.csv.sends", flaky={1})
    rows, record = sender(tmp_path, client)

    outcome = await rows.send(request(1))
    record.close()

    assert outcome is not None
    assert (outcome.status, outcome.attempts, outcome.sent_at) == (Status.CREATED, 2, utc_stamp(NOW))
    assert client.recorded_at_call == [(1, True), (1, True)]
    assert record.entries == 1
    assert [o.row for o in read_sends(client.record)] == [1]


async def test_a_token_first_sent_by_an_earlier_run_keeps_that_time(tmp_path: Path) -> None:
    client = Client(tmp_path / "r.csv.sends")
    rows, record = sender(tmp_path, client)

    outcome = await rows.send(request(1, sent_at=EARLIER))
    record.close()

    assert outcome is not None
    assert outcome.sent_at == EARLIER
    assert [o.sent_at for o in read_sends(client.record)] == [EARLIER]


async def test_a_row_stopped_before_its_first_attempt_is_not_recorded(tmp_path: Path) -> None:
    client = Client(tmp_path / "r.csv.sends")
    rows, record = sender(tmp_path, client)
    rows.stop()

    assert await rows.send(request(1)) is None
    record.close()

    assert client.recorded_at_call == []
    assert not client.record.exists()
