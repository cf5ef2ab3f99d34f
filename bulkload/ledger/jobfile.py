"""The job file beside a results file: what `bulkload retry RESULTS` needs to run the job again.

`<results>.job.json` records the input (its absolute path, or its `s3://` URL) and the options of the last
run (never credentials), so a re-run of the failed rows needs nothing but the results file's path. For
data in memory, which `retry` cannot read again, it records what the data was (see `memory_owner`).
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bulkload.errors import ResultsFileError
from bulkload.ledger.memory_owner import MemoryInput
from bulkload.ledger.paths import job_file_path, temporary_path

if TYPE_CHECKING:
    from bulkload.storage.url import S3Url

VERSION = 1


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, frozenset | set | tuple | list):
        return (
            sorted(_plain(v) for v in value)
            if isinstance(value, frozenset | set)
            else [_plain(v) for v in value]
        )
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def input_text(input_path: Path | S3Url) -> str:
    """How the job file names the input: a local file by its absolute path, an object in S3 by its URL."""
    return str(input_path.resolve()) if isinstance(input_path, Path) else str(input_path)


def write_job_file(
    results: Path,
    *,
    input_path: Path | S3Url | None,
    fingerprint: str,
    job_id: str,
    options: dict[str, Any],
    memory: MemoryInput | None = None,
) -> None:
    """Record the job's input (its path and a content fingerprint) and options beside its results file.

    Data in memory is recorded as `memory` describes it (`input_path` None), its input as `<kind>`.
    """
    if memory is not None:
        recorded: dict[str, Any] = {"input": memory.label, "memory": memory.as_json()}
    elif input_path is not None:
        recorded = {"input": input_text(input_path)}
    else:
        raise ValueError("a job file records a file's path or data in memory")
    body = {
        "version": VERSION,
        "job_id": job_id,
        "fingerprint": fingerprint,
        "options": _plain(options),
        **recorded,
    }
    path = job_file_path(results)
    tmp = temporary_path(path)
    try:
        tmp.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise ResultsFileError(f"cannot write the job file {path}: {exc.strerror}") from exc


def missing_job_file(where: object) -> ResultsFileError:
    """The error for a results file whose job file (at `where`) is not there."""
    return ResultsFileError(
        f"{where} is missing: `bulkload retry` needs the job file that `bulkload run` writes beside the "
        "results; run `bulkload run INPUT --results RESULTS` instead"
    )


def read_job_file(results: Path) -> dict[str, Any]:
    """Read the job file of a results file, with a clear error when it is missing or damaged."""
    path = job_file_path(results)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise missing_job_file(path) from exc
    except (OSError, ValueError) as exc:
        raise ResultsFileError(f"cannot read the job file {path}: {exc}") from exc
    return parse_job_file(text, path)


def parse_job_file(text: str, where: object) -> dict[str, Any]:
    """A job file's body (read from `where`), checked: a ResultsFileError if it is not one, or damaged."""
    try:
        body = json.loads(text)
    except ValueError as exc:
        raise ResultsFileError(f"cannot read the job file {where}: {exc}") from exc
    if (
        not isinstance(body, dict)
        or body.get("version") != VERSION
        or not isinstance(body.get("input"), str)
        or not isinstance(body.get("options", {}), dict)
        or not all(
            isinstance(body.get("options", {}).get(part) or {}, dict)
            for part in ("source", "mapping", "pool", "client", "s3")
        )
        or not isinstance(body.get("job_id", ""), str | None)
    ):
        raise ResultsFileError(f"{where} is not a bulkload job file (version {VERSION}), or it was damaged")
    return body


def recorded_key_column(body: dict[str, Any]) -> str | None:
    """The --key column the job file's run used (None: rows were identified by their row numbers)."""
    mapping = body.get("options", {}).get("mapping") or {}
    key = mapping.get("key_column")
    return key if isinstance(key, str) else None
