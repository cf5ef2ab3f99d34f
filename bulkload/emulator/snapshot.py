"""What an emulator shows of its memory: the tasks it created, how they ended, and what it answered.

Tests and the /_emulator routes read these frozen copies, never the live state, so what they see is
consistent even while requests are being served on another thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bulkload.emulator.config import EmulatorConfig
from bulkload.emulator.operations import LOOKUPS

# The keys `counts` uses: one per StartTaskContact request, so they add up to the number served.
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
# The keys `stop_counts` uses, one per StopContact request; "invalid_request" includes stopping a
# contact that has already ended.
STOP_OUTCOMES = (
    "stopped",
    "throttled",
    "invalid_parameter",
    "invalid_request",
    "not_found",
    "internal_error",
    "reset_before",
    "dropped_after",
    "unauthorized",
)
# The keys `lookup_counts[operation]` uses, one per Describe/Get request.
LOOKUP_OUTCOMES = ("found", "not_found", "throttled", "unauthorized")
# Why a task ended: StopContact, or POST /_emulator/end-tasks standing for an agent completing it.
ENDED_BY_API = "API"
ENDED_BY_AGENT = "AGENT_DISCONNECT"


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
class TaskEnd:
    """When and why a task ended: `disconnect_reason` is ENDED_BY_API after StopContact."""

    ended_at: float
    disconnect_reason: str


@dataclass(frozen=True, slots=True)
class EmulatorSnapshot:
    """A consistent copy of the state at one moment, safe to read from any thread.

    `stop_calls` counts, per contact, the StopContact requests that reached it (a retry after a lost
    answer included); a contact never named is absent.
    """

    config: EmulatorConfig
    tasks: tuple[CreatedTask, ...]
    active_contact_ids: frozenset[str]
    counts: Mapping[str, int] = field(default_factory=dict)
    chain_counts: Mapping[str, int] = field(default_factory=dict)
    ended: Mapping[str, TaskEnd] = field(default_factory=dict)
    stop_calls: Mapping[str, int] = field(default_factory=dict)
    stop_counts: Mapping[str, int] = field(default_factory=dict)
    lookup_counts: Mapping[str, Mapping[str, int]] = field(default_factory=dict)

    @property
    def active_tasks(self) -> int:
        """How many created tasks have not ended."""
        return len(self.active_contact_ids)

    @property
    def stopped_contact_ids(self) -> frozenset[str]:
        """The tasks StopContact ended."""
        return frozenset(cid for cid, end in self.ended.items() if end.disconnect_reason == ENDED_BY_API)

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
            "stop_counts": {key: self.stop_counts.get(key, 0) for key in STOP_OUTCOMES},
            "stop_requests": sum(self.stop_counts.values()),
            "lookups": {
                operation: {key: self.lookup_counts.get(operation, {}).get(key, 0) for key in LOOKUP_OUTCOMES}
                for operation in LOOKUPS
            },
            "config": self.config.to_json(),
        }

    def tasks_json(self) -> list[dict[str, Any]]:
        """JSON-ready data for GET /_emulator/tasks, in creation order."""
        return [self._task_json(task) for task in self.tasks]

    def _task_json(self, task: CreatedTask) -> dict[str, Any]:
        end = self.ended.get(task.contact_id)
        return {
            **task.to_json(active=task.contact_id in self.active_contact_ids),
            "EndedAt": end.ended_at if end is not None else None,
            "DisconnectReason": end.disconnect_reason if end is not None else None,
            "StopCalls": self.stop_calls.get(task.contact_id, 0),
        }
