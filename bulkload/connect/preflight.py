"""Preflight: before a job sends its first row, check its credentials and every id its rows use.

A mistake that affects every row (an unknown flow, a wrong instance or region, an INACTIVE template)
would otherwise be found by sending every row and having each refused, spending the account's shared
StartTaskContact quota on rejections. Preflight makes one Describe/Get call per distinct id instead:

    credentials   the first instance's DescribeInstance: refused or missing credentials stop the job
    instances     DescribeInstance
    routing ids   DescribeContactFlow, GetTaskTemplate (ACTIVE, and a flow), DescribeQuickConnect

These calls have their own quotas: a few in flight, throttles retried with backoff, and never through
the pool's StartTaskContact limiter. A caller without permission for one operation is warned once and
that check is skipped: a missing read permission never fails a job.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from botocore import xform_name
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, stop_after_delay
from tenacity.wait import wait_random_exponential

from bulkload.connect.classify import (
    RESOURCE_NOT_FOUND,
    ClassifiedError,
    ErrorKind,
    classify_error,
    credentials_error,
    unreachable_error,
)
from bulkload.connect.findings import ACTIVE, Finding, PreflightReport
from bulkload.connect.targets import TASK_TEMPLATE, Target, instance_target
from bulkload.connect.used_ids import UsedIds

__all__ = ["Preflight", "PreflightReport", "UsedIds", "preflight"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


class _Again(Exception):
    """A Describe attempt failed in a way another attempt may not (throttled, 5xx, no answer)."""

    def __init__(self, error: ClassifiedError) -> None:
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


class Preflight:
    """Checks ids with one Describe/Get call each; `check` may be called again for ids met later.

    `concurrency` calls are in flight at most; a throttled, failed or unanswered call is tried up to
    `attempts` times, with exponential backoff and full jitter from `backoff` up to `backoff_max` seconds,
    and not again once `give_up_after` seconds have passed since its first attempt (None: no such limit),
    so an endpoint that never answers is named in that time, however long each attempt waits.
    """

    def __init__(
        self,
        client: Any,
        *,
        concurrency: int = 4,
        attempts: int = 4,
        backoff: float = 0.5,
        backoff_max: float = 4.0,
        call_timeout: float = 35.0,
        give_up_after: float | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.report = PreflightReport()
        self.concurrency = max(1, concurrency)
        self.attempts = max(1, attempts)
        self.backoff = backoff
        self.backoff_max = backoff_max
        self.call_timeout = call_timeout
        self.give_up_after = give_up_after
        self._sleep = sleep
        self._credentials_checked = False
        self._denied: set[str] = set()  # operations the caller may not call: not called again
        # (operation, code, message) -> the ids that answer could not check, for one warning each
        self._unchecked: defaultdict[tuple[str, str, str], list[Target]] = defaultdict(list)

    async def check(self, ids: UsedIds) -> PreflightReport:
        """Check every id of `ids` not checked yet; raises ServiceAccessError for unusable credentials.

        An unreachable endpoint at the first call is a ServiceAccessError too (EndpointUnreachableError).
        """
        pending = [target for target in ids.targets if target not in self.report.findings]
        instances = [target for target in pending if target.is_instance]
        if instances and not self._credentials_checked:
            await self._check_one(instances.pop(0), first=True)
            self._credentials_checked = True
        await self._check_all(instances)
        await self._check_all([t for t in pending if not t.is_instance and self._instance_may_exist(t)])
        if ids.truncated and not self.report.truncated:
            self.report.truncated = True
            self._warn(
                f"the file uses more than {ids.limit} distinct instance and routing ids; only the first "
                f"{ids.limit} were checked, and {ids.unchecked_rows} rows using others are sent unchecked"
            )
        self._warn_unchecked()
        return self.report

    def _instance_may_exist(self, target: Target) -> bool:
        finding = self.report.findings.get(instance_target(target.instance))
        return finding is None or not finding.unknown

    async def _check_all(self, targets: list[Target]) -> None:
        queue = deque(targets)

        async def work() -> None:
            while queue:
                await self._check_one(queue.popleft())

        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(min(self.concurrency, len(queue))):
                    group.create_task(work())
        except BaseExceptionGroup as failed:
            raise failed.exceptions[0] from None  # the first job error; the other calls were cancelled

    async def _check_one(self, target: Target, *, first: bool = False) -> None:
        if target.operation in self._denied:
            self.report.add(Finding(target, checked=False))
            return
        answer = await self._call(target)
        if not isinstance(answer, ClassifiedError):
            self.report.add(self._finding(target, answer))
            return
        error = answer
        if error.code == RESOURCE_NOT_FOUND:
            self.report.add(self._not_found(target, error))
            return
        self.report.add(Finding(target, checked=False))
        if error.denied:
            if target.operation not in self._denied:
                self._denied.add(target.operation)
                self._warn(
                    f"cannot check {target.noun}s: the caller lacks permission connect:{target.operation} "
                    f"({error.code}); rows are sent without that check"
                )
        elif error.kind is ErrorKind.FATAL:
            raise credentials_error(error)
        elif first and error.unanswered:
            raise unreachable_error(getattr(self.client.meta, "endpoint_url", None), error)
        else:
            self._unchecked[(target.operation, error.code, error.message)].append(target)

    def _finding(self, target: Target, answer: dict[str, Any]) -> Finding:
        if target.member != TASK_TEMPLATE:
            return Finding(target)
        return Finding(
            target,
            status=str(answer.get("Status") or ACTIVE),
            flowless=not answer.get("ContactFlowId"),
        )

    def _not_found(self, target: Target, error: ClassifiedError) -> Finding:
        if target.is_instance:
            return Finding(target, unknown=True, region=getattr(self.client.meta, "region_name", None))
        instance = self.report.findings.get(instance_target(target.instance))
        # Unless its instance was found, "not found" may be the instance's: keep the service's words.
        verified = instance is not None and instance.checked
        return Finding(target, unknown=True, answer="" if verified else error.message)

    async def _call(self, target: Target) -> dict[str, Any] | ClassifiedError:
        """The service's answer for `target`, or the classified failure of the last attempt."""
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts)
            | stop_after_delay(self.give_up_after if self.give_up_after else float("inf")),
            wait=wait_random_exponential(multiplier=self.backoff, max=self.backoff_max),
            retry=retry_if_exception_type(_Again),
            sleep=self._sleep,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._attempt(target)
        except _Again as again:
            return again.error
        raise AssertionError("unreachable: tenacity either returns or re-raises")  # pragma: no cover

    async def _attempt(self, target: Target) -> dict[str, Any] | ClassifiedError:
        kwargs = {"InstanceId": target.instance}
        if not target.is_instance:
            kwargs[target.member] = target.value
        describe = getattr(self.client, xform_name(target.operation))
        self.report.calls += 1
        try:
            async with asyncio.timeout(self.call_timeout):
                return dict(await describe(**kwargs))
        except Exception as exc:  # every failure is classified in one place
            error = classify_error(exc)
            if error.kind in (ErrorKind.THROTTLED, ErrorKind.RETRYABLE):
                raise _Again(error) from exc
            return error

    def _warn(self, message: str) -> None:
        log.warning("preflight: %s", message)
        self.report.warnings.append(message)

    def _warn_unchecked(self) -> None:
        for (operation, code, message), targets in self._unchecked.items():
            if len(targets) == 1:
                what, them = str(targets[0]), "it"
            else:
                what, them = f"{len(targets)} {targets[0].noun}s", "them"
            self._warn(
                f"could not check {what} ({operation} answered {code}: {message}); rows using {them} "
                "are sent unchecked"
            )
        self._unchecked.clear()


async def preflight(client: Any, ids: UsedIds, **options: Any) -> PreflightReport:
    """Check the credentials, then every id in `ids`, once each; `options` are `Preflight`'s."""
    return await Preflight(client, **options).check(ids)
