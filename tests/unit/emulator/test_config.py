"""EmulatorConfig: defaults, coercion and the errors invalid settings raise."""

from __future__ import annotations

from typing import Any

import pytest

from bulkload.connect import model as service_model
from bulkload.emulator import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
    DEFAULT_TEMPLATE_INACTIVE_ID,
    DEFAULT_TEMPLATE_NO_FLOW_ID,
    EmulatorConfig,
)


def test_defaults_match_the_real_service() -> None:
    config = EmulatorConfig()

    assert (config.host, config.port) == ("127.0.0.1", 0)
    assert (config.rate, config.burst) == (2.0, 5)
    assert config.active_task_quota == service_model.ACTIVE_TASKS_QUOTA == 2_500
    assert config.chain_limit == service_model.PREVIOUS_CONTACT_CHAIN_LIMIT == 12
    assert config.instance_ids == (DEFAULT_INSTANCE_ID,)
    assert config.flow_ids == (DEFAULT_FLOW_ID,)
    assert config.template_ids == (DEFAULT_TEMPLATE_ID,)
    assert config.templates_without_flow == (DEFAULT_TEMPLATE_NO_FLOW_ID,)
    assert config.quick_connect_ids == (DEFAULT_QUICK_CONNECT_ID,)
    assert config.inactive_templates == (DEFAULT_TEMPLATE_INACTIVE_ID,)
    assert (config.stop_rate, config.stop_burst) == (2.0, 5)
    assert config.lookup_rate >= 10 * config.rate  # generous: checking ids never waits


def test_id_lists_become_tuples() -> None:
    config = EmulatorConfig(flow_ids=["a", "b"])  # type: ignore[arg-type]

    assert config.flow_ids == ("a", "b")
    assert hash(config)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"rate": 0}, "rate must be a positive number"),
        ({"rate": float("inf")}, "rate must be a positive number"),
        ({"burst": 0}, "burst must be >= 1"),
        ({"burst": 1.5}, "burst must be an integer"),
        ({"stop_rate": -1}, "stop_rate must be a positive number"),
        ({"stop_burst": 0}, "stop_burst must be >= 1"),
        ({"lookup_rate": float("nan")}, "lookup_rate must be a positive number"),
        ({"inactive_templates": "t"}, "inactive_templates must be a sequence of IDs"),
        ({"port": 70_000}, "port must be between 0 and 65535"),
        ({"latency_ms": -1}, "latency_ms must be a number of milliseconds >= 0"),
        ({"jitter_ms": "5"}, "jitter_ms must be a number"),
        ({"fail_rate": 1.5}, "fail_rate must be a probability between 0 and 1"),
        ({"reset_rate": -0.1}, "reset_rate must be a probability"),
        ({"fail_rate": 0.5, "reset_rate": 0.3, "drop_after_rate": 0.3}, "must be at most 1"),
        ({"active_task_quota": 0}, "active_task_quota must be >= 1"),
        ({"chain_limit": True}, "chain_limit must be an integer"),
        ({"instance_ids": "abc"}, "instance_ids must be a sequence of IDs"),
        ({"flow_ids": ("",)}, "flow_ids must hold non-empty strings"),
        ({"seed": "x"}, "seed must be an integer"),
    ],
)
def test_invalid_settings_raise_value_error(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        EmulatorConfig(**settings)


def test_fault_rates_may_add_up_to_one() -> None:
    config = EmulatorConfig(fail_rate=0.5, reset_rate=0.25, drop_after_rate=0.25)

    assert config.fail_rate + config.reset_rate + config.drop_after_rate == 1.0


def test_replace_validates_and_refuses_unknown_settings() -> None:
    config = EmulatorConfig()

    assert config.replace(rate=10).rate == 10
    with pytest.raises(ValueError, match="unknown emulator setting"):
        config.replace(speed=10)
    with pytest.raises(ValueError, match="burst"):
        config.replace(burst=0)


def test_to_json_is_plain_data() -> None:
    data = EmulatorConfig(seed=3).to_json()

    assert data["instance_ids"] == [DEFAULT_INSTANCE_ID]
    assert data["seed"] == 3
    assert data["rate"] == 2.0


def test_known_templates_gather_every_kind_once() -> None:
    config = EmulatorConfig(
        template_ids=("a", "b"), templates_without_flow=("c",), inactive_templates=("c", "d")
    )

    assert config.known_templates == ("a", "b", "c", "d")


def test_each_operation_has_a_quota() -> None:
    config = EmulatorConfig(rate=1, burst=2, stop_rate=3, stop_burst=4, lookup_rate=5, lookup_burst=6)

    assert config.quota("StartTaskContact") == (1, 2)
    assert config.quota("StopContact") == (3, 4)
    assert config.quota("DescribeQuickConnect") == config.quota("GetTaskTemplate") == (5, 6)
    with pytest.raises(ValueError, match="does not serve ListQueues"):
        config.quota("ListQueues")
