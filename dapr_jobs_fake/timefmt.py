"""Exact re-implementations of the Go time formats the Dapr Scheduler reads and writes.

Every parser here mirrors one piece of Go, byte for byte and error message for error message, because
the fake must accept exactly what the real sidecar accepts and fail with the same text:

* `parse_go_duration` / `format_go_duration` — Go `time.ParseDuration` / `Duration.String`
  (`src/time/format.go`, `time.go`; contract §9): `dueTime`/`ttl` step 2 and `@every`.
* `parse_rfc3339` / `format_rfc3339` — Go `time.Parse(time.RFC3339, s)` and RFC3339Nano formatting
  (`format.go:parse`, `format_rfc3339.go`; contract §8 step 1).
* `parse_iso8601_duration` / `add_date` — dapr/kit `ParseISO8601Duration`, Go `Time.AddDate`
  (implemented in `isodur.py`, re-exported here; contract §8 step 3).
* `parse_point_in_time` — go-etcd-cron `internal/scheduler/builder.go:parsePointInTime` (§8).
* `parse_proto_duration` / `format_proto_duration` — protojson `google.protobuf.Duration`
  (protobuf-go `encoding/protojson/well_known_types.go`; contract §3, failure-policy `interval`).
* `ns_to_datetime` / `datetime_to_ns` — bridges to Python `datetime` (microseconds, UTC).

Go works on the UTF-8 bytes of a string, so the parsers do too (lone surrogates pass through as
bytes, which Go would see as invalid UTF-8). Times are int nanoseconds since the Unix epoch, UTC.
Pure: standard library only, no I/O, no clock.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

from .isodur import (
    NS_PER_SECOND,
    SECONDS_PER_DAY,
    ISO8601Duration,
    ISO8601Error,
    add_date,
    civil_from_days,
    days_from_civil,
    parse_iso8601_duration,
)

__all__ = [
    "GoDurationError",
    "ISO8601Duration",
    "ISO8601Error",
    "PointInTimeError",
    "ProtoDurationError",
    "RFC3339Error",
    "add_date",
    "datetime_to_ns",
    "format_go_duration",
    "format_proto_duration",
    "format_rfc3339",
    "go_quote",
    "ns_to_datetime",
    "parse_go_duration",
    "parse_iso8601_duration",
    "parse_point_in_time",
    "parse_proto_duration",
    "parse_rfc3339",
    "strconv_quote",
]

_U63 = 1 << 63
_INT64_MIN, _INT64_MAX = -_U63, _U63 - 1
#: `format.go:unitMap`: case-sensitive; µ is U+00B5 (micro sign) and μ U+03BC (Greek mu).
_GO_UNITS = {
    b"ns": 1,
    b"us": 1_000,
    "µs".encode(): 1_000,
    "μs".encode(): 1_000,
    b"ms": 1_000_000,
    b"s": NS_PER_SECOND,
    b"m": 60 * NS_PER_SECOND,
    b"h": 3600 * NS_PER_SECOND,
}
#: The common case, digits and one ASCII unit ("10s", "1m"): at most 18 digits, so no overflow check of
#: Go's can fire before the multiplication, which is checked against int64 after it.
_SIMPLE_DURATION = re.compile(r"([0-9]{1,18})(ns|us|ms|s|m|h)")
_ASCII_UNITS = {unit.decode(): ns for unit, ns in _GO_UNITS.items() if unit.isascii()}
RFC3339_LAYOUT = "2006-01-02T15:04:05Z07:00"
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: protojson `maxSecondsInDuration` (10,000 years): contract §3.
PROTO_DURATION_MAX_SECONDS = 315_576_000_000


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _is_digit(b: bytes, i: int) -> bool:
    return i < len(b) and 0x30 <= b[i] <= 0x39


def go_quote(raw: bytes) -> str:
    """Go `time.quote` (used by every `time` error): `"`-wrapped, `"` and `\\` backslashed, and every
    byte that is non-ASCII (valid UTF-8 or not) or a control character written as `\\xNN`."""
    if raw.isascii():
        text = raw.decode("ascii")
        if text.isprintable() and '"' not in text and "\\" not in text:  # nothing to escape
            return '"' + text + '"'
    out = ['"']
    for c in raw:
        if c >= 0x80 or c < 0x20:
            out.append(f"\\x{c:02x}")
        else:
            out.append("\\" + chr(c) if c in (0x22, 0x5C) else chr(c))
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def strconv_quote(text: str) -> str:
    """Go `strconv.Quote` (`%q` of a string), used in parser and name-validation messages."""
    out = ['"']
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        else:
            out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    return "".join(out) + '"'


# --- Go time.ParseDuration / Duration.String (contract §9) ------------------------------------------


class GoDurationError(ValueError):
    """A `time.ParseDuration` error; str is Go's exact message, e.g. `time: invalid duration "x"`."""


def parse_go_duration(text: str) -> int:
    """Go `time.ParseDuration` (`format.go`): nanoseconds, with Go's exact acceptance and errors.

    Grammar `[-+]?([0-9]*(\\.[0-9]*)?[a-z]+)+` where the unit is the maximal run of bytes that are
    neither digits nor `.`; `"0"`, `"+0"`, `"-0"` are the only unit-less forms. Fractions are
    added as `uint64(float64(f) * (float64(unit) / scale))`, i.e. truncated after float64 rounding,
    exactly as Go does; overflow past 2^63-1 ns (or below -2^63) is `time: invalid duration`.
    """
    simple = _SIMPLE_DURATION.fullmatch(text)
    if simple is not None:  # a shortcut with the same result; overflow goes the long way for its error
        ns = int(simple[1]) * _ASCII_UNITS[simple[2]]
        if ns <= _INT64_MAX:
            return ns
    raw = _utf8(text)
    s, neg = raw, False
    if s[:1] in (b"-", b"+"):
        neg, s = s[:1] == b"-", s[1:]
    if s == b"0":
        return 0
    if not s:
        raise _invalid_duration(raw)
    total, pos, n = 0, 0, len(s)
    while pos < n:
        c = s[pos]
        if not (c == 0x2E or 0x30 <= c <= 0x39):
            raise _invalid_duration(raw)
        start, v = pos, 0  # leadingInt
        while pos < n and 0x30 <= (c := s[pos]) <= 0x39:
            if v > _U63 // 10:
                raise _invalid_duration(raw)
            v = v * 10 + c - 0x30
            if v > _U63:
                raise _invalid_duration(raw)
            pos += 1
        pre, post, f, scale = pos != start, False, 0, 1.0
        if pos < n and s[pos] == 0x2E:  # leadingFraction: stops accumulating on overflow
            pos += 1
            start, overflow = pos, False
            while _is_digit(s, pos):
                if not overflow:
                    y = f * 10 + s[pos] - 0x30
                    if f > _INT64_MAX // 10 or y > _U63:
                        overflow = True
                    else:
                        f, scale = y, scale * 10
                pos += 1
            post = pos != start
        if not pre and not post:
            raise _invalid_duration(raw)
        start = pos
        while pos < n and not ((c := s[pos]) == 0x2E or 0x30 <= c <= 0x39):
            pos += 1
        if pos == start:
            raise GoDurationError("time: missing unit in duration " + go_quote(raw))
        unit = _GO_UNITS.get(s[start:pos])
        if unit is None:
            raise GoDurationError(f"time: unknown unit {go_quote(s[start:pos])} in duration {go_quote(raw)}")
        if v > _U63 // unit:
            raise _invalid_duration(raw)
        v *= unit
        if f > 0:
            v += int(float(f) * (float(unit) / scale))
            if v > _U63:
                raise _invalid_duration(raw)
        total = (total + v) % (1 << 64)  # uint64 addition, wrapping like Go's
        if total > _U63:
            raise _invalid_duration(raw)
    if neg:
        return -total
    if total > _INT64_MAX:
        raise _invalid_duration(raw)
    return total


def _invalid_duration(raw: bytes) -> GoDurationError:
    """`time: invalid duration "<raw>"`, built only when it is raised (quoting costs more than parsing)."""
    return GoDurationError("time: invalid duration " + go_quote(raw))


def _fmt_frac(v: int, prec: int) -> tuple[str, int]:
    """`time.go:fmtFrac`: the fraction of v/10**prec without trailing zeros (and no `.` if zero)."""
    digits, printing = "", False
    for _ in range(prec):
        v, digit = divmod(v, 10)
        printing = printing or digit != 0
        if printing:
            digits = str(digit) + digits
    return ("." + digits if printing else ""), v


def format_go_duration(ns: int) -> str:
    """Go `Duration.String()` (`time.go:Duration.format`): `1h0m0s`, `1.5s`, `1ms`, `1.5µs`, `0s`.

    Units stop at hours (`25h0m0s`); below one second the largest of ms/µs/ns with a non-zero leading
    digit is used. `ns` must fit in an int64, as a Go Duration does.
    """
    if not _INT64_MIN <= ns <= _INT64_MAX:
        raise ValueError(f"{ns} ns does not fit in a Go time.Duration (int64)")
    u = abs(ns)
    sign = "-" if ns < 0 else ""
    if u == 0:
        return "0s"
    if u < NS_PER_SECOND:
        prec, unit = (0, "ns") if u < 1_000 else (3, "µs") if u < 1_000_000 else (6, "ms")
        frac, u = _fmt_frac(u, prec)
        return f"{sign}{u}{frac}{unit}"
    frac, u = _fmt_frac(u, 9)
    out = f"{u % 60}{frac}s"
    u //= 60
    if u > 0:
        out = f"{u % 60}m{out}"
        u //= 60
        if u > 0:
            out = f"{u}h{out}"
    return sign + out


# --- Go time.Parse(time.RFC3339, s) (contract §8 step 1) -------------------------------------------


class RFC3339Error(ValueError):
    """A `time.Parse(time.RFC3339, s)` error; str is Go's exact `*time.ParseError` message."""


def _days_in(month: int, year: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _getnum(v: bytes, fixed: bool) -> tuple[int, bytes] | None:
    """`format.go:getnum`: one or two leading digits (exactly two when `fixed`)."""
    if not _is_digit(v, 0):
        return None
    if not _is_digit(v, 1):
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
    raw = _utf8(text)

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
    if len(v) >= 2 and v[:1] in (b".", b",") and _is_digit(v, 1):
        end = 2
        while _is_digit(v, end):
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


# --- go-etcd-cron parsePointInTime (contract §8) ----------------------------------------------------


class PointInTimeError(ValueError):
    """str is `due time format not recognized` or `repeats not supported for due time`."""


def parse_point_in_time(text: str, base_ns: int) -> int:
    """go-etcd-cron `internal/scheduler/builder.go:parsePointInTime` (contract §8).

    In order: RFC 3339 timestamp (absolute); Go duration added to `base_ns` (may be negative);
    kit ISO 8601 duration applied as `AddDate(y, m, d)` then `+ duration`, refused when repeats > 0.
    `Builder.Parse` passes the error through for `dueTime` but replaces any error (repeats included)
    with "ttl format not recognized" for `ttl`; its `base` is the clock truncated to the second.
    The RFC 3339 attempt is skipped when the text cannot be one (it must open with 4 ASCII digits and
    `-`, the first thing `parse_rfc3339` checks), which is every duration: it saves building the
    `*ParseError` message that would be thrown away.
    """
    head = text[:4]
    if text[4:5] == "-" and head.isascii() and head.isdigit():
        try:
            return parse_rfc3339(text)
        except RFC3339Error:
            pass
    try:
        return base_ns + parse_go_duration(text)
    except GoDurationError:
        pass
    try:
        iso = parse_iso8601_duration(text)
    except ISO8601Error:
        raise PointInTimeError("due time format not recognized") from None
    if iso.repeats > 0:
        raise PointInTimeError("repeats not supported for due time")
    return add_date(base_ns, iso.years, iso.months, iso.days) + iso.duration_ns


# --- protojson google.protobuf.Duration (contract §3) -----------------------------------------------


class ProtoDurationError(ValueError):
    """protojson's Duration error text, without the `proto: (line L:C): ` prefix protojson adds (its
    position depends on the whole body, and protobuf-go randomises the space after `proto:`)."""


def parse_proto_duration(text: str) -> int:
    """protojson `unmarshalDuration`/`parseDuration` (`well_known_types.go`) as nanoseconds.

    Decimal seconds with a mandatory `s`: optional sign, integer part `0` or `[1-9][0-9]*` (so no
    leading zeros) or empty, then optionally `.` and at most 9 digits (`"1.s"`, `".5s"` and even
    `".s"` are accepted); `"200ms"`, `"2m"`, `" 1s"` are not (contract §3). Beyond ±315,576,000,000 s:
    "value out of range". Messages quote the value as a JSON string, as protojson's raw token does.
    """
    raw = _utf8(text)
    token = json.dumps(text, ensure_ascii=False)
    bad = ProtoDurationError(f"invalid google.protobuf.Duration value {token}")
    if len(raw) < 2 or raw[-1:] != b"s":
        raise bad
    b, neg = raw[:-1], raw[:1] == b"-"
    if b[:1] in (b"-", b"+"):
        b = b[1:]
    if not b:
        raise bad
    secs = 0
    if b[:1] == b"0":
        b = b[1:]
    elif b"1" <= b[:1] <= b"9":
        int_end = 1
        while _is_digit(b, int_end):
            int_end += 1
        secs, b = int(b[:int_end]), b[int_end:]
    elif b[:1] != b".":
        raise bad
    nanos = 0
    if b:
        if b[:1] != b".":
            raise bad
        end = 1
        while end < 10 and _is_digit(b, end):
            end += 1
        if end != len(b):
            raise bad
        nanos = int(b[1:end].ljust(9, b"0"))
    if secs > _INT64_MAX:  # strconv.ParseInt(intp, 10, 64) fails
        raise bad
    if secs > PROTO_DURATION_MAX_SECONDS:
        raise ProtoDurationError(f"google.protobuf.Duration value out of range: {token}")
    total = secs * NS_PER_SECOND + nanos
    return -total if neg else total


def format_proto_duration(ns: int) -> str:
    """protojson `marshalDuration` of `durationpb.New(ns)`: seconds with 0, 3, 6 or 9 fraction digits
    (`"1s"`, `"0.200s"`, `"0.000001s"`, `"-1.500s"`), as the sidecar renders `interval` on GET."""
    secs = abs(ns) // NS_PER_SECOND
    if secs > PROTO_DURATION_MAX_SECONDS:
        sign_secs = -secs if ns < 0 else secs
        raise ProtoDurationError(f"google.protobuf.Duration: seconds out of range {sign_secs}")
    x = f"{'-' if ns < 0 else ''}{secs}.{abs(ns) % NS_PER_SECOND:09d}"
    for suffix in ("000", "000", ".000"):
        x = x.removesuffix(suffix)
    return x + "s"


# --- datetime bridges -------------------------------------------------------------------------------


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
