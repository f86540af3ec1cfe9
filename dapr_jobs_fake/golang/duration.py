"""Go's `time.ParseDuration` and `Duration.String`, byte for byte and error for error (contract §9).

Used by `dueTime`/`ttl` (step 2 of the point-in-time parse) and by `@every`. Go works on the UTF-8 bytes
of a string, so the parser does too (lone surrogates pass through as bytes, which Go would see as
invalid UTF-8). Source: `src/time/format.go`, `time.go`. Pure: standard library only.
"""

from __future__ import annotations

import re

from .calendar import INT64_MAX, INT64_MIN, NS_PER_SECOND
from .strconv import go_quote, is_digit, utf8

_U63 = 1 << 63
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
        if ns <= INT64_MAX:
            return ns
    raw = utf8(text)
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
            while is_digit(s, pos):
                if not overflow:
                    y = f * 10 + s[pos] - 0x30
                    if f > INT64_MAX // 10 or y > _U63:
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
    if total > INT64_MAX:
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
    if not INT64_MIN <= ns <= INT64_MAX:
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
