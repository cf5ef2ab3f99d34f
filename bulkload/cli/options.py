"""The commands' options, in groups that several commands share, each with its BULKLOAD_* variable.

Every option can come from the command line, then its `BULKLOAD_<OPTION>` environment variable, then the
config file (`--config`, else ./bulkload.toml), which becomes click's default map. Options that set the
library's settings default to the library's own defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from bulkload.cli.config import MAPPING_TABLE, load_config
from bulkload.cli.locations import FILE_LOCATION
from bulkload.errors import ConfigError
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.source import SourceOptions
from bulkload.storage.options import S3Options

F = TypeVar("F", bound=Callable[..., Any])


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
"""`--config`: read first, so that the file's values are the defaults of every other option."""

SOURCE_OPTIONS = _options(
    _opt(
        "--format",
        "file_format",
        type=click.Choice(["auto", "csv", "parquet", "xlsx"]),
        default=SourceOptions.format,
        help="Input format; auto goes by the file extension.",
        envvar="BULKLOAD_FORMAT",
    ),
    _opt(
        "--encoding",
        default=SourceOptions.encoding,
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
"""How to read the input (run, validate)."""

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
        default=MappingOptions.timezone,
        show_default=True,
        help="Zone for ScheduledTime values without an offset.",
    ),
)
"""How columns become task parameters (run, validate)."""

RUN_OPTIONS = _options(
    _opt(
        "--results",
        type=FILE_LOCATION,
        help="Results file, or s3://bucket/key (default: <input stem>.results.csv beside the input).",
    ),
    _opt(
        "--job-id",
        help="Pin the job id that ClientTokens derive from (default: from the results file, "
        "else from the input's content).",
    ),
    _opt(
        "--rate",
        type=click.FloatRange(min=0, min_open=True),
        default=PoolSettings.rate,
        show_default=True,
        help="Most StartTaskContact calls per second (your account's quota; shared by every caller).",
    ),
    _opt(
        "--burst",
        type=click.IntRange(min=1),
        default=PoolSettings.burst,
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
        default=PoolSettings.max_attempts,
        show_default=True,
        help="Attempts per row before it is recorded as failed (throttles, 5xx, timeouts, dropped connections).",
    ),
    _opt(
        "--adaptive/--no-adaptive",
        default=PoolSettings.adaptive,
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
"""Where the results go and how hard to drive the service (run)."""

RETRY_OPTIONS = _options(
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
"""What retry may change of the job recorded beside the results; unset keeps the job's value."""

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
        type=FILE_LOCATION,
        help="Also write the run's summary as JSON (for schedulers), to a file or s3://bucket/key.",
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
"""Logs, progress display and summary file (every command that reads rows)."""

S3_OPTIONS = _options(
    _opt(
        "--s3-endpoint-url",
        help="S3 endpoint for s3:// files (default: AWS_ENDPOINT_URL_S3, the profile's, or AWS's).",
    ),
)
"""How to reach S3 (every command that reads rows)."""


def s3_ledger_options(*, overrides: bool) -> Callable[[F], F]:
    """How a ledger in S3 is kept (run; retry, where unset keeps the job's value)."""
    return _options(
        _opt(
            "--checkpoint-interval",
            type=click.FloatRange(min=0, min_open=True),
            default=None if overrides else S3Options.checkpoint_interval,
            show_default=not overrides,
            help="Results in S3: seconds between uploads of the ledger (and refreshes of the job's lock).",
        ),
        _opt(
            "--workdir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Results in S3: the local directory to keep the ledger in (default: a new temporary one).",
        ),
        _opt(
            "--lock-wait",
            type=click.FloatRange(min=0),
            default=None if overrides else S3Options.lock_wait,
            show_default=not overrides,
            help="Results in S3: seconds to wait for another run holding the job's lock before giving up.",
        ),
    )


def _config_keys() -> dict[str, str]:
    """Config-file key (the long option as typed, `-` as `_`: `key`, `instance_id`) -> parameter name.

    Every command's options, so one bulkload.toml serves run, validate and retry.
    """
    keys: dict[str, str] = {}
    groups = (SOURCE_OPTIONS, MAPPING_OPTIONS, RUN_OPTIONS, OUTPUT_OPTIONS, S3_OPTIONS)
    for group in (*groups, s3_ledger_options(overrides=False)):
        probe = group(lambda **_: None)
        for param in getattr(probe, "__click_params__", []):
            for opt in param.opts:
                if opt.startswith("--") and param.name:
                    keys[opt[2:].replace("-", "_")] = param.name
    return keys


_CONFIG_KEYS = _config_keys()


def config_mapping(ctx: click.Context) -> dict[str, str] | None:
    """The config file's [mapping] table (field -> column) for the command of `ctx`, if it has one."""
    table: dict[str, str] | None = (ctx.default_map or {}).get(MAPPING_TABLE)
    return table
