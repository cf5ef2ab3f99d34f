"""A job's options from Python: the CLI's options under the same names, the same defaults, and the same
settings; unknown names, values of the wrong type and unusable values are refused before anything runs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from bulkload.cli.commands import run
from bulkload.cli.settings import load_options
from bulkload.errors import ConfigError
from bulkload.inputs import RESULTS_REQUIRED
from bulkload.job import JobSettings
from bulkload.options import OPTION_NAMES, LoadOptions, column_map, job_settings
from bulkload.storage.options import S3Options
from bulkload.storage.url import S3Url
from tests.unit.cli.test_settings import EVERY_RUN_OPTION, EVERY_RUN_SETTING

EVERY_OPTION: LoadOptions = {
    "format": "csv",
    "encoding": "cp1252",
    "delimiter": "tab",
    "instance_id": "instance-1",
    "flow_id": "flow-1",
    "mapping": {"Name": "Customer"},
    "ignore_columns": ["Notes"],
    "name_template": "Call {Customer}",
    "description_template": "{Issue}",
    "key": "Ticket",
    "timezone": "Europe/Paris",
    "job_id": "job-7",
    "rate": 5,
    "burst": 3,
    "concurrency": 4,
    "max_attempts": 2,
    "adaptive": False,
    "max_consecutive_rejects": 5,
    "resend_edited": True,
    "limit": 10,
    "preflight": False,
    "endpoint_url": "http://127.0.0.1:1",
    "region": "eu-west-1",
    "profile": "ops",
}


def test_every_option_of_bulkload_run_is_an_option_of_load_and_back() -> None:
    ctx = run.make_context("run", list(EVERY_RUN_OPTION))
    assert set(load_options(ctx.params, None)) == OPTION_NAMES
    assert "results" in ctx.params  # load names it on its own


def test_every_option_lands_in_the_setting_the_cli_gives_it() -> None:
    assert job_settings(Path("in.csv"), EVERY_OPTION, results="out.csv") == EVERY_RUN_SETTING


def test_options_left_out_or_none_take_the_library_defaults() -> None:
    assert job_settings(Path("in.csv"), {}) == JobSettings(input=Path("in.csv"))
    assert job_settings(Path("in.csv"), dict.fromkeys(OPTION_NAMES)) == JobSettings(input=Path("in.csv"))  # type: ignore[arg-type]


def test_values_are_taken_in_their_convenient_forms() -> None:
    settings = job_settings("in.xlsx", {"sheet": 2, "ignore_columns": "Notes"}, results=Path("r.csv"))
    assert settings.input == Path("in.xlsx")  # a path goes to the file readers (an s3:// URL: an S3Url)
    assert settings.source.sheet == "2"
    assert settings.mapping.ignore_columns == frozenset({"Notes"})
    assert settings.results == Path("r.csv")
    assert job_settings("in.csv", {"ignore_columns": iter(["A", "B"])}).mapping.ignore_columns == {"A", "B"}
    assert column_map({" Name ": " Customer "}) == {"Name": "Customer"}


def test_data_and_results_in_s3_take_the_s3_options() -> None:
    options: LoadOptions = {"s3_endpoint_url": "http://127.0.0.1:9000", "workdir": "work", "lock_wait": 5}
    settings = job_settings(
        "s3://exports/in.csv", {**options, "checkpoint_interval": 2}, results="s3://ledgers/r.csv"
    )
    assert (settings.input, settings.results) == (S3Url("exports", "in.csv"), S3Url("ledgers", "r.csv"))
    assert settings.s3 == S3Options(
        endpoint_url="http://127.0.0.1:9000", workdir=Path("work"), checkpoint_interval=2, lock_wait=5
    )
    assert settings.results_path == Path("work/r.csv")
    assert job_settings("s3://exports/in.csv", {}).results_location == S3Url("exports", "in.results.csv")


def test_an_unknown_option_is_a_type_error_that_suggests_the_name() -> None:
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'key_column' \(did you mean 'key'\?\)"):
        job_settings("in.csv", {"key_column": "Ticket"})  # type: ignore[typeddict-unknown-key]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'zzz'$"):
        job_settings("in.csv", {"zzz": 1})  # type: ignore[typeddict-unknown-key]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"rate": "5"}, "rate must be a number, not '5'"),
        ({"burst": 2.5}, "burst must be a whole number, not 2.5"),
        ({"adaptive": 1}, "adaptive must be True or False, not 1"),
        ({"format": "json"}, "format must be one of 'auto', 'csv', 'parquet', 'xlsx', not 'json'"),
        ({"mapping": {"Name": 3}}, "mapping must be a dict of field -> column, not {'Name': 3}"),
        ({"ignore_columns": [1]}, "ignore_columns must be a list of column names, not [1]"),
        ({"rate": 0}, "rate must be above 0 requests per second"),
        ({"encoding": "nope"}, "unknown encoding 'nope'"),
        ({"mapping": {"Name": " "}}, "mapping 'Name': ' ' needs a field and a column, neither blank"),
        ({"limit": 0}, "limit must be at least 1 row"),
        (
            {"max_consecutive_rejects": -1},
            "max consecutive rejects must be at least 0 (0: never stop sending)",
        ),
        ({"preflight": "no"}, "preflight must be True or False, not 'no'"),
    ],
)
def test_a_value_that_cannot_be_used_is_a_config_error(options: LoadOptions, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        job_settings("in.csv", options)
    assert str(caught.value) == message


def test_validate_names_its_report_on_its_own() -> None:
    assert job_settings("in.csv", {}, report="report.csv").report == Path("report.csv")
    with pytest.raises(ConfigError, match="report must be a path, not 3"):
        job_settings("in.csv", {}, report=3)  # type: ignore[arg-type]


def test_data_in_memory_needs_its_results_path() -> None:
    with pytest.raises(ConfigError, match="results must be a path, not 3"):
        job_settings("in.csv", {}, results=3)  # type: ignore[arg-type]
    frame = pd.DataFrame({"Name": ["A"]})
    with pytest.raises(ConfigError) as caught:
        job_settings(frame, {})
    assert str(caught.value) == RESULTS_REQUIRED
    settings = job_settings(frame, {}, results="r.csv")
    assert settings.input is frame
    assert settings.results_path == Path("r.csv")
    with pytest.raises(ConfigError):
        _ = dataclasses.replace(settings, results=None).results_path
