"""AdaptiveLimiter holds its level until the service has answered once, and releases its waiters on close."""

from __future__ import annotations

import asyncio

import pytest

from bulkload.pool.limiter import AdaptiveLimiter
from bulkload.pool.signals import Stopped


@pytest.fixture
async def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The running loop's clock, moved by hand: no test here really sleeps."""
    now = [1000.0]
    monkeypatch.setattr(asyncio.get_running_loop(), "time", lambda: now[0])
    return now


async def _spin() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_burst_is_free_but_nothing_drips_before_the_first_answer(clock: list[float]) -> None:
    limiter = AdaptiveLimiter(rate=10, capacity=2)
    await limiter.acquire()
    await limiter.acquire()
    third = asyncio.create_task(limiter.acquire())
    clock[0] += 60  # a minute without an answer: still no capacity
    await _spin()
    assert not third.done()
    third.cancel()


async def test_dripping_starts_at_the_first_answer_not_before(clock: list[float]) -> None:
    limiter = AdaptiveLimiter(rate=10, capacity=2)
    await limiter.acquire()
    await limiter.acquire()
    third = asyncio.create_task(limiter.acquire())
    clock[0] += 60
    await _spin()
    limiter.start_dripping()
    await _spin()
    assert not third.done()  # the held minute gave no capacity


async def test_after_the_first_answer_it_drips_at_the_rate(clock: list[float]) -> None:
    limiter = AdaptiveLimiter(rate=10, capacity=2)
    await limiter.acquire()
    await limiter.acquire()
    third = asyncio.create_task(limiter.acquire())
    await _spin()
    limiter.start_dripping()
    clock[0] += 0.1  # one request's worth at 10/s
    await _spin()
    assert third.done()


async def test_closing_the_limiter_releases_every_waiter_at_once() -> None:
    limiter = AdaptiveLimiter(rate=0.01, capacity=1)  # one token, then one per 100 s
    limiter.start_dripping()
    await limiter.acquire()
    waiters = [asyncio.create_task(limiter.acquire()) for _ in range(4)]
    await _spin()
    assert not any(w.done() for w in waiters)

    limiter.close()
    results = await asyncio.wait_for(asyncio.gather(*waiters, return_exceptions=True), 1)
    assert all(isinstance(r, Stopped) for r in results)
    with pytest.raises(Stopped):
        await limiter.acquire()
