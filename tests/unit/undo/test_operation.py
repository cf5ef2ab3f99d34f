"""StopContact through the pool's sender over a stand-in client: what each answer makes of the task."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import botocore.exceptions
import pytest

from bulkload.ledger.paths import stop_ledger_path
from bulkload.pool import PoolSettings, Sender
from bulkload.undo.ledger import StopLedger, read_stop_ledger
from bulkload.undo.operation import StopTask
from bulkload.undo.records import StopOutcome, StopRequest, StopStatus
from tests.unit.undo.helpers import request

POOL = PoolSettings(rate=1000, burst=100, max_attempts=3, backoff_initial=0.001, backoff_max=0.01)
ENDED = ("InvalidRequestException", 400, "Contact c-1 is not active: it has already ended")


def refusal(code: str, status: int, message: str) -> botocore.exceptions.ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return botocore.exceptions.ClientError(response, "StopContact")


@dataclass
class Client:
    """Answers each call with the next scripted failure, then with success."""

    failures: list[BaseException] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)

    async def stop_contact(self, **kwargs: Any) -> dict[str, Any]:
        await asyncio.sleep(0)
        self.calls.append(kwargs)
        if self.failures:
            raise self.failures.pop(0)
        return {}


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[StopLedger]:
    opened = StopLedger(tmp_path / "r.csv")
    yield opened
    opened.close()


async def send(ledger: StopLedger, client: Client, stop: StopRequest) -> StopOutcome | None:
    return await Sender(client, POOL, StopTask(ledger)).send(stop)


async def test_a_stopped_task_is_stopped_and_its_stop_was_recorded_before_it_left(
    ledger: StopLedger, tmp_path: Path
) -> None:
    client = Client()
    outcome = await send(ledger, client, request(1))

    assert outcome is not None
    assert (outcome.status, outcome.attempts, outcome.error_code) == (StopStatus.STOPPED, 1, "")
    assert client.calls == [{"ContactId": "c-1", "InstanceId": "i-0001"}]
    assert read_stop_ledger(stop_ledger_path(tmp_path / "r.csv"))["c-1"].status is StopStatus.SENDING


async def test_a_task_over_before_the_first_stop_is_already_ended(ledger: StopLedger) -> None:
    outcome = await send(ledger, Client([refusal(*ENDED)]), request(1))

    assert outcome is not None
    assert (outcome.status, outcome.error_code) == (StopStatus.ALREADY_ENDED, "InvalidRequestException")
    assert outcome.error_message == ENDED[2]


async def test_a_contact_the_instance_does_not_have_is_already_ended_too(ledger: StopLedger) -> None:
    gone = refusal("ResourceNotFoundException", 404, "Contact c-1 not found in instance i-0001")
    outcome = await send(ledger, Client([gone]), request(1))
    assert outcome is not None
    assert outcome.status is StopStatus.ALREADY_ENDED


@pytest.mark.parametrize(
    "lost",
    [aiohttp.ServerDisconnectedError(), refusal("InternalServiceException", 500, "try again")],
    ids=["dropped", "5xx"],
)
async def test_ended_after_an_unanswered_stop_is_stopped(ledger: StopLedger, lost: BaseException) -> None:
    client = Client([lost, refusal(*ENDED)])
    outcome = await send(ledger, client, request(1))

    assert outcome is not None
    assert (outcome.status, outcome.attempts, outcome.error_code) == (
        StopStatus.STOPPED,
        2,
        "InvalidRequestException",
    )
    assert outcome.error_message.startswith("the answer to an earlier stop was lost")
    assert len(read_stop_ledger(ledger.path)) == 1  # one `sending` line for the row, not one per attempt


async def test_ended_after_only_throttles_is_already_ended(ledger: StopLedger) -> None:
    throttled = refusal("ThrottlingException", 429, "Rate exceeded")
    outcome = await send(ledger, Client([throttled, throttled, refusal(*ENDED)]), request(1))
    assert outcome is not None
    assert outcome.status is StopStatus.ALREADY_ENDED


async def test_ended_after_an_earlier_stop_left_unanswered_is_stopped(ledger: StopLedger) -> None:
    outcome = await send(ledger, Client([refusal(*ENDED)]), request(1, maybe_stopped=True))
    assert outcome is not None
    assert outcome.status is StopStatus.STOPPED


async def test_other_refusals_are_rejected_and_unanswered_ones_fail(ledger: StopLedger) -> None:
    wrong_instance = refusal("ResourceNotFoundException", 404, "Instance i-0001 not found")
    rejected = await send(ledger, Client([wrong_instance]), request(1))
    failed = await send(ledger, Client([aiohttp.ServerDisconnectedError()] * 3), request(2))

    assert rejected is not None
    assert (rejected.status, rejected.error_message) == (StopStatus.REJECTED, "Instance i-0001 not found")
    assert failed is not None
    assert (failed.status, failed.attempts, failed.error_code) == (StopStatus.FAILED, 3, "ConnectionError")
