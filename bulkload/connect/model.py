"""The StartTaskContact operation as botocore's bundled service model describes it.

Lengths, required members and error codes come from here rather than being copied into code, so a newer
botocore that changes a limit changes bulkload with it.
"""

from __future__ import annotations

import functools
from typing import Any

import botocore.session

OPERATION = "StartTaskContact"

# Documented in the API reference but not expressed in the model (see docs/connect-api.md).
ROUTING_MEMBERS = ("ContactFlowId", "QuickConnectId", "TaskTemplateId")
REFERENCE_TYPES_AT_CREATION = ("URL", "NUMBER", "STRING", "DATE", "EMAIL")
ATTRIBUTES_MAX_BYTES = 32_768
REFERENCES_MAX_BYTES = 4_096
SCHEDULE_MAX_AHEAD_SECONDS = 6 * 24 * 3600
PREVIOUS_CONTACT_CHAIN_LIMIT = 12
ACTIVE_TASKS_QUOTA = 2_500
# ServiceQuotaExceededException has two causes that only the message tells apart; these are the words
# bulkload's emulator uses and that classify_error looks for.
CHAIN_FULL_MESSAGE = "The maximum number of linked task contacts (12) for this PreviousContactId was reached"
ACTIVE_TASKS_MESSAGE = "The maximum number of concurrent active tasks for this instance was reached"


@functools.cache
def operation_model() -> Any:
    """botocore's OperationModel for StartTaskContact, loaded once per process (it takes ~100 ms)."""
    return botocore.session.get_session().get_service_model("connect").operation_model(OPERATION)


def input_shape() -> Any:
    """The StartTaskContactRequest structure shape."""
    return operation_model().input_shape


def member_names() -> tuple[str, ...]:
    """Every member of StartTaskContactRequest in model order (the pinned botocore may lack newer ones)."""
    return tuple(input_shape().members)
