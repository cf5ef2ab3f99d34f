"""Quota fill: does `bulkload run` use the whole quota without tripping it?

The emulator (its own process) grants RATE requests a second with a bucket of BURST and answers after
LATENCY ms. The quickest any client can create N tasks is: BURST at once, the rest at RATE, and the last
answer one latency later, so   minimum = (N - BURST) / RATE + LATENCY.
Target: 800 rows at 40/s, 150 ms: wall time <= 1.05 x minimum, throttled requests <= 1%.

    .venv/bin/python benchmarks/quota_fill.py [--rows 800] [--rate 40] [--latency-ms 150] [--burst 40 --burst 5]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import emulator, machine, run_args, run_child, summary, write_csv


def measure(rows: int, rate: float, burst: int, latency_ms: float, workdir: Path) -> dict[str, float]:
    """One run of `bulkload run` against a fresh emulator and a fresh results file; its figures."""
    workdir = Path(tempfile.mkdtemp(dir=workdir))
    data = write_csv(workdir / "fill.csv", rows)
    out = workdir / "summary.json"
    with emulator(rate=rate, burst=burst, latency_ms=latency_ms) as emu:
        child = run_child(
            run_args(
                data,
                emu.url,
                "--rate",
                str(rate),
                "--burst",
                str(burst),
                "--summary-json",
                str(out),
                "--results",
                str(workdir / "fill.results.csv"),
            ),
            timeout=120,
        )
        stats = emu.stats()
        tasks = emu.get("/_emulator/tasks")
    if child.returncode != 0:
        raise SystemExit(f"bulkload run failed ({child.returncode}): {child.stderr}")
    result = summary(out)
    created = [float(t["CreatedAt"]) for t in tasks]
    minimum = max(rows - burst, 0) / rate + latency_ms / 1000
    requests = stats["requests"]
    throttled = stats["counts"]["throttled"]
    return {
        "elapsed": float(result["elapsed_seconds"]),
        "process_wall": child.wall,
        "minimum": minimum,
        "span": max(created) - min(created),
        "span_minimum": max(rows - burst, 0) / rate,
        "requests": requests,
        "throttled": throttled,
        "created": stats["counts"]["created"],
        "loader_throttles": float(result["throttles"]),
        "attempts": float(result["attempts"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=800)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--latency-ms", type=float, default=150.0)
    parser.add_argument("--burst", type=int, action="append", help="repeatable; default: 40 and 5")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    print(f"quota fill: {args.rows} rows, quota {args.rate:g}/s, latency {args.latency_ms:g} ms")
    with tempfile.TemporaryDirectory(prefix="bench-fill-") as tmp:
        for burst in args.burst or [40, 5]:
            r = measure(args.rows, args.rate, burst, args.latency_ms, Path(tmp))
            ratio = r["elapsed"] / r["minimum"]
            throttle_pct = 100 * r["throttled"] / r["requests"]
            ok = ratio <= 1.05 and throttle_pct <= 1.0
            print(
                f"  burst {burst:>3}: job {r['elapsed']:.2f} s (process {r['process_wall']:.2f} s), "
                f"minimum {r['minimum']:.2f} s, actual/min {ratio:.3f}; "
                f"first-to-last task {r['span']:.2f} s (min {r['span_minimum']:.2f} s); "
                f"{r['created']:.0f} created, {r['requests']:.0f} requests, {r['throttled']:.0f} throttled "
                f"({throttle_pct:.2f}%) -> {'MET' if ok else 'MISSED'}"
            )


if __name__ == "__main__":
    main()
