"""Table-driven tests for `dapr_jobs_fake.timefmt` (and `isodur`, through its re-exports).

Each table names the contract section it pins and the upstream test it is drawn from. Expected values
and messages were taken from the Go / dapr/kit / protobuf-go sources and test tables named below, and
cross-checked against a real Go toolchain where the Go version allowed it.
"""

from __future__ import annotations

import calendar
import random
from datetime import datetime, timedelta, timezone

import pytest

from dapr_jobs_fake.golang.calendar import add_date, datetime_to_ns, ns_to_datetime
from dapr_jobs_fake.golang.duration import GoDurationError, format_go_duration, parse_go_duration
from dapr_jobs_fake.golang.iso8601 import ISO8601Duration, ISO8601Error, parse_iso8601_duration
from dapr_jobs_fake.golang.pointintime import PointInTimeError, parse_point_in_time
from dapr_jobs_fake.golang.protoduration import (
    ProtoDurationError,
    format_proto_duration,
    parse_proto_duration,
)
from dapr_jobs_fake.golang.rfc3339 import RFC3339Error, format_rfc3339, parse_rfc3339
from dapr_jobs_fake.golang.strconv import go_quote

NS = 1
US = 1_000
MS = 1_000_000
S = 1_000_000_000
M = 60 * S
H = 60 * M
D = 24 * H
MAX64 = (1 << 63) - 1
MIN64 = -(1 << 63)


def utc(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0, ns: int = 0) -> int:
    """Epoch ns computed independently of the module under test (calendar.timegm)."""
    return calendar.timegm((y, mo, d, h, mi, s, 0, 0, 0)) * S + ns


# --- Go time.ParseDuration: contract §9 ----------------------------------------------------------

#: contract §9 + golang/go src/time/time_test.go `parseDurationTests`.
PARSE_DURATION_OK = [
    # simple / sign (§9: `0`, `+0`, `-0`)
    ("0", 0),
    ("+0", 0),
    ("-0", 0),
    ("5s", 5 * S),
    ("30s", 30 * S),
    ("1478s", 1478 * S),
    ("-5s", -5 * S),
    ("+5s", 5 * S),
    # decimal (§9: `.5s`, `1.s`)
    ("5.0s", 5 * S),
    ("5.6s", 5 * S + 600 * MS),
    ("5.s", 5 * S),
    (".5s", 500 * MS),
    ("1.s", S),
    ("1.0s", S),
    ("1.00s", S),
    ("1.004s", S + 4 * MS),
    ("1.0040s", S + 4 * MS),
    ("100.00100s", 100 * S + MS),
    ("1.5h", 90 * M),
    ("-.5h", -30 * M),
    ("0.5ms", 500 * US),
    # units (§9: `µs` U+00B5 and `μs` U+03BC)
    ("10ns", 10 * NS),
    ("11us", 11 * US),
    ("12\u00b5s", 12 * US),
    ("12\u03bcs", 12 * US),
    ("13ms", 13 * MS),
    ("14s", 14 * S),
    ("15m", 15 * M),
    ("16h", 16 * H),
    # composite: any order, repeats summed (§9: `1h30m`, `30m1h`, `1s1s`)
    ("1h30m", 90 * M),
    ("30m1h", 90 * M),
    ("1s1s", 2 * S),
    ("3h30m", 3 * H + 30 * M),
    ("10.5s4m", 4 * M + 10 * S + 500 * MS),
    ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
    ("1h2m3s4ms5us6ns", H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS),
    ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
    ("0h30m0s", 30 * M),
    ("1h0m0s", H),
    ("00s", 0),
    ("-0s", 0),
    ("0.0s", 0),
    ("000000000000000000000000001ns", 1),
    # large values and precision
    ("52763797000ns", 52763797000),
    ("0.3333333333333333333h", 20 * M),
    ("9007199254740993ns", (1 << 53) + 1),
    # the int64 edges (§9: overflow at 2^63-1 ns)
    ("9223372036854775807ns", MAX64),
    ("9223372036854775.807us", MAX64),
    ("9223372036s854ms775us807ns", MAX64),
    ("2562047h47m16.854775807s", MAX64),
    ("-9223372036854775808ns", MIN64),
    ("-9223372036854775.808us", MIN64),
    ("-9223372036s854ms775us808ns", MIN64),
    ("-2562047h47m16.854775808s", MIN64),
    ("0.100000000000000000000h", 6 * M),
    ("0.830103483285477580700h", 49 * M + 48 * S + 372539827),
    # fractions are truncated after float64 rounding, exactly like Go
    ("0.0000000001s", 0),
    ("1.9999999999ns", 1),
    ("0.1ns", 0),
    # uint64 wrap: 2^63 + 2^63 overflows to 0 in Go's accumulator (not an error there either)
    ("9223372036854775808ns9223372036854775808ns", 0),
]


@pytest.mark.parametrize(("text", "want"), PARSE_DURATION_OK)
def test_parse_go_duration_ok(text: str, want: int) -> None:
    assert parse_go_duration(text) == want


def _inv(s: str) -> str:
    return f'time: invalid duration "{s}"'


def _unit(unit: str, s: str) -> str:
    return f'time: unknown unit "{unit}" in duration "{s}"'


#: contract §9 errors + golang/go src/time/time_test.go `parseDurationErrorTests`, full messages.
PARSE_DURATION_ERRORS = [
    ("", _inv("")),
    ("-", _inv("-")),
    ("+", _inv("+")),
    ("s", _inv("s")),
    (".", _inv(".")),
    ("-.", _inv("-.")),
    (".s", _inv(".s")),
    ("+.s", _inv("+.s")),
    ("--1s", _inv("--1s")),
    ("+-1s", _inv("+-1s")),
    (" 1s", _inv(" 1s")),
    ("1s ", _unit("s ", "1s ")),
    ("1 s", _unit(" s", "1 s")),
    ("x1s", _inv("x1s")),
    ("1s-1s", _unit("s-", "1s-1s")),
    ("1", 'time: missing unit in duration "1"'),
    ("3", 'time: missing unit in duration "3"'),
    ("10", 'time: missing unit in duration "10"'),
    ("-1", 'time: missing unit in duration "-1"'),
    ("00", 'time: missing unit in duration "00"'),
    ("1.", 'time: missing unit in duration "1."'),
    ("1h1", 'time: missing unit in duration "1h1"'),
    ("1.2.3s", 'time: missing unit in duration "1.2.3s"'),
    ("1d", _unit("d", "1d")),
    ("2w", _unit("w", "2w")),
    ("1y", _unit("y", "1y")),
    ("1hm", _unit("hm", "1hm")),
    ("1H", _unit("H", "1H")),
    ("1S", _unit("S", "1S")),
    ("1sec", _unit("sec", "1sec")),
    ("1e3s", _unit("e", "1e3s")),
    ("1\u00b5", _unit("\\xc2\\xb5", "1\\xc2\\xb5")),
    ("1\u00c5s", _unit("\\xc3\\x85s", "1\\xc3\\x85s")),
    ("PT1H", _inv("PT1H")),
    ("R5/PT1H", _inv("R5/PT1H")),
    ("2024-01-01T00:00:00Z", _unit("-", "2024-01-01T00:00:00Z")),
    # overflow (§9: beyond ±(2^63-1) ns)
    ("9223372036854775810ns", _inv("9223372036854775810ns")),
    ("9223372036854775808ns", _inv("9223372036854775808ns")),
    ("-9223372036854775809ns", _inv("-9223372036854775809ns")),
    ("9223372036854776us", _inv("9223372036854776us")),
    ("3000000h", _inv("3000000h")),
    ("2562048h", _inv("2562048h")),
    ("-2562048h", _inv("-2562048h")),
    ("9223372036854775.808us", _inv("9223372036854775.808us")),
    ("9223372036854ms775us808ns", _inv("9223372036854ms775us808ns")),
    ("2562047h47m16.854775808s", _inv("2562047h47m16.854775808s")),
    ("99999999999999999999s", _inv("99999999999999999999s")),
    # Go's time.quote: non-ASCII and control bytes as \xNN (time_test.go), `"` and `\` escaped
    ("\x85\x85", _inv("\\xc2\\x85\\xc2\\x85")),
    ("\ufffd", _inv("\\xef\\xbf\\xbd")),
    ("\ufffd hello \ufffd world", _inv("\\xef\\xbf\\xbd hello \\xef\\xbf\\xbd world")),
    ("\n", _inv("\\x0a")),
    ('"1s"', _inv('\\"1s\\"')),
    ("a\\b", _inv("a\\\\b")),
]


@pytest.mark.parametrize(("text", "message"), PARSE_DURATION_ERRORS)
def test_parse_go_duration_errors(text: str, message: str) -> None:
    with pytest.raises(GoDurationError) as info:
        parse_go_duration(text)
    assert str(info.value) == message
    assert isinstance(info.value, ValueError)


#: golang/go src/time/time_test.go `durationTests` (Duration.String) plus sub-second/zero edges.
DURATION_STRING = [
    (0, "0s"),
    (1, "1ns"),
    (999, "999ns"),
    (1100, "1.1\u00b5s"),
    (US, "1\u00b5s"),
    (2200 * US, "2.2ms"),
    (MS, "1ms"),
    (1_500_000, "1.5ms"),
    (999_999_999, "999.999999ms"),
    (3300 * MS, "3.3s"),
    (S, "1s"),
    (1_500_000_000, "1.5s"),
    (4 * M + 5 * S, "4m5s"),
    (4 * M + 5001 * MS, "4m5.001s"),
    (5 * H + 6 * M + 7001 * MS, "5h6m7.001s"),
    (8 * M + 1, "8m0.000000001s"),
    (H, "1h0m0s"),
    (M, "1m0s"),
    (25 * H, "25h0m0s"),
    (90 * M, "1h30m0s"),
    (MAX64, "2562047h47m16.854775807s"),
    (MIN64, "-2562047h47m16.854775808s"),
]


@pytest.mark.parametrize(("ns", "text"), DURATION_STRING)
def test_format_go_duration(ns: int, text: str) -> None:
    assert format_go_duration(ns) == text
    if ns > 0:
        assert format_go_duration(-ns) == "-" + text
    assert parse_go_duration(text) == ns  # time_test.go TestParseDurationRoundTrip


@pytest.mark.parametrize("ns", [MAX64 + 1, MIN64 - 1])
def test_format_go_duration_rejects_non_int64(ns: int) -> None:
    with pytest.raises(ValueError, match="int64"):
        format_go_duration(ns)


def test_go_duration_round_trip_random() -> None:
    """time_test.go TestParseDurationRoundTrip, over the whole int64 range."""
    rng = random.Random(1234)
    for _ in range(2000):
        ns = rng.randint(MIN64, MAX64)
        assert parse_go_duration(format_go_duration(ns)) == ns


def test_go_quote() -> None:
    assert go_quote(b'a"b\\c\x7f') == '"a\\"b\\\\c\x7f"'
    assert go_quote(b"\xff\x00") == '"\\xff\\x00"'


# --- Go time.Parse(time.RFC3339, s): contract §8 step 1 ---------------------------------------------

#: contract §8 (offset required, fraction accepted) + golang/go src/time/format_test.go `parseTests`
#: RFC3339 rows and the lenient cases format_rfc3339.go's parseStrictRFC3339 notes Parse accepts.
RFC3339_OK = [
    ("2010-02-04T21:00:57Z", utc(2010, 2, 4, 21, 0, 57)),
    ("2010-02-04T21:00:57-08:00", utc(2010, 2, 5, 5, 0, 57)),
    ("2010-02-04T21:00:57+08:00", utc(2010, 2, 4, 13, 0, 57)),
    ("2010-02-04T21:00:57.012345678-08:00", utc(2010, 2, 5, 5, 0, 57, 12345678)),
    ("2010-02-04T21:00:57.0123Z", utc(2010, 2, 4, 21, 0, 57, 12300000)),
    ("2010-02-04T21:00:57.5Z", utc(2010, 2, 4, 21, 0, 57, 500_000_000)),
    ("2010-02-04T21:00:57.000000001Z", utc(2010, 2, 4, 21, 0, 57, 1)),
    ("2010-02-04T21:00:57.0123456789Z", utc(2010, 2, 4, 21, 0, 57, 12345678)),  # >9 digits truncated
    ("2010-02-04T21:00:57.99999999999Z", utc(2010, 2, 4, 21, 0, 57, 999_999_999)),
    ("2010-02-04T21:00:57,5Z", utc(2010, 2, 4, 21, 0, 57, 500_000_000)),  # comma separator
    ("2010-02-04T1:00:57Z", utc(2010, 2, 4, 1, 0, 57)),  # one-digit hour (format.go getnum)
    ("2010-02-04T21:00:57+24:00", utc(2010, 2, 3, 21, 0, 57)),  # offset hour ≤ 24 passes
    ("2010-02-04T21:00:57+00:60", utc(2010, 2, 4, 20, 0, 57)),  # offset minute ≤ 60 passes
    ("2010-02-04T21:00:57-00:00", utc(2010, 2, 4, 21, 0, 57)),
    ("2024-02-29T00:00:00Z", utc(2024, 2, 29)),  # leap day
    ("2000-02-29T23:59:59Z", utc(2000, 2, 29, 23, 59, 59)),
    ("1970-01-01T00:00:00Z", 0),
    ("1969-12-31T23:59:59.999999999Z", -1),
    ("0000-01-01T00:00:00Z", -62167219200 * S),
    ("9999-12-31T23:59:59Z", utc(9999, 12, 31, 23, 59, 59)),
    ("2262-04-11T23:47:16.854775807Z", MAX64),
    ("2300-01-01T00:00:00Z", utc(2300, 1, 1)),
]


@pytest.mark.parametrize(("text", "want"), RFC3339_OK)
def test_parse_rfc3339_ok(text: str, want: int) -> None:
    assert parse_rfc3339(text) == want


def _msg(value: str, what: str) -> str:
    return f'parsing time "{value}": {what}'


def _pe(value: str, value_elem: str, layout_elem: str) -> str:
    return (
        f'parsing time "{value}" as "2006-01-02T15:04:05Z07:00": '
        f'cannot parse "{value_elem}" as "{layout_elem}"'
    )


#: contract §8 (no-offset strings fail) + golang/go src/time/format_test.go `parseErrorTests` (RFC3339
#: rows, verbatim) + format.go:parse range checks; exact *time.ParseError messages (Go ≥ 1.20).
RFC3339_ERRORS = [
    ("2006-01-02T15:04:05Z07:00", 'parsing time "2006-01-02T15:04:05Z07:00": extra text: "07:00"'),
    ("2006-01-02T15:04_abc", _pe("2006-01-02T15:04_abc", "_abc", ":")),
    ("2006-01-02T15:04:05_abc", _pe("2006-01-02T15:04:05_abc", "_abc", "Z07:00")),
    ("2006-01-02T15:04:05Z_abc", 'parsing time "2006-01-02T15:04:05Z_abc": extra text: "_abc"'),
    (
        "2010-02-04T21:00:67.012345678-08:00",
        'parsing time "2010-02-04T21:00:67.012345678-08:00": second out of range',
    ),
    ("2024-01-01T00:00:00", _pe("2024-01-01T00:00:00", "", "Z07:00")),  # no offset (§8)
    ("2024-01-01T00:00:00.5", _pe("2024-01-01T00:00:00.5", "", "Z07:00")),
    ("2024-01-01T00:00:00z", _pe("2024-01-01T00:00:00z", "z", "Z07:00")),
    ("2024-01-01t00:00:00Z", _pe("2024-01-01t00:00:00Z", "t00:00:00Z", "T")),
    ("2024-01-01 00:00:00Z", _pe("2024-01-01 00:00:00Z", " 00:00:00Z", "T")),
    ("2024-01-01T00:00:00+0100", _pe("2024-01-01T00:00:00+0100", "+0100", "Z07:00")),
    ("2024-01-01T00:00:00+01", _pe("2024-01-01T00:00:00+01", "+01", "Z07:00")),
    ("2024-01-01T00:00:00x01:00", _pe("2024-01-01T00:00:00x01:00", "x01:00", "Z07:00")),
    ("2024-01-01T00:00:00+0x:00", _pe("2024-01-01T00:00:00+0x:00", "+0x:00", "Z07:00")),
    ("2024-01-01T00:00:00+25:00", _msg("2024-01-01T00:00:00+25:00", "time zone offset hour out of range")),
    ("2024-01-01T00:00:00+00:61", _msg("2024-01-01T00:00:00+00:61", "time zone offset minute out of range")),
    ("2024-01-01T00:00:00+99:99", _msg("2024-01-01T00:00:00+99:99", "time zone offset minute out of range")),
    ("2024-01-01T00:00:00.Z", _pe("2024-01-01T00:00:00.Z", ".Z", "Z07:00")),
    ("2024-01-01T00:00:00Z ", 'parsing time "2024-01-01T00:00:00Z ": extra text: " "'),
    ("2024-13-01T00:00:00Z", 'parsing time "2024-13-01T00:00:00Z": month out of range'),
    ("2024-00-01T00:00:00Z", 'parsing time "2024-00-01T00:00:00Z": month out of range'),
    ("2024-1-01T00:00:00Z", _pe("2024-1-01T00:00:00Z", "1-01T00:00:00Z", "01")),
    ("2024-01-1T00:00:00Z", _pe("2024-01-1T00:00:00Z", "1T00:00:00Z", "02")),
    ("2024-01-32T00:00:00Z", 'parsing time "2024-01-32T00:00:00Z": day out of range'),
    ("2024-01-00T00:00:00Z", 'parsing time "2024-01-00T00:00:00Z": day out of range'),
    ("2023-02-29T00:00:00Z", 'parsing time "2023-02-29T00:00:00Z": day out of range'),  # not a leap year
    ("2100-02-29T00:00:00Z", 'parsing time "2100-02-29T00:00:00Z": day out of range'),
    ("2024-04-31T00:00:00Z", 'parsing time "2024-04-31T00:00:00Z": day out of range'),
    ("2024-01-01T24:00:00Z", 'parsing time "2024-01-01T24:00:00Z": hour out of range'),
    ("2024-01-01T00:60:00Z", 'parsing time "2024-01-01T00:60:00Z": minute out of range'),
    ("2024-01-01T00:00:60Z", 'parsing time "2024-01-01T00:00:60Z": second out of range'),
    ("2024-01-01T00:0:00Z", _pe("2024-01-01T00:0:00Z", "0:00Z", "04")),
    ("2024-01-01T00:00:0Z", _pe("2024-01-01T00:00:0Z", "0Z", "05")),
    ("2024-01-01Tx:00:00Z", _pe("2024-01-01Tx:00:00Z", "x:00:00Z", "15")),
    ("2024/01/01T00:00:00Z", _pe("2024/01/01T00:00:00Z", "/01/01T00:00:00Z", "-")),
    ("20a4-01-01T00:00:00Z", _pe("20a4-01-01T00:00:00Z", "20a4-01-01T00:00:00Z", "2006")),
    ("-001-01-01T00:00:00Z", _pe("-001-01-01T00:00:00Z", "-001-01-01T00:00:00Z", "2006")),
    ("10000-01-01T00:00:00Z", _pe("10000-01-01T00:00:00Z", "0-01-01T00:00:00Z", "-")),
    ("", _pe("", "", "2006")),
    ("2024", _pe("2024", "", "-")),
    ("2024-01-01", _pe("2024-01-01", "", "T")),
    ("10s", _pe("10s", "10s", "2006")),
    ("2024-01-01T00:00:00\u00e9", _pe("2024-01-01T00:00:00\\xc3\\xa9", "\\xc3\\xa9", "Z07:00")),
]


@pytest.mark.parametrize(("text", "message"), RFC3339_ERRORS)
def test_parse_rfc3339_errors(text: str, message: str) -> None:
    with pytest.raises(RFC3339Error) as info:
        parse_rfc3339(text)
    assert str(info.value) == message


#: Go Time.UTC().Format(time.RFC3339Nano) (format_rfc3339.go appendFormatRFC3339).
FORMAT_RFC3339 = [
    (0, "1970-01-01T00:00:00Z"),
    (1, "1970-01-01T00:00:00.000000001Z"),
    (-1, "1969-12-31T23:59:59.999999999Z"),
    (utc(2024, 2, 29, 12, 30, 5, 500_000_000), "2024-02-29T12:30:05.5Z"),
    (utc(2010, 2, 4, 21, 0, 57, 12300000), "2010-02-04T21:00:57.0123Z"),
    (MAX64, "2262-04-11T23:47:16.854775807Z"),
    (MIN64, "1677-09-21T00:12:43.145224192Z"),
    (utc(9999, 12, 31, 23, 59, 59), "9999-12-31T23:59:59Z"),
    (253402300800 * S, "10000-01-01T00:00:00Z"),
    (-62167219200 * S, "0000-01-01T00:00:00Z"),
    (-62167219200 * S - 1, "-0001-12-31T23:59:59.999999999Z"),
]


@pytest.mark.parametrize(("ns", "text"), FORMAT_RFC3339)
def test_format_rfc3339(ns: int, text: str) -> None:
    assert format_rfc3339(ns) == text


def test_rfc3339_round_trip_random() -> None:
    rng = random.Random(99)
    for _ in range(2000):
        ns = rng.randint(-62167219200 * S, utc(9999, 12, 31, 23, 59, 59, 999_999_999))
        assert parse_rfc3339(format_rfc3339(ns)) == ns


# --- dapr/kit ParseISO8601Duration and Go AddDate: contract §8 step 3 ----------------------------------

#: contract §8 (`R5/PT1H`, months vs minutes) + dapr/kit time/time_test.go TestParseDuration, plus the
#: parser's documented leniencies (time/time.go).
ISO_OK = [
    ("R5/P10Y5M3DT30M", ISO8601Duration(10, 5, 3, 30 * M, 5)),
    ("P1MT2H10M3S", ISO8601Duration(0, 1, 0, 2 * H + 10 * M + 3 * S, -1)),
    ("P2W", ISO8601Duration(0, 0, 14, 0, -1)),
    ("PT1S", ISO8601Duration(0, 0, 0, S, -1)),
    ("P1M", ISO8601Duration(0, 1, 0, 0, -1)),
    ("PT1M", ISO8601Duration(0, 0, 0, M, -1)),
    ("P1DT1M", ISO8601Duration(0, 0, 1, M, -1)),
    ("P1M1DT1M", ISO8601Duration(0, 1, 1, M, -1)),
    ("P0D", ISO8601Duration(0, 0, 0, 0, -1)),
    ("PT0S", ISO8601Duration(0, 0, 0, 0, -1)),
    ("P1M2D", ISO8601Duration(0, 1, 2, 0, -1)),
    ("P1Y2M3D", ISO8601Duration(1, 2, 3, 0, -1)),
    ("R5", ISO8601Duration(0, 0, 0, 0, 5)),
    ("R5/", ISO8601Duration(0, 0, 0, 0, 5)),
    ("R5/PT1H", ISO8601Duration(0, 0, 0, H, 5)),
    ("R1/P1D", ISO8601Duration(0, 0, 1, 0, 1)),
    ("R0/PT1H", ISO8601Duration(0, 0, 0, H, 0)),
    ("R-1/PT1H", ISO8601Duration(0, 0, 0, H, -1)),
    ("R+3/PT1S", ISO8601Duration(0, 0, 0, S, 3)),
    ("R5/P", ISO8601Duration(0, 0, 0, 0, 5)),
    ("PT36H", ISO8601Duration(0, 0, 0, 36 * H, -1)),
    ("P1W1D", ISO8601Duration(0, 0, 8, 0, -1)),
    ("P1D2D", ISO8601Duration(0, 0, 3, 0, -1)),
    ("P1Y2Y", ISO8601Duration(2, 0, 0, 0, -1)),
    ("P1M2M", ISO8601Duration(0, 2, 0, 0, -1)),
    ("P-1D", ISO8601Duration(0, 0, -1, 0, -1)),
    ("PT+90S", ISO8601Duration(0, 0, 0, 90 * S, -1)),
    ("PT1H1H", ISO8601Duration(0, 0, 0, 2 * H, -1)),
    ("PT1HT1M", ISO8601Duration(0, 0, 0, H + M, -1)),  # `T` may repeat right after a designator
    ("PT", ISO8601Duration(0, 0, 0, 0, -1)),
    ("PX", ISO8601Duration(0, 0, 0, 0, -1)),
    ("P1", ISO8601Duration(0, 0, 0, 0, -1)),
    ("P1D1", ISO8601Duration(0, 0, 1, 0, -1)),
    ("PT5M", ISO8601Duration(0, 0, 0, 5 * M, -1)),
    ("P5M", ISO8601Duration(0, 5, 0, 0, -1)),
    ("PT2562048H", ISO8601Duration(0, 0, 0, 2562048 * H - (1 << 64), -1)),  # int64 wrap like Go
]


@pytest.mark.parametrize(("text", "want"), ISO_OK)
def test_parse_iso8601_duration_ok(text: str, want: ISO8601Duration) -> None:
    assert parse_iso8601_duration(text) == want


#: dapr/kit time/time_test.go "invalid ISO8601 duration" + time.go error branches.
ISO_ERRORS = [
    "",
    "P",
    "R",
    "10D1M",
    "PM",
    "PT1D",
    "P_D",
    "PTxS",
    "P1Y1T",
    "PT1Y",
    "PT1W",
    "P1H",
    "P1S",
    "PD",
    "PTS",
    "PTH",
    "R/PT1H",
    "RX/PT1H",
    "R5/X",
    "R5PT1H",
    "R5/T1H",
    "pt1h",
    "P1.5D",
    "PT1.5S",
    "P1 D",
    "1h",
    "-P1D",
    "P99999999999999999999D",
    "2024-01-01T00:00:00Z",
]


@pytest.mark.parametrize("text", ISO_ERRORS)
def test_parse_iso8601_duration_errors(text: str) -> None:
    with pytest.raises(ISO8601Error) as info:
        parse_iso8601_duration(text)
    assert str(info.value) == "unsupported ISO8601 duration format: " + text


#: Go time.go AddDate (Date normalisation), contract §8 leap-year behaviour; kit time_test.go
#: "parse ISO8610 and calculate with leap year".
ADD_DATE = [
    (utc(2020, 2, 3, 11, 12, 13), (1, 2, 3), utc(2021, 4, 6, 11, 12, 13)),
    (utc(2019, 2, 3, 11, 12, 13), (1, 2, 3), utc(2020, 4, 6, 11, 12, 13)),
    (utc(2023, 1, 31, 10), (0, 1, 0), utc(2023, 3, 3, 10)),  # "Feb 31" → Mar 3
    (utc(2024, 1, 31, 10), (0, 1, 0), utc(2024, 3, 2, 10)),  # leap year → Mar 2
    (utc(2024, 2, 29), (1, 0, 0), utc(2025, 3, 1)),
    (utc(2024, 2, 29), (4, 0, 0), utc(2028, 2, 29)),
    (utc(2024, 2, 29), (-1, 0, 0), utc(2023, 3, 1)),
    (utc(2024, 3, 31), (0, -1, 0), utc(2024, 3, 2)),
    (utc(2024, 12, 15), (0, 1, 0), utc(2025, 1, 15)),
    (utc(2024, 1, 15), (0, -1, 0), utc(2023, 12, 15)),
    (utc(2024, 1, 15), (0, 25, 0), utc(2026, 2, 15)),
    (utc(2024, 1, 15), (0, -25, 0), utc(2021, 12, 15)),
    (utc(2024, 1, 1), (0, 0, 366), utc(2025, 1, 1)),
    (utc(2023, 1, 1), (0, 0, 365), utc(2024, 1, 1)),
    (utc(2024, 3, 1), (0, 0, -1), utc(2024, 2, 29)),
    (utc(2024, 1, 1), (0, 0, 0), utc(2024, 1, 1)),
    (utc(2024, 5, 31, 23, 59, 59, 999_999_999), (0, 1, 0), utc(2024, 7, 1, 23, 59, 59, 999_999_999)),
    (utc(1969, 12, 31, 23, 59, 59, 1), (0, 0, 1), utc(1970, 1, 1, 23, 59, 59, 1)),
    (utc(2000, 1, 1), (-2000, 0, 0), -62167219200 * S),
    (utc(2024, 1, 1), (1991, 9, 3), utc(4015, 10, 4)),
]


@pytest.mark.parametrize(("base", "ymd", "want"), ADD_DATE)
def test_add_date(base: int, ymd: tuple[int, int, int], want: int) -> None:
    assert add_date(base, *ymd) == want


# --- go-etcd-cron parsePointInTime: contract §8 --------------------------------------------------

BASE = utc(2024, 1, 31, 10, 0, 0, 123)

#: contract §8 (RFC 3339 first, then Go duration from base, then ISO 8601 via AddDate) +
#: go-etcd-cron internal/scheduler/builder.go parsePointInTime.
POINT_IN_TIME_OK = [
    ("2024-06-01T12:00:00Z", utc(2024, 6, 1, 12)),
    ("2024-06-01T12:00:00.5+02:00", utc(2024, 6, 1, 10, 0, 0, S // 2)),
    ("2000-01-01T00:00:00Z", utc(2000, 1, 1)),  # in the past is fine
    ("10s", BASE + 10 * S),
    ("1h30m", BASE + 90 * M),
    ("-1h", BASE - H),
    ("0", BASE),
    ("-0", BASE),
    ("1.5s", BASE + 1500 * MS),
    ("1\u00b5s", BASE + US),
    ("P1M", utc(2024, 3, 2, 10, 0, 0, 123)),  # Jan 31 + 1 month in a leap year
    ("PT1M", BASE + M),
    ("P1D", BASE + D),
    ("P1DT1H", BASE + D + H),
    ("PT1H", BASE + H),
    ("P1Y", utc(2025, 1, 31, 10, 0, 0, 123)),
    ("P1W", BASE + 7 * D),
    ("P-1D", BASE - D),
    ("R0/PT1H", BASE + H),
    ("R-1/PT1H", BASE + H),
    ("PT", BASE),
    ("PX", BASE),
]


@pytest.mark.parametrize(("text", "want"), POINT_IN_TIME_OK)
def test_parse_point_in_time_ok(text: str, want: int) -> None:
    assert parse_point_in_time(text, BASE) == want


NR, RP = "due time format not recognized", "repeats not supported for due time"

#: contract §8 error texts (builder.go parsePointInTime).
POINT_IN_TIME_ERRORS = [
    ("R5/PT1H", RP),
    ("R1/P1D", RP),
    ("R5", RP),
    ("R5/", RP),
    ("", NR),
    ("1", NR),
    ("1d", NR),
    ("10", NR),
    ("2024-01-01T00:00:00", NR),
    ("2024-01-01", NR),
    ("P1.5D", NR),
    ("R/PT1H", NR),
    ("tomorrow", NR),
    ("@every 1s", NR),
    ("3000000h", NR),
]


@pytest.mark.parametrize(("text", "message"), POINT_IN_TIME_ERRORS)
def test_parse_point_in_time_errors(text: str, message: str) -> None:
    with pytest.raises(PointInTimeError) as info:
        parse_point_in_time(text, BASE)
    assert str(info.value) == message


# --- protojson google.protobuf.Duration: contract §3 ----------------------------------------------

#: contract §3 (failure-policy `interval`) + protobuf-go encoding/protojson well_known_types.go
#: parseDuration and decode_test.go "Duration ..." rows.
PROTO_OK = [
    ("10s", 10 * S),
    ("0s", 0),
    ("-0s", 0),
    ("+1s", S),
    ("0.2s", 200 * MS),
    ("1.5s", 1500 * MS),
    ("-1s", -S),
    (".5s", 500 * MS),
    ("-.5s", -500 * MS),
    ("1.s", S),
    ("0.s", 0),
    (".s", 0),
    ("-1.5s", -1500 * MS),
    ("0.000000001s", 1),
    ("-0.000000001s", -1),
    ("1.123456789s", 1_123_456_789),
    ("3600s", H),
    ("315576000000s", 315576000000 * S),
    ("-315576000000s", -315576000000 * S),
    ("315576000000.999999999s", 315576000000 * S + 999_999_999),
    ("0.100s", 100 * MS),
    # decode_test.go Duration rows
    ("3s", 3 * S),
    ("-3s", -3 * S),
    ("+3s", 3 * S),
    ("0.001s", MS),
    ("-0.001s", -MS),
    ("-.001s", -MS),
    ("+.001s", MS),
    ("-123.000000450s", -(123 * S + 450)),
    ("10000000000.000000001s", 10**10 * S + 1),
    ("3.s", 3 * S),
    ("0.5s", 500 * MS),
    ("-315576000000.999999999s", -(315576000000 * S + 999_999_999)),
]


@pytest.mark.parametrize(("text", "want"), PROTO_OK)
def test_parse_proto_duration_ok(text: str, want: int) -> None:
    assert parse_proto_duration(text) == want


#: contract §3: Go-duration forms are rejected over HTTP; well_known_types.go parseDuration branches and
#: decode_test.go "Duration ..." error rows (same message text).
PROTO_INVALID = [
    "200ms",
    "2m",
    "1h",
    "1",
    "s",
    "",
    "-s",
    "+s",
    "1.5",
    "01s",
    "00s",
    "-01s",
    "1.0000000001s",
    " 1s",
    "1s ",
    "1 s",
    "1e3s",
    "1S",
    "--1s",
    "+-1s",
    "1..5s",
    "1.5.s",
    "0x1s",
    "1_000s",
    "\u0661s",
    "1ss",
    "9223372036854775808s",
    "99999999999999999999s",
    # decode_test.go Duration rows
    "0.1000000000s",
    "123",
    "123.+123s",
    "123.123.s",
]


@pytest.mark.parametrize("text", PROTO_INVALID)
def test_parse_proto_duration_invalid(text: str) -> None:
    with pytest.raises(ProtoDurationError) as info:
        parse_proto_duration(text)
    assert str(info.value) == f'invalid google.protobuf.Duration value "{text}"'


@pytest.mark.parametrize("text", ["315576000001s", "-315576000001s", "9223372036854775807s"])  # decode_test
def test_parse_proto_duration_out_of_range(text: str) -> None:
    with pytest.raises(ProtoDurationError) as info:
        parse_proto_duration(text)
    assert str(info.value) == f'google.protobuf.Duration value out of range: "{text}"'


#: contract §3 / protojson marshalDuration (well_known_types.go): 0, 3, 6 or 9 fraction digits.
PROTO_FORMAT = [
    (0, "0s"),
    (S, "1s"),
    (-S, "-1s"),
    (200 * MS, "0.200s"),
    (US, "0.000001s"),
    (1, "0.000000001s"),
    (-1500 * MS, "-1.500s"),
    (-1, "-0.000000001s"),
    (1_000_001 * US, "1.000001s"),
    (1_000_000_001, "1.000000001s"),
    (10 * S, "10s"),
    (H, "3600s"),
    (1_120 * MS, "1.120s"),
    (-500 * MS, "-0.500s"),
    (315576000000 * S + 999_999_999, "315576000000.999999999s"),
]


@pytest.mark.parametrize(("ns", "text"), PROTO_FORMAT)
def test_format_proto_duration(ns: int, text: str) -> None:
    assert format_proto_duration(ns) == text
    assert parse_proto_duration(text) == ns


@pytest.mark.parametrize("ns", [315576000001 * S, -315576000001 * S])
def test_format_proto_duration_out_of_range(ns: int) -> None:
    with pytest.raises(ProtoDurationError, match="seconds out of range"):
        format_proto_duration(ns)


# --- datetime bridges ------------------------------------------------------------------------------

NS_DATETIME = [
    (0, datetime(1970, 1, 1, tzinfo=timezone.utc)),
    (1_500, datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=timezone.utc)),
    (-1, datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)),  # floored
    (utc(2024, 2, 29, 12, 0, 0, 123_456_789), datetime(2024, 2, 29, 12, 0, 0, 123456, tzinfo=timezone.utc)),
]


@pytest.mark.parametrize(("ns", "dt"), NS_DATETIME)
def test_ns_to_datetime(ns: int, dt: datetime) -> None:
    got = ns_to_datetime(ns)
    assert got == dt
    assert got.utcoffset() == timedelta(0)
    assert datetime_to_ns(got) == ns // US * US


def test_datetime_to_ns_aware_offsets() -> None:
    plus2 = timezone(timedelta(hours=2))
    assert datetime_to_ns(datetime(2024, 1, 1, 2, tzinfo=plus2)) == utc(2024, 1, 1)
    assert datetime_to_ns(datetime(1, 1, 1, tzinfo=timezone.utc)) == -62135596800 * S


def test_datetime_to_ns_rejects_naive() -> None:
    with pytest.raises(ValueError, match="naive"):
        datetime_to_ns(datetime(2024, 1, 1))


def test_ns_to_datetime_out_of_range() -> None:
    with pytest.raises(ValueError, match="outside"):
        ns_to_datetime(253402300800 * S)
