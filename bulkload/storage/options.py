"""Where a job's files are (a local path or an S3 object) and how a job uses S3: the settings it is given.

A location is a `Path` or an `S3Url`; `as_location` makes one of what a user typed. The input may be an
object in S3, and so may the results (the ledger, worked on in a local directory and checkpointed) and
the summary.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, TypeAlias

from bulkload.errors import ConfigError
from bulkload.storage.checkpoint import DEFAULT_INTERVAL
from bulkload.storage.client import S3Settings
from bulkload.storage.url import S3Url, is_s3_url, parse_s3_url

if TYPE_CHECKING:
    from bulkload.connect.client import ClientSettings

Location: TypeAlias = Path | S3Url
"""A file on this machine, or an object in S3."""

RESULTS_SUFFIX = ".results.csv"


def as_location(value: str | os.PathLike[str] | S3Url) -> Location:
    """An `s3://` URL as an S3Url (a malformed one is a ConfigError), anything else as a Path."""
    if isinstance(value, S3Url):
        return value
    if isinstance(value, str) and is_s3_url(value):
        return parse_s3_url(value)
    return Path(value)


def results_beside(input_location: Location) -> Location:
    """The default results: `<input stem>.results.csv` beside the input, a file or an object alike."""
    if isinstance(input_location, Path):
        return input_location.with_name(input_location.stem + RESULTS_SUFFIX)
    stem = PurePosixPath(input_location.name).stem
    folder = input_location.key[: len(input_location.key) - len(input_location.name)]
    return S3Url(input_location.bucket, folder + stem + RESULTS_SUFFIX)


def local_copy(results: Location, workdir: Path | None) -> Path:
    """The local results file of `results`: the file itself, or an object's copy in `workdir`.

    An object's copy is in a fresh directory when no `workdir` is set: `Job.results_path` names it then.
    """
    if isinstance(results, Path):
        return results
    if workdir is None:
        raise ValueError(f"the results {results} are in S3, and no working directory is set")
    return workdir / results.name


@dataclass(frozen=True, kw_only=True)
class S3Options:
    """How a job uses S3. Credentials and Region are the Connect client's (the standard AWS chain)."""

    endpoint_url: str | None = None  # None: botocore's own (AWS_ENDPOINT_URL_S3, the profile, AWS)
    # A ledger in S3: seconds between checkpoints, which is also how often the job's S3 lock is refreshed
    # (a lock three intervals old is stale).
    checkpoint_interval: float = DEFAULT_INTERVAL
    workdir: Path | None = None  # where a ledger in S3 is worked on; None: a fresh temporary directory
    lock_wait: float = 0.0  # seconds to wait for another run's lock on the job before giving up

    def __post_init__(self) -> None:
        if not (math.isfinite(self.checkpoint_interval) and self.checkpoint_interval > 0):
            raise ConfigError(
                f"the checkpoint interval must be above 0 seconds, not {self.checkpoint_interval}"
            )
        if not (math.isfinite(self.lock_wait) and self.lock_wait >= 0):
            raise ConfigError(f"the lock wait must be 0 seconds or more, not {self.lock_wait}")

    def client_settings(self, connect: ClientSettings) -> S3Settings:
        """The S3 client's settings: the Connect client's Region and profile, this endpoint."""
        return S3Settings(region=connect.region, profile=connect.profile, endpoint_url=self.endpoint_url)
