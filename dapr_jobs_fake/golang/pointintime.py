"""go-etcd-cron's point-in-time parse for `dueTime` and `ttl` (contract §8).

`internal/scheduler/builder.go:parsePointInTime`, the same from go-etcd-cron v0.2.3 (Dapr 1.14) to today:
an RFC 3339 timestamp, else a Go duration from a base, else a dapr/kit ISO 8601 duration.
"""

from __future__ import annotations

from .calendar import add_date
from .duration import GoDurationError, parse_go_duration
from .iso8601 import ISO8601Error, parse_iso8601_duration
from .rfc3339 import RFC3339Error, parse_rfc3339


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
