"""Whose results file is this: another input's or another --key's is refused; the job id a run takes."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkload.errors import InputError
from bulkload.ledger.guard import check_results_file, resolve_job_id
from bulkload.ledger.jobfile import write_job_file
from bulkload.storage import S3Url
from bulkload.tokens import derive_job_id

FINGERPRINT = "0123456789abcdef" * 4


@pytest.fixture
def input_path(tmp_path: Path) -> Path:
    path = tmp_path / "tasks.csv"
    path.write_text("Name\nA\n")
    return path


def record(results: Path, input_path: Path, *, key: str | None = None, job_id: str = "job-7") -> None:
    write_job_file(
        results,
        input_path=input_path,
        fingerprint=FINGERPRINT,
        job_id=job_id,
        options={"mapping": {"key_column": key}},
    )


def check(results: Path, input_path: Path, *, explicit: bool = False, **changes: object) -> str | None:
    options: dict[str, object] = {"fingerprint": FINGERPRINT, "key_column": None, **changes}
    return check_results_file(results, input_path=input_path, explicit=explicit, **options)  # type: ignore[arg-type]


def test_a_results_file_without_a_job_file_records_no_job_id(tmp_path: Path, input_path: Path) -> None:
    assert check(tmp_path / "r.csv", input_path) is None


def test_the_job_file_of_the_same_input_gives_its_job_id(tmp_path: Path, input_path: Path) -> None:
    record(tmp_path / "r.csv", input_path, key="id")
    assert check(tmp_path / "r.csv", input_path, key_column="id") == "job-7"


def test_a_results_path_that_is_not_a_regular_file_is_refused(tmp_path: Path, input_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="is not a regular file"):
        check(tmp_path / "dir.csv", input_path)
    (tmp_path / "link.csv").symlink_to(tmp_path / "elsewhere.csv")
    with pytest.raises(InputError, match="is not a regular file"):
        check(tmp_path / "link.csv", input_path)


def test_the_input_itself_is_refused_as_results(input_path: Path) -> None:
    with pytest.raises(InputError, match="is the input itself"):
        check(input_path, input_path)


def test_another_inputs_results_need_an_explicit_results_path(tmp_path: Path, input_path: Path) -> None:
    moved = tmp_path / "moved.csv"
    moved.write_text("Name\nA\n")
    record(tmp_path / "r.csv", input_path)
    with pytest.raises(InputError, match=r"holds the results of another input .*pass --results"):
        check(tmp_path / "r.csv", moved)
    assert check(tmp_path / "r.csv", moved, explicit=True) == "job-7"  # the same content, moved
    with pytest.raises(InputError, match="whose content differs"):
        check(tmp_path / "r.csv", moved, explicit=True, fingerprint="f" * 64)


@pytest.mark.parametrize(("recorded", "wanted"), [(None, "id"), ("id", None), ("id", "ref")])
def test_another_key_is_refused(
    tmp_path: Path, input_path: Path, recorded: str | None, wanted: str | None
) -> None:
    record(tmp_path / "r.csv", input_path, key=recorded)
    with pytest.raises(InputError, match=r"was written with .*every row would be sent again"):
        check(tmp_path / "r.csv", input_path, key_column=wanted)


def resolve(known: list[str], recorded: str | None = None, requested: str | None = None) -> str:
    return resolve_job_id(
        Path("r.csv"), known, recorded=recorded, requested=requested, fingerprint=FINGERPRINT
    )


def test_the_results_files_job_id_wins_over_the_job_files() -> None:
    assert resolve(["job-1"], recorded="job-2") == "job-1"


def test_without_outcomes_the_job_files_job_id_stays() -> None:
    assert resolve([], recorded="job-2", requested=None) == "job-2"


def test_without_any_record_the_requested_or_the_derived_job_id_is_taken() -> None:
    assert resolve([], requested="nightly") == "nightly"
    assert resolve([]) == derive_job_id(FINGERPRINT)


def test_a_requested_job_id_must_match_the_recorded_one() -> None:
    assert resolve(["job-1"], requested="job-1") == "job-1"
    with pytest.raises(InputError, match="belongs to job job-1, but this run is job nightly"):
        resolve(["job-1"], requested="nightly")
    with pytest.raises(InputError, match="belongs to job job-2, but this run is job nightly"):
        resolve([], recorded="job-2", requested="nightly")


def test_a_results_file_that_mixes_jobs_is_refused() -> None:
    with pytest.raises(InputError, match="mixes jobs job-1, job-2; use one results file per job"):
        resolve(["job-2", "job-1"])


def test_an_input_in_s3_is_recorded_and_matched_by_its_url(tmp_path: Path, input_path: Path) -> None:
    results = tmp_path / "r.csv"
    url = S3Url("exports", "2026-11-24/tasks.csv")
    write_job_file(results, input_path=url, fingerprint=FINGERPRINT, job_id="job-7", options={})
    options = {"fingerprint": FINGERPRINT, "key_column": None}
    assert check_results_file(results, input_path=url, explicit=False, **options) == "job-7"  # type: ignore[arg-type]
    other = S3Url("exports", "2026-11-25/tasks.csv")
    with pytest.raises(
        InputError, match=r"holds the results of another input \(s3://exports/2026-11-24/tasks\.csv\)"
    ):
        check_results_file(results, input_path=other, explicit=False, **options)  # type: ignore[arg-type]
    # Named explicitly, the same content under another key (or in a local file) continues the job.
    assert check_results_file(results, input_path=other, explicit=True, **options) == "job-7"  # type: ignore[arg-type]
    assert check_results_file(results, input_path=input_path, explicit=True, **options) == "job-7"  # type: ignore[arg-type]
    with pytest.raises(InputError, match="whose content differs"):
        check_results_file(results, input_path=other, explicit=True, fingerprint="0" * 32, key_column=None)
