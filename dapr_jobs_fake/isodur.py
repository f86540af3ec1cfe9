"""ISO 8601 durations (dapr/kit) and Go's calendar arithmetic (`Time.AddDate`), in UTC.

The third step of the Scheduler's point-in-time parse (contract §8) reads `dueTime`/`ttl` with dapr/kit
`time/time.go:ParseISO8601Duration` and applies it with Go's `base.AddDate(y, m, d).Add(dur)`. Both are
re-implemented here exactly, quirks included (see `parse_iso8601_duration`). `timefmt` re-exports the
public names; the calendar helpers are shared with its RFC 3339 code.

Times are int nanoseconds since the Unix epoch, UTC (see `model.py`); Python ints are unbounded, so
dates far outside Go's range are computed exactly where Go would wrap (not reachable from Dapr input).
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = [
    "ISO8601Duration",
    "ISO8601Error",
    "add_date",
    "civil_from_days",
    "days_from_civil",
    "parse_iso8601_duration",
]

NS_PER_SECOND = 1_000_000_000
SECONDS_PER_DAY = 86_400
_NS_PER_MINUTE = 60 * NS_PER_SECOND
_NS_PER_HOUR = 60 * _NS_PER_MINUTE
_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1


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


class ISO8601Error(ValueError):
    """dapr/kit's error; str is exactly `unsupported ISO8601 duration format: <text>`."""


class ISO8601Duration(NamedTuple):
    """The five results of kit's `ParseISO8601Duration`; `repeats` is -1 when there is no `R<n>/`."""

    years: int
    months: int
    days: int
    duration_ns: int
    repeats: int


def _wrap64(value: int) -> int:
    """Go int64 arithmetic wraps silently; kit adds `time.Duration(n) * time.Hour` without checks."""
    return (value - _INT64_MIN) % (1 << 64) + _INT64_MIN


def _atoi(field: bytes) -> int | None:
    """Go `strconv.Atoi` on 64-bit: optional sign, ASCII digits only, int64 range; None on error."""
    digits = field[1:] if field[:1] in (b"+", b"-") else field
    if not digits or not all(0x30 <= c <= 0x39 for c in digits):
        return None
    value = int(field)
    return value if _INT64_MIN <= value <= _INT64_MAX else None


def parse_iso8601_duration(text: str) -> ISO8601Duration:
    """dapr/kit `time/time.go:ParseISO8601Duration`: `[R<n>/]P[nY][nM][nW][nD][T[nH][nM][nS]]`.

    A byte-for-byte port, including the parser's leniencies that the Scheduler therefore accepts
    (contract §8): integers only, but signed (`P-1D`); `M` is months before `T` and minutes after;
    `Y`/`M`(months) assign while `W`/`D`/`H`/`M`(minutes)/`S` accumulate (`P1Y2Y` = 2 years,
    `P1D1D` = 2 days); unknown bytes are skipped and digits with no designator are ignored (`P1`,
    `PX`, `PT` parse as zero); `T` may repeat; `R5`, `R5/` give zero with 5 repeats; `R-1/...`,
    `R0/...` are accepted (only repeats > 0 are refused, by the caller). Duration arithmetic wraps
    like Go's int64.
    """
    raw = text.encode("utf-8", "surrogatepass")
    err = ISO8601Error("unsupported ISO8601 duration format: " + text)
    years = months = days = duration = 0
    repeats = -1
    n = len(raw)
    if n < 2:
        raise err
    i = 0
    if raw[0:1] == b"R":
        i = 1
        while i < n and raw[i : i + 1] != b"/":
            i += 1
        parsed = _atoi(raw[1:i]) if i - 1 >= 1 else None
        if parsed is None:
            raise err
        repeats = parsed
        i += 1
        if i >= n:
            return ISO8601Duration(0, 0, 0, 0, repeats)
    if raw[i : i + 1] != b"P":
        raise err
    i += 1
    start, in_time = i, False
    while i < n:
        c = raw[i : i + 1]
        if c == b"T":
            if start != i:
                raise err
            in_time, start = True, i + 1
        elif c in (b"Y", b"W", b"D", b"H", b"S", b"M"):
            date_only, time_only = c in (b"Y", b"W", b"D"), c in (b"H", b"S")
            if start == i or (date_only and in_time) or (time_only and not in_time):
                raise err
            value = _atoi(raw[start:i])
            if value is None:
                raise err
            if c == b"Y":
                years = value
            elif c == b"W":
                days = _wrap64(days + _wrap64(value * 7))
            elif c == b"D":
                days = _wrap64(days + value)
            elif c == b"H":
                duration = _wrap64(duration + _wrap64(value * _NS_PER_HOUR))
            elif c == b"S":
                duration = _wrap64(duration + _wrap64(value * NS_PER_SECOND))
            elif in_time:
                duration = _wrap64(duration + _wrap64(value * _NS_PER_MINUTE))
            else:
                months = value
            start = i + 1
        i += 1
    return ISO8601Duration(years, months, days, duration, repeats)
