"""LatencyHistogram: percentiles from log-spaced buckets, within one bucket of the truth, in constant memory."""

from __future__ import annotations

import pytest

from bulkload.pool.latency import LatencyHistogram

BUCKET_RATIO = 1.05  # the buckets' spacing


def test_an_empty_histogram_has_no_percentiles() -> None:
    histogram = LatencyHistogram()
    assert histogram.total == 0
    assert histogram.ewma is None
    assert histogram.percentile(50) is None
    assert histogram.percentile(99) is None


@pytest.mark.parametrize(("p", "true_value"), [(1, 0.01), (50, 0.50), (90, 0.90), (99, 0.99), (100, 1.00)])
def test_a_percentile_is_the_upper_bound_of_the_bucket_that_holds_it(p: float, true_value: float) -> None:
    histogram = LatencyHistogram()
    for i in range(1, 101):  # 10 ms .. 1 s, one call each
        histogram.add(i / 100)
    found = histogram.percentile(p)
    assert found is not None
    assert true_value <= found < true_value * BUCKET_RATIO


def test_one_slow_call_in_a_hundred_shows_at_p100_but_not_at_p99() -> None:
    histogram = LatencyHistogram()
    for _ in range(99):
        histogram.add(0.1)
    histogram.add(5.0)
    p99, p100 = histogram.percentile(99), histogram.percentile(100)
    assert p99 is not None
    assert p100 is not None
    assert 0.1 <= p99 < 0.1 * BUCKET_RATIO
    assert 5.0 <= p100 < 5.0 * BUCKET_RATIO


def test_latencies_outside_the_buckets_are_clamped_to_the_ends() -> None:
    histogram = LatencyHistogram()
    histogram.add(0.0)
    assert histogram.percentile(100) == pytest.approx(0.001)
    histogram = LatencyHistogram()
    histogram.add(1e9)
    assert histogram.percentile(100) == pytest.approx(0.001 * BUCKET_RATIO**299)


def test_memory_does_not_grow_with_the_number_of_calls() -> None:
    histogram = LatencyHistogram()
    buckets = len(histogram.counts)
    for i in range(10_000):
        histogram.add((i % 500) / 100)
    assert len(histogram.counts) == buckets
    assert histogram.total == sum(histogram.counts) == 10_000


def test_the_moving_average_starts_at_the_first_call_and_follows_later_ones() -> None:
    histogram = LatencyHistogram()
    histogram.add(1.0)
    assert histogram.ewma == 1.0
    histogram.add(2.0)
    assert histogram.ewma == pytest.approx(1.1)
    for _ in range(100):
        histogram.add(2.0)
    assert histogram.ewma == pytest.approx(2.0, abs=1e-3)
