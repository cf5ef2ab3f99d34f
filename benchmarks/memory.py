"""Memory: peak RSS of `bulkload validate` and `bulkload run` is flat in the number of rows.

Each command runs as a child process; its peak RSS is the kernel's own figure (ru_maxrss from wait4),
not a sample. `run` goes against the emulator (its own process) with a quota far above what the loader
reaches, so the loader runs flat out (about 1,500 rows/s on 2 cores: a million-row `run` takes some 11
minutes, so the default `run` sizes are 10,000 and 100,000; pass --run-rows 1000000 for the full figure).

Targets: peak RSS at the largest size within 15% of the smallest; 1M rows validate < 300 MB.

    .venv/bin/python benchmarks/memory.py [--validate-rows 100000 --validate-rows 1000000]
                                          [--run-rows 10000 --run-rows 100000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import FLOW_ID, INSTANCE_ID, PYTHON, emulator, machine, mib, run_args, run_child, write_csv


def validate_args(path: Path | str) -> list[str]:
    """`python -m bulkload validate INPUT`."""
    return [
        PYTHON,
        "-m",
        "bulkload",
        "validate",
        str(path),
        "--instance-id",
        INSTANCE_ID,
        "--flow-id",
        FLOW_ID,
        "--progress",
        "none",
    ]


def _budget(rows: int) -> float:
    """Seconds a child may take: ten minutes plus ten times the loader's flat-out pace (~1 ms/row)."""
    return 600 + rows / 100


def report(what: str, sizes: list[int], peaks: list[int], walls: list[float]) -> None:
    """Print one line per size and the growth from the smallest to the largest."""
    for size, peak, wall in zip(sizes, peaks, walls, strict=True):
        print(
            f"  {what:<8} {size:>9,} rows: peak RSS {mib(peak):>8}, {wall:6.1f} s, {size / wall:7.0f} rows/s"
        )
    growth = peaks[-1] / peaks[0] - 1
    print(
        f"  {what}: {sizes[-1]:,} rows vs {sizes[0]:,}: {growth:+.1%} "
        f"-> {'MET' if growth <= 0.15 else 'MISSED'} (target <= +15%)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--validate-rows", type=int, action="append")
    parser.add_argument("--run-rows", type=int, action="append")
    args = parser.parse_args()
    validate_sizes = sorted(args.validate_rows or [100_000, 1_000_000])
    run_sizes = sorted(args.run_rows or [10_000, 100_000])
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        work = Path(tmp)
        peaks, walls = [], []
        for size in validate_sizes:
            data = write_csv(work / f"validate-{size}.csv", size)
            child = run_child(validate_args(data), timeout=_budget(size))
            if child.returncode != 0:
                raise SystemExit(f"validate failed ({child.returncode}): {child.stderr[-2000:]}")
            peaks.append(child.peak_rss)
            walls.append(child.wall)
            data.unlink()
        report("validate", validate_sizes, peaks, walls)
        if validate_sizes[-1] >= 1_000_000:
            ok = peaks[-1] < 300 * 2**20
            print(f"  validate {validate_sizes[-1]:,} rows under 300 MiB: {'MET' if ok else 'MISSED'}")
        peaks, walls = [], []
        with emulator(rate=1e6, burst=10_000) as emu:
            for size in run_sizes:
                data = write_csv(work / f"run-{size}.csv", size)
                command = run_args(data, emu.url, "--rate", "100000", "--burst", "100", "--concurrency", "64")
                child = run_child(command, timeout=_budget(size))
                if child.returncode != 0:
                    raise SystemExit(f"run failed ({child.returncode}): {child.stderr[-2000:]}")
                peaks.append(child.peak_rss)
                walls.append(child.wall)
                emu.reset()  # the emulator keeps every task; forget them between sizes
        report("run", run_sizes, peaks, walls)


if __name__ == "__main__":
    main()
