"""The `bulkload` command group: run, validate and retry turn their options into settings and hand them
to the runner; `emulator` serves the built-in emulator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from bulkload import __version__, startup
from bulkload.cli.config import config_mapping
from bulkload.cli.emulator import emulator_command
from bulkload.cli.locations import FILE_LOCATION, LOCATION
from bulkload.cli.options import (
    CONFIG_OPTION,
    MAPPING_OPTIONS,
    ONLINE_OPTIONS,
    OUTPUT_OPTIONS,
    RETRY_OPTIONS,
    RUN_OPTIONS,
    SOURCE_OPTIONS,
    VALIDATE_OPTIONS,
)
from bulkload.cli.output import configure_logging, fail
from bulkload.cli.runner import execute
from bulkload.cli.s3_options import S3_OPTIONS, s3_ledger_options
from bulkload.cli.settings import (
    OutputOptions,
    Params,
    RetryOverrides,
    retry_settings,
    run_settings,
    validate_settings,
)
from bulkload.cli.stop import stop_command
from bulkload.errors import JobError
from bulkload.job import JobSettings
from bulkload.storage.options import Location

JOB_COMMANDS = frozenset({"run", "validate", "retry"})
"""The commands whose job takes over the signals once it runs (until then they exit 130 at once)."""


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bulkload")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Turn a spreadsheet of work into Amazon Connect tasks: fast, exactly once, with a record of every row.

    \b
    Start here:
      bulkload run samples/tasks.csv --emulator --key ticket    try it on a local emulator
      bulkload validate tasks.xlsx --instance-id ID             check a file; nothing is sent
      bulkload run tasks.csv --instance-id ID --flow-id FLOW --rate 5
      bulkload retry tasks.results.csv                          send again the rows not created
      bulkload stop tasks.results.csv                           stop the tasks a run created

    Every option can also be set as BULKLOAD_<OPTION> in the environment or in bulkload.toml.
    """
    if ctx.invoked_subcommand not in JOB_COMMANDS:
        startup.disarm()  # the emulator handles its signals its own way, as before


def _output(params: Params) -> OutputOptions:
    """The command's output options, with logging set up as they ask."""
    output = OutputOptions.from_params(params)
    configure_logging(output.log_level, output.log_format)
    return output


def _settings(build: Callable[[], JobSettings]) -> JobSettings:
    """The settings `build` makes, or exit 2 with the reason they cannot be used."""
    try:
        return build()
    except JobError as exc:
        fail(str(exc))


@cli.command()
@click.argument("input_path", metavar="INPUT", type=LOCATION)
@CONFIG_OPTION
@SOURCE_OPTIONS
@MAPPING_OPTIONS
@RUN_OPTIONS
@S3_OPTIONS
@s3_ledger_options(overrides=False)
@OUTPUT_OPTIONS
@click.pass_context
def run(ctx: click.Context, /, input_path: Location, config: Path | None, **params: Any) -> None:
    """Create one task per row of INPUT (CSV, Parquet or Excel; a file or s3://bucket/key) and record
    each row's outcome.

    Running again with the same results file sends only the rows not created yet, with the same
    ClientTokens, so nothing is ever created twice. Exit 0 when every row is created, 1 when some are
    not (see the results file), 2 for bad options or an unreadable input (nothing sent), 130 when stopped.
    """
    output = _output(params)
    settings = _settings(lambda: run_settings(input_path, params, config_mapping(ctx)))
    execute("run", settings, output, use_emulator=params["emulator"])


@cli.command()
@click.argument("input_path", metavar="INPUT", type=LOCATION)
@CONFIG_OPTION
@SOURCE_OPTIONS
@MAPPING_OPTIONS
@VALIDATE_OPTIONS
@ONLINE_OPTIONS
@S3_OPTIONS
@OUTPUT_OPTIONS
@click.pass_context
def validate(ctx: click.Context, /, input_path: Location, config: Path | None, **params: Any) -> None:
    """Check every row of INPUT as `run` would, and send nothing. Exit 1 if any row is invalid.

    With --emulator, rows that name no instance or routing get the emulator's, as for `run --emulator`.
    With --online, also check with the service that the credentials work and that every id the rows use
    exists (read-only calls); exit 2 if no row could be created.
    """
    output = _output(params)
    settings = _settings(lambda: validate_settings(input_path, params, config_mapping(ctx)))
    execute("validate", settings, output, use_emulator=params["emulator"], online=params["online"])


@cli.command()
@click.argument("results", metavar="RESULTS", type=FILE_LOCATION)
@CONFIG_OPTION
@RETRY_OPTIONS
@S3_OPTIONS
@s3_ledger_options(overrides=True)
@OUTPUT_OPTIONS
def retry(results: Location, config: Path | None, **params: Any) -> None:
    """Run again the rows of RESULTS that were not created (invalid, rejected, failed, never reached).

    The input and options come from RESULTS.job.json, written by `bulkload run`. Fix rows in the input
    first if they were invalid: fixed rows get new ClientTokens, created rows are never sent again.
    RESULTS may be in S3 (s3://bucket/key): the job file and the ledger are read from there.
    """
    output = _output(params)
    settings = _settings(lambda: retry_settings(results, RetryOverrides.from_params(params)))
    execute("run", settings, output, use_emulator=params["emulator"])


cli.add_command(stop_command)
cli.add_command(emulator_command)


def main() -> None:
    """Console-script entry point."""
    cli()
