"""Files the commands name that may be objects in S3: the input, the results, the summary JSON.

An `s3://bucket/key` argument becomes an `S3Url` (a malformed one is a usage error), anything else a
`Path`. A summary in S3 is checked before the job starts, as a local one is, and written with the job's
S3 settings once it is done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bulkload.cli.output import summary_json_text
from bulkload.errors import ConfigError, JobError
from bulkload.ledger.paths import ledger_files
from bulkload.progress import JobSummary
from bulkload.settings import JobSettings
from bulkload.storage.client import make_s3_client, s3_errors
from bulkload.storage.options import Location
from bulkload.storage.url import S3Url, is_s3_url, parse_s3_url


class LocationType(click.Path):
    """A local path, as click.Path checks it, or an `s3://bucket/key` URL (as an S3Url)."""

    def __init__(self, *, dir_okay: bool = True) -> None:
        super().__init__(dir_okay=dir_okay, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The value as an S3Url, or as click.Path makes it: a Path."""
        if isinstance(value, S3Url):
            return value
        if is_s3_url(value):
            try:
                return parse_s3_url(value)
            except ConfigError as exc:
                self.fail(str(exc), param, ctx)
        return super().convert(value, param, ctx)


LOCATION = LocationType()
"""The click type of an input that may be an object in S3."""

FILE_LOCATION = LocationType(dir_okay=False)
"""The click type of a file to write (results, summary) that may be an object in S3."""


def summary_clash(summary: S3Url, settings: JobSettings, *, writes_results: bool) -> Location | None:
    """What a summary written to `summary` would overwrite (the input, or the ledger), if anything."""
    taken: list[Location] = [settings.input] if isinstance(settings.input, Path | S3Url) else []
    results = settings.results_location
    if writes_results and isinstance(results, S3Url):
        # Every object a local ledger's files become: the results and each sidecar, the lock too.
        taken += [
            results.sibling(path.name[len(results.name) :]) for path in ledger_files(Path(results.name))
        ]
    return next((other for other in taken if other == summary), None)


def write_summary_to_s3(summary: JobSummary, url: S3Url, settings: JobSettings) -> None:
    """Write the summary as an object, with the job's S3 settings; a JobError says why it could not."""
    client = make_s3_client(settings.s3.client_settings(settings.client))
    body = summary_json_text(summary).encode()
    with s3_errors(url, kind=JobError):
        client.put_object(Bucket=url.bucket, Key=url.key, Body=body, ContentType="application/json")
