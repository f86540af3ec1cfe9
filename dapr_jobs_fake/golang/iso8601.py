"""ISO 8601 durations as dapr/kit parses them (contract §8, step 3 of the point-in-time parse).

The Scheduler reads `dueTime`/`ttl` with kit's `time/time.go:ParseISO8601Duration` and applies the
result with Go's `base.AddDate(y, m, d).Add(dur)` (`calendar.add_date`). Re-implemented exactly, quirks
included (see `parse_iso8601_duration`). Python ints are unbounded, so dates far outside Go's range are
computed exactly where Go would wrap (not reachable from Dapr input).
"""

from __future__ import annotations

from typing import NamedTuple

from .calendar import INT64_MAX, INT64_MIN, NS_PER_HOUR, NS_PER_MINUTE, NS_PER_SECOND


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
    return (value - INT64_MIN) % (1 << 64) + INT64_MIN


def _atoi(field: bytes) -> int | None:
    """Go `strconv.Atoi` on 64-bit: optional sign, ASCII digits only, int64 range; None on error."""
    digits = field[1:] if field[:1] in (b"+", b"-") else field
    if not digits or not all(0x30 <= c <= 0x39 for c in digits):
        return None
    value = int(field)
    return value if INT64_MIN <= value <= INT64_MAX else None


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
                duration = _wrap64(duration + _wrap64(value * NS_PER_HOUR))
            elif c == b"S":
                duration = _wrap64(duration + _wrap64(value * NS_PER_SECOND))
            elif in_time:
                duration = _wrap64(duration + _wrap64(value * NS_PER_MINUTE))
            else:
                months = value
            start = i + 1
        i += 1
    return ISO8601Duration(years, months, days, duration, repeats)
