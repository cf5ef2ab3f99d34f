"""What a job needs: `JobSettings` (the input, how to read, map, send and check it) and the client factory.

The CLI and `load` build the settings from their options (`options.job_settings`); a library caller may
build them directly. They are plain frozen data: a job never changes them. The input and the results are
each a local path or an object in S3 (`storage.options`); the input may also be data in memory (`inputs`).
"""

from __future__ import annotations

import dataclasses
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bulkload.connect.client import ClientSettings
from bulkload.inputs import InputData, default_results_path, is_path
from bulkload.mapping import MappingOptions
from bulkload.pool import PoolSettings
from bulkload.source import SourceOptions
from bulkload.storage.options import Location, S3Options, as_location, local_copy


class ClientFactory(Protocol):
    """Opens a Connect client for the settings: anything with an async `start_task_contact(**kwargs)`,
    and (unless `JobSettings.preflight` is off) `describe_instance`, `describe_contact_flow`,
    `get_task_template` and `describe_quick_connect`."""

    def __call__(self, settings: ClientSettings, /) -> AbstractAsyncContextManager[Any]:
        """An async context manager that yields the client and closes it on exit."""


@dataclass(frozen=True, kw_only=True)
class JobSettings:
    """Everything a job needs: the input, and how to read, map, check and send its rows.

    The input and the results are each a local path or an object in S3 (an `s3://` URL, as a string or
    an `S3Url`): see `s3` for how the job reaches S3. The input may also be data in memory (a
    DataFrame...: see `inputs`), whose results must be given.
    """

    input: InputData
    results: Location | None = None
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
    s3: S3Options = field(default_factory=S3Options)

    def __post_init__(self) -> None:
        """Take the input (unless in memory) and results as locations; refuse a limit of no rows."""
        # Strings too, as a caller without types (or a job file) gives them: `s3://` URLs or paths.
        if is_path(self.input):
            object.__setattr__(self, "input", as_location(self.input))
        if self.results is not None:
            object.__setattr__(self, "results", as_location(self.results))
        if self.limit is not None and self.limit < 1:
            raise ValueError("limit must be at least 1 row")

    @property
    def results_location(self) -> Location:
        """`--results`, else `<input stem>.results.csv` beside the input (a file, or an object in S3; data in
        memory: ConfigError)."""
        return self.results or default_results_path(self.input)

    @property
    def results_path(self) -> Path:
        """The local results file: `results_location`, or for results in S3 their copy (see `local_copy`)."""
        return local_copy(self.results_location, self.s3.workdir)

    def recorded(self) -> dict[str, Any]:
        """The options the job file records, for `bulkload retry` to run the job again (no credentials).

        Not `resend_edited`, `limit` or `preflight`: choices for one run, never for the runs after it.
        """
        return {
            "source": self.source,
            "mapping": self.mapping,
            "pool": self.pool,
            "client": dataclasses.replace(self.client, static_credentials=None),
            "s3": dataclasses.replace(self.s3, workdir=None),  # a directory of this machine only
        }
