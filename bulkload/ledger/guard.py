"""Whose results file is this? Refuse one whose outcomes would be matched to the wrong rows; pick the job id.

Outcomes are matched to rows by key (the --key column, else the row number). Matched against another
input's outcomes, this file's rows would count as created though never sent; matched under another --key,
no row would find its outcome and every one would be sent again under a new token: a second task for
each. Both are refused before anything is sent. The job id is part of every token, so once a results file
(or its job file) names one, every later run of that ledger keeps it. Data in memory has no path to be
claimed by: `memory_owner` says whose its results are.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bulkload.errors import InputError
from bulkload.ledger.jobfile import input_text, read_job_file, recorded_key_column
from bulkload.ledger.memory_owner import MemoryInput, check_memory_owner
from bulkload.ledger.paths import job_file_path
from bulkload.tokens import derive_job_id

if TYPE_CHECKING:
    from bulkload.storage.url import S3Url


def _key_option(key: str | None) -> str:
    """How a run identified its rows, as its command line said it."""
    return f"--key {key!r}" if key else "no --key"


def input_as_results(results: object) -> InputError:
    """The error for results that would overwrite the input."""
    return InputError(f"the results path {results} is the input itself; pass another --results")


def check_results_file(
    results: Path,
    *,
    input_path: Path | S3Url | None,
    explicit: bool,
    fingerprint: str,
    key_column: str | None,
    memory: MemoryInput | None = None,
    pinned: bool = False,
) -> str | None:
    """Refuse a results file that belongs to another input or another --key; return the job id its job
    file recorded (None without a job file).

    `explicit`: the user named the results file (--results), so a moved input may continue its job.
    `input_path` is None for data in memory, which `memory` describes (see `memory_owner`); `pinned`: the
    run names its job id.
    """
    if results.is_symlink() or (results.exists() and not results.is_file()):
        # The ledger is renamed and rewritten in place: a device, a pipe or a link would be replaced.
        raise InputError(f"the results path {results} is not a regular file; pass --results with a file path")
    if isinstance(input_path, Path) and results.resolve() == input_path.resolve():
        raise input_as_results(results)
    if not job_file_path(results).exists():
        return None
    body = read_job_file(results)
    owner = body["input"]
    if input_path is None or MemoryInput.recorded(body) is not None:
        check_memory_owner(
            results, body, data=memory, input_path=input_path, fingerprint=fingerprint, pinned=pinned
        )
    elif _other_input(owner, input_path):
        if not explicit:
            raise InputError(
                f"{results} holds the results of another input ({owner}); pass --results to choose a "
                "results file for this one (or pass that path explicitly to continue the job with this "
                "input, if it is the same file moved)"
            )
        if body.get("fingerprint") != fingerprint:
            raise InputError(
                f"{results} holds the results of another input ({owner}), whose content differs from "
                f"{input_path}: its outcomes would be taken for this file's rows, and rows never "
                "sent would count as created. Use another --results for this input (if it is that job's "
                f"input, moved and then edited, run it from {owner})"
            )
    recorded = recorded_key_column(body)
    if recorded != key_column:
        raise InputError(
            f"{results} was written with {_key_option(recorded)}, and this run has {_key_option(key_column)} "
            "(without --key, rows are identified by their row numbers): no row would find its earlier "
            f"outcome, and every row would be sent again as a new task. Run with {_key_option(recorded)} "
            "to continue that job, or use another --results to start a new one"
        )
    return body.get("job_id") or None


def _other_input(recorded: str, input_path: Path | S3Url) -> bool:
    """Whether the job file's input is another than `input_path`."""
    if isinstance(input_path, Path):
        return Path(recorded) != input_path.resolve()
    return recorded != input_text(input_path)


def resolve_job_id(
    results: Path, known: Iterable[str], *, recorded: str | None, requested: str | None, fingerprint: str
) -> str:
    """The job id: the results file's (`known`), else the job file's (`recorded`), else `requested`
    (--job-id) or the one derived from the input's content."""
    ids = sorted(known)
    if not ids and recorded:
        # No outcome written yet, but an earlier run began (a kill -9 before its first answer): its
        # requests went out under this job id's tokens, so it stays, whatever the input says now.
        ids = [recorded]
    if len(ids) > 1:
        raise InputError(
            f"the results file {results} mixes jobs {', '.join(ids)}; use one results file per job"
        )
    if ids and requested and requested != ids[0]:
        raise InputError(
            f"the results file {results} belongs to job {ids[0]}, but this run is "
            f"job {requested} (from --job-id, or for `retry` from the job file beside the "
            "results): drop --job-id to continue that job, or use another --results path"
        )
    if ids:
        return ids[0]
    return requested or derive_job_id(fingerprint)
