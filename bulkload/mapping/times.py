"""Time cells: the --timezone option, ScheduledTime as epoch seconds, DATE reference values.

DATE references: the API wants an epoch timestamp, unit undocumented. Digits pass through as typed
(trimmed; the user's unit); ISO 8601 is converted to epoch milliseconds, the unit of JavaScript dates,
which is what Connect's agent workspace renders.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bulkload.cells import MILLISECOND, SECOND, UNIX_EPOCH
from bulkload.errors import ConfigError
from bulkload.validation.rules import is_epoch_digits

__all__ = ["parse_date_reference", "parse_scheduled_time", "time_zone"]

# Epoch seconds as a ScheduledTime cell may hold them: digits, perhaps with a fraction (rounded down).
_EPOCH_SECONDS = re.compile(r"\d+(?:\.\d*)?")


def time_zone(name: str) -> tzinfo:
    """The zone of the --timezone option, in which naive times are read; a ConfigError if it is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"--timezone {name!r} is not a time zone name: use an IANA name like Europe/Berlin, or UTC"
        ) from None


def _parse_datetime(text: str, zone: tzinfo) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def parse_scheduled_time(text: str, zone: tzinfo = UTC) -> int | None:
    """Epoch seconds (rounded down) for ISO 8601 text or epoch digits; naive times are in `zone`."""
    text = text.strip()
    if _EPOCH_SECONDS.fullmatch(text):
        return int(text.partition(".")[0])
    moment = _parse_datetime(text, zone)
    if moment is None:
        return None
    return (moment - UNIX_EPOCH) // SECOND


def parse_date_reference(text: str, zone: tzinfo = UTC) -> str | None:
    """The Value of a DATE reference: epoch digits as typed (trimmed), or ISO 8601 as epoch milliseconds."""
    stripped = text.strip()
    if is_epoch_digits(stripped):
        return stripped
    moment = _parse_datetime(stripped, zone)
    if moment is None:
        return None
    return str((moment - UNIX_EPOCH) // MILLISECOND)
