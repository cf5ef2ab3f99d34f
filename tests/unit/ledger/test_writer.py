"""Writing the results file: spreadsheet-safe cells, a round trip through the file, when lines reach the OS."""

from __future__ import annotations

import asyncio
import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulkload.ledger.reader import read_outcomes
from bulkload.ledger.writer import ResultsWriter, neutralise, restore
from bulkload.records import Status
from tests.unit.ledger.helpers import outcome, write

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_restore_undoes_neutralise(value: str) -> None:
    assert restore(neutralise(value)) == value


@given(st.sampled_from(FORMULA_STARTS), st.text())
def test_a_formula_start_never_reaches_the_first_character(start: str, rest: str) -> None:
    assert neutralise(start + rest) == "'" + start + rest


@given(st.text().filter(lambda v: not v or v[0] not in (*FORMULA_STARTS, "'")))
def test_harmless_values_are_written_as_they_are(value: str) -> None:
    assert neutralise(value) == value


def test_a_value_that_starts_with_an_apostrophe_keeps_it_through_a_round_trip() -> None:
    assert neutralise("'quoted") == "''quoted"
    assert restore("''quoted") == "'quoted"


@given(
    key=st.text(st.characters(exclude_categories=["Cs"]), min_size=1),
    message=st.text(st.characters(exclude_categories=["Cs"])),
)
def test_keys_and_messages_survive_the_file(
    tmp_path_factory: pytest.TempPathFactory, key: str, message: str
) -> None:
    path = tmp_path_factory.mktemp("r") / "r.csv"
    written = outcome(1, key=key, status=Status.INVALID, error_code="Name", error_message=message)
    write(path, [written])

    (back,) = read_outcomes(path)
    assert back.key == key
    one_line = " ".join(message.split()) if ("\n" in message or "\r" in message) else message
    assert back.error_message == one_line
    with path.open(newline="", encoding="utf-8") as handle:
        cells = [cell for record in csv.reader(handle) for cell in record]
    assert not any(cell[:1] in FORMULA_STARTS for cell in cells)


def _lines_on_disk(path: Path) -> int:
    with path.open(encoding="utf-8") as handle:  # another handle: only what reached the OS
        return sum(1 for _ in handle) - 1  # the header


def test_without_an_event_loop_each_line_reaches_the_os_at_once(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    writer.write(outcome(1))
    assert _lines_on_disk(path) == 1
    writer.close()


async def test_in_an_event_loop_lines_reach_the_os_at_the_end_of_the_turn(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    for row in range(1, 6):
        writer.write(outcome(row))  # one turn decides five outcomes
    await asyncio.sleep(0)  # the turn ends
    assert _lines_on_disk(path) == 5
    writer.write(outcome(6))
    await asyncio.sleep(0)
    assert _lines_on_disk(path) == 6
    writer.close()
