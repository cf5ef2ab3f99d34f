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
    DEFAULT_TEMPLATE_INACTIVE_ID,
    DEFAULT_TEMPLATE_NO_FLOW_ID,
)
from bulkload.emulator.operations import LOOKUPS, START_TASK_CONTACT, STOP_CONTACT

_FAULT_RATES = ("fail_rate", "reset_rate", "drop_after_rate")
# (rate, burst) pairs: one token bucket per operation, as each Connect API has its own quota.
_QUOTAS = (("rate", "burst"), ("stop_rate", "stop_burst"), ("lookup_rate", "lookup_burst"))
_ID_SETS = (
    "instance_ids",
    "flow_ids",
    "template_ids",
    "templates_without_flow",
    "inactive_templates",
    "quick_connect_ids",
    "denied_access_keys",
)
# What `EmulatorState.configure` (and POST /_emulator/config) may change while the emulator runs:
# the listening address and the random seed are fixed at start.
RUNTIME_FIELDS = frozenset(
    {
        *(name for pair in _QUOTAS for name in pair),
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

    `rate`/`burst` are the StartTaskContact token bucket (the real default is 2/s, burst 5),
    `stop_rate`/`stop_burst` StopContact's, and `lookup_rate`/`lookup_burst` those of each Describe/Get
    operation (generous, so that checking a file's ids never waits). Each StartTaskContact or StopContact
    request draws at most one fault: `reset_rate` drops the connection before anything changes,
    `fail_rate` answers 500 InternalServiceException changing nothing, `drop_after_rate` creates (or
    stops) the task and then drops the connection without answering.
    Known task templates are those in `template_ids`, `templates_without_flow` (cannot route a task on
    their own) and `inactive_templates` (status INACTIVE: cannot create a task); an id may be in both of
    the last two.
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
    stop_rate: float = 2.0
    stop_burst: int = 5
    lookup_rate: float = 50.0
    lookup_burst: int = 100
    instance_ids: tuple[str, ...] = (DEFAULT_INSTANCE_ID,)
    flow_ids: tuple[str, ...] = (DEFAULT_FLOW_ID,)
    template_ids: tuple[str, ...] = (DEFAULT_TEMPLATE_ID,)
    templates_without_flow: tuple[str, ...] = (DEFAULT_TEMPLATE_NO_FLOW_ID,)
    inactive_templates: tuple[str, ...] = (DEFAULT_TEMPLATE_INACTIVE_ID,)
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
        for rate_name, burst_name in _QUOTAS:
            rate = getattr(self, rate_name)
            if not _is_number(rate) or not math.isfinite(rate) or rate <= 0:
                raise ValueError(
                    f"{rate_name} must be a positive number of requests per second, got {rate!r}"
                )
            _check_int(burst_name, getattr(self, burst_name), 1, None)
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

    def quota(self, operation: str) -> tuple[float, int]:
        """The (rate, burst) of `operation`'s token bucket."""
        if operation == START_TASK_CONTACT:
            return self.rate, self.burst
        if operation == STOP_CONTACT:
            return self.stop_rate, self.stop_burst
        if operation in LOOKUPS:
            return self.lookup_rate, self.lookup_burst
        raise ValueError(f"the emulator does not serve {operation}")

    @property
    def known_templates(self) -> tuple[str, ...]:
        """Every task template the emulator knows, whatever its flow or status."""
        return tuple(
            dict.fromkeys((*self.template_ids, *self.templates_without_flow, *self.inactive_templates))
        )


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
