"""A job's options as one set of names, from the CLI or from Python, turned into `JobSettings` in one place.

`LoadOptions` are `load`'s keyword arguments (but `results`, which it names on its own, like `bulkload
run`'s --results): the CLI's options of `run`, spelled with `_` (`instance_id` for `--instance-id`,
`preflight` for `--preflight/--no-preflight`), except `format` (`--format`), `mapping` (`--map`, as a dict
of field -> column), `ignore_columns` (`--ignore-column`) and `key` (`--key`). An option left out, or
None, takes the library's default, which is also the CLI's. The CLI parses the options of `run` and
`validate` (and its environment and config file) into these names and calls `job_settings` as `load`
does, so all three check and convert them the same way; validate's `--report` is named on its own too.
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypedDict

from bulkload.connect.client import ClientSettings
from bulkload.errors import ConfigError
from bulkload.inputs import InputData
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.settings import JobSettings
from bulkload.source import SourceOptions
from bulkload.source.options import Format
from bulkload.storage.options import S3Options, as_location
from bulkload.storage.url import S3Url


class LoadOptions(TypedDict, total=False):
    """A job's options, named as `load`'s keyword arguments; each defaults as its CLI option does."""

    # How to read a file (ignored for data in memory).
    format: Format  # --format: auto (by the extension), csv, parquet or xlsx
    encoding: str  # --encoding: CSV text encoding (default utf-8)
    delimiter: str | None  # --delimiter: one character, or "tab" (default "," or a tab for .tsv)
    sheet: str | int | None  # --sheet: Excel sheet name or 1-based number (default: the first)
    # How columns become task parameters.
    instance_id: str | None  # --instance-id: for rows without an InstanceId value
    flow_id: str | None  # --flow-id: for rows that name no routing member of their own
    template_id: str | None  # --template-id
    quick_connect_id: str | None  # --quick-connect-id
    mapping: Mapping[str, str] | None  # --map: field -> column, e.g. {"Name": "Customer"}
    ignore_columns: Iterable[str] | None  # --ignore-column: columns that are not for the task
    name_template: str | None  # --name-template: e.g. "Call back {Customer}"
    description_template: str | None  # --description-template
    key: str | None  # --key: the column that identifies a row across runs (default: its row number)
    timezone: str  # --timezone: zone of times without an offset (default UTC)
    # How hard to drive the service, and where.
    job_id: str | None  # --job-id (default: the results file's, else from the input's content)
    rate: float  # --rate: most calls per second (default 2)
    burst: int  # --burst (default 5)
    concurrency: int | None  # --concurrency (default: from the rate and the latency)
    max_attempts: int  # --max-attempts (default 8)
    adaptive: bool  # --adaptive: cut the rate when throttled (default True)
    max_consecutive_rejects: int  # --max-consecutive-rejects: stop a routing id's rows (default 20)
    resend_edited: bool  # --resend-edited (default False)
    limit: int | None  # --limit: send only the first N rows not created yet, then stop
    preflight: bool  # --preflight: check the ids the rows use with the service first (default True)
    endpoint_url: str | None  # --endpoint-url
    region: str | None  # --region
    profile: str | None  # --profile
    emulator: bool  # --emulator: run against a built-in local emulator (default False)
    # Files in S3 (`s3://bucket/key` data or results).
    s3_endpoint_url: str | None  # --s3-endpoint-url (default: AWS_ENDPOINT_URL_S3, the profile's, AWS's)
    checkpoint_interval: float  # --checkpoint-interval: results in S3: seconds between uploads (default 30)
    workdir: str | os.PathLike[str] | None  # --workdir: results in S3: the local directory of the ledger
    lock_wait: float  # --lock-wait: results in S3: seconds to wait for another run's lock (default 0)


OPTION_NAMES = frozenset(LoadOptions.__optional_keys__)
"""Every option's name."""

RENAMED = {
    "file_format": "format",
    "column_map": "mapping",
    "ignore_column": "ignore_columns",
    "key_column": "key",
}
"""The options whose CLI parameter (and setting) is named otherwise: parameter name -> option name."""


def job_settings(
    data: InputData,
    options: LoadOptions,
    *,
    results: str | os.PathLike[str] | S3Url | None = None,
    report: str | os.PathLike[str] | None = None,
) -> JobSettings:
    """The settings of the job that loads `data` into `results` (--results) with these options
    (`emulator` is `launch`'s to use); `report` is validate's --report. `data` and `results` may be
    `s3://bucket/key` URLs.

    Raises TypeError for an unknown option, ConfigError for a value that cannot be used (of the wrong
    type, out of range, an unknown encoding...) or for data in memory without `results`.
    """
    given = _checked(options)
    paths = {"results": results, "report": report}
    for name, path in paths.items():
        if not (path is None or isinstance(path, str | os.PathLike | S3Url)):
            raise ConfigError(f"{name} must be a path, not {path!r}")
    pool_options = ("rate", "burst", "concurrency", "max_attempts", "adaptive", "max_consecutive_rejects")
    try:
        pool = PoolSettings(**_pick(given, *pool_options))
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    source = _pick(given, "format", "encoding", "sheet")
    if "sheet" in source:
        source["sheet"] = str(source["sheet"])
    mapping = _pick(
        given,
        *("instance_id", "flow_id", "template_id", "quick_connect_id"),
        *("name_template", "description_template", "timezone"),
    )
    try:
        settings = JobSettings(
            input=data,
            results=None if results is None else as_location(results),
            report=_path(report),
            source=SourceOptions(**source, delimiter=delimiter(given.get("delimiter"))),
            mapping=MappingOptions(
                **mapping,
                column_map=column_map(given.get("mapping") or {}),
                ignore_columns=_columns(given.get("ignore_columns", ())),
                key_column=given.get("key"),
            ),
            pool=pool,
            client=ClientSettings(**_pick(given, "region", "profile", "endpoint_url")),
            **_pick(given, "job_id", "resend_edited", "limit", "preflight"),
            s3=S3Options(
                endpoint_url=given.get("s3_endpoint_url"),
                workdir=_path(given.get("workdir")),
                **_pick(given, "checkpoint_interval", "lock_wait"),
            ),
        )
    except ValueError as exc:  # a limit of no rows
        raise ConfigError(str(exc)) from exc
    settings.results_location  # noqa: B018 - data in memory without results: refused before anything runs
    return settings


def delimiter(value: str | None) -> str | None:
    """A tab is hard to type in a shell or a TOML file: accept `tab` and `\\t` for it."""
    if value is not None and value.lower() in ("tab", "\\t"):
        return "\t"
    return value


def column_map(mapping: Mapping[str, str]) -> dict[str, str]:
    """The mapping of fields to columns, each named (ConfigError for a blank one)."""
    for field, column in mapping.items():
        if not field.strip() or not column.strip():
            raise ConfigError(f"mapping {field!r}: {column!r} needs a field and a column, neither blank")
    return {field.strip(): column.strip() for field, column in mapping.items()}


def _path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(os.fspath(value))


def _columns(value: str | Iterable[str]) -> frozenset[str]:
    return frozenset([value] if isinstance(value, str) else value)


def _pick(given: Mapping[str, Any], *names: str) -> dict[str, Any]:
    return {name: given[name] for name in names if name in given}


def _checked(options: Mapping[str, Any]) -> dict[str, Any]:
    """The options given (not None), each of its declared type."""
    hints = typing.get_type_hints(LoadOptions)
    given: dict[str, Any] = {}
    for name, given_value in options.items():
        if name not in OPTION_NAMES:
            close = (
                [RENAMED[name]]
                if name in RENAMED
                else difflib.get_close_matches(name, sorted(OPTION_NAMES), n=1)
            )
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"unexpected keyword argument {name!r}{hint}")
        value = given_value
        if isinstance(value, Iterable) and not isinstance(value, str | Mapping):
            value = list(value)  # an iterator is read once, here
        if value is None:
            continue
        if not _fits(value, hints[name]):
            raise ConfigError(f"{name} must be {_describe(hints[name])}, not {value!r}")
        given[name] = float(value) if hints[name] is float else value
    return given


def _fits(value: Any, hint: Any) -> bool:
    """Whether `value` is of the type `hint` (the few kinds of type LoadOptions declares)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return any(_fits(value, arm) for arm in args)
    if origin is Literal:
        return value in args
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin is Mapping:
        return isinstance(value, Mapping) and all(isinstance(x, str) for x in (*value, *value.values()))
    if origin is Iterable:
        return isinstance(value, str | list) and all(isinstance(x, str) for x in value)
    if origin is os.PathLike:
        return isinstance(value, os.PathLike)
    return isinstance(value, hint)


_DESCRIPTIONS = {float: "a number", int: "a whole number", bool: "True or False", str: "text"}


def _describe(hint: Any) -> str:
    """The type `hint` in words, for a message."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return " or ".join(_describe(arm) for arm in args if arm is not type(None))
    if origin is Literal:
        return "one of " + ", ".join(repr(x) for x in args)
    if origin is Mapping:
        return "a dict of field -> column"
    if origin is Iterable:
        return "a list of column names"
    if origin is os.PathLike:
        return "a path"
    return _DESCRIPTIONS.get(hint, getattr(hint, "__name__", str(hint)))
