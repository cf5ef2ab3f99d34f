"""Blocking work off the event loop: one call at a time, and a way to wait for it before closing.

Reading and preparing rows is synchronous; the job runs it in a thread so the loop keeps sending.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


class ThreadWork:
    """Runs blocking calls in a thread, one at a time, and can wait for the current one to end.

    A task awaiting `asyncio.to_thread` can be cancelled, but its thread runs on: closing the source or
    the results index under it crashes the thread (sqlite can even take the process down). Every blocking
    call goes through `run`, and whoever closes those resources first awaits `settle`.
    """

    def __init__(self) -> None:
        self._current: asyncio.Future[Any] | None = None

    async def run(self, func: Callable[..., T], *args: Any) -> T:
        """`func(*args)` in a thread; cancelling the caller does not stop the thread (see the class)."""
        self._current = asyncio.get_running_loop().run_in_executor(None, functools.partial(func, *args))
        return await asyncio.shield(self._current)

    async def settle(self) -> None:
        """Wait until the call in progress, if any, has ended."""
        if self._current is not None and not self._current.done():
            await asyncio.wait({self._current})
