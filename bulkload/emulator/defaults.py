"""The resource IDs the emulator knows out of the box; the samples and tests use them."""

from __future__ import annotations

DEFAULT_INSTANCE_ID = "a1b2c3d4-0000-4000-8000-000000000001"
DEFAULT_FLOW_ID = "f1f1f1f1-0000-4000-8000-000000000002"
# A task template that has a flow: it routes a task on its own.
DEFAULT_TEMPLATE_ID = "7e7e7e7e-0000-4000-8000-000000000003"
DEFAULT_QUICK_CONNECT_ID = "9c9c9c9c-0000-4000-8000-000000000004"
# A task template without a flow: using it as the only routing member is InvalidRequestException.
DEFAULT_TEMPLATE_NO_FLOW_ID = "7e7e7e7e-0000-4000-8000-000000000005"
# A task template whose status is INACTIVE: it describes as such and cannot create a task.
DEFAULT_TEMPLATE_INACTIVE_ID = "7e7e7e7e-0000-4000-8000-000000000006"
