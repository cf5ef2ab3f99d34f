"""The token bucket, with a clock moved by hand."""

from __future__ import annotations

from bulkload.emulator import TokenBucket
from tests.unit.emulator.fakes import FakeClock


def test_bucket_allows_the_burst_then_the_rate() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=2, burst=3, clock=clock)

    assert [bucket.try_acquire() for _ in range(4)] == [True, True, True, False]
    clock.now += 0.25  # half a token
    assert not bucket.try_acquire()
    clock.now += 0.25
    assert bucket.try_acquire()
    clock.now += 100  # never more than the burst
    assert bucket.available() == 3


def test_bucket_reconfigure_keeps_tokens_up_to_the_new_burst() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1, burst=10, clock=clock)

    bucket.reconfigure(rate=5, burst=2)

    assert (bucket.rate, bucket.burst, bucket.available()) == (5, 2, 2)


def test_bucket_survives_a_clock_going_backwards() -> None:
    clock = FakeClock()
    bucket = TokenBucket(rate=1, burst=1, clock=clock)
    bucket.try_acquire()

    clock.now -= 50

    assert bucket.available() == 0
