"""The resources an emulated instance holds: which ids exist, what state they are in, how they describe.

StartTaskContact's routing checks and the Describe/Get operations read the same config through these
functions, so a template the lookups call INACTIVE is one StartTaskContact refuses, and every message
naming a missing resource is written once.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from bulkload.emulator.config import EmulatorConfig
from bulkload.emulator.wire import INVALID_REQUEST, RESOURCE_NOT_FOUND, ServiceError

ACCOUNT_ID = "123456789012"
# When the emulator's resources "were created": a fixed moment in the past, so answers are repeatable.
CREATED_TIME = 1_700_000_000
_FLOW_CONTENT = json.dumps({"Version": "2019-10-30", "StartAction": "disconnect", "Actions": []})


def require_instance(config: EmulatorConfig, instance_id: str) -> None:
    """ResourceNotFoundException unless the emulator knows the instance."""
    if instance_id not in config.instance_ids:
        raise ServiceError(RESOURCE_NOT_FOUND, f"Instance {instance_id} not found")


def require_flow(config: EmulatorConfig, instance_id: str, flow_id: str) -> None:
    """ResourceNotFoundException unless the instance has this contact flow."""
    if flow_id not in config.flow_ids:
        raise ServiceError(RESOURCE_NOT_FOUND, f"Contact flow {flow_id} not found in instance {instance_id}")


def require_quick_connect(config: EmulatorConfig, instance_id: str, quick_connect_id: str) -> None:
    """ResourceNotFoundException unless the instance has this quick connect."""
    if quick_connect_id not in config.quick_connect_ids:
        raise ServiceError(
            RESOURCE_NOT_FOUND, f"Quick connect {quick_connect_id} not found in instance {instance_id}"
        )


def require_template(config: EmulatorConfig, instance_id: str, template_id: str) -> None:
    """ResourceNotFoundException unless the instance has this task template, whatever its state."""
    if template_id not in config.known_templates:
        raise ServiceError(
            RESOURCE_NOT_FOUND, f"Task template {template_id} not found in instance {instance_id}"
        )


def require_routing_template(config: EmulatorConfig, instance_id: str, template_id: str) -> None:
    """Refuse a template that cannot route a task on its own: unknown, INACTIVE, or without a flow."""
    require_template(config, instance_id, template_id)
    if template_id in config.inactive_templates:
        raise ServiceError(
            INVALID_REQUEST,
            f"Task template {template_id} is INACTIVE; only an ACTIVE template can create a task",
        )
    if template_id in config.templates_without_flow:
        raise ServiceError(
            INVALID_REQUEST,
            f"Task template {template_id} has no contact flow; ContactFlowId or a template with a flow "
            "is required",
        )


def describe_instance(config: EmulatorConfig, region: str, instance_id: str) -> dict[str, Any]:
    """DescribeInstance's output for a known instance."""
    require_instance(config, instance_id)
    alias = f"bulkload-emulator-{instance_id[:8]}"
    return {
        "Instance": {
            "Id": instance_id,
            "Arn": _instance_arn(region, instance_id),
            "IdentityManagementType": "CONNECT_MANAGED",
            "InstanceAlias": alias,
            "CreatedTime": CREATED_TIME,
            "ServiceRole": f"arn:aws:iam::{ACCOUNT_ID}:role/aws-service-role/connect.amazonaws.com/"
            f"AWSServiceRoleForAmazonConnect_{instance_id[:8]}",
            "InstanceStatus": "ACTIVE",
            "InboundCallsEnabled": True,
            "OutboundCallsEnabled": True,
            "InstanceAccessUrl": f"https://{alias}.my.connect.aws",
        }
    }


def describe_contact_flow(
    config: EmulatorConfig, region: str, instance_id: str, flow_id: str
) -> dict[str, Any]:
    """DescribeContactFlow's output for a known, published flow."""
    require_instance(config, instance_id)
    require_flow(config, instance_id, flow_id)
    return {
        "ContactFlow": {
            "Arn": f"{_instance_arn(region, instance_id)}/contact-flow/{flow_id}",
            "Id": flow_id,
            "Name": f"Flow {flow_id[:8]}",
            "Type": "CONTACT_FLOW",
            "State": "ACTIVE",
            "Status": "PUBLISHED",
            "Description": "A flow of the bulkload emulator",
            "Content": _FLOW_CONTENT,
            "Tags": {},
            "LastModifiedTime": CREATED_TIME,
            "LastModifiedRegion": region,
        }
    }


def get_task_template(
    config: EmulatorConfig, region: str, instance_id: str, template_id: str
) -> dict[str, Any]:
    """GetTaskTemplate's output: Status ACTIVE or INACTIVE, and ContactFlowId unless it has no flow.

    A template with a flow names the first known flow (none if the emulator knows no flow).
    """
    require_instance(config, instance_id)
    require_template(config, instance_id, template_id)
    body: dict[str, Any] = {
        "InstanceId": instance_id,
        "Id": template_id,
        "Arn": f"{_instance_arn(region, instance_id)}/task-template/{template_id}",
        "Name": f"Template {template_id[:8]}",
        "Description": "A task template of the bulkload emulator",
        "Constraints": {},
        "Defaults": {},
        "Fields": [],
        "Status": "INACTIVE" if template_id in config.inactive_templates else "ACTIVE",
        "LastModifiedTime": CREATED_TIME,
        "CreatedTime": CREATED_TIME,
        "Tags": {},
    }
    if template_id not in config.templates_without_flow and config.flow_ids:
        body["ContactFlowId"] = config.flow_ids[0]
    return body


def describe_quick_connect(
    config: EmulatorConfig, region: str, instance_id: str, quick_connect_id: str
) -> dict[str, Any]:
    """DescribeQuickConnect's output: a quick connect to a queue, through the first known flow."""
    require_instance(config, instance_id)
    require_quick_connect(config, instance_id, quick_connect_id)
    arn = f"{_instance_arn(region, instance_id)}/transfer-destination/{quick_connect_id}"
    queue_config = {"QueueId": str(uuid.uuid5(uuid.NAMESPACE_URL, arn))}
    if config.flow_ids:
        queue_config["ContactFlowId"] = config.flow_ids[0]
    return {
        "QuickConnect": {
            "QuickConnectARN": arn,
            "QuickConnectId": quick_connect_id,
            "Name": f"Quick connect {quick_connect_id[:8]}",
            "Description": "A quick connect of the bulkload emulator",
            "QuickConnectConfig": {"QuickConnectType": "QUEUE", "QueueConfig": queue_config},
            "Tags": {},
            "LastModifiedTime": CREATED_TIME,
            "LastModifiedRegion": region,
        }
    }


def _instance_arn(region: str, instance_id: str) -> str:
    return f"arn:aws:connect:{region}:{ACCOUNT_ID}:instance/{instance_id}"
