"""The `bulkload` command: a thin shell over the library that turns outcomes into output and exit codes.

Exit codes: 0 every row created (validate: every row valid); 1 some rows not; 2 usage, configuration or
unreadable input (nothing sent); 130 interrupted (results flushed, resumable).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click
from rich.console import Console

from bulkload import __version__
from bulkload.config import load_config
from bulkload.connect.client import ClientSettings
from bulkload.errors import BulkloadError, ConfigError, JobError
from bulkload.job import Job, JobSettings
from bulkload.ledger import job_file_path, lock_path, pending_path, prev_path, read_job_file
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.progress import JobSummary
from bulkload.report import (
    configure_logging,
    live_progress,
    plain_progress,
    print_summary,
    write_summary_json,
)
from bulkload.source import SourceOptions

log = logging.getLogger("bulkload.cli")
F = TypeVar("F", bound=Callable[..., Any])

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EMULATOR_CREDENTIALS = ("bulkload-emulator", "bulkload-emulator")


def _env(name: str) -> str:
    return "BULKLOAD_" + name.upper()


class _ListFromEnv(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click stubs
    """A repeatable option whose environment variable holds several values separated by ';'."""

    name = "text"
    envvar_list_splitter = ";"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        return str(value)


def _load_config(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    try:
        defaults = load_config(value, options=_CONFIG_KEYS)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param_hint="--config") from exc
    ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def _options(*decorators: Callable[[F], F]) -> Callable[[F], F]:
    def apply(func: F) -> F:
        for decorator in reversed(decorators):
            func = decorator(func)
        return func

    return apply


def _opt(*names: str, **kwargs: Any) -> Callable[[F], F]:
    """click.option with the BULKLOAD_<NAME> environment variable every option has."""
    long = next(n for n in names if n.startswith("--")).split("/")[0]
    kwargs.setdefault("envvar", _env(long[2:].replace("-", "_")))
    kwargs.setdefault("show_envvar", True)
    return click.option(*names, **kwargs)


CONFIG_OPTION = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    is_eager=True,
    expose_value=True,
    callback=_load_config,
    envvar="BULKLOAD_CONFIG",
    help="TOML file of option defaults and a [mapping] table (default: ./bulkload.toml if it exists).",
)

SOURCE_OPTIONS = _options(
    _opt(
        "--format",
        "file_format",
        type=click.Choice(["auto", "csv", "parquet", "xlsx"]),
        default="auto",
        help="Input format; auto goes by the file extension.",
        envvar="BULKLOAD_FORMAT",
    ),
    _opt(
        "--encoding",
        default="utf-8",
        show_default=True,
        help="CSV text encoding, e.g. cp1252 for Excel exports.",
    ),
    _opt(
        "--delimiter",
        default=None,
        help="CSV field delimiter: one character, or tab (also '\\t') (default ',' or tab for .tsv).",
    ),
    _opt("--sheet", default=None, help="Excel sheet name or 1-based number (default: the first sheet)."),
)

MAPPING_OPTIONS = _options(
    _opt("--instance-id", help="Connect instance id for rows without an InstanceId column value."),
    _opt("--flow-id", help="ContactFlowId for rows that name no routing member of their own."),
    _opt("--template-id", help="TaskTemplateId for rows that name no routing member of their own."),
    _opt("--quick-connect-id", help="QuickConnectId for rows that name no routing member of their own."),
    _opt(
        "--map",
        "column_map",
        multiple=True,
        type=_ListFromEnv(),
        metavar="FIELD=COLUMN",
        help="Fill FIELD from COLUMN, e.g. --map Name=Customer --map Attributes.tier=Tier (repeatable).",
        envvar="BULKLOAD_MAP",
    ),
    _opt(
        "--ignore-column",
        multiple=True,
        type=_ListFromEnv(),
        metavar="COLUMN",
        help="A column that is not for the task (repeatable).",
    ),
    _opt("--name-template", help='Build Name from columns, e.g. "Call back {Customer}".'),
    _opt("--description-template", help='Build Description from columns, e.g. "{Issue} (ref {Ref})".'),
    _opt(
        "--key",
        "key_column",
        metavar="COLUMN",
        envvar="BULKLOAD_KEY",
        help="Column that identifies a row across runs (default: the row number).",
    ),
    _opt(
        "--timezone",
        default="UTC",
        show_default=True,
        help="Zone for ScheduledTime values without an offset.",
    ),
)

RUN_OPTIONS = _options(
    _opt(
        "--results",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Results file (default: <input stem>.results.csv beside the input).",
    ),
    _opt(
        "--job-id",
        help="Pin the job id that ClientTokens derive from (default: from the results file, "
        "else from the input's content).",
    ),
    _opt(
        "--rate",
        type=click.FloatRange(min=0, min_open=True),
        default=2.0,
        show_default=True,
        help="Most StartTaskContact calls per second (your account's quota; shared by every caller).",
    ),
    _opt(
        "--burst",
        type=click.IntRange(min=1),
        default=5,
        show_default=True,
        help="Calls allowed at once above the rate (the quota's burst).",
    ),
    _opt(
        "--concurrency",
        type=click.IntRange(min=1),
        default=None,
        help="Most calls in flight (default: derived from the rate and the observed latency).",
    ),
    _opt(
        "--max-attempts",
        type=click.IntRange(min=1),
        default=8,
        show_default=True,
        help="Attempts per row before it is recorded as failed (throttles, 5xx, timeouts, dropped connections).",
    ),
    _opt(
        "--adaptive/--no-adaptive",
        default=True,
        show_default=True,
        help="Cut the rate when throttled and climb back (the quota is shared across the account).",
    ),
    _opt(
        "--resend-edited",
        is_flag=True,
        default=False,
        help="Send rows edited after an attempt whose outcome is unknown (may create a second task).",
    ),
    _opt("--endpoint-url", help="Connect endpoint, e.g. a local emulator's URL."),
    _opt("--region", help="AWS region (default: from the environment or profile)."),
    _opt("--profile", help="AWS named profile (default: the standard credential chain)."),
    _opt(
        "--emulator",
        is_flag=True,
        default=False,
        help="Run against a built-in local emulator instead of AWS (for trying bulkload out).",
    ),
)

OUTPUT_OPTIONS = _options(
    _opt(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
        default="warning",
        show_default=True,
        help="Log verbosity (Name/Description appear only at debug).",
    ),
    _opt(
        "--log-format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Log line format; json for log collectors.",
    ),
    _opt(
        "--summary-json",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the run's summary as JSON (for schedulers).",
    ),
    _opt(
        "--progress",
        type=click.Choice(["auto", "bar", "plain", "none"]),
        default="auto",
        show_default=True,
        help="auto: a bar on a terminal, a plain line every --progress-interval seconds otherwise.",
    ),
    _opt(
        "--progress-interval",
        type=click.FloatRange(min=0.1),
        default=10.0,
        show_default=True,
        help="Seconds between plain progress lines.",
    ),
)


def _config_keys() -> dict[str, str]:
    """Config-file key (the long option as typed, `-` as `_`: `key`, `instance_id`) -> parameter name.

    Every command's options, so one bulkload.toml serves run, validate and retry.
    """
    keys: dict[str, str] = {}
    for group in (SOURCE_OPTIONS, MAPPING_OPTIONS, RUN_OPTIONS, OUTPUT_OPTIONS):
        probe = group(lambda **_: None)
        for param in getattr(probe, "__click_params__", []):
            for opt in param.opts:
                if opt.startswith("--") and param.name:
                    keys[opt[2:].replace("-", "_")] = param.name
    return keys


_CONFIG_KEYS = _config_keys()


def _parse_map(values: tuple[str, ...], table: dict[str, str] | None) -> dict[str, str]:
    column_map = dict(table or {})  # the config's [mapping]: a --map of the same field replaces its entry
    given: dict[str, str] = {}
    for value in values:
        field, sep, column = value.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise click.BadParameter(f"{value!r} is not FIELD=COLUMN", param_hint="--map")
        field, column = field.strip(), column.strip()
        if field in given and given[field] != column:
            raise click.BadParameter(
                f"{field} is mapped twice ({given[field]!r} and {column!r}); keep one", param_hint="--map"
            )
        given[field] = column
        column_map[field] = column
    return column_map


def _source_options(p: dict[str, Any]) -> SourceOptions:
    try:
        return SourceOptions(
            format=p["file_format"],
            encoding=p["encoding"],
            delimiter=_delimiter(p["delimiter"]),
            sheet=p["sheet"],
        )
    except ConfigError as exc:  # an unknown --encoding, a --delimiter of other than one character
        _fail(str(exc))


def _mapping_options(p: dict[str, Any]) -> MappingOptions:
    return MappingOptions(
        instance_id=p["instance_id"],
        flow_id=p["flow_id"],
        template_id=p["template_id"],
        quick_connect_id=p["quick_connect_id"],
        column_map=_parse_map(
            p["column_map"], (click.get_current_context().default_map or {}).get("mapping_table")
        ),
        ignore_columns=frozenset(p["ignore_column"]),
        name_template=p["name_template"],
        description_template=p["description_template"],
        key_column=p["key_column"],
        timezone=p["timezone"],
    )


def _delimiter(value: str | None) -> str | None:
    """A tab is hard to type in a shell or a TOML file: accept `tab` and `\\t` for it."""
    if value is not None and value.lower() in ("tab", "\\t"):
        return "\t"
    return value


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


T = TypeVar("T")


def _run_async(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    try:
        return asyncio.run(make())
    except JobError as exc:
        _fail(str(exc))
    except BulkloadError as exc:  # pragma: no cover - every job-level error is a JobError
        _fail(str(exc))
    except Exception as exc:
        # A bug in bulkload, not in the input: say so plainly; the traceback is for --log-level debug.
        log.debug("internal error", exc_info=True)
        click.echo(
            f"error: internal error in bulkload ({type(exc).__name__}: {exc}); the results written so far "
            "are saved and a re-run continues from them. Please report this with --log-level debug output.",
            err=True,
        )
        sys.exit(1)


async def _drive(job: Job, command: str, output: dict[str, Any], console: Console) -> JobSummary:
    """Run or validate `job` with signal handling and a progress display."""
    loop = asyncio.get_running_loop()
    main = asyncio.current_task()
    stops = 0

    def on_signal(signame: str) -> None:
        nonlocal stops
        stops += 1
        if stops == 1:
            click.echo(
                f"\n{signame}: stopping; finishing the calls in flight and saving the results "
                "(again to stop at once)",
                err=True,
            )
            job.request_stop()
        elif main is not None:
            main.cancel()

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, on_signal, sig.name)
    mode = output["progress"]
    if mode == "auto":
        mode = "bar" if console.is_terminal and output["log_format"] == "text" else "plain"
    display: asyncio.Task[None] | None = None
    if mode == "bar":
        display = asyncio.create_task(live_progress(job.progress, console, command))
    elif mode == "plain":
        display = asyncio.create_task(plain_progress(job.progress, output["progress_interval"]))
    try:
        return await (job.validate() if command == "validate" else job.run())
    finally:
        if display is not None:
            display.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await display


class _SummaryConsole(Console):
    """rich's Console, except that a reader gone away (`| head`) does not turn the job's exit code into 1."""

    def on_broken_pipe(self) -> None:
        self.quiet = True  # the rest of the summary has nowhere to go; the job is done all the same
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _finish(summary: JobSummary, output: dict[str, Any], console: Console) -> NoReturn:
    print_summary(summary, console)
    if output["summary_json"] is not None:
        try:
            write_summary_json(summary, output["summary_json"])
        except OSError as exc:
            _fail(f"cannot write {output['summary_json']}: {exc.strerror}")
    sys.exit(summary.exit_code)


def _output(p: dict[str, Any]) -> dict[str, Any]:
    keys = ("log_level", "log_format", "summary_json", "progress", "progress_interval")
    out = {k: p.pop(k) for k in keys}
    configure_logging(out["log_level"], out["log_format"])
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bulkload")
def cli() -> None:
    """Turn a spreadsheet of work into Amazon Connect tasks: fast, exactly once, with a record of every row.

    \b
    Start here:
      bulkload run samples/tasks.csv --emulator --key ticket    try it on a local emulator
      bulkload validate tasks.xlsx --instance-id ID             check a file; nothing is sent
      bulkload run tasks.csv --instance-id ID --flow-id FLOW --rate 5
      bulkload retry tasks.results.csv                          send again the rows not created

    Every option can also be set as BULKLOAD_<OPTION> in the environment or in bulkload.toml.
    """


def _job_settings(params: dict[str, Any], input_path: Path) -> JobSettings:
    endpoint = params["endpoint_url"]
    try:
        pool = PoolSettings(
            rate=params["rate"],
            burst=params["burst"],
            concurrency=params["concurrency"],
            max_attempts=params["max_attempts"],
            adaptive=params["adaptive"],
        )
    except ValueError as exc:
        _fail(str(exc))
    client = ClientSettings(region=params["region"], profile=params["profile"], endpoint_url=endpoint)
    return JobSettings(
        input=input_path,
        results=params["results"],
        source=_source_options(params),
        mapping=_mapping_options(params),
        pool=pool,
        client=client,
        job_id=params["job_id"],
        resend_edited=params["resend_edited"],
    )


async def _with_emulator(
    settings: JobSettings, body: Callable[[JobSettings], Coroutine[Any, Any, T]], *, use: bool
) -> T:
    if not use:
        return await body(settings)
    from bulkload.emulator import Emulator, EmulatorConfig  # noqa: PLC0415 - only for --emulator
    from bulkload.emulator.defaults import (  # noqa: PLC0415
        DEFAULT_FLOW_ID,
        DEFAULT_INSTANCE_ID,
        DEFAULT_QUICK_CONNECT_ID,
        DEFAULT_TEMPLATE_ID,
    )

    m = settings.mapping
    config = EmulatorConfig(
        rate=settings.pool.rate,
        burst=settings.pool.burst,
        instance_ids=tuple({DEFAULT_INSTANCE_ID, *(x for x in [m.instance_id] if x)}),
        flow_ids=tuple({DEFAULT_FLOW_ID, *(x for x in [m.flow_id] if x)}),
        template_ids=tuple({DEFAULT_TEMPLATE_ID, *(x for x in [m.template_id] if x)}),
        quick_connect_ids=tuple({DEFAULT_QUICK_CONNECT_ID, *(x for x in [m.quick_connect_id] if x)}),
    )
    # The emulator's own instance and flow serve rows that name none; a row's own values still win.
    if m.instance_id is None:
        m = dataclasses.replace(m, instance_id=DEFAULT_INSTANCE_ID)
    if not (m.flow_id or m.template_id or m.quick_connect_id):
        m = dataclasses.replace(m, flow_id=DEFAULT_FLOW_ID)
    settings = dataclasses.replace(settings, mapping=m)
    async with Emulator(config) as emulator:
        client = dataclasses.replace(
            settings.client,
            endpoint_url=emulator.endpoint_url,
            region=settings.client.region or "us-east-1",
            static_credentials=EMULATOR_CREDENTIALS,
        )
        return await body(dataclasses.replace(settings, client=client))


def _check_summary_path(settings: JobSettings, output: dict[str, Any], *, writes_results: bool) -> None:
    """Refuse, before anything is sent, a --summary-json path that cannot be written or would overwrite
    the input or the results (the summary is written last, when an error can no longer stop anything)."""
    path: Path | None = output["summary_json"]
    if path is None:
        return
    if not path.parent.is_dir():
        _fail(f"--summary-json {path}: the directory {path.parent} does not exist")
    taken = [settings.input]
    if writes_results:
        results = settings.results_path
        taken += [
            results,
            job_file_path(results),
            pending_path(results),
            prev_path(results),
            lock_path(results),
        ]
    for other in taken:
        if path.resolve() == other.resolve():
            _fail(f"--summary-json {path} would overwrite {other}; choose another path")
    if path.exists() and not path.is_file():
        _fail(f"--summary-json {path} is not a regular file")


def _execute(
    command: str, settings: JobSettings, output: dict[str, Any], *, use_emulator: bool = False
) -> NoReturn:
    _check_summary_path(settings, output, writes_results=command == "run")
    console = _SummaryConsole(stderr=False)
    progress_console = Console(stderr=True)

    async def body(final: JobSettings) -> JobSummary:
        job = Job(final)
        return await _drive(job, command, output, progress_console)

    try:
        summary = _run_async(lambda: _with_emulator(settings, body, use=use_emulator))
    except (KeyboardInterrupt, asyncio.CancelledError):  # a second Ctrl-C cancels the job at once
        click.echo("interrupted: the results written so far are saved; run again to continue", err=True)
        sys.exit(EXIT_INTERRUPTED)
    _finish(dataclasses.replace(summary, emulator=use_emulator), output, console)


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@CONFIG_OPTION
@SOURCE_OPTIONS
@MAPPING_OPTIONS
@RUN_OPTIONS
@OUTPUT_OPTIONS
def run(input_path: Path, config: Path | None, **params: Any) -> None:
    """Create one task per row of INPUT (CSV, Parquet or Excel) and record each row's outcome.

    Running again with the same results file sends only the rows not created yet, with the same
    ClientTokens, so nothing is ever created twice. Exit 0 when every row is created, 1 when some are
    not (see the results file), 2 for bad options or an unreadable input (nothing sent), 130 when stopped.
    """
    output = _output(params)
    _execute("run", _job_settings(params, input_path), output, use_emulator=params["emulator"])


@cli.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@CONFIG_OPTION
@SOURCE_OPTIONS
@MAPPING_OPTIONS
@OUTPUT_OPTIONS
def validate(input_path: Path, config: Path | None, **params: Any) -> None:
    """Check every row of INPUT as `run` would, and send nothing. Exit 1 if any row is invalid."""
    output = _output(params)
    settings = JobSettings(input=input_path, source=_source_options(params), mapping=_mapping_options(params))
    _execute("validate", settings, output)


@cli.command()
@click.argument("results", metavar="RESULTS", type=click.Path(dir_okay=False, path_type=Path))
@CONFIG_OPTION
@_options(
    _opt(
        "--rate",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        help="Override the job's --rate.",
    ),
    _opt("--burst", type=click.IntRange(min=1), default=None, help="Override the job's --burst."),
    _opt(
        "--concurrency",
        type=click.IntRange(min=1),
        default=None,
        help="Override the job's --concurrency.",
    ),
    _opt(
        "--max-attempts",
        type=click.IntRange(min=1),
        default=None,
        help="Override the job's --max-attempts.",
    ),
    _opt(
        "--resend-edited",
        is_flag=True,
        default=False,
        help="Send rows edited after an unknown outcome.",
    ),
    _opt("--endpoint-url", default=None, help="Override the job's endpoint."),
    _opt("--region", default=None, help="Override the job's region."),
    _opt("--profile", default=None, help="Override the job's profile."),
    _opt("--emulator", is_flag=True, default=False, help="Run against a built-in local emulator."),
)
@OUTPUT_OPTIONS
def retry(results: Path, config: Path | None, **params: Any) -> None:
    """Run again the rows of RESULTS that were not created (invalid, rejected, failed, never reached).

    The input and options come from RESULTS.job.json, written by `bulkload run`. Fix rows in the input
    first if they were invalid: fixed rows get new ClientTokens, created rows are never sent again.
    """
    output = _output(params)
    try:
        body = read_job_file(results)
    except JobError as exc:
        _fail(str(exc))
    options = body.get("options") or {}
    try:
        source = SourceOptions(**(options.get("source") or {}))
        raw_mapping = dict(options.get("mapping") or {})
        if not isinstance(raw_mapping.get("column_map", {}), dict):
            raise ValueError("mapping.column_map is not a table of field -> column")
        raw_mapping["ignore_columns"] = frozenset(raw_mapping.get("ignore_columns", []))
        mapping = MappingOptions(**raw_mapping)
        pool_fields = dict(options.get("pool") or {})
        for name in ("rate", "burst", "concurrency", "max_attempts"):
            if params[name] is not None:
                pool_fields[name] = params[name]
        pool = PoolSettings(**pool_fields)
        client_fields = dict(options.get("client") or {})
        client_fields.pop("static_credentials", None)
        for name in ("endpoint_url", "region", "profile"):
            if params[name] is not None:
                client_fields[name] = params[name]
        client = ClientSettings(**client_fields)
    except (TypeError, ValueError, ConfigError) as exc:
        _fail(f"the job file of {results} does not fit this version of bulkload, or was damaged: {exc}")
    settings = JobSettings(
        input=Path(body["input"]),
        results=results,
        source=source,
        mapping=mapping,
        pool=pool,
        client=client,
        job_id=body.get("job_id"),
        resend_edited=params["resend_edited"],  # this run's choice only, never an earlier run's
    )
    _execute("run", settings, output, use_emulator=params["emulator"])


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8800, show_default=True, help="Port (0: any free)."
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=2.0,
    show_default=True,
    help="Account-wide StartTaskContact quota, requests per second.",
)
@click.option("--burst", type=click.IntRange(min=1), default=5, show_default=True, help="Quota burst.")
@click.option(
    "--latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Added latency per call.",
)
@click.option(
    "--jitter-ms", type=click.FloatRange(min=0), default=0.0, show_default=True, help="Random extra latency."
)
@click.option(
    "--fail-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of calls answered 500 InternalServiceException (nothing created).",
)
@click.option(
    "--reset-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of calls whose connection is dropped before the task is created.",
)
@click.option(
    "--drop-after-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Fraction of calls whose task is created, then the connection dropped with no answer.",
)
@click.option(
    "--instance-id",
    "instance_ids",
    multiple=True,
    help="A known instance (repeatable; default: the samples'). Unknown ones get ResourceNotFoundException.",
)
@click.option("--flow-id", "flow_ids", multiple=True, help="A known contact flow (repeatable).")
@click.option(
    "--template-id", "template_ids", multiple=True, help="A known task template with a flow (repeatable)."
)
@click.option(
    "--quick-connect-id", "quick_connect_ids", multiple=True, help="A known quick connect (repeatable)."
)
@click.option(
    "--deny-access-key",
    "denied_access_keys",
    multiple=True,
    help="Answer calls signed with this access key id 403 AccessDeniedException, as for a caller "
    "without connect:StartTaskContact (repeatable).",
)
@click.option(
    "--active-task-quota",
    type=click.IntRange(min=1),
    default=2500,
    show_default=True,
    help="Concurrent active tasks per instance.",
)
@click.option("--seed", type=int, default=None, help="Seed for fault injection, for repeatable runs.")
def emulator(**params: Any) -> None:
    """Serve a local stand-in for Amazon Connect's StartTaskContact (for demos, tests and benchmarks).

    Point bulkload (or any AWS SDK) at it with --endpoint-url http://HOST:PORT and any credentials.
    GET /_emulator/tasks and /_emulator/stats show what it did.
    """
    from bulkload.emulator import EmulatorConfig, serve_forever  # noqa: PLC0415 - keeps `run` start-up light

    fields = {k: v for k, v in params.items() if v not in ((), None)}
    try:
        config = EmulatorConfig(**fields)
    except (TypeError, ValueError) as exc:
        _fail(str(exc))

    def ready(url: str) -> None:
        click.echo(f"bulkload emulator serving StartTaskContact at {url} (Ctrl-C to stop)", err=True)

    try:
        serve_forever(config, on_ready=ready)
    except OSError as exc:  # the port is taken, the address is not this machine's...
        _fail(f"cannot listen on {params['host']}:{params['port']}: {exc.strerror or exc}")


def main() -> None:
    """Console-script entry point."""
    cli()
