"""Go's `time.Parse(time.RFC3339, s)` and RFC3339Nano formatting (contract §8 step 1).

Sources: `src/time/format.go:parse`, `format_rfc3339.go`. Exact acceptance and `*time.ParseError` texts;
times are int nanoseconds since the Unix epoch, UTC.
"""

from __future__ import annotations

from .calendar import NS_PER_SECOND, SECONDS_PER_DAY, civil_from_days, days_from_civil
from .strconv import go_quote, is_digit, utf8

RFC3339_LAYOUT = "2006-01-02T15:04:05Z07:00"


class RFC3339Error(ValueError):
    """A `time.Parse(time.RFC3339, s)` error; str is Go's exact `*time.ParseError` message."""


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _getnum(v: bytes, fixed: bool) -> tuple[int, bytes] | None:
    """`format.go:getnum`: one or two leading digits (exactly two when `fixed`)."""
    if not is_digit(v, 0):
        return None
    if not is_digit(v, 1):
        return None if fixed else (v[0] - 0x30, v[1:])
    return (v[0] - 0x30) * 10 + v[1] - 0x30, v[2:]


def parse_rfc3339(text: str) -> int:
    """Go `time.Parse(time.RFC3339, s)` (Go ≥ 1.20) as epoch nanoseconds.

    Go first tries the strict fast path `format_rfc3339.go:parseRFC3339` and, when it fails, falls
    back to the generic layout parser `format.go:parse`; the fallback accepts a superset with the same
    results, so only it is ported (with its exact `*ParseError` messages). What it accepts beyond RFC
    3339: a 1-digit hour (`T1:04:05Z`), `,` as the fraction separator, any number of fraction digits
    (truncated to ns), offsets up to `±24:60`. It requires an offset (`Z` or `±hh:mm`, contract §8);
    lowercase `t`/`z` and years outside 0000-9999 are rejected.
    """
    raw = utf8(text)

    def cannot(elem: str, value: bytes) -> RFC3339Error:
        return RFC3339Error(
            f"parsing time {go_quote(raw)} as {go_quote(RFC3339_LAYOUT.encode())}: "
            f"cannot parse {go_quote(value)} as {go_quote(elem.encode())}"
        )

    def message(msg: str) -> RFC3339Error:
        return RFC3339Error(f"parsing time {go_quote(raw)}{msg}")

    def literal(v: bytes, sep: bytes) -> bytes:
        if v[:1] != sep:
            raise cannot(sep.decode(), v)
        return v[1:]

    def number(v: bytes, elem: str, fixed: bool, lo: int, hi: int, what: str) -> tuple[int, bytes]:
        got = _getnum(v, fixed)
        if got is None:
            raise cannot(elem, v)
        if not lo <= got[0] <= hi:
            raise message(f": {what} out of range")
        return got

    v = raw
    if len(v) < 4 or not all(0x30 <= c <= 0x39 for c in v[:4]):
        raise cannot("2006", v)
    year, v = int(v[:4]), v[4:]
    month, v = number(literal(v, b"-"), "01", True, 1, 12, "month")
    day, v = number(literal(v, b"-"), "02", True, 0, 99, "day")  # checked against the month below
    hour, v = number(literal(v, b"T"), "15", False, 0, 23, "hour")
    minute, v = number(literal(v, b":"), "04", True, 0, 59, "minute")
    second, v = number(literal(v, b":"), "05", True, 0, 59, "second")
    nsec = 0
    if len(v) >= 2 and v[:1] in (b".", b",") and is_digit(v, 1):
        end = 2
        while is_digit(v, end):
            end += 1
        digits = v[1 : min(end, 10)]
        nsec, v = int(digits) * 10 ** (9 - len(digits)), v[end:]
    offset = 0
    if v[:1] == b"Z":
        v = v[1:]
    else:
        hold, hr, mm, ok = v, 0, 0, False
        if len(v) >= 6 and v[3:4] == b":":
            sign, hour_b, min_b, v = v[:1], v[1:3], v[4:6], v[6:]
            hr_got = _getnum(hour_b, True)
            mm_got = _getnum(min_b, True) if hr_got else None
            hr = hr_got[0] if hr_got else 0
            mm = mm_got[0] if mm_got else 0
            ok = mm_got is not None and sign in (b"+", b"-")
            if mm > 60:
                raise message(": time zone offset minute out of range")
            if hr > 24:
                raise message(": time zone offset hour out of range")
            offset = (hr * 60 + mm) * 60 * (-1 if sign == b"-" else 1)
        if not ok:
            raise cannot("Z07:00", hold)
    if v:
        raise message(": extra text: " + go_quote(v))
    if not 1 <= day <= _days_in(month, year):
        raise message(": day out of range")
    secs = days_from_civil(year, month, day) * SECONDS_PER_DAY + hour * 3600 + minute * 60 + second
    return (secs - offset) * NS_PER_SECOND + nsec


def format_rfc3339(ns: int) -> str:
    """Go `t.UTC().Format(time.RFC3339Nano)` (`format_rfc3339.go:appendFormatRFC3339`): fraction with
    trailing zeros removed (none when whole), always `Z`. For messages and logs."""
    secs, nsec = divmod(ns, NS_PER_SECOND)
    days, sod = divmod(secs, SECONDS_PER_DAY)
    year, month, day = civil_from_days(days)
    ytext = f"-{-year:04d}" if year < 0 else f"{year:04d}"
    frac = f".{nsec:09d}".rstrip("0") if nsec else ""
    return f"{ytext}-{month:02d}-{day:02d}T{sod // 3600:02d}:{sod // 60 % 60:02d}:{sod % 60:02d}{frac}Z"
