"""The token bucket and the emulator's memory, with a clock moved by hand."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    EmulatorConfig,
    EmulatorState,
    Fault,
    TokenBucket,
)


class FakeClock:
    """Seconds that move only when a test says so."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def request(**changes: Any) -> dict[str, Any]:
    return {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "ContactFlowId": DEFAULT_FLOW_ID, **changes}


def test_bucket_allows_the_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)

    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.25  # half a token
    assert not bucket.try_acquire()
    clock.now += 0.25
    assert bucket.try_acquire()
    clock.now += 100  # never more than the burst
    assert bucket.available() == 3


def test_bucket_reconfigure_keeps_tokens_up_to_the_new_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1, burst=10, clock=clock)

    bucket.reconfigure(rate=5, burst=2)

    assert (bucket.rate, bucket.burst, bucket.available()) == (5, 2, 2)


def test_bucket_survives_a_clock_going_backwards() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1, burst=1, clock=clock)
    bucket.try_acquire()

    clock.now -= 50

    assert bucket.available() == 0


def test_state_throttles_with_its_clock() -> None:
    clock = FakeClock()
    state = EmulatorState(EmulatorConfig(rate=1, burst=1), clock=clock)

    assert state.try_acquire()
    assert not state.try_acquire()
    clock.now += 1
    assert state.try_acquire()


def test_create_task_indexes_tokens_chains_and_active_tasks() -> None:
    state = EmulatorState(EmulatorConfig(seed=1), clock=FakeClock(5.0))

    task = state.create_task(request(ClientToken="t", PreviousContactId="p"))

    assert state.task_for_token("t") == task
    assert state.task_for_token(None) is None
    assert state.task_for_token("other") is None
    assert state.chain_count("p") == 1
    assert state.active_tasks == 1
    assert (task.instance_id, task.client_token, task.created_at) == (DEFAULT_INSTANCE_ID, "t", 5.0)


def test_seeded_contact_ids_are_reproducible_v4_uuids() -> None:
    first = EmulatorState(EmulatorConfig(seed=9)).create_task(request())
    second = EmulatorState(EmulatorConfig(seed=9)).create_task(request())

    assert first.contact_id == second.contact_id
    assert first.contact_id[14] == "4"


def test_end_tasks_by_count_ids_or_all() -> None:
    state = EmulatorState(EmulatorConfig())
    ids = [state.create_task(request()).contact_id for _ in range(5)]

    assert state.end_tasks(2) == 2  # the oldest two
    assert state.snapshot().active_contact_ids == frozenset(ids[2:])
    assert state.end_tasks(contact_ids=[ids[0], ids[3], "unknown", ids[3]]) == 1
    assert state.end_tasks() == 2
    assert state.active_tasks == 0
    assert len(state.snapshot().tasks) == 5  # ended tasks are still listed
    with pytest.raises(ValueError, match="count"):
        state.end_tasks(-1)


def test_draw_fault_follows_the_rates() -> None:
    state = EmulatorState(EmulatorConfig(fail_rate=0.2, reset_rate=0.3, drop_after_rate=0.1, seed=4))

    draws = Counter(state.draw_fault() for _ in range(10_000))

    assert abs(draws[Fault.RESET_BEFORE] - 3_000) < 300
    assert abs(draws[Fault.FAIL] - 2_000) < 300
    assert abs(draws[Fault.DROP_AFTER] - 1_000) < 300
    assert abs(draws[None] - 4_000) < 300


def test_no_fault_rates_draw_nothing() -> None:
    state = EmulatorState(EmulatorConfig())

    assert {state.draw_fault() for _ in range(100)} == {None}


def test_draw_latency_adds_bounded_jitter() -> None:
    state = EmulatorState(EmulatorConfig(latency_ms=100, jitter_ms=50, seed=2))

    delays = [state.draw_latency() for _ in range(200)]

    assert all(0.1 <= delay <= 0.15 for delay in delays)
    assert len(set(delays)) > 1


def test_configure_changes_runtime_settings_only() -> None:
    state = EmulatorState(EmulatorConfig(rate=1, burst=1))

    config = state.configure(rate=5, burst=10, fail_rate=0.5)

    assert state.config == config
    assert (config.rate, config.burst, config.fail_rate) == (5, 10, 0.5)
    with pytest.raises(ValueError, match="cannot change port"):
        state.configure(port=80)
    with pytest.raises(ValueError, match="fail_rate"):
        state.configure(fail_rate=2)
    assert state.config == config


def test_record_counts_known_outcomes_and_reset_forgets_everything() -> None:
    state = EmulatorState(EmulatorConfig(rate=1, burst=1))
    state.create_task(request(ClientToken="t", PreviousContactId="p"))
    state.record("created")
    state.try_acquire()
    with pytest.raises(ValueError, match="unknown outcome"):
        state.record("exploded")

    state.reset()

    snapshot = state.snapshot()
    assert (snapshot.tasks, snapshot.counts, snapshot.chain_counts, snapshot.active_tasks) == ((), {}, {}, 0)
    assert state.task_for_token("t") is None
    assert state.try_acquire()  # the bucket is full again


def test_snapshot_json() -> None:
    state = EmulatorState(EmulatorConfig())
    task = state.create_task(request(ClientToken="t"))
    state.record("created")
    state.end_tasks()

    stats = state.snapshot().stats_json()
    tasks = state.snapshot().tasks_json()

    assert stats["counts"]["created"] == 1
    assert stats["counts"]["throttled"] == 0
    assert (stats["requests"], stats["tasks"], stats["active_tasks"]) == (1, 1, 0)
    assert tasks == [
        {
            "ContactId": task.contact_id,
            "ClientToken": "t",
            "InstanceId": DEFAULT_INSTANCE_ID,
            "CreatedAt": task.created_at,
            "Active": False,
            "Params": request(ClientToken="t"),
        }
    ]
