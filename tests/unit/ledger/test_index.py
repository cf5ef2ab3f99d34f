"""The index of earlier outcomes: by key, later lines win, a created row is final, it lives on disk."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import pytest

from bulkload.ledger.index import PreviousResults
from bulkload.records import Status
from tests.unit.ledger.helpers import outcome


@pytest.fixture
def index() -> Iterator[PreviousResults]:
    previous = PreviousResults()
    yield previous
    previous.close()


def test_an_outcome_is_found_by_its_key_as_it_was_added(index: PreviousResults) -> None:
    failed = outcome(2, key="ticket-2", status=Status.FAILED, contact_id="", error_code="Timeout")
    assert index.add([outcome(1, key="ticket-1"), failed]) == 2
    assert index.get("ticket-2") == failed
    assert index.get("ticket-3") is None


def test_a_later_outcome_replaces_an_earlier_one_for_the_same_key(index: PreviousResults) -> None:
    index.add([outcome(1, status=Status.FAILED, contact_id="", attempts=3)])
    index.add([outcome(1, status=Status.REJECTED, contact_id="", attempts=1)])
    found = index.get("1")
    assert found is not None
    assert (found.status, found.attempts) == (Status.REJECTED, 1)
    index.add([outcome(1)])
    assert index.get("1") == outcome(1)
    assert len(index) == 1


@pytest.mark.parametrize("later", [Status.INVALID, Status.FAILED, Status.REJECTED])
def test_a_created_outcome_is_final(index: PreviousResults, later: Status) -> None:
    index.add([outcome(1)])
    index.add([outcome(7, key="1", status=later, contact_id="", client_token="")])
    assert index.get("1") == outcome(1)


def test_a_created_outcome_replaces_a_created_one(index: PreviousResults) -> None:
    index.add([outcome(1), outcome(1, contact_id="c-again")])
    found = index.get("1")
    assert found is not None
    assert found.contact_id == "c-again"


def test_every_job_id_seen_is_collected(index: PreviousResults) -> None:
    index.add([outcome(1), outcome(2, job_id=""), outcome(3, job_id="job-2")])
    assert index.job_ids == {"job-1", "job-2"}


def test_outcomes_iterate_in_row_order(index: PreviousResults) -> None:
    index.add([outcome(3), outcome(1), outcome(2)])
    assert [o.row for o in index] == [1, 2, 3]


def test_keys_are_matched_exactly(index: PreviousResults) -> None:
    index.add([outcome(1, key="A"), outcome(2, key="a "), outcome(3, key="=1\r\n")])
    assert index.get("a") is None
    found = index.get("=1\r\n")
    assert found is not None
    assert found.row == 3


def test_the_index_lives_in_a_temporary_file_that_close_removes(index: PreviousResults) -> None:
    index.add(outcome(row) for row in range(1, 1001))  # any iterable, read once
    folder = Path(index._dir.name)
    assert (folder / "prev.sqlite").exists()
    assert len(index) == 1000
    index.close()
    assert not folder.exists()


def test_it_can_be_read_from_another_thread(index: PreviousResults) -> None:
    index.add([outcome(1)])
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(index.get, "1").result() == outcome(1)


def test_the_instance_and_schedule_are_kept(index: PreviousResults) -> None:
    scheduled = outcome(1, instance_id="i-1", scheduled_time=1_900_000_000)
    index.add([scheduled, outcome(2, instance_id="i-1")])
    assert index.get("1") == scheduled
    assert list(index)[1].scheduled_time is None
