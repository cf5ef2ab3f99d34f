"""Shared pieces of the benchmark scripts: the emulator in its own process, input files, the machine.

The emulator always runs in a separate process (`python -m bulkload emulator --port 0`): on a 2-core
machine, an emulator sharing the loader's event loop (or its GIL) would make every figure meaningless.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
INSTANCE_ID = "a1b2c3d4-0000-4000-8000-000000000001"  # the emulator's defaults (bulkload.emulator.defaults)
FLOW_ID = "f1f1f1f1-0000-4000-8000-000000000002"
# Static credentials for the SDK clients: the emulator checks that requests are signed, not by whom.
AWS_ENV = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"}
_URL = re.compile(r"(http://\S+)")


def client_env() -> dict[str, str]:
    """The environment for loader processes: static credentials, no ~/.aws or BULKLOAD_* influence."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "BULKLOAD_"))}
    env.update(AWS_ENV)
    env["AWS_CONFIG_FILE"] = os.devnull
    env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def use_client_env() -> None:
    """Apply `client_env()` to this process (for in-process clients)."""
    for key in [k for k in os.environ if k.startswith(("AWS_", "BULKLOAD_"))]:
        del os.environ[key]
    os.environ.update(client_env())


def machine() -> str:
    """One line: cores, CPU model, Python."""
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


@dataclass
class EmulatorProcess:
    """A running `bulkload emulator` child process."""

    process: subprocess.Popen[str]
    url: str

    def get(self, route: str) -> Any:
        """GET an /_emulator route as JSON."""
        with urllib.request.urlopen(self.url + route, timeout=30) as response:
            return json.load(response)

    def post(self, route: str, body: dict[str, Any]) -> Any:
        """POST JSON to an /_emulator route."""
        request = urllib.request.Request(
            self.url + route,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def stats(self) -> dict[str, Any]:
        """GET /_emulator/stats."""
        result: dict[str, Any] = self.get("/_emulator/stats")
        return result

    def reset(self) -> None:
        """Forget tasks and counts; refill the bucket."""
        self.post("/_emulator/reset", {})

    def configure(self, **changes: Any) -> None:
        """Change settings while it runs (rate, burst, latency_ms...)."""
        self.post("/_emulator/config", changes)


@contextmanager
def emulator(
    *, rate: float, burst: int, latency_ms: float = 0.0, extra: Sequence[str] = ()
) -> Iterator[EmulatorProcess]:
    """Start `bulkload emulator` on a free port in its own process; stop it on exit."""
    command = [
        PYTHON,
        "-m",
        "bulkload",
        "emulator",
        "--port",
        "0",
        "--rate",
        str(rate),
        "--burst",
        str(burst),
        "--latency-ms",
        str(latency_ms),
        "--active-task-quota",
        "100000000",
        *extra,
    ]
    process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = process.stderr.readline()  # "bulkload emulator serving StartTaskContact at URL (...)"
        found = _URL.search(line)
        if found is None:
            raise RuntimeError(f"the emulator did not start: {line!r}")
        # Keep draining stderr so the child never blocks on a full pipe.
        threading.Thread(target=process.stderr.read, daemon=True).start()
        yield EmulatorProcess(process, found.group(1))
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def write_csv(path: Path, rows: int, *, seed: int = 7) -> Path:
    """A realistic task file: attributes, references, a third of the rows scheduled within 6 days."""
    rnd = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    header = (
        "Name,Description,Attributes.customer_id,Attributes.priority,References.URL.ticket,"
        "References.NUMBER.order,References.EMAIL.customer,ScheduledTime\n"
    )
    priorities = ("high", "normal", "low")
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(header)
        batch: list[str] = []
        for i in range(1, rows + 1):
            scheduled = (now + timedelta(hours=2 + i % 100)).isoformat() if i % 3 == 0 else ""
            batch.append(
                f"Call back customer {i},Refund request: customer asked for a call back (ticket T-{i}).,"
                f"{i:07d},{priorities[i % 3]},https://support.example.com/tickets/T-{i},"
                f"{rnd.randint(100000, 999999)},customer{i}@example.com,{scheduled}\n"
            )
            if len(batch) == 10_000:
                f.write("".join(batch))
                batch.clear()
        f.write("".join(batch))
    return path


def run_args(input_path: Path | str, url: str, *extra: str) -> list[str]:
    """`python -m bulkload run INPUT` against the emulator at `url`, quiet."""
    return [
        PYTHON,
        "-m",
        "bulkload",
        "run",
        str(input_path),
        "--endpoint-url",
        url,
        "--region",
        "us-east-1",
        "--instance-id",
        INSTANCE_ID,
        "--flow-id",
        FLOW_ID,
        "--progress",
        "none",
        *extra,
    ]


@dataclass
class ChildRun:
    """How a child process went: exit code, wall time, peak RSS and CPU time (from wait4's rusage)."""

    returncode: int
    wall: float
    peak_rss: int
    cpu: float
    stderr: str


def run_child(command: Sequence[str], *, timeout: float = 600.0) -> ChildRun:
    """Run a child to the end; its own rusage (os.wait4) gives the exact peak RSS and CPU time."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=client_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    errors: list[str] = []
    reader = threading.Thread(
        target=lambda: errors.append(process.stderr.read() if process.stderr else ""), daemon=True
    )
    reader.start()
    timer = threading.Timer(timeout, process.kill)  # bounded: a hung child is killed
    timer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        timer.cancel()
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    return ChildRun(
        process.returncode,
        wall,
        usage.ru_maxrss * 1024,  # kilobytes on Linux
        usage.ru_utime + usage.ru_stime,
        "".join(errors),
    )


def summary(path: Path) -> dict[str, Any]:
    """A `--summary-json` file."""
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result


def mib(size: int) -> str:
    """Bytes as MiB text."""
    return f"{size / 2**20:.0f} MiB"
