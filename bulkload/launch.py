"""Starting a job: from settings to a running `Job`, against AWS or a built-in emulator started for it.

The CLI and `load` both start jobs here, so `--emulator` and `load(..., emulator=True)` are one thing.
A job on the emulator has `client.emulator` set: its summary says so, and its job file records it (its
retry needs an emulator too). The emulator package is imported only when asked for, so a run against
AWS starts without its server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from bulkload.job import Job, JobSettings
from bulkload.progress import JobSummary

T = TypeVar("T")

EMULATOR_CREDENTIALS = ("bulkload-emulator", "bulkload-emulator")
"""The keys a job signs its calls to the emulator with: it checks that calls are signed, not by whom."""


async def run_job(
    settings: JobSettings, drive: Callable[[Job], Awaitable[JobSummary]], *, emulator: bool = False
) -> JobSummary:
    """`drive` the job of `settings` (run or validate it, with a display...) and return its summary.

    With `emulator`, the job reaches an emulator started for it (see `with_emulator`).
    """

    async def body(final: JobSettings) -> JobSummary:
        return await drive(Job(final))

    return await with_emulator(settings, body, use=emulator)


async def with_emulator(
    settings: JobSettings, body: Callable[[JobSettings], Coroutine[Any, Any, T]], *, use: bool
) -> T:
    """`body(settings)`, or with `use` set, `body` of settings that reach an emulator started for it.

    The emulator knows its default resources and the ones the options name; rows that name no instance
    or routing member get the emulator's own, while a row's own values still win.
    """
    if not use:
        return await body(settings)
    from bulkload.emulator import Emulator, EmulatorConfig, defaults  # noqa: PLC0415 - only when asked for

    m = settings.mapping
    config = EmulatorConfig(
        rate=settings.pool.rate,
        burst=settings.pool.burst,
        instance_ids=tuple({defaults.DEFAULT_INSTANCE_ID, *(x for x in [m.instance_id] if x)}),
        flow_ids=tuple({defaults.DEFAULT_FLOW_ID, *(x for x in [m.flow_id] if x)}),
        template_ids=tuple({defaults.DEFAULT_TEMPLATE_ID, *(x for x in [m.template_id] if x)}),
        quick_connect_ids=tuple({defaults.DEFAULT_QUICK_CONNECT_ID, *(x for x in [m.quick_connect_id] if x)}),
    )
    if m.instance_id is None:
        m = dataclasses.replace(m, instance_id=defaults.DEFAULT_INSTANCE_ID)
    if not (m.flow_id or m.template_id or m.quick_connect_id):
        m = dataclasses.replace(m, flow_id=defaults.DEFAULT_FLOW_ID)
    settings = dataclasses.replace(settings, mapping=m)
    async with Emulator(config) as emulator:
        client = dataclasses.replace(
            settings.client,
            endpoint_url=emulator.endpoint_url,
            region=settings.client.region or "us-east-1",
            static_credentials=EMULATOR_CREDENTIALS,
            emulator=True,
        )
        return await body(dataclasses.replace(settings, client=client))
