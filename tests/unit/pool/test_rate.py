"""RateController: a throttle cuts the rate once per congestion event, successes climb back, within bounds."""

from __future__ import annotations

import pytest

from bulkload.pool.limiter import AdaptiveLimiter
from bulkload.pool.rate import RateController


class FakeClock:
    """A monotonic clock moved by hand: no test here sleeps."""

    def __init__(self, now: float = 100.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _controller(ceiling: float = 10.0, *, adaptive: bool = True) -> tuple[RateController, FakeClock]:
    clock = FakeClock()
    limiter = AdaptiveLimiter(rate=ceiling, capacity=4)
    return RateController(limiter, ceiling, adaptive=adaptive, clock=clock), clock


async def test_a_throttle_cuts_the_rate_by_the_decrease_factor() -> None:
    controller, clock = _controller()
    controller.throttled(sent_at=clock.now - 0.5)
    assert controller.rate == pytest.approx(10.0 * RateController.DECREASE)
    assert controller.cuts == 1


async def test_a_volley_of_throttles_from_one_event_cuts_once() -> None:
    controller, clock = _controller()
    controller.throttled(sent_at=clock.now - 0.5)
    clock.now += 1
    # Sent before the cut: the same congestion event, already answered.
    controller.throttled(sent_at=clock.now - 2)
    controller.throttled(sent_at=clock.now - 1)
    assert controller.rate == pytest.approx(7.0)
    assert controller.cuts == 1
    # Sent after the cut: a new event, a new cut.
    controller.throttled(sent_at=clock.now - 0.5)
    assert controller.rate == pytest.approx(4.9)
    assert controller.cuts == 2


async def test_a_throttle_spends_the_burst() -> None:
    controller, clock = _controller()
    assert controller.limiter.has_capacity(4)
    controller.throttled(sent_at=clock.now)
    assert controller.limiter.has_capacity(1)
    assert not controller.limiter.has_capacity(2)


async def test_successes_climb_back_to_the_ceiling_and_no_further() -> None:
    controller, clock = _controller()
    controller.throttled(sent_at=clock.now - 0.5)
    rates = [controller.rate]
    for _ in range(200):
        controller.succeeded()
        rates.append(controller.rate)
    assert rates[1] > rates[0]
    assert rates == sorted(rates)
    assert rates[-1] == 10.0
    assert max(rates) == 10.0


async def test_the_climb_from_half_the_ceiling_takes_about_ten_seconds_of_successes() -> None:
    controller, _clock = _controller(ceiling=40.0)
    controller.limiter.set_rate(20.0)
    elapsed = 0.0
    while controller.rate < controller.ceiling:
        elapsed += 1 / controller.rate  # one success per request interval at the current rate
        controller.succeeded()
    assert 8 < elapsed < 12


@pytest.mark.parametrize(("ceiling", "floor"), [(10.0, 0.2), (100.0, 2.0), (1.0, 0.05)])
async def test_repeated_throttles_never_cut_below_the_floor(ceiling: float, floor: float) -> None:
    controller, clock = _controller(ceiling)
    for _ in range(100):
        clock.now += 1
        controller.throttled(sent_at=clock.now - 0.5)
    assert controller.rate == pytest.approx(floor)
    assert controller.cuts == 100


async def test_without_adaptation_the_rate_stays_at_the_ceiling() -> None:
    controller, clock = _controller(adaptive=False)
    controller.throttled(sent_at=clock.now - 0.5)
    assert controller.rate == 10.0
    assert controller.cuts == 0
    assert not controller.limiter.has_capacity(2)  # the burst is still spent: the service's bucket is empty
    controller.limiter.set_rate(5.0)
    controller.succeeded()
    assert controller.rate == 5.0
