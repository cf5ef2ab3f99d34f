"""Helpers for tests of `bulkload.load`: a frame of every dtype a warehouse query returns, the options
that reach an emulator, and what the emulator created."""

from __future__ import annotations

from typing import Any, Unpack

import numpy as np
import pandas as pd

from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    EmulatorConfig,
    EmulatorSnapshot,
)
from bulkload.options import LoadOptions

FAST = EmulatorConfig(rate=100_000, burst=100_000, active_task_quota=100_000, seed=1)
"""An emulator no test waits on, whose active-task quota no test reaches."""


def mixed_frame(rows: int) -> pd.DataFrame:
    """`rows` tasks whose attributes have every common dtype, with missing values, keyed by a named index."""
    n = np.arange(rows)
    return pd.DataFrame(
        {
            "Name": pd.array([f"Task {i}" for i in n], dtype="string"),
            "Description": [f"Call customer {i:05d}" for i in n],
            "Attributes.count": n.astype("int64"),
            "Attributes.score": pd.array([None if i % 7 == 0 else i * 3 for i in n], dtype="Int64"),
            "Attributes.ratio": np.where(n % 5 == 0, np.nan, n / 4),
            "Attributes.tier": pd.Categorical(np.array(["gold", "silver", "bronze"])[n % 3]),
            "Attributes.vip": n % 2 == 0,
            "Attributes.active": pd.array([None if i % 11 == 0 else i % 3 == 0 for i in n], dtype="boolean"),
            "Attributes.seen": pd.date_range("2024-03-01 08:00", periods=rows, freq="min"),
            "Attributes.due": pd.date_range("2024-03-01 08:00", periods=rows, freq="min", tz="Europe/Paris"),
        },
        index=pd.Index([f"T-{i:05d}" for i in n], name="ticket"),
    )


def local(**changes: Unpack[LoadOptions]) -> LoadOptions:
    """`load` options for an emulator started for the call, at a rate no test waits on."""
    base: LoadOptions = {"emulator": True, "rate": 1000.0, "burst": 100}
    base.update(changes)
    return base


def options(url: str, /, **changes: Unpack[LoadOptions]) -> LoadOptions:
    """`load` options that reach the emulator at `url`: its instance and flow, a fast rate."""
    base: LoadOptions = {
        "endpoint_url": url,
        "region": "us-east-1",
        "instance_id": DEFAULT_INSTANCE_ID,
        "flow_id": DEFAULT_FLOW_ID,
        "rate": 5000,
        "burst": 500,
    }
    base.update(changes)
    return base


def tasks_by_token(snapshot: EmulatorSnapshot) -> dict[str | None, dict[str, Any]]:
    """Each created task's request, by its ClientToken."""
    return {task.client_token: task.params for task in snapshot.tasks}


def created_once(snapshot: EmulatorSnapshot, rows: int) -> bool:
    """Whether the emulator created exactly one task per row: `rows` tasks, each token once."""
    tokens = [task.client_token for task in snapshot.tasks]
    return len(tokens) == len(set(tokens)) == rows == snapshot.counts.get("created", 0)
