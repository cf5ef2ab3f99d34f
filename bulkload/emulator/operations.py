"""The Connect operations the emulator answers, with their HTTP routes taken from botocore's model.

Routing from the model's `requestUri` (whose `{Member}` placeholders aiohttp reads the same way) keeps
the emulator on the paths a stock client calls, whatever botocore version is installed.
"""

from __future__ import annotations

from typing import Any

from bulkload.connect import model as service_model

START_TASK_CONTACT = "StartTaskContact"
STOP_CONTACT = "StopContact"
DESCRIBE_INSTANCE = "DescribeInstance"
DESCRIBE_CONTACT_FLOW = "DescribeContactFlow"
GET_TASK_TEMPLATE = "GetTaskTemplate"
DESCRIBE_QUICK_CONNECT = "DescribeQuickConnect"
# Read-only operations a caller uses to check ids before sending; they share one quota setting.
LOOKUPS = (DESCRIBE_INSTANCE, DESCRIBE_CONTACT_FLOW, GET_TASK_TEMPLATE, DESCRIBE_QUICK_CONNECT)
OPERATIONS = (START_TASK_CONTACT, STOP_CONTACT, *LOOKUPS)


def operation_model(name: str) -> Any:
    """botocore's OperationModel for `name`, from the service model bulkload already loaded."""
    return service_model.operation_model().service_model.operation_model(name)


def route(name: str) -> tuple[str, str]:
    """The (HTTP method, path pattern) the service serves `name` at."""
    http = operation_model(name).http
    return http["method"], http["requestUri"]
