"""A request's targets: its instance, then its routing id, each named the way messages name it."""

from __future__ import annotations

from bulkload.connect.targets import Target, instance_target, targets_of


def test_a_request_targets_its_instance_then_its_routing_id() -> None:
    params = {"InstanceId": "i-1", "Name": "n", "TaskTemplateId": "t-1"}

    assert targets_of(params) == (
        Target("InstanceId", "i-1", "i-1"),
        Target("TaskTemplateId", "t-1", "i-1"),
    )


def test_without_an_instance_there_is_nothing_to_check() -> None:
    assert targets_of({"ContactFlowId": "f-1"}) == ()
    assert targets_of({"InstanceId": "", "ContactFlowId": "f-1"}) == ()


def test_targets_say_what_they_are_and_what_describes_them() -> None:
    flow = Target("ContactFlowId", "f-1", "i-1")
    quick = Target("QuickConnectId", "q-1", "i-1")

    assert str(flow) == "contact flow 'f-1' in instance 'i-1'"
    assert (flow.noun, flow.operation, flow.is_instance) == ("contact flow", "DescribeContactFlow", False)
    assert quick.operation == "DescribeQuickConnect"
    assert str(instance_target("i-1")) == "instance 'i-1'"
    assert instance_target("i-1").operation == "DescribeInstance"
