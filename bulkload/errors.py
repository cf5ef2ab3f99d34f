"""The exceptions bulkload raises, in one tree, with what each means for the CLI's exit code.

    Exception
    ├── BulkloadError                  anything bulkload raises on purpose
    │   └── JobError                   stops the job before or while it runs; the CLI exits 2
    │       ├── ConfigError            an option, the config file or the environment is wrong
    │       ├── InputError             the input file cannot be read as a table of rows
    │       │   ├── UnreadableFileError   missing, unreadable, not CSV/Parquet/Excel, bad bytes
    │       │   └── ColumnError           a header that maps to nothing, or no column for Name
    │       ├── ResultsFileError       the results file cannot be read back or written
    │       └── ServiceAccessError     the service refused every call (credentials, permissions, endpoint)
    │           ├── ServiceRefusedJobError   one call was refused so; the job stops and says why
    │           └── EndpointUnreachableError no call was ever answered; the job stops and names the endpoint
    └── PoolSignal                     control flow inside `pool`, caught there; no exit code
        ├── Stopped (pool.signals)        the job is stopping: no new attempt starts
        ├── AttemptFailed (pool.signals)  one attempt failed and the row is rejected
        │   └── Retry (pool.signals)      one attempt failed and another may succeed
        └── Unreachable (pool.signals)    no call was ever answered: the sender raises EndpointUnreachableError

Third-party errors are translated where they enter: botocore's in `connect.classify`, file-format errors
in `source`. Everything above a row never leaks a traceback to the user. A `PoolSignal` is not an error
of the job: one that escaped the pool would be a bug, reported as an internal error (exit 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bulkload.connect.classify import ClassifiedError


class BulkloadError(Exception):
    """Base class of every exception bulkload raises on purpose."""


class JobError(BulkloadError):
    """An error that stops the whole job; nothing (more) is sent."""


class ConfigError(JobError):
    """An option, the config file or an environment variable is invalid."""


class InputError(JobError):
    """The input file cannot be read as a table of rows."""


class UnreadableFileError(InputError):
    """The file is missing, unreadable, of an unknown format, or holds undecodable bytes."""


class ColumnError(InputError):
    """The header has a column that maps to nothing, or no column feeds a required member."""


class ResultsFileError(JobError):
    """The results file cannot be read back or written."""


class ServiceAccessError(JobError):
    """The service refused the credentials or the endpoint cannot be used at all."""


class ServiceRefusedJobError(ServiceAccessError):
    """A call was refused for its credentials or permissions: every call would fail the same way."""

    def __init__(self, error: ClassifiedError) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


class EndpointUnreachableError(ServiceAccessError):
    """No call reached the service: every attempt failed to connect or timed out; the job stops.

    `outcome` is the outcome of the request whose attempt tripped the stop (a `RowOutcome`, or a stop
    ledger's line), when the pool raised it.
    """

    def __init__(self, message: str, outcome: object = None) -> None:
        super().__init__(message)
        self.outcome = outcome


class PoolSignal(Exception):
    """Base class of the pool's control-flow exceptions; they never leave the pool."""


def profile_not_found(profile: str | None) -> ConfigError:
    """The error for an AWS profile that no AWS config file names (the Connect and S3 clients alike)."""
    return ConfigError(f"AWS profile not found: {profile!r}")
