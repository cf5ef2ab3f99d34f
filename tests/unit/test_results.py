"""The results file: formula neutralising, the writer and reader, crash safety of a rewrite, ordering."""

from __future__ import annotations

import asyncio
import csv
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bulkload.errors import ResultsFileError
from bulkload.records import RowOutcome, Status
from bulkload.results import (
    COLUMNS,
    InOrderWriter,
    ResultsWriter,
    finish,
    neutralise,
    open_previous,
    pending_path,
    prev_path,
    read_outcomes,
    restore,
    undo_open,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def outcome(row: int, **changes: object) -> RowOutcome:
    base = RowOutcome(
        row=row,
        line=row + 1,
        key=str(row),
        status=Status.CREATED,
        job_id="job-1",
        contact_id=f"c-{row}",
        client_token=f"bl1-{row}",
        request_hash=f"h{row}",
        attempts=1,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def write(path: Path, outcomes: list[RowOutcome]) -> Path:
    writer = ResultsWriter(path)
    for o in outcomes:
        writer.write(o)
    writer.close()
    return path


# --- neutralise / restore -------------------------------------------------------------------------------------


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


# --- reading ------------------------------------------------------------------------------------------------------


def test_a_torn_last_line_is_ignored_and_every_line_before_is_kept(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1), outcome(2), outcome(3)])
    whole = path.read_bytes()
    path.write_bytes(whole[: whole.rindex(b"\n", 0, len(whole) - 1) + 1] + b"3,4,3,creat")

    assert [o.row for o in read_outcomes(path)] == [1, 2]


def test_a_torn_line_inside_a_quoted_field_is_ignored(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write('2,3,2,invalid,,,Name,"Name: is requ')

    assert [o.row for o in read_outcomes(path)] == [1]


def test_an_empty_file_reads_as_no_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("")
    assert list(read_outcomes(path)) == []


def test_outcomes_read_back_as_written(tmp_path: Path) -> None:
    written = [
        outcome(1),
        outcome(2, status=Status.INVALID, contact_id="", client_token="", error_code="Name", attempts=0),
        outcome(3, status=Status.FAILED, contact_id="", error_code="ConnectionError", error_message="x"),
    ]
    assert list(read_outcomes(write(tmp_path / "r.csv", written))) == written


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "Name,Description\nA,B\n",
            "r.csv is not a bulkload results file: it has no client_token, contact_id, ",
        ),
        (
            ",".join(COLUMNS) + "\n1,2,1,created\n",
            "r.csv, line 2: 4 fields, expected 11; the file was edited or is not a bulkload results file",
        ),
        (",".join(COLUMNS) + "\n1,2,1,maybe,c,t,,,1,j,h\n", "r.csv, line 2: 'maybe' is not a valid Status"),
        (",".join(COLUMNS) + "\nx,2,1,created,c,t,,,1,j,h\n", "r.csv, line 2: invalid literal for int()"),
    ],
)
def test_a_file_that_is_not_a_results_file_is_a_clear_error(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content)
    with pytest.raises(ResultsFileError) as info:
        list(read_outcomes(path))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_binary_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\n\x81\x82\n")
    with pytest.raises(ResultsFileError, match=r"r\.csv is not"):
        list(read_outcomes(path))


# --- open_previous / finish: a crash at any point loses nothing ----------------------------------------------


def test_open_previous_moves_the_ledger_aside_and_finish_drops_it(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1), outcome(2)])

    previous = open_previous(path)
    try:
        assert not path.exists()
        assert prev_path(path).exists()
        assert [o.row for o in previous] == [1, 2]
        assert previous.job_ids == {"job-1"}
    finally:
        previous.close()
    write(path, [outcome(1), outcome(2)])
    finish(path)
    assert not prev_path(path).exists()
    assert [o.row for o in read_outcomes(path)] == [1, 2]


def test_a_run_that_died_mid_rewrite_is_merged_over_the_previous_ledger(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    # The earlier run: rows 1-3 failed. The run that died had rewritten rows 1-2 (2 now created) and
    # was killed mid-line on row 3.
    write(prev_path(path), [outcome(r, status=Status.FAILED, contact_id="") for r in (1, 2, 3)])
    write(path, [outcome(1, status=Status.FAILED, contact_id="", attempts=2), outcome(2)])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("3,4,3,cre")

    previous = open_previous(path)
    try:
        merged = {o.row: o for o in previous}
    finally:
        previous.close()

    assert merged[1].status is Status.FAILED
    assert merged[1].attempts == 2
    assert merged[2].status is Status.CREATED
    assert merged[2].contact_id == "c-2"
    assert merged[3].status is Status.FAILED  # the torn line did not replace what was known
    # And the merge is on disk, so a second crash now still loses nothing.
    on_disk = {o.row: o.status for o in read_outcomes(prev_path(path))}
    assert on_disk == {1: Status.FAILED, 2: Status.CREATED, 3: Status.FAILED}


def test_open_previous_without_a_ledger_knows_nothing(tmp_path: Path) -> None:
    previous = open_previous(tmp_path / "r.csv")
    try:
        assert len(previous) == 0
        assert previous.get("1") is None
    finally:
        previous.close()


def test_open_previous_refuses_a_file_that_is_not_a_results_file_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("Name,Description\nA,B\n")
    with pytest.raises(ResultsFileError, match="is not a bulkload results file"):
        open_previous(path)
    assert path.read_text() == "Name,Description\nA,B\n"
    assert not prev_path(path).exists()


# --- InOrderWriter ---------------------------------------------------------------------------------------------


def test_outcomes_completed_out_of_order_are_written_in_input_order(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    seen: list[int] = []
    ordered = InOrderWriter(writer, on_write=lambda o: seen.append(o.row))
    for row in range(1, 6):
        ordered.expect(row)

    ordered.complete(outcome(3))
    ordered.complete(outcome(2))
    assert seen == []
    assert ordered.waiting == 2
    ordered.complete(outcome(1))
    assert seen == [1, 2, 3]
    ordered.complete(outcome(5))
    assert seen == [1, 2, 3]
    ordered.complete(outcome(4))
    writer.close()

    assert seen == [1, 2, 3, 4, 5]
    assert ordered.waiting == 0
    assert [o.row for o in read_outcomes(path)] == [1, 2, 3, 4, 5]


def test_flush_all_writes_what_completed_past_rows_that_never_will(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    ordered = InOrderWriter(writer)
    for row in range(1, 5):
        ordered.expect(row)
    ordered.complete(outcome(4))
    ordered.complete(outcome(2))
    ordered.flush_all()
    writer.close()

    assert [o.row for o in read_outcomes(path)] == [2, 4]


@given(st.permutations(list(range(1, 13))))
def test_any_completion_order_writes_input_order(order: list[int]) -> None:
    class Memory(ResultsWriter):
        def __init__(self) -> None:
            self.rows: list[int] = []

        def write(self, outcome: RowOutcome) -> None:
            self.rows.append(outcome.row)

    memory = Memory()
    ordered = InOrderWriter(memory)
    for row in range(1, 13):
        ordered.expect(row)
    for row in order:
        ordered.complete(outcome(row))
    assert memory.rows == list(range(1, 13))


def test_a_created_outcome_is_never_replaced_by_a_later_line_for_the_same_key(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    repeated = outcome(3, key="1", status=Status.INVALID, contact_id="", client_token="", error_code="Row")
    write(prev_path(path), [outcome(1, status=Status.FAILED, contact_id=""), outcome(2)])
    write(path, [outcome(1), outcome(2, status=Status.FAILED, contact_id=""), repeated])

    previous = open_previous(path)
    try:
        found = previous.get("1")
        assert found is not None
        assert (found.row, found.status, found.contact_id) == (1, Status.CREATED, "c-1")
        second = previous.get("2")
        assert second is not None
        assert (second.status, second.contact_id) == (Status.CREATED, "c-2")
    finally:
        previous.close()


def test_undo_open_puts_the_previous_ledger_back(tmp_path: Path) -> None:
    path = write(tmp_path / "r.csv", [outcome(1)])
    open_previous(path).close()
    write(path, [])  # a run that read no rows

    undo_open(path)

    assert [o.row for o in read_outcomes(path)] == [1]
    assert not prev_path(path).exists()


def test_undo_open_without_a_previous_ledger_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    open_previous(path).close()
    write(path, [])

    undo_open(path)

    assert not path.exists()
    assert not prev_path(path).exists()


@pytest.mark.parametrize("key", ["\r", "a\rb", "=x\r\ny", "\n"])
def test_keys_holding_line_breaks_read_back(tmp_path: Path, key: str) -> None:
    path = write(tmp_path / "r.csv", [outcome(1, key=key), outcome(2)])
    assert [o.key for o in read_outcomes(path)] == [key, "2"]


def test_cells_over_128_kib_read_back(tmp_path: Path) -> None:
    # A key comes from an input cell, which may be far over the csv module's default 128 KiB field limit;
    # reading the results file back (every re-run does) failed with "field larger than field limit".
    key = "k" * 200_000
    message = "Description: " + "m" * 200_000
    path = write(
        tmp_path / "r.csv",
        [outcome(1), outcome(2, key=key, status=Status.INVALID, error_message=message), outcome(3)],
    )
    before = csv.field_size_limit(131_072)  # the default, as a fresh process has it
    try:
        back = list(read_outcomes(path))
        index = open_previous(path)
        try:
            known = index.get(key)
        finally:
            index.close()
    finally:
        csv.field_size_limit(before)
    assert [(o.row, o.key, o.error_message) for o in back] == [(1, "1", ""), (2, key, message), (3, "3", "")]
    assert known is not None
    assert known.error_message == message


def test_outcomes_waiting_for_an_earlier_row_are_kept_on_disk_until_it_lands(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    ordered = InOrderWriter(writer, pending=pending_path(path))
    for row in (1, 2, 3, 4):
        ordered.expect(row)
    ordered.complete(outcome(1))
    ordered.complete(outcome(3))  # row 2 is still being retried
    ordered.complete(outcome(4))
    # Killed here: only row 1 is in the results file, rows 3 and 4 are in the pending file.
    assert [o.row for o in read_outcomes(path)] == [1]
    assert [o.row for o in read_outcomes(pending_path(path))] == [3, 4]

    previous = open_previous(path)  # the next run
    try:
        assert {o.row: o.status for o in previous} == {
            1: Status.CREATED,
            3: Status.CREATED,
            4: Status.CREATED,
        }
    finally:
        previous.close()
    assert not pending_path(path).exists()  # folded into the previous ledger, on disk
    assert [o.row for o in read_outcomes(prev_path(path))] == [1, 3, 4]
    ordered.close()
    writer.close()


def test_outcomes_in_order_need_no_pending_file(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    writer = ResultsWriter(path)
    ordered = InOrderWriter(writer, pending=pending_path(path))
    for row in (1, 2):
        ordered.expect(row)
        ordered.complete(outcome(row))
    ordered.close()
    writer.close()
    assert [o.row for o in read_outcomes(path)] == [1, 2]
    assert not pending_path(path).exists()


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
