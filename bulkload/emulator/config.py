"""How an emulator behaves: where it listens, its quotas, the faults it injects and the IDs it knows."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from bulkload.connect import model as service_model
from bulkload.emulator.defaults import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
    DEFAULT_TEMPLATE_NO_FLOW_ID,
)

_FAULT_RATES = ("fail_rate", "reset_rate", "drop_after_rate")
_ID_SETS = (
    "instance_ids",
    "flow_ids",
    "template_ids",
    "templates_without_flow",
    "quick_connect_ids",
    "denied_access_keys",
)
# What `EmulatorState.configure` (and POST /_emulator/config) may change while the emulator runs:
# the listening address and the random seed are fixed at start.
RUNTIME_FIELDS = frozenset(
    {
        "rate",
        "burst",
        "latency_ms",
        "jitter_ms",
        *_FAULT_RATES,
        "active_task_quota",
        "chain_limit",
        *_ID_SETS,
    }
)


@dataclass(frozen=True, kw_only=True)
class EmulatorConfig:
    """Settings of one emulator; invalid values raise ValueError at construction.

    `rate`/`burst` are the StartTaskContact token bucket (the real default is 2/s, burst 5).
    Each request draws at most one fault: `reset_rate` drops the connection before the task is created,
    `fail_rate` answers 500 InternalServiceException without creating it, `drop_after_rate` creates the
    task and then drops the connection without answering. `templates_without_flow` are known task
    templates that cannot route a task on their own.
    """

    host: str = "127.0.0.1"
    port: int = 0
    rate: float = 2.0
    burst: int = 5
    latency_ms: float = 0.0
    jitter_ms: float = 0.0
    fail_rate: float = 0.0
    reset_rate: float = 0.0
    drop_after_rate: float = 0.0
    instance_ids: tuple[str, ...] = (DEFAULT_INSTANCE_ID,)
    flow_ids: tuple[str, ...] = (DEFAULT_FLOW_ID,)
    template_ids: tuple[str, ...] = (DEFAULT_TEMPLATE_ID,)
    templates_without_flow: tuple[str, ...] = (DEFAULT_TEMPLATE_NO_FLOW_ID,)
    quick_connect_ids: tuple[str, ...] = (DEFAULT_QUICK_CONNECT_ID,)
    denied_access_keys: tuple[str, ...] = ()  # callers refused 403 AccessDeniedException
    active_task_quota: int = service_model.ACTIVE_TASKS_QUOTA
    chain_limit: int = service_model.PREVIOUS_CONTACT_CHAIN_LIMIT
    seed: int | None = None

    def __post_init__(self) -> None:
        # Callers (click's `multiple=True`, JSON bodies) hand over lists; keep the dataclass hashable.
        for name in _ID_SETS:
            value = getattr(self, name)
            if isinstance(value, str):
                raise ValueError(f"{name} must be a sequence of IDs, not a single string")
            object.__setattr__(self, name, tuple(value))
            for item in getattr(self, name):
                if not isinstance(item, str) or not item:
                    raise ValueError(f"{name} must hold non-empty strings, got {item!r}")
        _check_int("port", self.port, 0, 65_535)
        if not _is_number(self.rate) or not math.isfinite(self.rate) or self.rate <= 0:
            raise ValueError(f"rate must be a positive number of requests per second, got {self.rate!r}")
        _check_int("burst", self.burst, 1, None)
        for name in ("latency_ms", "jitter_ms"):
            value = getattr(self, name)
            if not _is_number(value) or not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a number of milliseconds >= 0, got {value!r}")
        for name in _FAULT_RATES:
            value = getattr(self, name)
            if not _is_number(value) or not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be a probability between 0 and 1, got {value!r}")
        total = sum(getattr(self, name) for name in _FAULT_RATES)
        if total > 1.0 + 1e-9:
            raise ValueError(
                f"fail_rate + reset_rate + drop_after_rate must be at most 1 (one fault per request), got {total}"
            )
        _check_int("active_task_quota", self.active_task_quota, 1, None)
        _check_int("chain_limit", self.chain_limit, 1, None)
        if self.seed is not None:
            _check_int("seed", self.seed, None, None)

    def replace(self, **changes: Any) -> EmulatorConfig:
        """A copy with `changes` applied, validated like a new config."""
        unknown = sorted(set(changes) - {f.name for f in dataclasses.fields(self)})
        if unknown:
            raise ValueError(f"unknown emulator setting(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The settings as JSON-ready data (tuples become lists)."""
        return {f.name: _jsonable(getattr(self, f.name)) for f in dataclasses.fields(self)}


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_int(name: str, value: object, low: int | None, high: int | None) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f">= {low}" if high is None else f"between {low} and {high}"
        raise ValueError(f"{name} must be {bounds}, got {value}")
