"""The results file as a typed DataFrame, joined back to the data that was loaded."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bulkload.errors import ResultsFileError
from bulkload.ledger.frame import STATUS_DTYPE, outcomes_frame
from bulkload.ledger.writer import COLUMNS, write_all
from bulkload.records import RowOutcome, Status

OUTCOMES = [
    RowOutcome(1, 2, "K1", Status.CREATED, "job-1", "c-1", "tok-1", "h1", attempts=1),
    RowOutcome(2, 3, "", Status.INVALID, "job-1", error_code="Name", error_message="=the key cell is empty"),
    RowOutcome(3, 5, "K3", Status.REJECTED, "job-1", "", "tok-3", "h3", "InvalidRequest", "no", attempts=1),
    RowOutcome(4, 6, "K4", Status.FAILED, "job-1", "", "tok-4", "h4", "Throttling", "retries ran out", 5),
]


def test_one_row_per_line_with_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    write_all(path, OUTCOMES)
    frame = outcomes_frame(path)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == 4
    assert {name: str(frame[name].dtype) for name in ("row", "line", "attempts")} == dict.fromkeys(
        ("row", "line", "attempts"), "Int64"
    )
    assert frame["status"].dtype == STATUS_DTYPE
    assert list(STATUS_DTYPE.categories) == ["created", "invalid", "rejected", "failed"]
    for name in (
        "key",
        "contact_id",
        "client_token",
        "error_code",
        "error_message",
        "job_id",
        "request_hash",
    ):
        assert isinstance(frame[name].dtype, pd.StringDtype), name
    assert frame["row"].tolist() == [1, 2, 3, 4]
    assert frame["line"].tolist() == [2, 3, 5, 6]
    assert frame["status"].tolist() == ["created", "invalid", "rejected", "failed"]
    assert frame["attempts"].tolist() == [1, 0, 1, 5]
    assert frame.loc[1, "error_message"] == "=the key cell is empty"  # as the reader restores it
    assert frame["contact_id"].isna().tolist() == [False, True, True, True]  # an empty field is NA
    assert frame["key"].isna().tolist() == [False, True, False, False]


def test_it_joins_back_to_the_users_frame_by_key_or_by_position(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    write_all(path, OUTCOMES)
    outcomes = outcomes_frame(path)
    data = pd.DataFrame({"Key": ["K1", None, None, "K3", "K4"], "Name": ["a", "b", None, "d", "e"]})
    by_key = data.merge(outcomes, left_on="Key", right_on="key", how="left")
    assert by_key.loc[by_key["Key"] == "K3", "status"].tolist() == ["rejected"]
    by_position = data.join(outcomes.set_index(outcomes["line"] - 2)[["status", "contact_id"]])
    status = by_position["status"]
    assert status.isna().tolist() == [False, False, True, False, False]  # line 4: no cells, so not a row
    assert status.dropna().tolist() == ["created", "invalid", "rejected", "failed"]


def test_an_empty_results_file_gives_an_empty_typed_frame(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    write_all(path, [])
    frame = outcomes_frame(path)
    assert frame.empty
    assert list(frame.columns) == list(COLUMNS)
    assert frame["status"].dtype == STATUS_DTYPE
    assert str(frame["row"].dtype) == "Int64"


def test_a_file_without_lines_has_na_lines_and_a_torn_last_line_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "results.csv"
    path.write_text(
        "row,key,status,contact_id,client_token,job_id\n1,K1,created,c-1,t-1,job-1\n2,K2,crea",
        encoding="utf-8",
    )
    frame = outcomes_frame(str(path))
    assert frame["row"].tolist() == [1]
    assert frame["line"].isna().all()
    assert frame["error_code"].isna().all()


def test_a_missing_file_is_a_results_file_error(tmp_path: Path) -> None:
    with pytest.raises(ResultsFileError, match="cannot read the results file"):
        outcomes_frame(tmp_path / "none.csv")
