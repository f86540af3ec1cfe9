"""protojson's `google.protobuf.Duration` text form (contract §3: the failure-policy `interval` over HTTP).

protobuf-go `encoding/protojson/well_known_types.go`: decimal seconds with a mandatory `s`. Not Go's
`time.ParseDuration` grammar: `"200ms"` is refused here.
"""

from __future__ import annotations

import json

from .calendar import INT64_MAX, INT64_MIN, NS_PER_SECOND
from .strconv import is_digit, utf8

#: protojson `maxSecondsInDuration` (10,000 years): contract §3.
PROTO_DURATION_MAX_SECONDS = 315_576_000_000


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
    raw = utf8(text)
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
        while is_digit(b, int_end):
            int_end += 1
        secs, b = int(b[:int_end]), b[int_end:]
    elif b[:1] != b".":
        raise bad
    nanos = 0
    if b:
        if b[:1] != b".":
            raise bad
        end = 1
        while end < 10 and is_digit(b, end):
            end += 1
        if end != len(b):
            raise bad
        nanos = int(b[1:end].ljust(9, b"0"))
    if secs > INT64_MAX:  # strconv.ParseInt(intp, 10, 64) fails
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


def duration_error(seconds: int, nanos: int) -> str | None:
    """Why protojson cannot write this `google.protobuf.Duration` (`marshalDuration`), or None."""
    if not -PROTO_DURATION_MAX_SECONDS <= seconds <= PROTO_DURATION_MAX_SECONDS:
        return f"proto: google.protobuf.Duration: seconds out of range {seconds}"
    if not -999_999_999 <= nanos <= 999_999_999:
        return f"proto: google.protobuf.Duration: nanos out of range {nanos}"
    if (seconds > 0 and nanos < 0) or (seconds < 0 and nanos > 0):
        return "proto: google.protobuf.Duration: signs of seconds and nanos do not match"
    return None


def as_duration(seconds: int, nanos: int) -> int:
    """durationpb's `AsDuration`: int64 nanoseconds, saturating at the int64 bounds on overflow, as the
    Scheduler reads a retry interval (`counter.go:policyTryAgain`)."""

    def wrap(value: int) -> int:
        return (value - INT64_MIN) % (1 << 64) + INT64_MIN

    d = wrap(seconds * NS_PER_SECOND)
    overflow = int(d / NS_PER_SECOND) != seconds if d % NS_PER_SECOND == 0 else True
    d = wrap(d + nanos)
    overflow = overflow or (seconds < 0 and nanos < 0 and d > 0) or (seconds > 0 and nanos > 0 and d < 0)
    if overflow:
        if seconds < 0:
            return INT64_MIN
        if seconds > 0:
            return INT64_MAX
    return d
