"""The in-flight gate: how many attempts may be out at once.

The sender sizes it from the rate and the observed latency (Little's law, with headroom), so that it
never holds back the rate, yet a service that slows down is not sent ever more concurrent calls.
"""

from __future__ import annotations

import asyncio
from collections import deque

from bulkload.pool.signals import Stopped


class InFlightGate:
    """A first-come-first-served semaphore whose size can change: rate x latency with headroom, in [4, max].

    Strictly FIFO: a newcomer never takes a freed slot ahead of a row already waiting (asyncio.Condition
    would let it, and a row could then starve for seconds while later rows pass it).
    """

    def __init__(self, maximum: int, initial: int) -> None:
        self.maximum = maximum
        self.limit = min(maximum, max(1, initial))
        self.in_flight = 0
        self.closed = False
        self._waiters: deque[asyncio.Future[None]] = deque()

    def close(self) -> None:
        """The job is stopping: every waiter (and every later caller) gets Stopped at once."""
        self.closed = True
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(Stopped())

    async def __aenter__(self) -> None:
        if self.closed:
            raise Stopped
        if self.in_flight < self.limit and not self._waiters:
            self.in_flight += 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter  # the releaser counts us in before waking us
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self._release()  # granted and cancelled in the same instant: hand the slot on
            elif waiter in self._waiters:  # _grant may already have popped and skipped it
                self._waiters.remove(waiter)
            raise

    async def __aexit__(self, *exc: object) -> None:
        self._release()

    def _release(self) -> None:
        self.in_flight -= 1
        self._grant()

    def _grant(self) -> None:
        while self._waiters and self.in_flight < self.limit:
            waiter = self._waiters.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)

    def resize(self, limit: int) -> None:
        """Change the size; a larger gate admits waiters at once, a smaller one as calls finish."""
        self.limit = min(self.maximum, max(4, limit))
        self._grant()
