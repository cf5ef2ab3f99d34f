"""JobSettings: what a job needs, the limits it refuses, and what its job file records."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkload.connect.client import ClientSettings
from bulkload.settings import JobSettings
from bulkload.storage.options import S3Options


def test_a_limit_takes_at_least_one_row() -> None:
    assert JobSettings(input=Path("in.csv"), limit=1).limit == 1
    with pytest.raises(ValueError, match="limit must be at least 1 row"):
        JobSettings(input=Path("in.csv"), limit=0)


def test_preflight_is_on_by_default() -> None:
    assert JobSettings(input=Path("in.csv")).preflight


def test_the_job_file_records_the_options_of_the_job_never_credentials_nor_one_runs_choices() -> None:
    settings = JobSettings(
        input=Path("in.csv"),
        client=ClientSettings(region="eu-west-2", static_credentials=("key", "secret")),
        limit=10,
        preflight=False,
        resend_edited=True,
        s3=S3Options(checkpoint_interval=5, workdir=Path("work")),
    )
    recorded = settings.recorded()
    assert set(recorded) == {"source", "mapping", "pool", "client", "s3"}
    assert recorded["client"] == ClientSettings(region="eu-west-2")
    assert recorded["s3"] == S3Options(checkpoint_interval=5)  # the working directory is this machine's
