"""Files that may be objects in S3, from the command line: the input, the results, the summary, the S3
options of run, validate and retry, and a summary that would overwrite the input or the ledger."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from bulkload.cli.commands import retry, run, validate
from bulkload.cli.config import config_mapping
from bulkload.cli.locations import summary_clash
from bulkload.cli.settings import OutputOptions, RetryOverrides, run_settings, validate_settings
from bulkload.job import JobSettings
from bulkload.storage import S3Url
from bulkload.storage.options import S3Options

pytestmark = pytest.mark.usefixtures("cli_workdir")

S3_RUN = [
    "s3://exports/2026-11-24/tasks.csv",
    "--results",
    "s3://ledgers/nightly/tasks.results.csv",
    "--s3-endpoint-url",
    "http://127.0.0.1:9000",
    "--checkpoint-interval",
    "5",
    "--workdir",
    "work",
    "--lock-wait",
    "120",
    "--summary-json",
    "s3://ledgers/nightly/summary.json",
]


def parse(command: click.Command, args: list[str]) -> click.Context:
    """The context click makes for `bulkload COMMAND ARGS`."""
    return command.make_context(command.name, list(args))


def test_run_takes_s3_urls_and_the_s3_options() -> None:
    ctx = parse(run, S3_RUN)
    settings = run_settings(ctx.params["input_path"], ctx.params, config_mapping(ctx))
    assert settings == JobSettings(
        input=S3Url("exports", "2026-11-24/tasks.csv"),
        results=S3Url("ledgers", "nightly/tasks.results.csv"),
        s3=S3Options(
            endpoint_url="http://127.0.0.1:9000",
            checkpoint_interval=5.0,
            workdir=Path("work"),
            lock_wait=120.0,
        ),
    )
    assert OutputOptions.from_params(ctx.params).summary_json == S3Url("ledgers", "nightly/summary.json")


def test_validate_takes_an_s3_input_and_endpoint() -> None:
    ctx = parse(validate, ["s3://exports/tasks.xlsx", "--s3-endpoint-url", "http://127.0.0.1:9000"])
    settings = validate_settings(ctx.params["input_path"], ctx.params, config_mapping(ctx))
    assert settings == JobSettings(
        input=S3Url("exports", "tasks.xlsx"), s3=S3Options(endpoint_url="http://127.0.0.1:9000")
    )


def test_retry_takes_results_in_s3_and_overrides_the_recorded_s3_options() -> None:
    ctx = parse(
        retry, ["s3://ledgers/r.csv", "--s3-endpoint-url", "http://x:1", "--checkpoint-interval", "2"]
    )
    assert ctx.params["results"] == S3Url("ledgers", "r.csv")
    overrides = RetryOverrides.from_params(ctx.params)
    assert overrides.s3() == {"endpoint_url": "http://x:1", "checkpoint_interval": 2.0}
    assert RetryOverrides.from_params(parse(retry, ["r.csv"]).params).s3() == {}


def test_a_malformed_s3_url_is_a_usage_error() -> None:
    with pytest.raises(click.BadParameter, match="is not a valid bucket name"):
        parse(run, ["s3://a/tasks.csv"])


def test_a_summary_in_s3_may_not_overwrite_the_input_or_the_ledger() -> None:
    settings = JobSettings(
        input=S3Url("exports", "tasks.csv"), results=S3Url("ledgers", "nightly/tasks.results.csv")
    )
    for key in ("tasks.results.csv", "tasks.results.csv.job.json", "tasks.results.csv.lock"):
        target = S3Url("ledgers", f"nightly/{key}")
        assert summary_clash(target, settings, writes_results=True) == target
        assert summary_clash(target, settings, writes_results=False) is None
    assert summary_clash(S3Url("exports", "tasks.csv"), settings, writes_results=False) == settings.input
    assert summary_clash(S3Url("ledgers", "nightly/summary.json"), settings, writes_results=True) is None
