"""Locations (a path or an S3 object), the results beside an input, and the job's S3 options."""

from __future__ import annotations

from pathlib import Path

import pytest

from bulkload.connect.client import ClientSettings
from bulkload.errors import ConfigError
from bulkload.job import JobSettings
from bulkload.storage import S3Settings, S3Url
from bulkload.storage.options import S3Options, as_location, local_copy, results_beside


def test_a_location_is_an_s3_url_or_a_path() -> None:
    assert as_location("s3://exports/2026/tasks.csv") == S3Url("exports", "2026/tasks.csv")
    assert as_location("S3://exports/tasks.csv") == S3Url("exports", "tasks.csv")
    assert as_location("exports/tasks.csv") == Path("exports/tasks.csv")
    assert as_location(Path("s3:/odd")) == Path("s3:/odd")
    url = S3Url("b", "k.csv")
    assert as_location(url) is url
    with pytest.raises(ConfigError, match="names no object key"):
        as_location("s3://exports")


def test_the_results_are_beside_the_input_a_file_or_an_object() -> None:
    assert results_beside(Path("/srv/tasks.xlsx")) == Path("/srv/tasks.results.csv")
    assert results_beside(S3Url("exports", "2026-11-24/tasks.parquet")) == S3Url(
        "exports", "2026-11-24/tasks.results.csv"
    )
    assert results_beside(S3Url("exports", "tasks")) == S3Url("exports", "tasks.results.csv")


def test_the_local_copy_of_results_in_s3_is_in_the_working_directory() -> None:
    assert local_copy(Path("r.csv"), None) == Path("r.csv")
    assert local_copy(S3Url("b", "jobs/r.csv"), Path("/work")) == Path("/work/r.csv")
    with pytest.raises(ValueError, match=r"s3://b/jobs/r\.csv are in S3, and no working directory is set"):
        local_copy(S3Url("b", "jobs/r.csv"), None)


def test_job_settings_take_s3_urls_as_strings() -> None:
    settings = JobSettings(input="s3://exports/tasks.csv")  # as an untyped caller
    assert settings.input == S3Url("exports", "tasks.csv")
    assert settings.results_location == S3Url("exports", "tasks.results.csv")
    settings = JobSettings(input=Path("tasks.csv"), results="s3://ledgers/r.csv")  # type: ignore[arg-type]
    assert settings.results == S3Url("ledgers", "r.csv")
    local = JobSettings(input="tasks.csv")
    assert local.input == Path("tasks.csv")
    assert local.results_path == Path("tasks.results.csv")


def test_the_s3_client_uses_the_connect_clients_region_and_profile() -> None:
    options = S3Options(endpoint_url="http://127.0.0.1:9000")
    assert options.client_settings(ClientSettings(region="eu-west-2", profile="ops", endpoint_url="x")) == (
        S3Settings(region="eu-west-2", profile="ops", endpoint_url="http://127.0.0.1:9000")
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"checkpoint_interval": 0}, "the checkpoint interval must be above 0 seconds, not 0"),
        ({"checkpoint_interval": float("inf")}, "the checkpoint interval must be above 0 seconds, not inf"),
        ({"lock_wait": -1}, "the lock wait must be 0 seconds or more, not -1"),
    ],
)
def test_s3_options_are_checked(fields: dict[str, float], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        S3Options(**fields)  # type: ignore[arg-type]
    assert str(caught.value) == message
