"""The pool's rate limiter: an aiolimiter leaky bucket whose drip rate can change while tasks wait on it.

It extends `aiolimiter.AsyncLimiter` by reading and overriding its internals (the waiter heap, the level,
`_leak` and `_wake_next`), which exist in this form from aiolimiter 1.2.1 on: hence `aiolimiter>=1.2.1,<2`
in pyproject.toml.
"""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter

from bulkload.pool.signals import Stopped


class AdaptiveLimiter(AsyncLimiter):
    """An aiolimiter leaky bucket whose drip rate can change while tasks wait on it.

    It holds its level (no drip) until `start_dripping()`: the service's bucket is full until our first
    request reaches it, so drip time counted before that would let a compressed burst through on top of
    the full burst. The pool starts the drip at the first answer, the first proof the service has seen us.
    """

    def __init__(self, rate: float, capacity: float) -> None:
        super().__init__(capacity, capacity / rate)
        self.dripping = False
        self.closed = False
        self._turn = asyncio.Lock()

    def close(self) -> None:
        """The job is stopping: every waiter (and every later caller) gets Stopped at once."""
        self.closed = True
        for _amount, _count, waiter in self._waiters:
            if not waiter.done():
                waiter.set_result(None)

    def has_capacity(self, amount: float = 1) -> bool:
        """Whether `amount` fits now; always true once closed, so that waiters wake and raise Stopped."""
        return self.closed or super().has_capacity(amount)

    def start_dripping(self) -> None:
        """Let the level drip from now on (idempotent)."""
        if not self.dripping:
            self._leak()  # the held time does not count
            self.dripping = True
            self._wake_next()

    def _leak(self) -> None:
        if self.dripping:
            super()._leak()
        else:
            self._last_check = self._loop.time()

    def _wake_next(self, *args: object) -> None:
        if not self.dripping and not self.has_capacity():
            # No timer while held: nothing frees capacity until start_dripping() wakes the next waiter.
            handle, self._waker_handle = self._waker_handle, None
            if handle is not None:
                handle.cancel()
            return
        super()._wake_next(*args)

    async def acquire(self, amount: float = 1) -> None:
        """Acquire capacity in arrival order.

        aiolimiter lets a newcomer take freed capacity ahead of the waiter it just woke, and the woken
        waiter then queues again at the back: under contention one row can wait for seconds while later
        rows pass it, holding back the in-order results. asyncio.Lock hands out turns first come, first
        served, so only the head of the line waits on the bucket.
        """
        async with self._turn:
            if not self.closed:
                await super().acquire(amount)
            if self.closed:
                raise Stopped

    @property
    def rate(self) -> float:
        """Acquisitions per second once the burst is spent."""
        return self._rate_per_sec

    def set_rate(self, rate: float) -> None:
        """Change the drip rate; capacity already leaked at the old rate is kept."""
        self._leak()
        self._rate_per_sec = rate
        self.time_period = self.max_rate / rate
        self._wake_next()  # the next waiter's wake-up time depends on the rate

    def drain(self) -> None:
        """Spend the burst: after a throttle the service's bucket is empty, so ours should be too."""
        self._leak()
        self._level = max(self._level, self.max_rate - 1)
