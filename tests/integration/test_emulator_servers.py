"""Running the emulator: in the test's loop, on its own thread for sync callers, and in the foreground."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from bulkload.emulator import DEFAULT_FLOW_ID, DEFAULT_INSTANCE_ID, Emulator, EmulatorConfig, ThreadedEmulator

REQUEST = {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "ContactFlowId": DEFAULT_FLOW_ID}


def sync_client(endpoint_url: str) -> Any:
    return boto3.client(
        "connect", endpoint_url=endpoint_url, config=Config(retries={"total_max_attempts": 1})
    )


async def test_emulator_lifecycle() -> None:
    emulator = Emulator(EmulatorConfig(rate=100, burst=100))
    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.endpoint_url

    async with emulator:
        assert emulator.endpoint_url.startswith("http://127.0.0.1:")
        with pytest.raises(RuntimeError, match="already running"):
            await emulator.start()

    with pytest.raises(RuntimeError, match="not running"):
        _ = emulator.endpoint_url
    await emulator.stop()  # a second stop is harmless


def test_threaded_emulator_serves_a_sync_client() -> None:
    with ThreadedEmulator(EmulatorConfig(rate=100, burst=100, active_task_quota=1)) as emulator:
        client = sync_client(emulator.endpoint_url)
        contact_id = client.start_task_contact(**REQUEST, ClientToken="a")["ContactId"]
        with pytest.raises(ClientError, match="ServiceQuotaExceededException"):
            client.start_task_contact(**REQUEST, ClientToken="b")
        # The state's methods may be called from this thread while the emulator's loop serves.
        assert emulator.state.end_tasks() == 1
        client.start_task_contact(**REQUEST, ClientToken="b")
        emulator.state.set_rate(1, 1)
        snapshot = emulator.snapshot()

    assert snapshot.tasks[0].contact_id == contact_id
    assert [task.client_token for task in snapshot.tasks] == ["a", "b"]
    assert snapshot.counts == {"created": 2, "quota_exceeded": 1}
    assert (snapshot.config.rate, snapshot.config.burst) == (1, 1)


def test_threaded_emulator_raises_startup_errors_in_the_caller() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        emulator = ThreadedEmulator(EmulatorConfig(port=port))
        with pytest.raises(OSError, match=r"(?i)address already in use"):
            emulator.start()
    emulator.stop()  # nothing to stop: harmless


SERVE = textwrap.dedent(
    """
    from bulkload.emulator import EmulatorConfig, serve_forever
    serve_forever(EmulatorConfig(rate=100, burst=100), on_ready=lambda url: print(url, flush=True))
    print("stopped", flush=True)
    """
)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_forever_stops_cleanly_on_a_signal(signum: signal.Signals) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", SERVE], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            url = process.stdout.readline().strip()
            assert url.startswith("http://127.0.0.1:")
            sync_client(url).start_task_contact(**REQUEST)

            process.send_signal(signum)
            stdout, stderr = process.communicate(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()

    assert process.returncode == 0, stderr
    assert stdout == "stopped\n"
    assert stderr == ""
