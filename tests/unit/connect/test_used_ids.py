"""Collecting the distinct ids rows use: per row cheaply, and bounded."""

from __future__ import annotations

import pytest

from bulkload.connect.targets import Target, instance_target
from bulkload.connect.used_ids import UsedIds


def _row(flow: str, instance: str = "i-1") -> dict[str, str]:
    return {"InstanceId": instance, "Name": "n", "ContactFlowId": flow}


def test_each_distinct_id_is_kept_once_in_the_order_rows_name_it() -> None:
    ids = UsedIds()
    for params in (_row("f-2"), _row("f-1"), _row("f-2"), _row("f-1", instance="i-2")):
        ids.add(params)

    assert ids.targets == (
        instance_target("i-1"),
        Target("ContactFlowId", "f-2", "i-1"),
        Target("ContactFlowId", "f-1", "i-1"),
        instance_target("i-2"),
        Target("ContactFlowId", "f-1", "i-2"),
    )
    assert ids.rows == 4
    assert ids.uses[(instance_target("i-1"), Target("ContactFlowId", "f-2", "i-1"))] == 2
    assert not ids.truncated


def test_past_the_limit_rows_are_counted_but_their_new_ids_are_not_kept() -> None:
    ids = UsedIds(limit=3)
    for flow in ("f-1", "f-2", "f-3", "f-1"):
        ids.add(_row(flow))

    assert ids.targets == (
        instance_target("i-1"),
        Target("ContactFlowId", "f-1", "i-1"),
        Target("ContactFlowId", "f-2", "i-1"),
    )
    assert (ids.rows, ids.unchecked_rows, ids.truncated) == (4, 1, True)


def test_the_limit_is_at_least_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        UsedIds(limit=0)
