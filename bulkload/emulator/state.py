"""What an emulator remembers: created tasks, ClientTokens, chains, active and ended tasks, counts, quotas.

All methods take one lock, so a `ThreadedEmulator`'s caller can read snapshots, end tasks or change
the rate from its own thread while the emulator's loop serves requests.
"""

from __future__ import annotations

import enum
import random
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from bulkload.emulator.config import RUNTIME_FIELDS, EmulatorConfig
from bulkload.emulator.operations import LOOKUPS, OPERATIONS, START_TASK_CONTACT, STOP_CONTACT
from bulkload.emulator.snapshot import (
    ENDED_BY_AGENT,
    ENDED_BY_API,
    LOOKUP_OUTCOMES,
    OUTCOMES,
    STOP_OUTCOMES,
    CreatedTask,
    EmulatorSnapshot,
    TaskEnd,
)
from bulkload.emulator.throttle import Clock, TokenBucket

# The outcomes each operation counts under.
_OUTCOMES = {
    START_TASK_CONTACT: OUTCOMES,
    STOP_CONTACT: STOP_OUTCOMES,
    **dict.fromkeys(LOOKUPS, LOOKUP_OUTCOMES),
}


class Fault(enum.Enum):
    """A fault injected into one request."""

    RESET_BEFORE = "reset_before"  # drop the connection; nothing changes
    FAIL = "fail"  # 500 InternalServiceException; nothing changes
    DROP_AFTER = "drop_after"  # create (or replay, or stop) the task, then drop the connection unanswered


class StopResult(enum.Enum):
    """What a StopContact request found."""

    STOPPED = "stopped"  # the task was active (or scheduled) and has now ended
    NOT_ACTIVE = "not_active"  # the task had already ended
    UNKNOWN = "unknown"  # no task with this ContactId in this instance


class EmulatorState:
    """The emulator's memory and its random draws; `clock` gives epoch seconds (default `time.time`).

    One clock serves the token bucket and the ScheduledTime checks, so a test that moves it moves both.
    """

    def __init__(self, config: EmulatorConfig, *, clock: Clock = time.time) -> None:
        self._lock = threading.RLock()
        self._config = config
        self.clock = clock
        # One bucket per operation: each Connect API has its own quota.
        self._buckets = {op: TokenBucket(*config.quota(op), clock) for op in OPERATIONS}
        # Separate streams so that changing fault rates does not change the ContactIds a seed gives.
        self._fault_rng = random.Random(config.seed)
        self._id_rng = random.Random(config.seed)
        self._tasks: dict[str, CreatedTask] = {}  # contact_id -> task, in creation order
        self._by_token: dict[str, CreatedTask] = {}
        self._active: dict[str, None] = {}  # an ordered set: the oldest active task ends first
        self._chains: Counter[str] = Counter()
        self._ended: dict[str, TaskEnd] = {}
        self._stop_calls: Counter[str] = Counter()
        self._op_counts: dict[str, Counter[str]] = {op: Counter() for op in OPERATIONS}
        self.counts = self._op_counts[START_TASK_CONTACT]  # cleared in place, never replaced

    @property
    def config(self) -> EmulatorConfig:
        """The settings in force now (POST /_emulator/config replaces them)."""
        return self._config

    def configure(self, **changes: Any) -> EmulatorConfig:
        """Change runtime settings (rate, burst, latency, fault rates, quotas, known IDs); ValueError if invalid."""
        fixed = sorted(set(changes) - RUNTIME_FIELDS)
        if fixed:
            raise ValueError(f"cannot change {', '.join(fixed)} while the emulator runs")
        with self._lock:
            config = self._config.replace(**changes)
            for operation, bucket in self._buckets.items():
                bucket.reconfigure(*config.quota(operation))
            self._config = config
            return config

    def set_rate(self, rate: float, burst: int) -> None:
        """Change the StartTaskContact quota mid-run (benchmarks do)."""
        self.configure(rate=rate, burst=burst)

    def reset(self) -> None:
        """Forget every task, token, chain, stop and count; refill the buckets. Settings are kept."""
        with self._lock:
            self._tasks.clear()
            self._by_token.clear()
            self._active.clear()
            self._chains.clear()
            self._ended.clear()
            self._stop_calls.clear()
            for counter in self._op_counts.values():
                counter.clear()
            for bucket in self._buckets.values():
                bucket.refill_fully()

    def record(self, outcome: str, operation: str = START_TASK_CONTACT) -> None:
        """Count one request's outcome: OUTCOMES for StartTaskContact, STOP_OUTCOMES, LOOKUP_OUTCOMES."""
        if outcome not in _OUTCOMES[operation]:
            raise ValueError(f"unknown outcome {outcome!r} for {operation}")
        with self._lock:
            self._op_counts[operation][outcome] += 1

    def try_acquire(self, operation: str = START_TASK_CONTACT) -> bool:
        """Take a token from `operation`'s bucket; False means answer ThrottlingException."""
        with self._lock:
            return self._buckets[operation].try_acquire()

    def draw_latency(self) -> float:
        """Seconds to hold this request: latency_ms plus up to jitter_ms."""
        with self._lock:
            config = self._config
            jitter = self._fault_rng.uniform(0.0, config.jitter_ms) if config.jitter_ms else 0.0
            return (config.latency_ms + jitter) / 1000.0

    def draw_fault(self) -> Fault | None:
        """At most one fault for this request, with the configured probabilities."""
        with self._lock:
            config = self._config
            if not (config.reset_rate or config.fail_rate or config.drop_after_rate):
                return None
            draw = self._fault_rng.random()
            for fault, rate in (
                (Fault.RESET_BEFORE, config.reset_rate),
                (Fault.FAIL, config.fail_rate),
                (Fault.DROP_AFTER, config.drop_after_rate),
            ):
                if draw < rate:
                    return fault
                draw -= rate
            return None

    def task_for_token(self, client_token: str | None) -> CreatedTask | None:
        """The task an earlier call with this ClientToken created, if any."""
        if client_token is None:
            return None
        with self._lock:
            return self._by_token.get(client_token)

    def chain_count(self, previous_contact_id: str) -> int:
        """How many tasks were created with this PreviousContactId."""
        with self._lock:
            return self._chains[previous_contact_id]

    @property
    def active_tasks(self) -> int:
        """How many created tasks have not ended."""
        with self._lock:
            return len(self._active)

    def create_task(self, params: Mapping[str, Any]) -> CreatedTask:
        """Record a new task for a validated request and return it (ContactId is a v4 UUID)."""
        with self._lock:
            contact_id = str(uuid.UUID(int=self._id_rng.getrandbits(128), version=4))
            token = params.get("ClientToken")
            task = CreatedTask(
                contact_id=contact_id,
                client_token=token,
                instance_id=params["InstanceId"],
                params=dict(params),
                created_at=self.clock(),
            )
            self._tasks[contact_id] = task
            if token is not None:
                self._by_token[token] = task
            self._active[contact_id] = None
            previous = params.get("PreviousContactId")
            if previous is not None:
                self._chains[previous] += 1
            return task

    def end_tasks(self, count: int | None = None, contact_ids: Iterable[str] | None = None) -> int:
        """End active tasks so the active-task quota clears: `contact_ids`, else the oldest `count`, else all.

        Returns how many ended; unknown or already ended IDs are skipped.
        """
        with self._lock:
            if contact_ids is not None:
                ending = [cid for cid in dict.fromkeys(contact_ids) if cid in self._active]
            elif count is not None:
                if count < 0:
                    raise ValueError(f"count must be >= 0, got {count}")
                ending = list(self._active)[:count]
            else:
                ending = list(self._active)
            for contact_id in ending:
                self._end(contact_id, ENDED_BY_AGENT)
            return len(ending)

    def stop_task(self, contact_id: str, instance_id: str) -> StopResult:
        """End a task as StopContact does, counting the call against the task it names."""
        with self._lock:
            task = self._tasks.get(contact_id)
            if task is None or task.instance_id != instance_id:
                return StopResult.UNKNOWN
            self._stop_calls[contact_id] += 1
            if contact_id not in self._active:
                return StopResult.NOT_ACTIVE
            self._end(contact_id, ENDED_BY_API)
            return StopResult.STOPPED

    def _end(self, contact_id: str, reason: str) -> None:
        del self._active[contact_id]
        self._ended[contact_id] = TaskEnd(ended_at=self.clock(), disconnect_reason=reason)

    def snapshot(self) -> EmulatorSnapshot:
        """A consistent copy of everything, for tests, stats and other threads."""
        with self._lock:
            return EmulatorSnapshot(
                config=self._config,
                tasks=tuple(self._tasks.values()),
                active_contact_ids=frozenset(self._active),
                counts=dict(self.counts),
                chain_counts=dict(self._chains),
                ended=dict(self._ended),
                stop_calls=dict(self._stop_calls),
                stop_counts=dict(self._op_counts[STOP_CONTACT]),
                lookup_counts={op: dict(self._op_counts[op]) for op in LOOKUPS},
            )
