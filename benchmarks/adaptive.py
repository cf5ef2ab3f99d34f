"""Adaptive rate: the service's quota halves for a while, then recovers; does bulkload follow it?

The emulator (its own process) starts at RATE/s with 150 ms latency; bulkload runs with --rate RATE.
After LOW_AT seconds the quota drops to RATE/2 (POST /_emulator/config), at HIGH_AT it is back to RATE.
The achieved rate per 2-second window comes from the emulator's CreatedAt of every task; the throttled
fraction from its request counts.

    .venv/bin/python benchmarks/adaptive.py [--rate 40] [--rows 1200] [--low-at 8] [--high-at 18]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from _common import REPO, client_env, emulator, machine, run_args, summary, write_csv

WINDOW = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--burst", type=int, default=5)
    parser.add_argument("--rows", type=int, default=1200)
    parser.add_argument("--low-at", type=float, default=8.0)
    parser.add_argument("--high-at", type=float, default=18.0)
    args = parser.parse_args()
    print(f"machine: {machine()}")
    rate, low = args.rate, args.rate / 2
    print(
        f"adaptive: {args.rows} rows; quota {rate:g}/s (burst {args.burst}), {low:g}/s from "
        f"{args.low_at:g} s to {args.high_at:g} s; 150 ms latency"
    )
    with tempfile.TemporaryDirectory(prefix="bench-adaptive-") as tmp:
        data = write_csv(Path(tmp) / "adaptive.csv", args.rows)
        out = Path(tmp) / "summary.json"
        with emulator(rate=rate, burst=args.burst, latency_ms=150) as emu:
            command = run_args(
                data, emu.url, "--rate", str(rate), "--burst", str(args.burst), "--summary-json", str(out)
            )
            child = subprocess.Popen(
                command, cwd=REPO, env=client_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            threading.Thread(target=lambda: child.stderr and child.stderr.read(), daemon=True).start()
            started = time.time()
            marks: list[tuple[float, str]] = []
            for at, new_rate in ((args.low_at, low), (args.high_at, rate)):
                time.sleep(max(0.0, started + at - time.time()))
                if child.poll() is not None:
                    break
                emu.configure(rate=new_rate, burst=args.burst)
                marks.append((time.time() - started, f"quota -> {new_rate:g}/s"))
            try:
                child.wait(timeout=300)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
            stats = emu.stats()
            tasks = emu.get("/_emulator/tasks")
        result = summary(out) if out.exists() else {}
    created = [float(t["CreatedAt"]) - started for t in tasks]
    windows = Counter(int(at // WINDOW) for at in created)
    print(f"  quota changes: {', '.join(f'{what} at {at:.1f} s' for at, what in marks)}")
    print("  window      quota   achieved")
    for index in range(max(windows) + 1):
        begin = index * WINDOW
        quota = low if args.low_at <= begin + WINDOW / 2 < args.high_at else rate
        achieved = windows.get(index, 0) / WINDOW
        bar = "#" * round(achieved)
        print(f"  {begin:5.0f}-{begin + WINDOW:<4.0f}s {quota:6.1f}/s {achieved:6.1f}/s {bar}")
    requests, throttled = stats["requests"], stats["counts"]["throttled"]
    print(
        f"  {stats['counts']['created']} created, {requests} requests, {throttled} throttled "
        f"({100 * throttled / max(requests, 1):.1f}%); bulkload exit {child.returncode}, "
        f"elapsed {result.get('elapsed_seconds', float('nan'))} s"
    )


if __name__ == "__main__":
    main()
