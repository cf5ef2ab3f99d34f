"""Options from a TOML file: `--config PATH`, else `bulkload.toml` in the current directory.

Keys are the options as typed on the command line, without the leading dashes, with `-` or `_` between
words (`instance_id = "..."`, `rate = 20`, `key = "Ticket"`, `map = ["Name=Customer"]`); a `[mapping]` table maps
fields to columns (`Name = "Customer"`). The command line wins, then `BULKLOAD_*` environment variables,
then this file. An unknown key is an error: a typo in a nightly job's config must not be ignored.

`config_option` makes `--config`, which reads the file before any other option, as the defaults of the
options it is given; `config_mapping` is its [mapping] table.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import click

from bulkload.cli.option_base import F
from bulkload.errors import ConfigError

DEFAULT_CONFIG = "bulkload.toml"
MAPPING_TABLE = "mapping_table"
"""The default-map entry that holds the config file's [mapping] table (no option has this name)."""


def load_config(path: Path | None, *, options: Mapping[str, str]) -> dict[str, Any]:
    """Read the config file (the explicit one, else ./bulkload.toml if present) as click's default map.

    `options` maps each option's name as typed (`key`, `instance_id`) to its click parameter name
    (`key_column`, `instance_id`); a parameter name is accepted as a key too.
    """
    explicit = path is not None
    path = path or Path(DEFAULT_CONFIG)
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file not found: {path}")
        return {}
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"config file {path} is not UTF-8 text (byte {exc.start}); TOML files are UTF-8: save it as UTF-8"
        ) from exc
    return _to_default_map(path, data, options)


def _to_default_map(path: Path, data: Mapping[str, Any], options: Mapping[str, str]) -> dict[str, Any]:
    params = set(options.values())
    defaults: dict[str, Any] = {}
    for key, value in data.items():
        if key == "mapping":
            if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
                raise ConfigError(f'{path}: [mapping] must map fields to column names (Name = "Customer")')
            defaults[MAPPING_TABLE] = dict(value)
            continue
        spelled = key.replace("-", "_")
        name = options.get(spelled) or (spelled if spelled in params else None)
        if name is None:
            raise ConfigError(f"{path}: unknown option {key!r}; known options: {', '.join(sorted(options))}")
        defaults[name] = value
    return defaults


def config_option(*groups: Callable[[F], F]) -> Callable[[F], F]:
    """`--config`: eager, so that the file's values become click's default map (the defaults) of the
    options of `groups` before they are parsed."""
    keys = config_keys(groups)

    def load(ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
        try:
            defaults = load_config(value, options=keys)
        except ConfigError as exc:
            raise click.BadParameter(str(exc), ctx=ctx, param_hint="--config") from exc
        ctx.default_map = {**(ctx.default_map or {}), **defaults}
        return value

    return click.option(
        "--config",
        type=click.Path(dir_okay=False, path_type=Path),
        is_eager=True,
        expose_value=True,
        callback=load,
        envvar="BULKLOAD_CONFIG",
        help="TOML file of option defaults and a [mapping] table (default: ./bulkload.toml if it exists).",
    )


def config_keys(groups: tuple[Callable[[F], F], ...]) -> dict[str, str]:
    """Config-file key (the long option as typed, `-` as `_`: `key`, `instance_id`) -> parameter name,
    for the options of `groups`."""
    keys: dict[str, str] = {}
    for group in groups:
        probe = group(lambda **_: None)  # type: ignore[arg-type]
        for param in getattr(probe, "__click_params__", []):
            for opt in param.opts:
                if opt.startswith("--") and param.name:
                    keys[opt[2:].replace("-", "_")] = param.name
    return keys


def config_mapping(ctx: click.Context) -> dict[str, str] | None:
    """The config file's [mapping] table (field -> column) for the command of `ctx`, if it has one."""
    table: dict[str, str] | None = (ctx.default_map or {}).get(MAPPING_TABLE)
    return table
