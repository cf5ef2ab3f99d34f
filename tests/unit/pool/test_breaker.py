"""The breakers: per routing id and instance, stop sending what the service keeps refusing; per job, stop
when no call has ever been answered. Pure: no service, an injected clock."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bulkload.connect.classify import ClassifiedError, ErrorKind
from bulkload.pool.breaker import RoutingBreaker, UnreachableBreaker
from bulkload.pool.settings import PoolSettings
from bulkload.pool.signals import Stopped
from bulkload.records import RowOutcome, Status, TaskRequest

NOT_FOUND = ("ResourceNotFoundException", "Contact flow f-bad not found in instance i-1")
REFUSED = ClassifiedError(ErrorKind.REJECTED, "InvalidRequestException", "no")
LOST = ClassifiedError(ErrorKind.RETRYABLE, "ConnectionError", "Could not connect to the endpoint URL")
SERVER = ClassifiedError(ErrorKind.RETRYABLE, "InternalServiceException", "oops")


def request(row: int, flow: str = "f-bad", instance: str = "i-1") -> TaskRequest:
    params = {"InstanceId": instance, "Name": "n", "ContactFlowId": flow}
    return TaskRequest(row=row, line=row + 1, key=str(row), params=params, client_token="t", request_hash="h")


def refused(req: TaskRequest, code: str = NOT_FOUND[0], message: str = NOT_FOUND[1]) -> RowOutcome:
    return RowOutcome(
        req.row, req.line, req.key, Status.REJECTED, "job", error_code=code, error_message=message, attempts=1
    )


def created(req: TaskRequest) -> RowOutcome:
    return RowOutcome(req.row, req.line, req.key, Status.CREATED, "job", contact_id="c", attempts=1)


async def send_all(
    breaker: RoutingBreaker, rows: list[TaskRequest], answer: Callable[[TaskRequest], RowOutcome]
) -> list[ClassifiedError | None]:
    """Admit and answer each row in turn, as one worker would."""
    refusals = []
    for req in rows:
        refusal = await breaker.admit(req)
        refusals.append(refusal)
        if refusal is None:
            breaker.record(req, answer(req))
    return refusals


# -- per routing id and instance -----------------------------------------------------------------------------


async def test_after_n_refusals_in_a_row_the_rest_are_not_sent() -> None:
    breaker = RoutingBreaker(3)

    refusals = await send_all(breaker, [request(n) for n in range(1, 6)], refused)

    assert refusals[:3] == [None, None, None]
    assert (
        refusals[3]
        == refusals[4]
        == ClassifiedError(
            ErrorKind.REJECTED,
            "ResourceNotFoundException",
            "not sent: the service refused the 3 rows before it with the same error "
            "(ResourceNotFoundException: Contact flow f-bad not found in instance i-1)",
        )
    )
    assert breaker.check(request(9)) == refusals[3]
    assert breaker.check(request(9, flow="f-good")) is None  # another flow of the instance goes on


async def test_the_default_message_counts_twenty() -> None:
    breaker = RoutingBreaker.from_settings(PoolSettings())
    assert breaker is not None

    refusals = await send_all(breaker, [request(n) for n in range(1, 22)], refused)

    assert refusals.count(None) == 20
    assert refusals[20] is not None
    assert refusals[20].message.startswith(
        "not sent: the service refused the 20 rows before it with the same error"
    )


async def test_a_success_resets_the_count() -> None:
    breaker = RoutingBreaker(3)
    rows = [request(n) for n in range(1, 8)]

    answers = iter([refused, refused, created, refused, refused, created, refused])

    def answer(req: TaskRequest) -> RowOutcome:
        return next(answers)(req)

    refusals = await send_all(breaker, rows, answer)

    assert refusals == [None] * 7


async def test_a_different_error_starts_a_new_count() -> None:
    breaker = RoutingBreaker(3)
    codes = iter(["A", "A", "B", "B", "A", "A"])

    refusals = await send_all(
        breaker, [request(n) for n in range(1, 7)], lambda req: refused(req, next(codes))
    )

    assert refusals == [None] * 6


async def test_failed_rows_and_rows_not_sent_neither_count_nor_reset() -> None:
    breaker = RoutingBreaker(2)
    first, second, third = request(1), request(2), request(3)
    await breaker.admit(first)
    breaker.record(first, refused(first))
    await breaker.admit(second)
    failed = RowOutcome(2, 3, "2", Status.FAILED, "job", error_code="Timeout", attempts=8)
    breaker.record(second, failed)
    await breaker.admit(third)
    breaker.record(third, None)  # the job stopped before it was sent
    fourth = request(4)
    assert await breaker.admit(fourth) is None
    breaker.record(fourth, refused(fourth))

    assert breaker.check(request(5)) is not None


async def test_an_instance_opens_when_the_same_error_spans_its_routing_ids() -> None:
    breaker = RoutingBreaker(3)
    message = "Instance i-9 not found"
    rows = [request(n, flow=f"f-{n % 2}", instance="i-9") for n in range(1, 5)]

    refusals = await send_all(breaker, rows, lambda req: refused(req, message=message))

    assert refusals[:3] == [None, None, None]
    assert refusals[3] is not None  # f-0 has had only 2 refusals: the instance stopped it
    assert breaker.check(request(9, flow="f-new", instance="i-9")) is not None
    assert breaker.check(request(9, flow="f-new", instance="i-1")) is None


async def test_unknown_flows_do_not_stop_the_instances_other_flows() -> None:
    breaker = RoutingBreaker(2)

    def unknown_flow(req: TaskRequest) -> RowOutcome:
        return refused(req, message=f"Contact flow {req.params['ContactFlowId']} not found")

    rows = [request(n, flow=flow) for n, flow in enumerate(["a", "a", "a", "b", "b", "b", "good"], 1)]
    refusals = await send_all(breaker, rows, unknown_flow)

    assert [r is None for r in refusals] == [True, True, False, True, True, False, True]


async def test_an_unproven_target_has_no_more_rows_out_than_refusals_may_still_come() -> None:
    breaker = RoutingBreaker(3)
    rows = [request(n) for n in range(1, 6)]
    for req in rows[:3]:
        assert await breaker.admit(req) is None
    fourth = asyncio.create_task(breaker.admit(rows[3]))
    await asyncio.sleep(0)
    assert not fourth.done()  # 3 out, none answered: a 4th could be the 4th refusal

    breaker.record(rows[0], refused(rows[0]))
    await asyncio.sleep(0)
    assert not fourth.done()  # 1 refused + 2 out: still 3

    breaker.record(rows[1], created(rows[1]))
    assert await fourth is None  # proven: no longer held back


async def test_a_proven_target_is_not_held_back() -> None:
    breaker = RoutingBreaker(2)
    first = request(1)
    await breaker.admit(first)
    breaker.record(first, created(first))

    for n in range(2, 12):
        assert await asyncio.wait_for(breaker.admit(request(n)), 1) is None


async def test_rows_held_back_learn_the_breaker_opened() -> None:
    breaker = RoutingBreaker(2)
    rows = [request(n) for n in range(1, 4)]
    await breaker.admit(rows[0])
    await breaker.admit(rows[1])
    waiting = asyncio.create_task(breaker.admit(rows[2]))
    await asyncio.sleep(0)

    breaker.record(rows[0], refused(rows[0]))
    breaker.record(rows[1], refused(rows[1]))

    refusal = await waiting
    assert refusal is not None
    assert refusal.code == "ResourceNotFoundException"


async def test_closing_releases_the_rows_held_back() -> None:
    breaker = RoutingBreaker(1)
    await breaker.admit(request(1))
    waiting = asyncio.create_task(breaker.admit(request(2)))
    await asyncio.sleep(0)

    breaker.close()

    with pytest.raises(Stopped):
        await waiting
    with pytest.raises(Stopped):
        await breaker.admit(request(3, flow="other"))


def test_zero_switches_the_breakers_off() -> None:
    settings = PoolSettings(max_consecutive_rejects=0, unreachable_after=0)
    assert RoutingBreaker.from_settings(settings) is None
    assert UnreachableBreaker.from_settings(settings) is None
    with pytest.raises(ValueError, match="at least 1"):
        RoutingBreaker(0)
    with pytest.raises(ValueError, match="max consecutive rejects"):
        PoolSettings(max_consecutive_rejects=-1)
    with pytest.raises(ValueError, match="unreachable time"):
        PoolSettings(unreachable_after=-1)


# -- an endpoint that never answers ----------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_it_stops_after_every_call_went_unanswered_for_the_whole_time() -> None:
    clock = Clock()
    breaker = UnreachableBreaker(30, clock=clock)

    breaker.record_failure(LOST)
    clock.now += 29.9
    breaker.record_failure(LOST)
    assert not breaker.should_stop()

    clock.now += 0.1
    assert breaker.should_stop()
    assert breaker.last == LOST


def test_the_count_starts_when_the_first_unanswered_call_was_sent() -> None:
    clock = Clock()
    breaker = UnreachableBreaker(30, clock=clock)
    clock.now += 30  # a call sent at 100 timed out at 130: thirty seconds without an answer
    breaker.record_failure(LOST, sent_at=100.0)
    assert breaker.should_stop()


def test_a_call_sent_before_the_services_last_answer_counts_from_that_answer() -> None:
    clock = Clock()
    breaker = UnreachableBreaker(30, clock=clock)
    clock.now = 120.0
    breaker.record_failure(SERVER)
    clock.now = 125.0
    breaker.record_failure(LOST, sent_at=101.0)
    clock.now = 149.9
    assert not breaker.should_stop()
    clock.now = 150.0
    assert breaker.should_stop()


def test_nothing_failed_nothing_to_stop_for() -> None:
    clock = Clock()
    breaker = UnreachableBreaker(30, clock=clock)
    clock.now += 100
    assert not breaker.should_stop()


def test_an_answer_of_the_service_starts_the_count_again() -> None:
    clock = Clock()
    breaker = UnreachableBreaker(30, clock=clock)
    breaker.record_failure(LOST)
    clock.now += 20
    breaker.record_failure(SERVER)  # an answer: the endpoint is there
    breaker.record_failure(LOST)
    clock.now += 20
    assert not breaker.should_stop()
    clock.now += 10
    assert breaker.should_stop()


def test_once_a_call_succeeded_it_never_stops_the_job() -> None:
    clock = Clock()
    breaker = UnreachableBreaker(30, clock=clock)
    breaker.record_success()
    breaker.record_failure(LOST)
    clock.now += 3600
    breaker.record_failure(LOST)
    assert not breaker.should_stop()


def test_the_default_time_is_thirty_seconds() -> None:
    clock = Clock()
    breaker = UnreachableBreaker.from_settings(PoolSettings(), clock=clock)
    assert breaker is not None
    breaker.record_failure(LOST)
    clock.now += 30
    assert breaker.should_stop()
    with pytest.raises(ValueError, match="above 0"):
        UnreachableBreaker(0)
