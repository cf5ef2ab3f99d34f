"""The commands' options, in groups that several commands share, each with its BULKLOAD_* variable.

Every option can come from the command line, then its `BULKLOAD_<OPTION>` environment variable, then the
config file (`--config`, else ./bulkload.toml), which becomes click's default map. Options that set the
library's settings default to the library's own defaults.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bulkload.cli.config import config_option
from bulkload.cli.locations import FILE_LOCATION
from bulkload.cli.option_base import F, ListFromEnv, option, option_group
from bulkload.cli.s3_options import S3_OPTIONS, s3_ledger_options
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.settings import JobSettings
from bulkload.source import SourceOptions
from bulkload.watch import DEFAULT_INTERVAL, MIN_INTERVAL

SOURCE_OPTIONS = option_group(
    option(
        "--format",
        "file_format",
        type=click.Choice(["auto", "csv", "parquet", "xlsx"]),
        default=SourceOptions.format,
        help="Input format; auto goes by the file extension.",
        envvar="BULKLOAD_FORMAT",
    ),
    option(
        "--encoding",
        default=SourceOptions.encoding,
        show_default=True,
        help="CSV text encoding, e.g. cp1252 for Excel exports.",
    ),
    option(
        "--delimiter",
        default=None,
        help="CSV field delimiter: one character, or tab (also '\\t') (default ',' or tab for .tsv).",
    ),
    option("--sheet", default=None, help="Excel sheet name or 1-based number (default: the first sheet)."),
)
"""How to read the input (run, validate)."""

MAPPING_OPTIONS = option_group(
    option("--instance-id", help="Connect instance id for rows without an InstanceId column value."),
    option("--flow-id", help="ContactFlowId for rows that name no routing member of their own."),
    option("--template-id", help="TaskTemplateId for rows that name no routing member of their own."),
    option("--quick-connect-id", help="QuickConnectId for rows that name no routing member of their own."),
    option(
        "--map",
        "column_map",
        multiple=True,
        type=ListFromEnv(),
        metavar="FIELD=COLUMN",
        help="Fill FIELD from COLUMN, e.g. --map Name=Customer --map Attributes.tier=Tier (repeatable).",
        envvar="BULKLOAD_MAP",
    ),
    option(
        "--ignore-column",
        multiple=True,
        type=ListFromEnv(),
        metavar="COLUMN",
        help="A column that is not for the task (repeatable).",
    ),
    option("--name-template", help='Build Name from columns, e.g. "Call back {Customer}".'),
    option("--description-template", help='Build Description from columns, e.g. "{Issue} (ref {Ref})".'),
    option(
        "--key",
        "key_column",
        metavar="COLUMN",
        envvar="BULKLOAD_KEY",
        help="Column that identifies a row across runs (default: the row number).",
    ),
    option(
        "--timezone",
        default=MappingOptions.timezone,
        show_default=True,
        help="Zone for ScheduledTime values without an offset.",
    ),
)
"""How columns become task parameters (run, validate)."""

CLIENT_OPTIONS = option_group(
    option("--endpoint-url", help="Connect endpoint, e.g. a local emulator's URL."),
    option("--region", help="AWS region (default: from the environment or profile)."),
    option("--profile", help="AWS named profile (default: the standard credential chain)."),
)
"""How to reach the service (run, validate --online)."""

ONLINE_OPTIONS = option_group(
    option(
        "--online",
        is_flag=True,
        default=False,
        help="Also check the credentials, and that every instance, flow, template and quick connect the "
        "rows use exists, with one read-only Describe call per id (nothing is created).",
    ),
    CLIENT_OPTIONS,
)
"""validate's check of the ids with the service."""


def pool_options(
    *, call: str, quota: str, per: str, causes: str = "", env_prefix: str = "BULKLOAD_"
) -> Callable[[F], F]:
    """--rate, --burst, --concurrency and --max-attempts of the pool sending `call` (variables `env_prefix`*)."""
    return option_group(
        option(
            "--rate",
            type=click.FloatRange(min=0, min_open=True),
            default=PoolSettings.rate,
            show_default=True,
            envvar=env_prefix + "RATE",
            help=f"Most {call} calls per second ({quota}).",
        ),
        option(
            "--burst",
            type=click.IntRange(min=1),
            default=PoolSettings.burst,
            show_default=True,
            envvar=env_prefix + "BURST",
            help="Calls allowed at once above the rate (the quota's burst).",
        ),
        option(
            "--concurrency",
            type=click.IntRange(min=1),
            default=None,
            envvar=env_prefix + "CONCURRENCY",
            help="Most calls in flight (default: derived from the rate and the observed latency).",
        ),
        option(
            "--max-attempts",
            type=click.IntRange(min=1),
            default=PoolSettings.max_attempts,
            show_default=True,
            envvar=env_prefix + "MAX_ATTEMPTS",
            help=f"Attempts per {per} before it is recorded as failed{causes}.",
        ),
    )


_LIMIT = option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Send only the first N rows not created yet, then stop (exit 0 if all were created): a canary "
    "for a new file. Run again without it to continue.",
)
_PREFLIGHT = option(
    "--preflight/--no-preflight",
    default=JobSettings.preflight,
    show_default=True,
    help="Before sending, check the credentials and every instance, flow, template and quick connect the "
    "rows use, with one read-only Describe call per id; rows naming an unknown one are invalid.",
)
_EMULATOR_HELP = (
    "Run against a built-in local emulator instead of AWS (for trying bulkload out). It accepts the "
    "instance and routing ids the options name, so it checks nothing about your real ids."
)
_EMULATOR = option("--emulator", is_flag=True, default=False, help=_EMULATOR_HELP)

RUN_OPTIONS = option_group(
    option(
        "--results",
        type=FILE_LOCATION,
        help="Results file, or s3://bucket/key (default: <input stem>.results.csv beside the input).",
    ),
    option(
        "--job-id",
        help="Pin the job id that ClientTokens derive from (default: from the results file, "
        "else from the input's content).",
    ),
    pool_options(
        call="StartTaskContact",
        quota="your account's quota; shared by every caller",
        per="row",
        causes=" (throttles, 5xx, timeouts, dropped connections)",
    ),
    option(
        "--adaptive/--no-adaptive",
        default=PoolSettings.adaptive,
        show_default=True,
        help="Cut the rate when throttled and climb back (the quota is shared across the account).",
    ),
    option(
        "--resend-edited",
        is_flag=True,
        default=False,
        help="Send rows edited after an attempt whose outcome is unknown (may create a second task).",
    ),
    option(
        "--max-consecutive-rejects",
        type=click.IntRange(min=0),
        default=PoolSettings.max_consecutive_rejects,
        show_default=True,
        metavar="N",
        help="Stop sending the rows of a routing id or instance once the service refused N rows of it in a "
        "row with the same error; they are recorded rejected, not sent (0: never stop).",
    ),
    _LIMIT,
    _PREFLIGHT,
    CLIENT_OPTIONS,
    _EMULATOR,
)
"""Where the results go, how hard to drive the service, what to check first and where it is (run)."""

VALIDATE_OPTIONS = option_group(
    option(
        "--report",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write every row's verdict to this CSV file, in the results file's columns (status valid or "
        "invalid, with the reason).",
    ),
    _EMULATOR,
)
"""The per-row report, and the emulator's defaults for a demo (validate)."""

RETRY_OPTIONS = option_group(
    option(
        "--rate",
        type=click.FloatRange(min=0, min_open=True),
        default=None,
        help="Override the job's --rate.",
    ),
    option("--burst", type=click.IntRange(min=1), default=None, help="Override the job's --burst."),
    option(
        "--concurrency",
        type=click.IntRange(min=1),
        default=None,
        help="Override the job's --concurrency.",
    ),
    option(
        "--max-attempts",
        type=click.IntRange(min=1),
        default=None,
        help="Override the job's --max-attempts.",
    ),
    option(
        "--resend-edited",
        is_flag=True,
        default=False,
        help="Send rows edited after an unknown outcome.",
    ),
    option(
        "--max-consecutive-rejects",
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help="Override the job's --max-consecutive-rejects.",
    ),
    _LIMIT,
    _PREFLIGHT,
    option("--endpoint-url", default=None, help="Override the job's endpoint."),
    option("--region", default=None, help="Override the job's region."),
    option("--profile", default=None, help="Override the job's profile."),
    option("--emulator", is_flag=True, default=False, help="Run against a built-in local emulator."),
)
"""What retry may change of the job recorded beside the results; unset keeps the job's value."""

OUTPUT_OPTIONS = option_group(
    option(
        "--log-level",
        type=click.Choice(["debug", "info", "warning", "error"], case_sensitive=False),
        default="warning",
        show_default=True,
        help="Log verbosity (Name/Description appear only at debug).",
    ),
    option(
        "--log-format",
        type=click.Choice(["text", "json"]),
        default="text",
        show_default=True,
        help="Log line format; json for log collectors.",
    ),
    option(
        "--summary-json",
        type=FILE_LOCATION,
        help="Also write the run's summary as JSON (for schedulers), to a file or s3://bucket/key.",
    ),
    option(
        "--progress",
        type=click.Choice(["auto", "bar", "plain", "none"]),
        default="auto",
        show_default=True,
        help="auto: a bar on a terminal, a plain line every --progress-interval seconds otherwise.",
    ),
    option(
        "--progress-interval",
        type=click.FloatRange(min=MIN_INTERVAL),
        default=DEFAULT_INTERVAL,
        show_default=True,
        help="Seconds between plain progress lines.",
    ),
)
"""Logs, progress display and summary file (every command that reads rows)."""


CONFIG_OPTION = config_option(
    SOURCE_OPTIONS,
    MAPPING_OPTIONS,
    RUN_OPTIONS,
    VALIDATE_OPTIONS,
    ONLINE_OPTIONS,
    OUTPUT_OPTIONS,
    S3_OPTIONS,
    s3_ledger_options(overrides=False),
)
"""`--config`: read first, so that the file's values are the defaults of every other option (one
bulkload.toml serves run, validate and retry)."""
