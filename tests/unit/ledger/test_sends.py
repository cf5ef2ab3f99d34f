"""The write-ahead record of sends: batched writes, reading back, torn and damaged lines."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from bulkload.errors import ResultsFileError
from bulkload.ledger.sends import (
    UNKNOWN_OUTCOME,
    UNKNOWN_OUTCOME_MESSAGE,
    SendRecord,
    read_sends,
    stamp_seconds,
    utc_stamp,
)
from bulkload.records import RowOutcome, Status, TaskRequest

NOW = 1_795_000_000.0  # 2026-11-18T11:06:40Z
EARLIER = "2026-11-17T09:00:00Z"


def request(row: int, *, key: str | None = None, sent_at: str = "") -> TaskRequest:
    return TaskRequest(
        row=row,
        line=row + 1,
        key=key if key is not None else f"k{row}",
        params={"Name": f"Task {row}"},
        client_token=f"bl1-{row}",
        request_hash=f"h{row}",
        sent_at=sent_at,
    )


def record(path: Path) -> SendRecord:
    return SendRecord(path, job_id="job-1", clock=lambda: NOW)


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the os.write calls made while the test runs."""
    sizes: list[int] = []
    real: Callable[[int, bytes], int] = os.write

    def counting(fd: int, data: bytes) -> int:
        sizes.append(len(data))
        return real(fd, data)

    monkeypatch.setattr(os, "write", counting)
    return sizes


def test_rows_about_to_be_sent_in_one_turn_take_one_write(tmp_path: Path, writes: list[int]) -> None:
    path = tmp_path / "r.csv.sends"

    async def main() -> list[str]:
        sends = record(path)
        try:
            return await asyncio.gather(*(sends.before_send(request(row)) for row in range(1, 51)))
        finally:
            sends.close()

    stamps = asyncio.run(main())

    assert len(writes) == 1  # 50 rows and the header
    assert writes[0] == path.stat().st_size
    assert stamps == [utc_stamp(NOW)] * 50
    assert [o.row for o in read_sends(path)] == list(range(1, 51))


def test_a_row_waits_until_its_batch_is_written(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.sends"

    async def main() -> None:
        sends = record(path)
        first = asyncio.ensure_future(sends.before_send(request(1)))
        second = asyncio.ensure_future(sends.before_send(request(2)))
        await asyncio.sleep(0)  # both rows have asked; the write is due at the start of the next turn
        assert not path.exists()
        assert not first.done()
        await asyncio.wait([first, second])
        assert [o.row for o in read_sends(path)] == [1, 2]  # in the OS before either row may be sent
        assert sends.entries == 2
        later = await sends.before_send(request(3))  # a later turn: a second write, no second header
        assert later == utc_stamp(NOW)
        sends.close()

    asyncio.run(main())
    assert [o.row for o in read_sends(path)] == [1, 2, 3]
    assert path.read_text().count('"job_id"') == 1


def test_a_row_cancelled_while_it_waits_is_not_recorded_and_the_others_are(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.sends"

    async def main() -> None:
        sends = record(path)
        rows = [asyncio.ensure_future(sends.before_send(request(row))) for row in (1, 2, 3)]
        await asyncio.sleep(0)
        rows[1].cancel()
        await asyncio.wait(rows)
        assert [r.cancelled() for r in rows] == [False, True, False]
        sends.close()

    asyncio.run(main())
    assert [o.row for o in read_sends(path)] == [1, 3]


def test_the_record_reads_back_as_unknown_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.sends"

    async def main() -> None:
        sends = record(path)
        try:
            awkward = request(2, key='a "key", with\na newline and \u00e9')
            await asyncio.gather(
                sends.before_send(request(1)), sends.before_send(awkward), sends.before_send(request(3))
            )
        finally:
            sends.close()

    asyncio.run(main())

    assert list(read_sends(path)) == [
        RowOutcome(
            row=row,
            line=row + 1,
            key=key,
            status=Status.FAILED,
            job_id="job-1",
            client_token=f"bl1-{row}",
            request_hash=f"h{row}",
            error_code=UNKNOWN_OUTCOME,
            error_message=UNKNOWN_OUTCOME_MESSAGE,
            attempts=1,
            sent_at=utc_stamp(NOW),
        )
        for row, key in ((1, "k1"), (2, 'a "key", with\na newline and \u00e9'), (3, "k3"))
    ]


def test_a_token_sent_by_an_earlier_run_keeps_the_time_of_that_first_attempt(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.sends"

    async def main() -> list[str]:
        sends = record(path)
        try:
            return list(
                await asyncio.gather(
                    sends.before_send(request(1, sent_at=EARLIER)), sends.before_send(request(2))
                )
            )
        finally:
            sends.close()

    assert asyncio.run(main()) == [EARLIER, utc_stamp(NOW)]
    assert [o.sent_at for o in read_sends(path)] == [EARLIER, utc_stamp(NOW)]


def test_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.sends"

    async def main() -> None:
        sends = record(path)
        await asyncio.gather(sends.before_send(request(1)), sends.before_send(request(2)))
        sends.close()

    asyncio.run(main())
    with path.open("ab") as handle:
        handle.write(b'[3, 4, "k3", "bl1-')

    assert [o.row for o in read_sends(path)] == [1, 2]


def test_a_torn_header_is_an_empty_record(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.sends"
    path.write_bytes(b'{"format": "bulkload-se')
    assert list(read_sends(path)) == []


@pytest.mark.parametrize(
    ("content", "line"),
    [
        (b'{"format": "something else"}\n', 1),
        (b'{"format": "bulkload-sends", "version": 1, "job_id": "job-1"}\n[1, 2, "k1"]\n', 2),
        (b'{"format": "bulkload-sends", "version": 1, "job_id": "job-1"}\n\x00\x00\x00\n', 2),
    ],
)
def test_a_damaged_record_is_a_clear_error(tmp_path: Path, content: bytes, line: int) -> None:
    path = tmp_path / "r.csv.sends"
    path.write_bytes(content)
    with pytest.raises(ResultsFileError, match=rf"r\.csv\.sends, line {line}: not a record of a send"):
        list(read_sends(path))


def test_a_run_that_sent_nothing_leaves_no_record(tmp_path: Path) -> None:
    path = tmp_path / "r.csv.sends"
    record(path).close()
    assert not path.exists()


def test_a_record_that_cannot_be_written_stops_the_rows_from_being_sent(tmp_path: Path) -> None:
    sends = record(tmp_path / "missing" / "r.csv.sends")

    async def main() -> None:
        await sends.before_send(request(1))

    with pytest.raises(ResultsFileError, match=r"cannot write .*r\.csv\.sends, so nothing more is sent"):
        asyncio.run(main())
    assert sends.entries == 0


def test_stamps_are_iso_8601_utc_and_read_back() -> None:
    assert utc_stamp(NOW) == "2026-11-18T11:06:40Z"
    assert stamp_seconds(utc_stamp(NOW)) == NOW
    assert stamp_seconds("") is None
    assert stamp_seconds("yesterday") is None
