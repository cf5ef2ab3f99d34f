"""`bulkload emulator` as users start it: its options reach the service a stock aioboto3 client sees."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.conftest import MakeClient

KNOWN_INSTANCE = "inst-0001"
KNOWN_FLOW = "flow-0001"
DENIED_KEY = "AKIADENIEDEXAMPLE"


@pytest.fixture
def emulator_process() -> Iterator[str]:
    """`bulkload emulator --port 0 ...` in its own process; yields its URL."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bulkload",
            "emulator",
            "--port",
            "0",
            "--rate",
            "5",
            "--burst",
            "5",
            "--instance-id",
            KNOWN_INSTANCE,
            "--flow-id",
            KNOWN_FLOW,
            "--deny-access-key",
            DENIED_KEY,
        ],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        match = re.search(r"http://[\d.]+:\d+", line)
        assert match, f"the emulator did not start: {line}{process.stderr.read() if process.poll() else ''}"
        yield match.group(0)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
            if process.stderr is not None:
                process.stderr.close()


def task(**changes: Any) -> dict[str, Any]:
    return {"InstanceId": KNOWN_INSTANCE, "ContactFlowId": KNOWN_FLOW, "Name": "Call back", **changes}


async def error_code(call: Any) -> str:
    with pytest.raises(ClientError) as info:
        await call
    return str(info.value.response["Error"]["Code"])


@pytest.mark.slow
async def test_the_emulators_options_shape_what_a_client_sees(
    emulator_process: str, make_connect_client: MakeClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = await make_connect_client(emulator_process)
    created = await client.start_task_contact(**task(), ClientToken="one")
    again = await client.start_task_contact(**task(), ClientToken="one")
    assert created["ContactId"] == again["ContactId"]

    # --instance-id and --flow-id replace the samples' defaults: anything else is unknown.
    other = task(InstanceId="a1b2c3d4-0000-4000-8000-000000000001")
    assert await error_code(client.start_task_contact(**other)) == "ResourceNotFoundException"
    assert await error_code(client.start_task_contact(**task(ContactFlowId="nope"))) == (
        "ResourceNotFoundException"
    )

    # --rate 5 --burst 5: the sixth call at once is throttled (4 calls so far; a token may have refilled).
    codes = []
    for n in range(8):
        try:
            await client.start_task_contact(**task(), ClientToken=f"burst-{n}")
            codes.append("ok")
        except ClientError as exc:
            codes.append(exc.response["Error"]["Code"])
    assert "ThrottlingException" in codes

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", DENIED_KEY)
    denied = await make_connect_client(emulator_process)
    assert await error_code(denied.start_task_contact(**task())) == "AccessDeniedException"
