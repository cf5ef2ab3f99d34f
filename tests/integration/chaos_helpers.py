"""The pieces of the chaos test: a keyed job file edited in place, loader runs to kill, ledgers to read.

Only the emulator and the `bulkload` command are used, never the package's internals: the test must
hold whatever shape the code behind the command takes. The results files are read with the csv module,
as an operator's script would read them.
"""

from __future__ import annotations

import csv
import io
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, ThreadedEmulator

KEY = "Ticket"
HELD = "EditedAfterUnknownOutcome"  # the error code of a row held back after an edit


@dataclass
class KeyedJob:
    """A job's rows in file order; each repeats its key as an attribute, so each task names its row."""

    rows: list[dict[str, str]]
    edits: dict[str, list[int]] = field(default_factory=dict)  # key -> the runs after which it was edited

    @classmethod
    def make(cls, count: int) -> KeyedJob:
        """`count` rows keyed T00001, T00002, ..."""
        rows = []
        for i in range(1, count + 1):
            key = f"T{i:05d}"
            rows.append({KEY: key, "Name": f"Call back {key}", "Description": "v0", "Attributes.ticket": key})
        return cls(rows)

    @property
    def keys(self) -> list[str]:
        """The rows' keys in file order."""
        return [row[KEY] for row in self.rows]

    def write(self, path: Path) -> None:
        """Write the job file (in place, as a spreadsheet would save it)."""
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(self.rows[0]))
            writer.writeheader()
            writer.writerows(self.rows)

    def edit(self, keys: Iterable[str], after_run: int) -> None:
        """Change the Description of these rows: a new request, so a new ClientToken."""
        wanted = set(keys)
        for row in self.rows:
            if row[KEY] in wanted:
                row["Description"] = f"v{after_run}: edited after run {after_run}"
                self.edits.setdefault(row[KEY], []).append(after_run)

    def move_some(self, rng: random.Random, share: float) -> None:
        """Shuffle a `share` of the rows among their own positions (the rest stay put)."""
        positions = rng.sample(range(len(self.rows)), max(2, round(len(self.rows) * share)))
        moved = [self.rows[i] for i in positions]
        rng.shuffle(moved)
        for i, row in zip(positions, moved, strict=True):
            self.rows[i] = row


def read_results(path: Path) -> list[dict[str, str]]:
    """The outcome lines of one results file; a last line torn by a kill (no newline) is left out.

    Keys, ContactIds and error codes here never start like a formula, so no cell carries the
    apostrophe bulkload puts before those.
    """
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    text = text[: text.rfind("\n") + 1]
    return list(csv.DictReader(io.StringIO(text)))


def recorded_outcomes(results: Path) -> dict[str, dict[str, str]]:
    """Every outcome a killed run left on disk, by key: the ledger set aside, the live one, the pending one.

    Later files win, except over `created` (a created row is never sent again).
    """
    known: dict[str, dict[str, str]] = {}
    for suffix in (".prev", "", ".pending"):
        for line in read_results(results.with_name(results.name + suffix)):
            if known.get(line["key"], {}).get("status") != "created":
                known[line["key"]] = line
    return known


def start_run(
    job_file: Path, results: Path, endpoint_url: str, log: IO[bytes], *extra: str
) -> subprocess.Popen[bytes]:
    """`bulkload run JOB --key Ticket --results RESULTS` against the emulator, in a process of its own."""
    command = [
        sys.executable,
        "-m",
        "bulkload",
        "run",
        str(job_file),
        "--key",
        KEY,
        "--results",
        str(results),
        "--endpoint-url",
        endpoint_url,
        "--region",
        "us-east-1",
        "--instance-id",
        DEFAULT_INSTANCE_ID,
        "--flow-id",
        DEFAULT_FLOW_ID,
        "--max-attempts",
        "30",  # 18% faults: a row failing 30 times in a row would be a bug, not bad luck
        "--progress",
        "none",
        *extra,
    ]
    # Output goes to a file: a pipe nobody reads would stall a run that logs a warning per edited row.
    return subprocess.Popen(command, stdout=log, stderr=log)


def wait_for_tasks(
    emulator: ThreadedEmulator, count: int, proc: subprocess.Popen[bytes], limit: float
) -> None:
    """Return once the emulator holds `count` tasks or the run has ended; fail after `limit` seconds."""
    deadline = time.monotonic() + limit
    while len(emulator.snapshot().tasks) < count and proc.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError(f"the loader made fewer than {count} tasks in {limit:.0f} s")
        time.sleep(0.01)


def stop_run(proc: subprocess.Popen[bytes], how: signal.Signals) -> int:
    """Send `how`; wait for the run to end (a SIGTERM lets the calls in flight finish); its exit code."""
    if proc.poll() is None:
        proc.send_signal(how)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"the loader did not stop within 60 s of {how.name}") from None


def pick(rng: random.Random, keys: Sequence[str], share: float) -> list[str]:
    """Each of `keys` with probability `share`."""
    return [key for key in keys if rng.random() < share]
