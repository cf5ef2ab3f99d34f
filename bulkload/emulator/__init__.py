"""A local stand-in for Amazon Connect's StartTaskContact that speaks the real rest-json wire format.

Point any botocore-based client at `endpoint_url`; the emulator validates like the service, throttles
with a token bucket per operation, remembers ClientTokens, counts chains and active tasks, injects
latency, 500s and dropped connections, and reports what it created (`snapshot()`, GET /_emulator/tasks
and /stats). It also answers StopContact, and the Describe/Get operations that check an instance, flow,
task template or quick connect exists, for the ids its config knows.
"""

from __future__ import annotations

from bulkload.emulator.app import create_app
from bulkload.emulator.config import EmulatorConfig
from bulkload.emulator.defaults import (
    DEFAULT_FLOW_ID,
    DEFAULT_INSTANCE_ID,
    DEFAULT_QUICK_CONNECT_ID,
    DEFAULT_TEMPLATE_ID,
    DEFAULT_TEMPLATE_INACTIVE_ID,
    DEFAULT_TEMPLATE_NO_FLOW_ID,
)
from bulkload.emulator.server import Emulator, ThreadedEmulator, serve_forever
from bulkload.emulator.snapshot import ENDED_BY_AGENT, ENDED_BY_API, CreatedTask, EmulatorSnapshot, TaskEnd
from bulkload.emulator.state import EmulatorState, Fault, StopResult
from bulkload.emulator.throttle import TokenBucket
from bulkload.emulator.wire import ServiceError

__all__ = [
    "DEFAULT_FLOW_ID",
    "DEFAULT_INSTANCE_ID",
    "DEFAULT_QUICK_CONNECT_ID",
    "DEFAULT_TEMPLATE_ID",
    "DEFAULT_TEMPLATE_INACTIVE_ID",
    "DEFAULT_TEMPLATE_NO_FLOW_ID",
    "ENDED_BY_AGENT",
    "ENDED_BY_API",
    "CreatedTask",
    "Emulator",
    "EmulatorConfig",
    "EmulatorSnapshot",
    "EmulatorState",
    "Fault",
    "ServiceError",
    "StopResult",
    "TaskEnd",
    "ThreadedEmulator",
    "TokenBucket",
    "create_app",
    "serve_forever",
]
