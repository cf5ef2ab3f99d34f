"""What the emulated instance holds: the routing checks StartTaskContact applies and the lookup bodies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from bulkload.emulator import EmulatorConfig, ServiceError, resources
from bulkload.emulator.operations import operation_model

CONFIG = EmulatorConfig(
    instance_ids=("i",),
    flow_ids=("f", "g"),
    template_ids=("t",),
    templates_without_flow=("bare", "both"),
    inactive_templates=("off", "both"),
    quick_connect_ids=("q",),
)


def refusal(check: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(ServiceError) as info:
        check()
    return info.value.code, info.value.message


@pytest.mark.parametrize(
    ("template_id", "code", "message"),
    [
        ("nope", "ResourceNotFoundException", "Task template nope not found in instance i"),
        ("off", "InvalidRequestException", "Task template off is INACTIVE"),
        ("both", "InvalidRequestException", "Task template both is INACTIVE"),
        ("bare", "InvalidRequestException", "Task template bare has no contact flow"),
    ],
)
def test_a_template_routes_a_task_only_if_known_active_and_with_a_flow(
    template_id: str, code: str, message: str
) -> None:
    resources.require_routing_template(CONFIG, "i", "t")

    refused = refusal(lambda: resources.require_routing_template(CONFIG, "i", template_id))

    assert refused[0] == code
    assert refused[1].startswith(message)


@pytest.mark.parametrize(
    "describe",
    [
        lambda instance: resources.describe_instance(CONFIG, "us-east-1", instance),
        lambda instance: resources.describe_contact_flow(CONFIG, "us-east-1", instance, "f"),
        lambda instance: resources.get_task_template(CONFIG, "us-east-1", instance, "t"),
        lambda instance: resources.describe_quick_connect(CONFIG, "us-east-1", instance, "q"),
    ],
    ids=["instance", "flow", "template", "quick-connect"],
)
def test_every_describe_refuses_an_unknown_instance_first(describe: Callable[[str], object]) -> None:
    describe("i")

    assert refusal(lambda: describe("x")) == ("ResourceNotFoundException", "Instance x not found")


@pytest.mark.parametrize(
    ("template_id", "status", "flow"),
    [("t", "ACTIVE", "f"), ("bare", "ACTIVE", None), ("off", "INACTIVE", "f"), ("both", "INACTIVE", None)],
)
def test_a_template_describes_its_status_and_flow(template_id: str, status: str, flow: str | None) -> None:
    body = resources.get_task_template(CONFIG, "eu-west-1", "i", template_id)

    assert (body["Id"], body["Status"], body.get("ContactFlowId")) == (template_id, status, flow)
    assert (
        body["Arn"]
        == f"arn:aws:connect:eu-west-1:{resources.ACCOUNT_ID}:instance/i/task-template/{template_id}"
    )


def test_without_known_flows_a_template_and_a_quick_connect_name_none() -> None:
    config = CONFIG.replace(flow_ids=())

    assert "ContactFlowId" not in resources.get_task_template(config, "us-east-1", "i", "t")
    queue = resources.describe_quick_connect(config, "us-east-1", "i", "q")["QuickConnect"][
        "QuickConnectConfig"
    ]
    assert set(queue["QueueConfig"]) == {"QueueId"}


def test_bodies_fit_the_service_model_outputs() -> None:
    for operation, body in [
        ("DescribeInstance", resources.describe_instance(CONFIG, "us-east-1", "i")),
        ("DescribeContactFlow", resources.describe_contact_flow(CONFIG, "us-east-1", "i", "f")),
        ("GetTaskTemplate", resources.get_task_template(CONFIG, "us-east-1", "i", "t")),
        ("DescribeQuickConnect", resources.describe_quick_connect(CONFIG, "us-east-1", "i", "q")),
    ]:
        assert_fits(body, operation_model(operation).output_shape, operation)


def assert_fits(value: object, shape: Any, path: str) -> None:
    """Every member is one the model names, of the model's type, with an enum's value where it has one."""
    kind = shape.type_name
    python_types: dict[str, tuple[type, ...]] = {
        "structure": (dict,),
        "map": (dict,),
        "list": (list,),
        "string": (str,),
        "boolean": (bool,),
        "timestamp": (int, float),
        "long": (int,),
        "integer": (int,),
    }
    assert isinstance(value, python_types[kind]), path
    if kind == "structure":
        assert isinstance(value, dict)
        for name, item in value.items():
            assert name in shape.members, f"{path}.{name}"
            assert_fits(item, shape.members[name], f"{path}.{name}")
    elif kind == "string" and "enum" in shape.metadata:
        assert value in shape.metadata["enum"], path
