"""The exceptions bulkload raises.

    BulkloadError                  anything bulkload raises on purpose
    ├── JobError                   stops the job before or while it runs; the CLI exits 2
    │   ├── ConfigError            an option, the config file or the environment is wrong
    │   ├── InputError             the input file cannot be read as a table of rows
    │   │   ├── UnreadableFileError   missing, unreadable, not CSV/Parquet/Excel, bad bytes
    │   │   └── ColumnError           a header that maps to nothing, or no column for Name
    │   ├── ResultsFileError       the results file cannot be read back or written
    │   └── ServiceAccessError     the service refused every call (credentials, permissions, endpoint)

Third-party errors are translated where they enter: botocore's in `client.classify_error`,
file-format errors in `source`. Everything above a row never leaks a traceback to the user.
"""

from __future__ import annotations


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
