"""Whose results file is this, for data in memory: the same data, or the same data edited in place,
continues its job; other data, a file's results, or data's results for a file are refused unless the
run names the job."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bulkload.errors import InputError
from bulkload.ledger.guard import check_results_file
from bulkload.ledger.jobfile import read_job_file, write_job_file
from bulkload.ledger.memory_owner import MemoryInput
from bulkload.ledger.paths import job_file_path
from bulkload.source.base import InputInfo

FRAME = MemoryInput("dataframe", ("Name", "Ticket"), 3)
FINGERPRINT = "0123456789abcdef" * 2


def record(results: Path, memory: MemoryInput | None, *, input_path: Path | None = None) -> None:
    write_job_file(
        results,
        input_path=input_path,
        memory=memory,
        fingerprint=FINGERPRINT,
        job_id="job-7",
        options={"mapping": {"key_column": None}},
    )


def check(
    results: Path,
    memory: MemoryInput | None,
    *,
    fingerprint: str = "",
    pinned: bool = False,
    input_path: Path | None = None,
) -> str | None:
    return check_results_file(
        results,
        input_path=input_path,
        explicit=True,
        fingerprint=fingerprint,
        key_column=None,
        memory=memory,
        pinned=pinned,
    )


def test_the_job_file_records_what_the_data_was(tmp_path: Path) -> None:
    record(tmp_path / "r.csv", FRAME)
    body = read_job_file(tmp_path / "r.csv")
    assert body["input"] == "<dataframe>"
    assert body["memory"] == {"kind": "dataframe", "columns": ["Name", "Ticket"], "rows": 3}
    assert MemoryInput.recorded(body) == FRAME
    assert FRAME.describe() == "a DataFrame of 3 rows x 2 columns"


def test_an_opened_input_is_recorded_only_when_it_is_in_memory() -> None:
    info = InputInfo(None, "arrow", ("a",), None, "", "the reader")
    assert MemoryInput.of(info) == MemoryInput("arrow", ("a",), None)
    assert MemoryInput.of(InputInfo(Path("t.csv"), "csv", ("a",), 1, "f")) is None
    with pytest.raises(ValueError, match="a file's path or data in memory"):
        write_job_file(Path("r.csv"), input_path=None, fingerprint="", job_id="j", options={})


def test_the_same_data_continues_its_job(tmp_path: Path) -> None:
    record(tmp_path / "r.csv", FRAME)
    other_shape = MemoryInput("dataframe", ("Name",), 9)
    assert check(tmp_path / "r.csv", other_shape, fingerprint=FINGERPRINT) == "job-7"


def test_the_same_data_edited_in_place_continues_its_job(tmp_path: Path) -> None:
    record(tmp_path / "r.csv", FRAME)
    reordered = MemoryInput("arrow", ("Ticket", "Name"), 3)
    assert check(tmp_path / "r.csv", reordered, fingerprint="f" * 32) == "job-7"


@pytest.mark.parametrize(
    "other",
    [MemoryInput("dataframe", ("Name", "Ticket"), 4), MemoryInput("dataframe", ("Name", "Other"), 3)],
)
def test_other_data_is_refused_unless_the_job_is_named(tmp_path: Path, other: MemoryInput) -> None:
    record(tmp_path / "r.csv", FRAME)
    with pytest.raises(InputError) as caught:
        check(tmp_path / "r.csv", other, fingerprint="f" * 32)
    assert str(caught.value) == (
        f"{tmp_path / 'r.csv'} holds the results of other data (a DataFrame of 3 rows x 2 columns), not "
        f"of {other.describe()}: this data's rows would be matched to that data's outcomes, and rows never "
        "sent would count as created. Pass another results path for this data, or job_id='job-7' if it "
        "is that job's data, changed"
    )
    assert check(tmp_path / "r.csv", other, pinned=True) == "job-7"


def test_data_in_memory_is_refused_a_files_results(tmp_path: Path) -> None:
    source = tmp_path / "tasks.csv"
    source.write_text("Name\nA\n")
    record(tmp_path / "r.csv", None, input_path=source)
    with pytest.raises(InputError, match=r"holds the results of the file .*tasks\.csv, not of a DataFrame"):
        check(tmp_path / "r.csv", FRAME, fingerprint=FINGERPRINT)
    assert check(tmp_path / "r.csv", FRAME, pinned=True) == "job-7"


def test_a_file_is_refused_the_results_of_data_in_memory(tmp_path: Path) -> None:
    source = tmp_path / "tasks.csv"
    source.write_text("Name\nA\n")
    record(tmp_path / "r.csv", FRAME)
    with pytest.raises(InputError, match=r"of data loaded from Python \(a DataFrame of 3 rows x 2 columns\)"):
        check(tmp_path / "r.csv", None, input_path=source, fingerprint=FINGERPRINT)
    assert check(tmp_path / "r.csv", None, input_path=source, pinned=True) == "job-7"


def test_a_damaged_memory_record_reads_as_none(tmp_path: Path) -> None:
    record(tmp_path / "r.csv", FRAME)
    path = job_file_path(tmp_path / "r.csv")
    body = json.loads(path.read_text(encoding="utf-8"))
    body["memory"]["columns"] = "Name"
    assert MemoryInput.recorded(body) is None
