"""What a request is addressed to: its instance and its routing id, the resources a job can get wrong.

Preflight checks each distinct target once before a job sends rows, and the pool's breaker watches the
service's answers per target; both name a target the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from bulkload.connect.model import ROUTING_MEMBERS

INSTANCE = "InstanceId"
CONTACT_FLOW = "ContactFlowId"
TASK_TEMPLATE = "TaskTemplateId"
QUICK_CONNECT = "QuickConnectId"

# member -> (what the user calls it, the read-only operation that describes it)
_KINDS: dict[str, tuple[str, str]] = {
    INSTANCE: ("instance", "DescribeInstance"),
    CONTACT_FLOW: ("contact flow", "DescribeContactFlow"),
    TASK_TEMPLATE: ("task template", "GetTaskTemplate"),
    QUICK_CONNECT: ("quick connect", "DescribeQuickConnect"),
}


class Target(NamedTuple):
    """One resource a request names: `member` is InstanceId or a routing member, `value` its id.

    An instance target's `instance` is its own id; a routing target's is the instance it lives in.
    """

    member: str
    value: str
    instance: str

    @property
    def noun(self) -> str:
        """What the resource is, in words: `contact flow`."""
        return _KINDS[self.member][0]

    @property
    def operation(self) -> str:
        """The Connect operation that describes it: `DescribeContactFlow`."""
        return _KINDS[self.member][1]

    @property
    def is_instance(self) -> bool:
        """Whether this is the instance itself rather than something routed to in it."""
        return self.member == INSTANCE

    def __str__(self) -> str:
        if self.is_instance:
            return f"instance {self.value!r}"
        return f"{self.noun} {self.value!r} in instance {self.instance!r}"


def instance_target(instance_id: str) -> Target:
    """The target of the instance `instance_id` itself."""
    return Target(INSTANCE, instance_id, instance_id)


def targets_of(params: Mapping[str, Any]) -> tuple[Target, ...]:
    """The instance a request's parameters name, then each routing id in it (one, for a valid request)."""
    instance = params.get(INSTANCE)
    if not isinstance(instance, str) or not instance:
        return ()
    found = [instance_target(instance)]
    for member in ROUTING_MEMBERS:
        value = params.get(member)
        if isinstance(value, str) and value:
            found.append(Target(member, value, instance))
    return tuple(found)
