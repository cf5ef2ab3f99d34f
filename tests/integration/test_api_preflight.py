"""`bulkload.load` with the run's checks: data in memory is preflighted as a file is (read twice, converted
once), data read only once is sent unchecked, and `limit` takes a canary."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import bulkload
from bulkload.emulator import ThreadedEmulator
from bulkload.ledger import ledger_files
from bulkload.source import memory
from tests.integration.api_helpers import FAST, created_once, mixed_frame, options

UNKNOWN = "00000000-0000-4000-8000-00000000dead"


@pytest.fixture
def threaded() -> Iterator[ThreadedEmulator]:
    """An emulator on its own thread: `load` runs its own event loop in the test's thread."""
    with ThreadedEmulator(FAST) as emulator:
        yield emulator


def test_a_frame_naming_an_unknown_flow_sends_nothing_and_is_converted_once(
    tmp_path: Path, threaded: ThreadedEmulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    conversions: list[str] = []
    convert = memory.frame_table

    def counted(frame: Any, description: str) -> pa.Table:
        conversions.append(description)
        return convert(frame, description)

    monkeypatch.setattr(memory, "frame_table", counted)
    results = tmp_path / "r.csv"
    with pytest.raises(bulkload.ConfigError, match="nothing was sent, as no row can be created"):
        bulkload.load(
            mixed_frame(20), results=results, **options(threaded.endpoint_url, flow_id=UNKNOWN, key="ticket")
        )
    snapshot = threaded.snapshot()
    assert snapshot.counts == {}
    assert snapshot.lookup_counts["DescribeContactFlow"]["not_found"] == 1
    assert [path for path in ledger_files(results) if path.exists()] == []
    assert conversions == ["the DataFrame of 20 rows x 10 columns"]  # the pre-pass and the run share it


def test_data_read_only_once_is_sent_unchecked(tmp_path: Path, threaded: ThreadedEmulator) -> None:
    reader = pa.Table.from_pandas(mixed_frame(5)).to_reader()
    url = threaded.endpoint_url
    summary = bulkload.load(
        reader, results=tmp_path / "r.csv", **options(url, flow_id=UNKNOWN, key="ticket", job_id="once")
    )
    assert summary.counts == {"rejected": 5}  # the service refused each row: nothing looked up first
    assert sum(sum(counts.values()) for counts in threaded.snapshot().lookup_counts.values()) == 0


async def test_data_read_only_once_cannot_be_validated_online(threaded: ThreadedEmulator) -> None:
    reader = pa.Table.from_pandas(mixed_frame(5)).to_reader()
    settings = bulkload.JobSettings(input=reader, results=Path("unused.csv"))
    with pytest.raises(bulkload.ConfigError, match="can be read only once: its ids cannot be checked online"):
        await bulkload.Job(settings).validate(online=True)


def test_a_limit_takes_a_canary_and_the_next_load_the_rest(
    tmp_path: Path, threaded: ThreadedEmulator
) -> None:
    frame = mixed_frame(10)
    results = tmp_path / "r.csv"
    canary = bulkload.load(frame, results=results, **options(threaded.endpoint_url, key="ticket", limit=3))
    assert (canary.counts, canary.sent, canary.limit_reached) == ({"created": 3}, 3, True)
    rest = bulkload.load(frame, results=results, **options(threaded.endpoint_url, key="ticket"))
    assert (rest.counts, rest.sent, rest.carried_over) == ({"created": 10}, 7, 3)
    assert created_once(threaded.snapshot(), 10)
