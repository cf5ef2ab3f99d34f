"""What an emulator remembers: created tasks, ClientTokens, chains, active tasks, counts and its quota.

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
from dataclasses import dataclass, field
from typing import Any

from bulkload.emulator.config import RUNTIME_FIELDS, EmulatorConfig
from bulkload.emulator.throttle import Clock, TokenBucket

# The keys `counts` uses: one per request, so they add up to the number of requests served.
OUTCOMES = (
    "created",
    "idempotent_replay",
    "throttled",
    "invalid_parameter",
    "invalid_request",
    "not_found",
    "quota_exceeded",
    "internal_error",
    "reset_before",
    "dropped_after",
    "unauthorized",
)


class Fault(enum.Enum):
    """A fault injected into one request."""

    RESET_BEFORE = "reset_before"  # drop the connection; nothing is created
    FAIL = "fail"  # 500 InternalServiceException; nothing is created
    DROP_AFTER = "drop_after"  # create (or replay) the task, then drop the connection unanswered


@dataclass(frozen=True, slots=True)
class CreatedTask:
    """A task the emulator created; `params` is the decoded JSON body as received (never mutated)."""

    contact_id: str
    client_token: str | None
    instance_id: str
    params: dict[str, Any]
    created_at: float

    def to_json(self, *, active: bool) -> dict[str, Any]:
        """JSON-ready data for GET /_emulator/tasks."""
        return {
            "ContactId": self.contact_id,
            "ClientToken": self.client_token,
            "InstanceId": self.instance_id,
            "CreatedAt": self.created_at,
            "Active": active,
            "Params": self.params,
        }


@dataclass(frozen=True, slots=True)
class EmulatorSnapshot:
    """A consistent copy of the state at one moment, safe to read from any thread."""

    config: EmulatorConfig
    tasks: tuple[CreatedTask, ...]
    active_contact_ids: frozenset[str]
    counts: Mapping[str, int] = field(default_factory=dict)
    chain_counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def active_tasks(self) -> int:
        """How many created tasks have not ended."""
        return len(self.active_contact_ids)

    def stats_json(self) -> dict[str, Any]:
        """JSON-ready data for GET /_emulator/stats."""
        return {
            "counts": {key: self.counts.get(key, 0) for key in OUTCOMES},
            "requests": sum(self.counts.values()),
            "tasks": len(self.tasks),
            "active_tasks": self.active_tasks,
            "chains": dict(self.chain_counts),
            "rate": self.config.rate,
            "burst": self.config.burst,
            "config": self.config.to_json(),
        }

    def tasks_json(self) -> list[dict[str, Any]]:
        """JSON-ready data for GET /_emulator/tasks, in creation order."""
        return [task.to_json(active=task.contact_id in self.active_contact_ids) for task in self.tasks]


class EmulatorState:
    """The emulator's memory and its random draws; `clock` gives epoch seconds (default `time.time`).

    One clock serves the token bucket and the ScheduledTime checks, so a test that moves it moves both.
    """

    def __init__(self, config: EmulatorConfig, *, clock: Clock = time.time) -> None:
        self._lock = threading.RLock()
        self._config = config
        self.clock = clock
        self._bucket = TokenBucket(config.rate, config.burst, clock)
        # Separate streams so that changing fault rates does not change the ContactIds a seed gives.
        self._fault_rng = random.Random(config.seed)
        self._id_rng = random.Random(config.seed)
        self._tasks: dict[str, CreatedTask] = {}  # contact_id -> task, in creation order
        self._by_token: dict[str, CreatedTask] = {}
        self._active: dict[str, None] = {}  # an ordered set: the oldest active task ends first
        self._chains: Counter[str] = Counter()
        self.counts: Counter[str] = Counter()

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
            self._bucket.reconfigure(config.rate, config.burst)
            self._config = config
            return config

    def set_rate(self, rate: float, burst: int) -> None:
        """Change the request quota mid-run (benchmarks do)."""
        self.configure(rate=rate, burst=burst)

    def reset(self) -> None:
        """Forget every task, token, chain and count; refill the bucket. Settings are kept."""
        with self._lock:
            self._tasks.clear()
            self._by_token.clear()
            self._active.clear()
            self._chains.clear()
            self.counts.clear()
            self._bucket.refill_fully()

    def record(self, outcome: str) -> None:
        """Count one request's outcome (one of OUTCOMES)."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        with self._lock:
            self.counts[outcome] += 1

    def try_acquire(self) -> bool:
        """Take a token from the throttle; False means answer ThrottlingException."""
        with self._lock:
            return self._bucket.try_acquire()

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
                del self._active[contact_id]
            return len(ending)

    def snapshot(self) -> EmulatorSnapshot:
        """A consistent copy of everything, for tests, stats and other threads."""
        with self._lock:
            return EmulatorSnapshot(
                config=self._config,
                tasks=tuple(self._tasks.values()),
                active_contact_ids=frozenset(self._active),
                counts=dict(self.counts),
                chain_counts=dict(self._chains),
            )
