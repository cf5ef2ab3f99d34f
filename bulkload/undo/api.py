"""`bulkload.stop` and `bulkload.astop`: undo a load from Python, as `bulkload stop` does from the shell.

They never print, never prompt and never exit: the `StopSummary` says what happened (its `exit_code` is the
CLI's), and an error that stops the whole stop raises a `JobError`. A task's own failure never raises.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bulkload.errors import ConfigError
from bulkload.job import ClientFactory
from bulkload.pool import PoolSettings
from bulkload.undo.job import StopJob, StopSettings, recorded_client
from bulkload.undo.plan import local_results, read_keys
from bulkload.undo.summary import StopSummary

_DEFAULT = PoolSettings()


async def astop(
    results: Path | str,
    *,
    keys: Iterable[str] | Path | None = None,
    only_scheduled: bool = False,
    instance_id: str | None = None,
    dry_run: bool = False,
    rate: float = _DEFAULT.rate,
    burst: int = _DEFAULT.burst,
    concurrency: int | None = None,
    max_attempts: int = _DEFAULT.max_attempts,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    client_factory: ClientFactory | None = None,
) -> StopSummary:
    """Stop the tasks the results file `results` records as created, each at most once, and return the
    summary; the stop ledger `<results>.stop.csv` records each task's outcome.

    `keys` (keys, or a Path to a file of one key a line) narrows it to those rows, `only_scheduled` to
    tasks whose ScheduledTime is still ahead; `dry_run` sends nothing and says what would be stopped.
    Running it again sends only the tasks not stopped or ended yet. `rate`, `burst`, `concurrency` and
    `max_attempts` drive the pool at StopContact's own quota. The client is the run's (the Region, profile
    and endpoint in the job file beside `results`), with `region`, `profile` and `endpoint_url` on top;
    `client_factory` opens another (see `Job`). `instance_id` is for rows written by an older bulkload,
    which did not record their instance.
    """
    path = local_results(results)
    if isinstance(keys, str):
        raise TypeError("keys: pass the keys (a list, say), or a Path to a file of one key a line")
    listed = read_keys(keys) if isinstance(keys, Path) else keys
    try:
        pool = PoolSettings(rate=rate, burst=burst, concurrency=concurrency, max_attempts=max_attempts)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    given: dict[str, Any] = {
        name: value
        for name, value in (("region", region), ("profile", profile), ("endpoint_url", endpoint_url))
        if value is not None
    }
    settings = StopSettings(
        results=path,
        keys=None if listed is None else frozenset(listed),
        only_scheduled=only_scheduled,
        instance_id=instance_id,
        dry_run=dry_run,
        pool=pool,
        client=dataclasses.replace(recorded_client(path), **given) if given else None,
    )
    return await StopJob(settings, client_factory=client_factory).run()


def stop(
    results: Path | str,
    *,
    keys: Iterable[str] | Path | None = None,
    only_scheduled: bool = False,
    instance_id: str | None = None,
    dry_run: bool = False,
    rate: float = _DEFAULT.rate,
    burst: int = _DEFAULT.burst,
    concurrency: int | None = None,
    max_attempts: int = _DEFAULT.max_attempts,
    region: str | None = None,
    profile: str | None = None,
    endpoint_url: str | None = None,
    client_factory: ClientFactory | None = None,
) -> StopSummary:
    """`astop` in an event loop of its own (see `astop`); from async code, await `astop` instead."""
    return asyncio.run(
        astop(
            results,
            keys=keys,
            only_scheduled=only_scheduled,
            instance_id=instance_id,
            dry_run=dry_run,
            rate=rate,
            burst=burst,
            concurrency=concurrency,
            max_attempts=max_attempts,
            region=region,
            profile=profile,
            endpoint_url=endpoint_url,
            client_factory=client_factory,
        )
    )
