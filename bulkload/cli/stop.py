"""`bulkload stop RESULTS`: undo a load, stopping the tasks its results file records, each once.

It holds the results file's lock from planning to the end. Before sending, it shows the count and the
instance and asks on a terminal; without one (cron, CI, a pipe) it refuses unless --yes says so: a stop
cannot be undone, so a script must ask for it explicitly. `--dry-run` lists what would be stopped.
Exit codes: 0 every task to stop has ended, 1 some have not (or the question was answered no), 2 usage,
a missing or unreadable results file, another run or stop holding it, 130 interrupted.
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console

from bulkload.cli.locations import FILE_LOCATION
from bulkload.cli.option_base import option, option_group
from bulkload.cli.options import OUTPUT_OPTIONS, pool_options
from bulkload.cli.output import EXIT_INTERRUPTED, configure_logging, fail, write_summary_json
from bulkload.cli.runner import check_summary_path, drive, run_async
from bulkload.cli.settings import OutputOptions, Params
from bulkload.cli.stop_output import instances_text, plan_text, question, summary_text
from bulkload.errors import ConfigError, JobError
from bulkload.launch import EMULATOR_CREDENTIALS
from bulkload.ledger import ledger_files
from bulkload.pool import PoolSettings
from bulkload.storage.options import Location
from bulkload.storage.url import S3Url
from bulkload.undo import StopJob, StopPlan, StopSettings, StopSummary, read_keys, recorded_client
from bulkload.undo.plan import local_results

STOP_OPTIONS = option_group(
    option(
        "--keys",
        type=click.Path(dir_okay=False, path_type=Path),
        envvar="BULKLOAD_STOP_KEYS",
        help="Stop only these rows: a file of one key a line (the run's --key values, or row numbers).",
    ),
    option(
        "--only-scheduled",
        is_flag=True,
        default=False,
        envvar=None,
        help="Stop only tasks whose ScheduledTime is still ahead.",
    ),
    option("--dry-run", is_flag=True, default=False, envvar=None, help="List what would be stopped."),
    option("--yes", is_flag=True, default=False, envvar=None, help="Do not ask (needed without a terminal)."),
    option(
        "--instance-id",
        help="Instance of rows whose results line records none (written by an older bulkload; default: "
        "the job's --instance-id).",
    ),
    pool_options(
        call="StopContact",
        quota="StopContact's own quota",
        per="task",
        env_prefix="BULKLOAD_STOP_",
    ),
    option("--endpoint-url", help="Connect endpoint (default: the run's, from the job file)."),
    option("--region", help="AWS region (default: the run's, else from the environment or profile)."),
    option("--profile", help="AWS named profile (default: the run's, else the standard credential chain)."),
    option(
        "--emulator",
        is_flag=True,
        default=False,
        envvar=None,
        help="Against a new built-in emulator, which knows no task of an earlier process (every task "
        "reads as already ended): for trying the command out.",
    ),
)
"""What to stop and how hard to drive StopContact. Rate, burst, concurrency and attempts have
BULKLOAD_STOP_* variables of their own: StopContact's quota is not StartTaskContact's."""


def can_ask() -> bool:
    """Whether someone at a terminal can answer the confirmation."""
    return sys.stdin.isatty()


def stop_settings(results: Path, params: Params) -> StopSettings:
    """The stop's settings from its options (the client is the run's, with the options on top)."""
    try:
        pool = PoolSettings(
            rate=params["rate"],
            burst=params["burst"],
            concurrency=params["concurrency"],
            max_attempts=params["max_attempts"],
        )
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    given = {name: params[name] for name in ("endpoint_url", "region", "profile") if params[name] is not None}
    keys = params["keys"]
    return StopSettings(
        results=results,
        keys=None if keys is None else frozenset(read_keys(keys)),
        only_scheduled=params["only_scheduled"],
        instance_id=params["instance_id"],
        dry_run=params["dry_run"],
        pool=pool,
        client=dataclasses.replace(recorded_client(results), **given) if given else None,
    )


@click.command("stop")
@click.argument("results", metavar="RESULTS", type=FILE_LOCATION)
@STOP_OPTIONS
@OUTPUT_OPTIONS
def stop_command(results: Location, **params: Any) -> None:
    """Stop the tasks that RESULTS records as created, each once: undo a load.

    Writes each task's outcome to RESULTS.stop.csv (stopped, already-ended, rejected, failed); running
    it again sends only the tasks not stopped or ended yet. Asks first on a terminal; pass --yes
    without one. Exit 0 when every task to stop has ended, 1 when some have not, 2 for bad options or
    results, 130 when interrupted.

    The Region, profile and endpoint default to the run's (RESULTS.job.json). bulkload.toml is not read,
    and --rate, --burst, --concurrency and --max-attempts take BULKLOAD_STOP_* variables: StopContact has
    a quota of its own.
    """
    output = OutputOptions.from_params(params)
    configure_logging(output.log_level, output.log_format)
    summary_json = output.summary_json
    if isinstance(summary_json, S3Url):
        fail(f"--summary-json {summary_json}: bulkload stop writes its summary to a local file only")
    try:
        path = local_results(results)
    except JobError as exc:
        fail(str(exc))
    check_summary_path(output, ledger_files(path))
    try:
        job = StopJob(stop_settings(path, params))
        with job:
            plan = job.plan()
            if params["dry_run"]:
                for line in plan_text(plan):
                    click.echo(line)
            elif plan.targets and not params["yes"]:
                _confirm(plan)
            summary = _execute(job, plan, output, use_emulator=params["emulator"])
    except JobError as exc:
        fail(str(exc))
    _finish(summary, summary_json)


def _confirm(plan: StopPlan) -> None:
    """Ask on a terminal; without one, refuse (exit 2); answered no, exit 1 having sent nothing."""
    if not can_ask():
        fail(
            f"stopping {len(plan.targets)} tasks in {instances_text(plan.instances)} needs a confirmation, "
            "and there is no terminal to ask on: pass --yes"
        )
    if not click.confirm(question(plan), default=False, err=True):
        click.echo("nothing was sent", err=True)
        sys.exit(1)


def _execute(job: StopJob, plan: StopPlan, output: OutputOptions, *, use_emulator: bool) -> StopSummary:
    """Run the stop with signal handling and progress (against an emulator started for it, if asked)."""
    console = Console(stderr=True)

    async def body() -> StopSummary:
        if not use_emulator:
            return await drive(job, job.run, output, console, "stop")
        from bulkload.emulator import Emulator, EmulatorConfig  # noqa: PLC0415 - only for --emulator

        pool = job.settings.pool
        config = EmulatorConfig(
            instance_ids=tuple(plan.instances) or EmulatorConfig().instance_ids,
            stop_rate=pool.rate,
            stop_burst=pool.burst,
        )
        async with Emulator(config) as emulator:
            client = recorded_client(plan.results)
            job.settings = dataclasses.replace(
                job.settings,
                client=dataclasses.replace(
                    client,
                    endpoint_url=emulator.endpoint_url,
                    region=client.region or "us-east-1",
                    static_credentials=EMULATOR_CREDENTIALS,
                ),
            )
            summary = await drive(job, job.run, output, console, "stop")
        return dataclasses.replace(summary, emulator=True)

    try:
        return run_async(body)
    except (KeyboardInterrupt, asyncio.CancelledError):  # a second Ctrl-C cancels the stop at once
        click.echo("interrupted: the stop ledger is saved; run the same command again to continue", err=True)
        sys.exit(EXIT_INTERRUPTED)


def _finish(summary: StopSummary, summary_json: Path | None) -> NoReturn:
    if not summary.dry_run:
        for line in summary_text(summary):
            click.echo(line)
    if summary_json is not None:
        try:
            write_summary_json(summary, summary_json)
        except OSError as exc:
            fail(f"cannot write {summary_json}: {exc.strerror}")
    sys.exit(summary.exit_code)
