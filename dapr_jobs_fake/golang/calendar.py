"""Time as the fake holds it: int nanoseconds since the Unix epoch, UTC, and Go's calendar arithmetic.

Go (and so Dapr) keeps nanoseconds, Python's `datetime` only microseconds; integers keep `@every 1ns` and
`"0.000000001s"` exact and make the trigger queue cheap to order. This module is the one place for the
units, the civil-date algorithms (shared by RFC 3339, ISO 8601 and cron), Go's `Time.AddDate`, and the
bridges to `datetime`, whose range (years 1-9999) bounds what the fake can report.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

NS_PER_SECOND = 1_000_000_000
NS_PER_MINUTE = 60 * NS_PER_SECOND
NS_PER_HOUR = 60 * NS_PER_MINUTE
SECONDS_PER_DAY = 86_400
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: 9999-12-31T23:59:59.999999Z, the last instant a `datetime` holds: the clock cannot move past it, and
#: journal timestamps and `next_trigger_at` values beyond it do not exist.
MAX_DATETIME_NS = 253_402_300_799_999_999_000


def days_from_civil(year: int, month: int, day: int) -> int:
    """Days from 1970-01-01 to a proleptic-Gregorian date (any year; `day` may lie outside the month).

    Howard Hinnant's `days_from_civil`; it is what Go's `Date` computes once month is normalised.
    """
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468 + (day - 1)


def civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of the date `days` after 1970-01-01 (inverse of `days_from_civil`)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


def add_date(base_ns: int, years: int, months: int, days: int) -> int:
    """Go's `Time.AddDate(years, months, days)` for a UTC time (contract §8, ISO 8601 step).

    Mirrors `time.go:AddDate` → `Date(y+years, m+months, d+days, h, mi, s, ns, UTC)`: the month is
    normalised first (carrying into the year), then the day overflows into the following months. So
    Jan 31 + 1 month is "Feb 31" = Mar 3 (Mar 2 in a leap year), and Feb 29 + 1 year = Mar 1.
    """
    secs, nsec = divmod(base_ns, NS_PER_SECOND)
    day_number, sec_of_day = divmod(secs, SECONDS_PER_DAY)
    year, month, day = civil_from_days(day_number)
    carry, month0 = divmod(month - 1 + months, 12)
    new_days = days_from_civil(year + years + carry, month0 + 1, 1) + day - 1 + days
    return (new_days * SECONDS_PER_DAY + sec_of_day) * NS_PER_SECOND + nsec


def ns_to_datetime(ns: int) -> datetime:
    """An aware UTC `datetime` for epoch nanoseconds, truncated (floored) to microseconds."""
    try:
        return _EPOCH + timedelta(microseconds=ns // 1_000)
    except OverflowError:
        raise ValueError(f"{ns} ns since the epoch is outside datetime's range (years 1-9999)") from None


def datetime_to_ns(dt: datetime) -> int:
    """Epoch nanoseconds of an aware `datetime`; naive ones are refused, as their zone is unknown."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt.isoformat()} has no time zone; use e.g. tzinfo=timezone.utc")
    delta = dt - _EPOCH
    return (delta.days * SECONDS_PER_DAY + delta.seconds) * NS_PER_SECOND + delta.microseconds * 1_000


def timedelta_to_ns(delta: timedelta) -> int:
    """A `timedelta` as whole nanoseconds (exact: it holds microseconds)."""
    return (delta.days * SECONDS_PER_DAY + delta.seconds) * NS_PER_SECOND + delta.microseconds * 1_000


def datetime_range_error(ns: int) -> str | None:
    """Why `ns` cannot be shown as a `datetime` (before year 1 or after 9999), or None when it can."""
    if ns > MAX_DATETIME_NS:
        return "past year 9999, which datetime cannot hold"
    if ns < _MIN_DATETIME_NS:
        return "before year 1, which datetime cannot hold"
    return None


_MIN_DATETIME_NS = -62_135_596_800 * NS_PER_SECOND
