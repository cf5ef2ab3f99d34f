"""Memory of an input read from S3: peak RSS of `bulkload validate s3://...` against the same file on disk.

S3 is moto's server in a process of its own (`python -m moto.server`), on loopback: it holds the object
in its own memory, so the loader's figure is the loader's alone. Each command runs as a child process;
its peak RSS is the kernel's figure (ru_maxrss from wait4), not a sample. `validate` reads, maps and
checks every row as `run` does and sends nothing: it measures the reading without the minutes a million
rows take to send. Pass --run-rows to also run a job against the emulator both ways (input and results
in S3, against a local input and results).

Target: the input read from S3 peaks within 15% of the same file read from disk.

    .venv/bin/python benchmarks/s3_memory.py [--rows 1000000] [--run-rows 100000]
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import boto3
from _common import AWS_ENV, PYTHON, REPO, ChildRun, emulator, machine, mib, run_args, run_child, write_csv
from memory import validate_args

BUCKET = "bench"
TARGET = 0.15


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 server in its own process on a free loopback port; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=5).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def upload(endpoint: str, path: Path, key: str) -> str:
    """Put the file into the bench bucket (made if needed); its URL."""
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=AWS_ENV["AWS_DEFAULT_REGION"],
        aws_access_key_id=AWS_ENV["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    )
    if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket=BUCKET)
    client.upload_file(str(path), BUCKET, key)
    return f"s3://{BUCKET}/{key}"


def measure(what: str, command: list[str], timeout: float) -> ChildRun:
    """Run one child to the end and print its figures."""
    child = run_child(command, timeout=timeout)
    if child.returncode not in (0, 1):
        raise SystemExit(f"{what} failed ({child.returncode}): {child.stderr[-2000:]}")
    print(f"  {what:<28} peak RSS {mib(child.peak_rss):>8}, {child.wall:6.1f} s")
    return child


def compare(what: str, disk: ChildRun, s3: ChildRun) -> None:
    """Print the growth from disk to S3 against the target."""
    growth = s3.peak_rss / disk.peak_rss - 1
    verdict = "MET" if growth <= TARGET else "MISSED"
    print(f"  {what}: S3 vs disk {growth:+.1%} -> {verdict} (target <= +{TARGET:.0%})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the validated CSV")
    parser.add_argument("--run-rows", type=int, default=0, help="rows of a run both ways (0: no run)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="bench-s3-") as tmp, moto_server() as endpoint:
        work = Path(tmp)
        s3_option = ["--s3-endpoint-url", endpoint]
        data = write_csv(work / f"validate-{args.rows}.csv", args.rows)
        url = upload(endpoint, data, data.name)
        print(f"validate, {args.rows:,} rows ({mib(data.stat().st_size)}):")
        budget = 600 + args.rows / 100
        disk = measure("from disk", validate_args(data), budget)
        s3 = measure("from S3", [*validate_args(url), *s3_option], budget)
        compare("validate", disk, s3)
        data.unlink()
        if args.run_rows:
            data = write_csv(work / f"run-{args.run_rows}.csv", args.run_rows)
            url = upload(endpoint, data, data.name)
            print(f"run, {args.run_rows:,} rows:")
            fast = ["--rate", "100000", "--burst", "100", "--concurrency", "64"]
            with emulator(rate=1e6, burst=10_000) as emu:
                disk = measure("from disk, results on disk", run_args(data, emu.url, *fast), budget)
                emu.reset()
                command = [*run_args(url, emu.url, *fast), *s3_option]
                s3 = measure("from S3, results in S3", command, budget)
            compare("run", disk, s3)


if __name__ == "__main__":
    main()
