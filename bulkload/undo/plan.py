"""Which tasks a stop sends StopContact for: the results file's created rows, narrowed, minus those done.

- every row the results file records as `created` (with the previous ledger and the pending outcomes of a
  run that died, as the next run would see them);
- `keys`: only those rows. A key that is no row of the results file is an error, so that a typo or the
  keys of another job cannot quietly stop nothing;
- `only_scheduled`: only tasks whose ScheduledTime is still ahead;
- less the tasks the stop ledger already records as stopped or already ended.

Each task is stopped in the instance its request named (the results file's `instance_id` column). Rows
written by an older bulkload, which kept neither that nor the ScheduledTime, take the `instance_id` given,
else the job's --instance-id from the job file; they cannot be told scheduled or not.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

from bulkload.errors import InputError, ResultsFileError
from bulkload.ledger import (
    has_ledger,
    index_ledger,
    job_file_path,
    read_job_file,
    stop_ledger_path,
)
from bulkload.records import RowOutcome, Status
from bulkload.storage.url import S3Url, is_s3_url
from bulkload.undo.ledger import read_stop_ledger
from bulkload.undo.records import FINAL, StopRequest, StopStatus

_LISTED = 10  # keys or rows an error message names


@dataclass(frozen=True, kw_only=True)
class StopPlan:
    """What a stop will do: the tasks to stop, in row order, and what it leaves alone and why."""

    results: Path
    ledger: Path
    targets: tuple[StopRequest, ...]
    selected: int  # created rows chosen (every one, or those `keys` names)
    done_earlier: int  # chosen tasks the stop ledger records as stopped or already ended
    not_scheduled: int  # with `only_scheduled`: chosen tasks without a ScheduledTime still ahead
    without_task: int  # keys of rows that created no task (invalid, rejected or failed rows)

    @property
    def instances(self) -> dict[str, int]:
        """How many tasks to stop in each instance."""
        return dict(Counter(target.instance_id for target in self.targets))


def read_keys(path: Path) -> list[str]:
    """The keys in a file of one key a line: blank lines skipped, a UTF-8 byte-order mark ignored."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read the keys file {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"the keys file {path} is not UTF-8 text (byte {exc.start})") from exc
    return [line for line in text.splitlines() if line.strip()]


def _rows(outcomes: Iterable[RowOutcome]) -> str:
    listed = [str(o.row) for o in outcomes]
    more = f" and {len(listed) - _LISTED} more" if len(listed) > _LISTED else ""
    return ", ".join(listed[:_LISTED]) + more


def _check_keys(results: Path, keys: Collection[str], known: set[str]) -> None:
    unknown = sorted(set(keys) - known)
    if unknown:
        more = f" and {len(unknown) - _LISTED} more" if len(unknown) > _LISTED else ""
        listed = ", ".join(repr(key) for key in unknown[:_LISTED])
        raise InputError(
            f"{len(unknown)} of the keys to stop are no row of {results}: {listed}{more} (a key is the "
            "run's --key column value, or the row number without --key)"
        )


def _instance_default(results: Path, given: str | None, unknown: list[RowOutcome]) -> str:
    """The instance of rows that record none: `given`, else the job's --instance-id."""
    if given:
        return given
    if job_file_path(results).exists():
        mapping = read_job_file(results).get("options", {}).get("mapping") or {}
        if isinstance(mapping.get("instance_id"), str) and mapping["instance_id"]:
            return str(mapping["instance_id"])
    raise ResultsFileError(
        f"{results}: {len(unknown)} created rows (rows {_rows(unknown)}) do not record their instance "
        "(written by an older bulkload) and the job file names no --instance-id: pass --instance-id"
    )


def local_results(results: Path | str | S3Url) -> Path:
    """`results` as a path; results in S3 (an `s3://` URL) raise ResultsFileError: a stop keeps its ledger
    beside a results file on this machine."""
    if isinstance(results, S3Url) or (isinstance(results, str) and is_s3_url(results)):
        raise ResultsFileError(
            f"{results} is in S3: bulkload stop works only on a results file on this machine"
        )
    return Path(results)


def require_results(results: Path) -> None:
    """Raise ResultsFileError unless `results` is a results file (or a run that died left its ledger)."""
    if not has_ledger(results):
        raise ResultsFileError(f"no results file at {results}: pass the results file of the run to undo")


def make_plan(
    results: Path,
    *,
    keys: Collection[str] | None = None,
    only_scheduled: bool = False,
    instance_id: str | None = None,
    now: float | None = None,
) -> StopPlan:
    """Decide which tasks of `results` to stop (see the module docstring); read-only.

    Raises ResultsFileError when the results file is missing or unreadable, InputError when `keys` names
    rows the results file does not have or `only_scheduled` cannot be decided.
    """
    require_results(results)
    index = index_ledger(results)
    try:
        created = [o for o in index if o.status is Status.CREATED and o.contact_id]
        if keys is not None:
            _check_keys(results, keys, {o.key for o in index})
    finally:
        index.close()
    listed = None if keys is None else set(keys)
    chosen = created if listed is None else [o for o in created if o.key in listed]
    without_task = 0 if listed is None else len(listed) - len(chosen)
    unrecorded = [o for o in chosen if not o.instance_id]
    if only_scheduled and unrecorded:
        raise InputError(
            f"{results}: {len(unrecorded)} created rows (rows {_rows(unrecorded)}) were recorded by an older "
            "bulkload, which did not keep their ScheduledTime: stop without --only-scheduled, or name the "
            "rows to stop with --keys"
        )
    moment = time.time() if now is None else now
    ahead = [o for o in chosen if o.scheduled_time is not None and o.scheduled_time > moment]
    kept = ahead if only_scheduled else chosen
    default = _instance_default(results, instance_id, unrecorded) if unrecorded else ""
    ledger = stop_ledger_path(results)
    known = read_stop_ledger(ledger)
    targets = []
    for o in kept:
        earlier = known.get(o.contact_id)
        if earlier is not None and earlier.status in FINAL:
            continue
        targets.append(
            StopRequest(
                row=o.row,
                key=o.key,
                contact_id=o.contact_id,
                instance_id=o.instance_id or default,
                scheduled_time=o.scheduled_time,
                maybe_stopped=earlier is not None
                and earlier.status in (StopStatus.SENDING, StopStatus.FAILED),
            )
        )
    return StopPlan(
        results=results,
        ledger=ledger,
        targets=tuple(targets),
        selected=len(chosen),
        done_earlier=len(kept) - len(targets),
        not_scheduled=len(chosen) - len(kept),
        without_task=without_task,
    )
