"""The emulator's memory: tasks, tokens, chains, stops, counts and buckets, with a clock moved by hand."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    ENDED_BY_AGENT,
    ENDED_BY_API,
    EmulatorConfig,
    EmulatorState,
    Fault,
    StopResult,
    TaskEnd,
)
from tests.unit.emulator.fakes import FakeClock


def request(**changes: Any) -> dict[str, Any]:
    return {"InstanceId": DEFAULT_INSTANCE_ID, "Name": "n", "ContactFlowId": DEFAULT_FLOW_ID, **changes}


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
    clock = FakeClock()
    state = EmulatorState(EmulatorConfig(), clock=clock)
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
            "EndedAt": clock.now,
            "DisconnectReason": "AGENT_DISCONNECT",
            "StopCalls": 0,
        }
    ]


def test_stop_task_ends_an_active_task_once_and_counts_every_call() -> None:
    clock = FakeClock()
    state = EmulatorState(EmulatorConfig(active_task_quota=1), clock=clock)
    task = state.create_task(request())
    clock.now += 5

    assert state.stop_task(task.contact_id, DEFAULT_INSTANCE_ID) is StopResult.STOPPED
    assert state.stop_task(task.contact_id, DEFAULT_INSTANCE_ID) is StopResult.NOT_ACTIVE
    assert state.stop_task("unknown", DEFAULT_INSTANCE_ID) is StopResult.UNKNOWN
    assert state.stop_task(task.contact_id, "another-instance") is StopResult.UNKNOWN

    snapshot = state.snapshot()
    assert snapshot.active_tasks == 0
    assert snapshot.ended == {task.contact_id: TaskEnd(ended_at=clock.now, disconnect_reason=ENDED_BY_API)}
    assert snapshot.stopped_contact_ids == {task.contact_id}
    assert snapshot.stop_calls == {task.contact_id: 2}


def test_ending_tasks_as_agents_do_is_not_a_stop() -> None:
    state = EmulatorState(EmulatorConfig())
    task = state.create_task(request())

    state.end_tasks()

    assert state.stop_task(task.contact_id, DEFAULT_INSTANCE_ID) is StopResult.NOT_ACTIVE
    snapshot = state.snapshot()
    assert snapshot.ended[task.contact_id].disconnect_reason == ENDED_BY_AGENT
    assert snapshot.stopped_contact_ids == frozenset()


def test_each_operation_has_its_own_bucket() -> None:
    clock = FakeClock()
    state = EmulatorState(
        EmulatorConfig(rate=1, burst=1, stop_rate=1, stop_burst=2, lookup_rate=1, lookup_burst=1), clock=clock
    )

    assert [state.try_acquire() for _ in range(2)] == [True, False]
    assert [state.try_acquire("StopContact") for _ in range(3)] == [True, True, False]
    assert [state.try_acquire("DescribeInstance") for _ in range(2)] == [True, False]
    assert state.try_acquire("GetTaskTemplate")  # one bucket per lookup operation

    state.configure(stop_rate=10, stop_burst=10)
    clock.now += 1
    assert sum(state.try_acquire("StopContact") for _ in range(20)) == 10
    assert [state.try_acquire() for _ in range(2)] == [True, False]


def test_outcomes_are_counted_per_operation() -> None:
    state = EmulatorState(EmulatorConfig())
    state.record("created")
    state.record("stopped", "StopContact")
    state.record("found", "DescribeContactFlow")
    with pytest.raises(ValueError, match="unknown outcome 'created' for StopContact"):
        state.record("created", "StopContact")
    with pytest.raises(ValueError, match="unknown outcome 'stopped' for GetTaskTemplate"):
        state.record("stopped", "GetTaskTemplate")

    snapshot = state.snapshot()
    assert (snapshot.counts, snapshot.stop_counts) == ({"created": 1}, {"stopped": 1})
    assert snapshot.lookup_counts["DescribeContactFlow"] == {"found": 1}
    assert snapshot.lookup_counts["DescribeInstance"] == {}


def test_reset_forgets_stops_and_their_counts() -> None:
    state = EmulatorState(EmulatorConfig(stop_burst=1))
    task = state.create_task(request())
    state.stop_task(task.contact_id, DEFAULT_INSTANCE_ID)
    state.record("stopped", "StopContact")
    state.record("found", "DescribeInstance")
    assert state.try_acquire("StopContact")

    state.reset()

    snapshot = state.snapshot()
    assert (snapshot.ended, snapshot.stop_calls, snapshot.stop_counts) == ({}, {}, {})
    assert snapshot.lookup_counts["DescribeInstance"] == {}
    assert state.try_acquire("StopContact")
    state.record("created")
    assert state.counts == {"created": 1}  # still the live StartTaskContact counter
