"""The commands with files in S3: `run s3://...` with its results and summary in S3, and `retry s3://...`
from another directory, as from a laptop, reading the job file and the ledger from S3."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from bulkload.storage import S3Url
from tests.integration.helpers import invoke_cli, simple_rows, write_csv
from tests.integration.s3.helpers import get, keys, put

FAST = ("--emulator", "--rate", "1000", "--burst", "100", "--progress", "none")

pytestmark = pytest.mark.usefixtures("cli_workdir")


def invoke(args: Sequence[str]) -> Result:
    """`bulkload ARGS` in this process."""
    return invoke_cli(args)


def put_rows(client: Any, url: S3Url, rows: list[dict[str, str]], tmp_path: Path) -> None:
    """Write rows as a CSV object."""
    put(client, url, write_csv(tmp_path / "upload.csv", rows).read_bytes())


def test_run_then_retry_from_another_directory(
    s3_client: Any, s3_endpoint: str, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = S3Url(bucket, "exports/tasks.csv")
    rows = simple_rows(3)
    rows[1]["Name"] = ""
    put_rows(s3_client, source, rows, tmp_path)
    summary_url = S3Url(bucket, "summaries/2026-11-24.json")
    first = invoke(
        ["run", str(source), *FAST, "--s3-endpoint-url", s3_endpoint, "--summary-json", str(summary_url)]
    )
    assert first.exit_code == 1, first.output
    assert f"results: s3://{bucket}/exports/tasks.results.csv" in first.output
    assert (
        f"to re-run the rows not created: bulkload retry s3://{bucket}/exports/tasks.results.csv"
        in first.output
    )
    summary = json.loads(get(s3_client, summary_url))
    assert summary["counts"] == {"created": 2, "invalid": 1}
    assert summary["exit_code"] == 1
    assert summary["results"] == f"s3://{bucket}/exports/tasks.results.csv"

    rows[1]["Name"] = "Fixed"
    put_rows(s3_client, source, rows, tmp_path)
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    monkeypatch.chdir(laptop)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)  # botocore's own variable, for S3 only
    again = invoke(["retry", f"s3://{bucket}/exports/tasks.results.csv", "--emulator", "--progress", "none"])
    assert again.exit_code == 0, again.output
    assert "sent 1 row this run, 2 created earlier" in again.output
    assert list(laptop.iterdir()) == []  # the ledger was worked on in a temporary directory
    ledger = get(s3_client, S3Url(bucket, "exports/tasks.results.csv")).decode()
    assert ledger.count(",created,") == 3
    assert keys(s3_client, bucket) == [
        "exports/tasks.csv",
        "exports/tasks.results.csv",
        "exports/tasks.results.csv.job.json",
        "summaries/2026-11-24.json",
    ]


def test_retry_of_results_in_s3_without_a_job_file_says_what_is_missing(
    s3_endpoint: str, bucket: str
) -> None:
    result = invoke(["retry", f"s3://{bucket}/none.results.csv", "--s3-endpoint-url", s3_endpoint])
    assert result.exit_code == 2
    assert (
        f"error: s3://{bucket}/none.results.csv.job.json is missing: `bulkload retry` needs" in result.output
    )


def test_a_summary_that_would_overwrite_the_ledger_is_refused_before_anything_is_sent(
    s3_client: Any, s3_endpoint: str, bucket: str, tmp_path: Path
) -> None:
    source = S3Url(bucket, "exports/tasks.csv")
    put_rows(s3_client, source, simple_rows(2), tmp_path)
    for target in ("exports/tasks.results.csv.job.json", "exports/tasks.csv"):
        result = invoke(
            [
                "run",
                str(source),
                *FAST,
                "--s3-endpoint-url",
                s3_endpoint,
                "--summary-json",
                f"s3://{bucket}/{target}",
            ]
        )
        assert result.exit_code == 2
        assert (
            f"error: --summary-json s3://{bucket}/{target} would overwrite s3://{bucket}/{target}"
            in result.output
        )
    assert keys(s3_client, bucket) == ["exports/tasks.csv"]


def test_a_malformed_s3_url_is_a_usage_error() -> None:
    result = invoke(["run", "s3://bucket-only", *FAST])
    assert result.exit_code == 2
    assert "'s3://bucket-only' names no object key: expected s3://bucket-only/key" in result.output
