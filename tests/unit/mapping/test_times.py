"""Time cells: ScheduledTime as epoch seconds, DATE references, and the --timezone option."""

from __future__ import annotations

import pytest

from bulkload.mapping import parse_date_reference, parse_scheduled_time
from tests.unit.mapping.helpers import T, config_error, map_one, options


def test_date_reference_epoch_digits_pass_through_as_typed() -> None:
    result = map_one({"Name": "n", "References.DATE.due": "1795510800000"})
    assert result.params["References"] == {"due": {"Value": "1795510800000", "Type": "DATE"}}


def test_date_reference_iso_becomes_epoch_milliseconds() -> None:
    result = map_one({"Name": "n", "References.DATE.due": "2026-11-24T09:00:00+01:00"})
    assert result.params["References"] == {"due": {"Value": "1795507200000", "Type": "DATE"}}


def test_date_reference_naive_iso_is_in_the_timezone_option() -> None:
    result = map_one(
        {"Name": "n", "References.DATE.due": "2026-11-24 09:00"}, opts=options(timezone="Europe/Berlin")
    )
    assert result.params["References"]["due"]["Value"] == "1795507200000"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-24T09:00:00+01:00", T),
        ("2026-11-24T08:00:00Z", T),
        ("2026-11-24T08:00:00.999Z", T),
        ("2026-11-24T08:00:00", T),
        ("2026-11-24 08:00:00", T),
        ("2026-11-24 08:00", T),
        (str(T), T),
        (f"{T}.75", T),
        (f" {T} ", T),
    ],
)
def test_scheduled_time_formats(text: str, expected: int) -> None:
    result = map_one({"Name": "n", "ScheduledTime": text})
    assert result.params["ScheduledTime"] == expected
    assert type(result.params["ScheduledTime"]) is int


def test_naive_scheduled_time_is_in_the_timezone_option() -> None:
    result = map_one(
        {"Name": "n", "scheduled_time": "2026-11-24T09:00:00"}, opts=options(timezone="Europe/Berlin")
    )
    assert result.params["ScheduledTime"] == T


def test_an_aware_scheduled_time_ignores_the_timezone_option() -> None:
    result = map_one(
        {"Name": "n", "ScheduledTime": "2026-11-24T08:00:00Z"}, opts=options(timezone="Asia/Tokyo")
    )
    assert result.params["ScheduledTime"] == T


def test_parse_scheduled_time_rounds_down_before_the_epoch_too() -> None:
    assert parse_scheduled_time("1969-12-31T23:59:59.5Z") == -1
    assert parse_scheduled_time("1e9") is None
    assert parse_date_reference("1970-01-01T00:00:01.5Z") == "1500"
    assert parse_date_reference(" 0017 ") == "0017"
    assert parse_date_reference("١٢") is None


def test_an_invalid_timezone_is_a_config_error() -> None:
    assert config_error(["Name"], options(timezone="Mars/Olympus")) == (
        "--timezone 'Mars/Olympus' is not a time zone name: use an IANA name like Europe/Berlin, or UTC"
    )
