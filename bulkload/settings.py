"""What a job needs: `JobSettings` (the input, how to read, map, send and check it) and the client factory.

The CLI and `load` build the settings from their options (`options.job_settings`); a library caller may
build them directly. They are plain frozen data: a job never changes them.
"""

from __future__ import annotations

import dataclasses
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bulkload.connect.client import ClientSettings
from bulkload.inputs import InputData, default_results_path
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.source import SourceOptions


class ClientFactory(Protocol):
    """Opens a Connect client for the settings: anything with an async `start_task_contact(**kwargs)`,
    and (unless `JobSettings.preflight` is off) `describe_instance`, `describe_contact_flow`,
    `get_task_template` and `describe_quick_connect`."""

    def __call__(self, settings: ClientSettings, /) -> AbstractAsyncContextManager[Any]:
        """An async context manager that yields the client and closes it on exit."""


@dataclass(frozen=True, kw_only=True)
class JobSettings:
    """Everything a job needs: the input, and how to read, map, check and send its rows."""

    input: InputData  # a file's path, or data in memory (a DataFrame...: see `inputs`)
    results: Path | None = None
    source: SourceOptions = field(default_factory=SourceOptions)
    mapping: MappingOptions = field(default_factory=MappingOptions)
    pool: PoolSettings = field(default_factory=PoolSettings)
    client: ClientSettings = field(default_factory=ClientSettings)
    job_id: str | None = None
    report: Path | None = None  # validate: write every row's verdict here, in the results file's columns
    resend_edited: bool = False  # send rows edited after an unknown outcome (may create a second task)
    drain_timeout: float = 30.0  # on a stop, how long in-flight calls may take to finish
    # Check the ids the rows use with the service before sending (connect.preflight).
    preflight: bool = True
    # A canary: take at most this many rows not created yet, then stop; the next run continues.
    limit: int | None = None

    def __post_init__(self) -> None:
        """Refuse a limit of no rows."""
        if self.limit is not None and self.limit < 1:
            raise ValueError("limit must be at least 1 row")

    @property
    def results_path(self) -> Path:
        """`--results`, else `<input stem>.results.csv` beside the input (data in memory: ConfigError)."""
        return self.results or default_results_path(self.input)

    def recorded(self) -> dict[str, Any]:
        """The options the job file records, for `bulkload retry` to run the job again (no credentials).

        Not `resend_edited`, `limit` or `preflight`: choices for one run, never for the runs after it.
        """
        return {
            "source": self.source,
            "mapping": self.mapping,
            "pool": self.pool,
            "client": dataclasses.replace(self.client, static_credentials=None),
        }
