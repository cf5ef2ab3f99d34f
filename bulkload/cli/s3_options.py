"""The options of a job whose files are in S3: how to reach S3, and how a ledger in S3 is kept.

Every command that reads rows takes `--s3-endpoint-url`; run and retry also take the options of a ledger
in S3 (retry leaves unset ones to the job file).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import click

from bulkload.cli.option_base import F, option, option_group
from bulkload.storage.options import S3Options

S3_OPTIONS = option_group(
    option(
        "--s3-endpoint-url",
        help="S3 endpoint for s3:// files (default: AWS_ENDPOINT_URL_S3, the profile's, or AWS's).",
    ),
)
"""How to reach S3 (every command that reads rows)."""


def s3_ledger_options(*, overrides: bool) -> Callable[[F], F]:
    """How a ledger in S3 is kept (run; retry, where unset keeps the job's value)."""
    return option_group(
        option(
            "--checkpoint-interval",
            type=click.FloatRange(min=0, min_open=True),
            default=None if overrides else S3Options.checkpoint_interval,
            show_default=not overrides,
            help="Results in S3: seconds between uploads of the ledger (and refreshes of the job's lock).",
        ),
        option(
            "--workdir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Results in S3: the local directory to keep the ledger in (default: a new temporary one).",
        ),
        option(
            "--lock-wait",
            type=click.FloatRange(min=0),
            default=None if overrides else S3Options.lock_wait,
            show_default=not overrides,
            help="Results in S3: seconds to wait for another run holding the job's lock before giving up.",
        ),
    )
