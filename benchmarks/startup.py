"""Start-up: how soon after `bulkload run` starts does the first request reach the service?

For each file size, the loader is started as a child process against the emulator (its own process, no
injected latency); the time from just before the child is spawned to the emulator's CreatedAt of the
first task is the time to first request (it includes the interpreter's start and every import). The
loader is then stopped with SIGINT (a graceful stop) once a task exists.

It also times `open_source` on each file in this process (for CSV: the pre-pass that checks every
byte decodes, fingerprints the file and counts its lines) and lists the heaviest imports of `bulkload run`
from `python -X importtime`.

Target: the first request within 1 s of process start, whatever the file size.

    .venv/bin/python benchmarks/startup.py [--rows 1000 --rows 1000000]
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from _common import PYTHON, REPO, client_env, emulator, machine, run_args, write_csv


def first_request(data: Path, url: str, emu_get: object) -> float:
    """Seconds from spawning `bulkload run` to the emulator's first created task."""
    from _common import EmulatorProcess  # noqa: PLC0415 - for the type only

    assert isinstance(emu_get, EmulatorProcess)
    command = run_args(data, url, "--rate", "1000", "--burst", "10", "--results", str(data) + ".results.csv")
    started = time.time()
    child = subprocess.Popen(
        command, cwd=REPO, env=client_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = started + 60
        while time.time() < deadline:
            if emu_get.stats()["tasks"] > 0:
                break
            if child.poll() is not None:
                raise SystemExit(
                    f"bulkload run ended early: {child.stderr.read().decode() if child.stderr else ''}"
                )
            time.sleep(0.005)
        tasks = emu_get.get("/_emulator/tasks")
        return min(float(t["CreatedAt"]) for t in tasks) - started
    finally:
        child.send_signal(signal.SIGINT)
        try:
            child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate()
        emu_get.reset()


def open_time(path: Path) -> float:
    """Seconds `open_source` takes on `path` (header, checks, and for CSV the whole-file pre-pass)."""
    from bulkload.source import open_source  # noqa: PLC0415

    started = time.perf_counter()
    with open_source(path):
        return time.perf_counter() - started


def heaviest_imports(count: int = 8) -> tuple[float, list[tuple[float, str]]]:
    """(total s, the `count` heaviest top-level imports) of `import bulkload.cli` per -X importtime."""
    result = subprocess.run(
        [PYTHON, "-X", "importtime", "-c", "import bulkload.cli"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = []
    for line in result.stderr.splitlines():
        found = re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line)
        if found and len(found.group(2)) <= 3:  # top-level imports of the cli and their first level
            rows.append((int(found.group(1)) / 1e6, found.group(2) + found.group(3)))
    total = next((s for s, name in rows if name.strip() == "bulkload.cli"), 0.0)
    return total, sorted(rows, reverse=True)[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append")
    args = parser.parse_args()
    sizes = sorted(args.rows or [1000, 1_000_000])
    print(f"machine: {machine()}")
    total, heavy = heaviest_imports()
    print(f"import bulkload.cli: {total:.2f} s; heaviest:")
    for seconds, name in heavy:
        print(f"  {seconds:6.3f} s  {name}")
    started = time.perf_counter()
    subprocess.run([PYTHON, "-m", "bulkload", "--help"], cwd=REPO, capture_output=True, check=True)
    print(f"`bulkload --help`: {time.perf_counter() - started:.2f} s wall")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp, emulator(rate=1e6, burst=10_000) as emu:
        for size in sizes:
            data = write_csv(Path(tmp) / f"start-{size}.csv", size)
            megabytes = data.stat().st_size / 2**20
            opening = open_time(data)
            first = first_request(data, emu.url, emu)
            print(
                f"  {size:>9,} rows ({megabytes:5.0f} MiB CSV): open_source {opening:5.2f} s; "
                f"first request {first:5.2f} s after spawn -> {'MET' if first <= 1.0 else 'MISSED'} (<= 1 s)"
            )


if __name__ == "__main__":
    main()
