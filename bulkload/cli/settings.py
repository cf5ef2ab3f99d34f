"""From parsed options to typed settings: what a command hands the library, built once.

click parses the command line, the BULKLOAD_* environment and the config file into one mapping of
parameter names to values. The functions here name them as `load`'s options (`LoadOptions`) and turn
them into `JobSettings` as `load` does (`options.job_settings`), and into the CLI's own `OutputOptions`;
`retry_settings` rebuilds a job's settings from the job file beside its results, with this run's
`RetryOverrides` on top. A setting that cannot be used raises ConfigError (a JobError).
"""

from __future__ import annotations

import dataclasses
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

import click

from bulkload.connect.client import ClientSettings
from bulkload.errors import ConfigError
from bulkload.job import JobSettings
from bulkload.ledger.jobfile import read_job_file
from bulkload.ledger.memory_owner import MemoryInput
from bulkload.mapping import MappingOptions
from bulkload.options import OPTION_NAMES, RENAMED, LoadOptions, job_settings
from bulkload.pool import PoolSettings
from bulkload.source import SourceOptions
from bulkload.storage.client import make_s3_client
from bulkload.storage.jobfile import read_remote_job_file
from bulkload.storage.options import Location, S3Options, as_location

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Params = Mapping[str, Any]
"""click's parsed parameters of one command, by parameter name."""

ProgressMode = Literal["auto", "bar", "plain", "none"]
"""`--progress`: auto, a rich bar, plain log lines every few seconds, or nothing."""

_D = TypeVar("_D", bound="DataclassInstance")


def _from_params(cls: type[_D], params: Params) -> _D:
    """An options dataclass whose fields are named as the command's parameters."""
    return cls(**{f.name: params[f.name] for f in dataclasses.fields(cls)})


@dataclass(frozen=True, kw_only=True)
class OutputOptions:
    """How a command reports: log level and format, progress display, summary JSON file.

    No defaults here: they are the options' own, shown in --help.
    """

    log_level: str
    log_format: Literal["text", "json"]
    summary_json: Location | None
    progress: ProgressMode
    progress_interval: float

    @classmethod
    def from_params(cls, params: Params) -> OutputOptions:
        """The output options among a command's parameters."""
        return _from_params(cls, params)

    def display(self, *, terminal: bool) -> ProgressMode:
        """The display to show: `auto` is a bar on a terminal (with text logs), plain lines elsewhere."""
        if self.progress != "auto":
            return self.progress
        return "bar" if terminal and self.log_format == "text" else "plain"


@dataclass(frozen=True, kw_only=True)
class RetryOverrides:
    """What `bulkload retry` changes of the job it runs again; None keeps the job's recorded value."""

    rate: float | None = None
    burst: int | None = None
    concurrency: int | None = None
    max_attempts: int | None = None
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None
    max_consecutive_rejects: int | None = None
    s3_endpoint_url: str | None = None
    checkpoint_interval: float | None = None
    workdir: Path | None = None
    lock_wait: float | None = None
    # This run's choices only, never an earlier run's.
    resend_edited: bool = False
    limit: int | None = None
    preflight: bool = JobSettings.preflight
    emulator: bool = False  # this run starts a built-in emulator

    @classmethod
    def from_params(cls, params: Params) -> RetryOverrides:
        """The overrides among retry's parameters."""
        return _from_params(cls, params)

    def pool(self) -> dict[str, Any]:
        """The pool settings given: rate, burst, concurrency, max_attempts, max_consecutive_rejects."""
        return self._given("rate", "burst", "concurrency", "max_attempts", "max_consecutive_rejects")

    def client(self) -> dict[str, Any]:
        """The client settings given: endpoint_url, region, profile."""
        return self._given("endpoint_url", "region", "profile")

    def s3(self) -> dict[str, Any]:
        """The S3 options given: endpoint_url (from s3_endpoint_url), checkpoint_interval, workdir, lock_wait."""
        given = self._given("checkpoint_interval", "workdir", "lock_wait")
        if self.s3_endpoint_url is not None:
            given["endpoint_url"] = self.s3_endpoint_url
        return given

    def _given(self, *names: str) -> dict[str, Any]:
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}


def parse_map(values: tuple[str, ...], table: Mapping[str, str] | None) -> dict[str, str]:
    """The column map: the config's [mapping] table, where a --map FIELD=COLUMN replaces its field's entry."""
    column_map = dict(table or {})
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


def load_options(params: Params, table: Mapping[str, str] | None) -> LoadOptions:
    """A command's source, mapping and run options, named as `load` takes them (--map parsed, with the
    config's [mapping] table under it); its other parameters (--results, output, config) are not."""
    options: dict[str, Any] = {}
    for name, value in params.items():
        option = RENAMED.get(name, name)
        if option in OPTION_NAMES:
            options[option] = parse_map(value, table) if option == "mapping" else value
    return cast(LoadOptions, options)


def run_settings(input_path: Location, params: Params, table: Mapping[str, str] | None) -> JobSettings:
    """`bulkload run`'s job, from its source, mapping, run and S3 options (as `load` builds its own)."""
    return job_settings(input_path, load_options(params, table), results=params["results"])


def validate_settings(input_path: Location, params: Params, table: Mapping[str, str] | None) -> JobSettings:
    """`bulkload validate`'s job, from its source, mapping and S3 options, its report, and where the
    service is (for `--online`; nothing is sent, so no more)."""
    return job_settings(input_path, load_options(params, table), report=params["report"])


def retry_settings(results: Location, overrides: RetryOverrides) -> JobSettings:
    """The job that wrote `results`, rebuilt from its job file, with this run's overrides.

    Raises ResultsFileError when the job file is missing or damaged, ConfigError when its options do not
    fit this version's settings.
    """
    body = _job_file(results, overrides)
    if (memory := MemoryInput.recorded(body)) is not None:
        raise ConfigError(
            f"{results} holds the results of data loaded from Python ({memory.describe()}), which "
            "`bulkload retry` cannot read again: load that data again with the same results path "
            "(bulkload.load(data, results=...)) to re-run the rows not created"
        )
    options = body.get("options") or {}
    recorded_client = options.get("client") or {}
    if recorded_client.get("emulator") is True and not overrides.emulator and overrides.endpoint_url is None:
        # Its endpoint was an emulator that ended with that run: nothing answers there now.
        raise ConfigError(
            "this job ran against the built-in emulator; run "
            f"`bulkload retry {shlex.quote(str(results))} --emulator`"
        )
    try:
        source = SourceOptions(**(options.get("source") or {}))
        mapping = _recorded_mapping(options.get("mapping") or {})
        pool = PoolSettings(**{**(options.get("pool") or {}), **overrides.pool()})
        client_fields = dict(recorded_client)
        client_fields.pop("static_credentials", None)  # credentials never come from a file
        if overrides.endpoint_url is not None:
            client_fields["emulator"] = False  # another endpoint, not the emulator of the recorded run
        client = ClientSettings(**{**client_fields, **overrides.client()})
        s3 = S3Options(**{**(options.get("s3") or {}), **overrides.s3()})
    except (TypeError, ValueError, ConfigError) as exc:
        raise ConfigError(
            f"the job file of {results} does not fit this version of bulkload, or was damaged: {exc}"
        ) from exc
    return JobSettings(
        input=as_location(body["input"]),
        results=results,
        source=source,
        mapping=mapping,
        pool=pool,
        client=client,
        job_id=body.get("job_id"),
        resend_edited=overrides.resend_edited,
        preflight=overrides.preflight,
        limit=overrides.limit,
        s3=s3,
    )


def _job_file(results: Location, overrides: RetryOverrides) -> dict[str, Any]:
    """The job file beside `results`; one in S3 is read with this run's Region, profile and S3 endpoint."""
    if isinstance(results, Path):
        return read_job_file(results)
    s3 = S3Options(endpoint_url=overrides.s3_endpoint_url)
    client = make_s3_client(s3.client_settings(ClientSettings(**overrides.client())))
    return read_remote_job_file(client, results)


def _recorded_mapping(recorded: Mapping[str, Any]) -> MappingOptions:
    """MappingOptions from a job file, where JSON has lists for sets (raises ValueError or TypeError)."""
    fields = dict(recorded)
    if not isinstance(fields.get("column_map", {}), dict):
        raise ValueError("mapping.column_map is not a table of field -> column")
    fields["ignore_columns"] = frozenset(fields.get("ignore_columns", []))
    return MappingOptions(**fields)
