"""Bounded fuzzing of the pure parsers (contract §7 cron, §8 points in time, §9 Go durations, §3
protojson Duration): whatever the text, they answer or raise their documented error type, and what
they answer formats back to the same value."""

from __future__ import annotations

from fuzz_support import (
    NOW_NS,
    examples,
    go_duration,
    interval,
    iso_duration,
    point_in_time,
    rfc3339,
    schedule_text,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from dapr_jobs_fake.golang.calendar import add_date
from dapr_jobs_fake.golang.cron import CronError, EverySchedule, parse_schedule
from dapr_jobs_fake.golang.duration import GoDurationError, format_go_duration, parse_go_duration
from dapr_jobs_fake.golang.iso8601 import ISO8601Error, parse_iso8601_duration
from dapr_jobs_fake.golang.pointintime import PointInTimeError, parse_point_in_time
from dapr_jobs_fake.golang.protoduration import (
    ProtoDurationError,
    format_proto_duration,
    parse_proto_duration,
)
from dapr_jobs_fake.golang.rfc3339 import RFC3339Error, format_rfc3339, parse_rfc3339

PURE = settings(max_examples=examples(100), deadline=None)
YEAR_0_NS = -62_167_219_200 * 10**9  # 0000-01-01T00:00:00Z
YEAR_9999_END_NS = 253_402_300_799 * 10**9 + 999_999_999  # 9999-12-31T23:59:59.999999999Z


@PURE
@given(
    spec=schedule_text | st.text(max_size=30),
    exact=st.booleans(),
    strict=st.booleans(),
    after=st.integers(-(2**62), 2**62) | st.integers(NOW_NS - 10**18, NOW_NS + 10**18),
)
def test_parse_schedule_and_next(spec: str, exact: bool, strict: bool, after: int) -> None:
    try:
        schedule = parse_schedule(spec, exact_every=exact, strict_tz_prefix=strict)
    except CronError:
        return
    nxt = schedule.next(after)
    if isinstance(schedule, EverySchedule) and schedule.delay_ns <= 0:
        assert isinstance(nxt, int)
        return
    assert nxt is None or (isinstance(nxt, int) and nxt > after), (spec, after, nxt)


@PURE
@given(text=go_duration | st.text(max_size=20))
def test_parse_go_duration(text: str) -> None:
    try:
        ns = parse_go_duration(text)
    except GoDurationError:
        return
    assert -(2**63) <= ns < 2**63
    assert parse_go_duration(format_go_duration(ns)) == ns


@PURE
@given(text=rfc3339 | st.text(max_size=30))
def test_parse_rfc3339(text: str) -> None:
    """Whatever parses formats back (as UTC, `Z`) to a text that parses to the same instant, when
    that instant's UTC year has four digits: an offset can carry 0000-01-01 or 9999-12-31 out of
    them (`+24:00` is in range), and Go formats such a year as `-0001` or `10000`, which its parser
    refuses, as this one does."""
    try:
        ns = parse_rfc3339(text)
    except RFC3339Error:
        return
    if not YEAR_0_NS <= ns <= YEAR_9999_END_NS:
        return
    assert parse_rfc3339(format_rfc3339(ns)) == ns


@PURE
@given(text=point_in_time, base=st.integers(0, 2**62))
def test_parse_point_in_time(text: str, base: int) -> None:
    """The three forms are tried in go-etcd-cron's order (§8): RFC 3339, then a Go duration from
    `base`, then ISO 8601; the result is the first that parses, and nothing else is accepted."""
    expected: int | None = None
    try:
        expected = parse_rfc3339(text)
    except RFC3339Error:
        try:
            expected = base + parse_go_duration(text)
        except GoDurationError:
            try:
                iso = parse_iso8601_duration(text)
            except ISO8601Error:
                pass
            else:
                if iso.repeats <= 0:
                    expected = add_date(base, iso.years, iso.months, iso.days) + iso.duration_ns
    try:
        ns = parse_point_in_time(text, base)
    except PointInTimeError:
        assert expected is None, (text, expected)
        return
    assert ns == expected, (text, base)


@PURE
@given(
    text=interval.filter(lambda v: isinstance(v, str))
    | st.text(max_size=16)
    | st.from_regex(r"[-+]?[0-9]{0,13}(\.[0-9]{0,11})?s", fullmatch=True)
)
def test_parse_proto_duration(text: str) -> None:
    try:
        ns = parse_proto_duration(text)
    except ProtoDurationError:
        return
    assert parse_proto_duration(format_proto_duration(ns)) == ns


@PURE
@given(ns=st.integers(-(2**63), 2**63 - 1))
def test_go_duration_round_trip(ns: int) -> None:
    assert parse_go_duration(format_go_duration(ns)) == ns


@PURE
@given(ns=st.integers(-62135596800 * 10**9, 253402300799 * 10**9 + 999_999_999))
def test_rfc3339_round_trip(ns: int) -> None:
    assert parse_rfc3339(format_rfc3339(ns)) == ns


@PURE
@given(text=iso_duration | st.text(max_size=20))
def test_parse_iso8601_duration(text: str) -> None:
    """ISO 8601 durations (§8) parse to integers or raise ISO8601Error, nothing else."""
    try:
        iso = parse_iso8601_duration(text)
    except ISO8601Error:
        return
    assert all(isinstance(v, int) for v in (iso.years, iso.months, iso.days, iso.duration_ns, iso.repeats))
