"""Schedule grammar and `Next` (contract §7, §8): tables drawn from dapr/kit's and robfig/cron's tests.

Sources: `K:cron/parser_test.go` (TestRange, TestField, TestAll, TestBits, TestParseScheduleErrors,
TestParseSchedule, TestStandardSpecSchedule, TestParseScheduleTimezoneDST), `K:cron/spec_test.go`
(TestActivation, TestNext, TestNextWithTz, TestErrors, TestSlash0NoHang; identical to robfig/cron v3's
spec_test.go), `K:cron/constantdelay_test.go` (TestConstantDelayNext) and robfig/cron v3's
constantdelay_test.go for the legacy whole-second `@every`. Go tests that use time.Local run here in
UTC, the zone the Scheduler passes (§7 "Timezone"); 5-field `ParseStandard` specs get a leading `0`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from dapr_jobs_fake.golang.cron import (
    EVERY_LEGACY_SECOND,
    EVERY_MILLISECOND,
    TZ_EVERY_MESSAGE,
    CronError,
    CronSchedule,
    EverySchedule,
    SchedulerPanicError,
    parse_schedule,
)
from dapr_jobs_fake.golang.cron_next import STAR_BIT, go_date, load_zone

S = 1_000_000_000
MS = 1_000_000


def ns(value: str) -> int:
    """robfig's `getTime`: "Mon Jul 9 14:45[:05][.fff] 2012" (UTC here) or "2012-03-11T00:00:00-0500"."""
    for layout in ("%a %b %d %H:%M %Y", "%a %b %d %H:%M:%S %Y", "%a %b %d %H:%M:%S.%f %Y"):
        try:
            dt = datetime.strptime(value, layout).replace(tzinfo=timezone.utc)
            break
        except ValueError:
            continue
    else:
        dt = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z")
    return (dt - datetime(1970, 1, 1, tzinfo=timezone.utc)) // timedelta(microseconds=1) * 1000


def all_bits(lo: int, hi: int) -> int:
    return sum(1 << i for i in range(lo, hi + 1)) | STAR_BIT


def cron(spec: str, **kw: bool) -> CronSchedule:
    sched = parse_schedule(spec, **kw)
    assert isinstance(sched, CronSchedule)
    return sched


# --- field grammar: contract §7 item 4; K:cron/parser_test.go TestRange / TestField / TestAll ---------

DOW = "0 0 0 * * {}"  # the day-of-week field has bounds 0-6 plus names


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("5", 1 << 5),
        ("0", 1 << 0),
        ("6", 1 << 6),
        ("5-5", 1 << 5),
        ("5-6", 1 << 5 | 1 << 6),
        ("4-6/2", 1 << 4 | 1 << 6),
        ("4-5/2", 1 << 4),
        ("4-6/1", 1 << 4 | 1 << 5 | 1 << 6),
        ("*", all_bits(0, 6)),
        ("?", all_bits(0, 6)),
        ("*/1", all_bits(0, 6)),  # step 1 keeps the star bit
        ("*/2", 1 << 0 | 1 << 2 | 1 << 4 | 1 << 6),  # step > 1 clears it
        ("?/3", 1 << 0 | 1 << 3 | 1 << 6),
        ("2/2", 1 << 2 | 1 << 4 | 1 << 6),  # N/step = N-max/step
        ("1,5-6/2,3", 1 << 1 | 1 << 5 | 1 << 3),  # TestField
        ("1,,3,", 1 << 1 | 1 << 3),  # strings.FieldsFunc drops empty list items
        ("mon-fri", sum(1 << i for i in range(1, 6))),
        ("SUN,Sat", 1 << 0 | 1 << 6),  # names are case-insensitive
        ("+3", 1 << 3),  # strconv.Atoi accepts a sign
        ("*-9", all_bits(0, 6)),  # after a star, Go never looks at the hyphen's right side
    ],
)
def test_dow_field_bits(field: str, expected: int) -> None:
    """contract §7 item 4; K:cron/parser_test.go TestRange/TestField, spec.go bounds dow 0-6."""
    assert cron(DOW.format(field)).dow == expected


def test_all_bits_per_field() -> None:
    """contract §7 item 4; K:cron/parser_test.go TestAll (`all()` = bounds plus the star bit)."""
    s = cron("* * * * * *")
    assert (s.second, s.minute, s.hour) == (all_bits(0, 59), all_bits(0, 59), all_bits(0, 23))
    assert (s.dom, s.month, s.dow) == (all_bits(1, 31), all_bits(1, 12), all_bits(0, 6))
    assert cron("0 0 0 * jan-MAR,Dec *").month == 1 << 1 | 1 << 2 | 1 << 3 | 1 << 12


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        # contract §7 items 1, 3, 4, 5; K:cron/parser_test.go TestParseScheduleErrors, TestRange errors
        ("", "empty spec string"),
        ("test", "expected exactly 6 fields, found 1: [test]"),
        ("1h", "expected exactly 6 fields, found 1: [1h]"),
        ("* * * * *", "expected exactly 6 fields, found 5: [* * * * *]"),
        ("0 * * * * * *", "expected exactly 6 fields, found 7: [0 * * * * * *]"),
        (" ", "expected exactly 6 fields, found 0: []"),
        (" @daily", "expected exactly 6 fields, found 1: [@daily]"),
        ("* 5 j * * *", 'failed to parse int from j: strconv.Atoi: parsing "j": invalid syntax'),
        ("0 0 0 * * 7", "end of range (7) above maximum (6): 7"),
        ("0 0 0 * * sun-7", "end of range (7) above maximum (6): sun-7"),
        ("60 * * * * *", "end of range (60) above maximum (59): 60"),
        ("* 60 * * * *", "end of range (60) above maximum (59): 60"),
        ("* * 24 * * *", "end of range (24) above maximum (23): 24"),
        ("* * * 0 * *", "beginning of range (0) below minimum (1): 0"),
        ("* * * 32 * *", "end of range (32) above maximum (31): 32"),
        ("* * * * 0 *", "beginning of range (0) below minimum (1): 0"),
        ("* * * * 13 *", "end of range (13) above maximum (12): 13"),
        ("* * * * * XYZ", 'failed to parse int from XYZ: strconv.Atoi: parsing "XYZ": invalid syntax'),
        ("* * * * jan-x *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        ("5--5 * * * * *", "too many hyphens: 5--5"),
        ("*/-12 * * * * *", "negative number (-12) not allowed: -12"),
        ("-5 * * * * *", 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax'),
        ("*//2 * * * * *", "too many slashes: *//2"),
        ("5-3 * * * * *", "beginning of range (5) beyond end of range (3): 5-3"),
        ("70/5 * * * * *", "beginning of range (70) beyond end of range (59): 70/5"),
        ("*/0 * * * * *", "step of range should be a positive number: */0"),
        ("15/0 * * * * *", "step of range should be a positive number: 15/0"),  # TestSlash0NoHang
        ("L * * * * *", 'failed to parse int from L: strconv.Atoi: parsing "L": invalid syntax'),
        ("* * * 15W * *", 'failed to parse int from 15W: strconv.Atoi: parsing "15W": invalid syntax'),
        ("* * * * * 5#3", 'failed to parse int from 5#3: strconv.Atoi: parsing "5#3": invalid syntax'),
        ("1.5 * * * * *", 'failed to parse int from 1.5: strconv.Atoi: parsing "1.5": invalid syntax'),
        ("\x1c * * * * *", 'failed to parse int from \x1c: strconv.Atoi: parsing "\\x1c": invalid syntax'),
        ("٣ * * * * *", 'failed to parse int from ٣: strconv.Atoi: parsing "٣": invalid syntax'),
        (
            "99999999999999999999 * * * * *",
            "failed to parse int from 99999999999999999999: strconv.Atoi: parsing "
            '"99999999999999999999": value out of range',
        ),
        (
            "9223372036854775807 * * * * *",
            "end of range (9223372036854775807) above maximum (59): 9223372036854775807",
        ),
        # first failing field wins, in field order (parser.go `field` closure)
        ("x 99 * * * *", 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'),
        # descriptors: contract §7 item 3 (exact, case-sensitive, no @reboot)
        ("@unrecognized", "unrecognized descriptor: @unrecognized"),
        ("@foo", "unrecognized descriptor: @foo"),
        ("@DAILY", "unrecognized descriptor: @DAILY"),
        ("@reboot", "unrecognized descriptor: @reboot"),
        ("@daily ", "unrecognized descriptor: @daily "),
        ("@every", "unrecognized descriptor: @every"),
        ("@every Xm", 'failed to parse duration @every Xm: time: invalid duration "Xm"'),
        ("@every x", 'failed to parse duration @every x: time: invalid duration "x"'),
        ("@every 10", 'failed to parse duration @every 10: time: missing unit in duration "10"'),
        ("@every 1d", 'failed to parse duration @every 1d: time: unknown unit "d" in duration "1d"'),
        ("@every  5s", 'failed to parse duration @every  5s: time: invalid duration " 5s"'),
        # timezone prefix: contract §7 item 2
        ("TZ=Not/AZone * * * * * *", "provided bad location Not/AZone: unknown time zone Not/AZone"),
        ("CRON_TZ=America * * * * * *", "provided bad location America: unknown time zone America"),
        ("TZ=../etc/passwd * * * * * *", "provided bad location ../etc/passwd: time: invalid location name"),
        (
            "TZ=/etc/localtime * * * * * *",
            "provided bad location /etc/localtime: time: invalid location name",
        ),
        ("TZ=UTC", "timezone prefix TZ=UTC is not followed by a schedule"),
        ("CRON_TZ=Asia/Tokyo", "timezone prefix CRON_TZ=Asia/Tokyo is not followed by a schedule"),
        ("TZ=", "timezone prefix TZ= is not followed by a schedule"),
        ("TZ=UTC ", "expected exactly 6 fields, found 0: []"),
        ("TZ=UTC @every 1h", TZ_EVERY_MESSAGE.format(spec="TZ=UTC @every 1h")),
        ("CRON_TZ=Europe/Rome @every 1h", TZ_EVERY_MESSAGE.format(spec="CRON_TZ=Europe/Rome @every 1h")),
        ("TZ=Bad/Zone @every 1h", "provided bad location Bad/Zone: unknown time zone Bad/Zone"),
        ("tz=UTC * * * * * *", "expected exactly 6 fields, found 7: [tz=UTC * * * * * *]"),
    ],
)
def test_parse_errors(spec: str, message: str) -> None:
    """contract §7; K:cron/parser_test.go TestParseScheduleErrors, spec_test.go TestErrors/TestSlash0NoHang"""
    with pytest.raises(CronError) as err:
        parse_schedule(spec)
    assert str(err.value) == message
    assert type(err.value) is CronError


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        # contract §7 item 3; K:cron/parser.go parseDescriptor, parser_test.go TestParseSchedule
        ("@yearly", (1, 1, 1, 1 << 1, 1 << 1, all_bits(0, 6))),
        ("@annually", (1, 1, 1, 1 << 1, 1 << 1, all_bits(0, 6))),
        ("@monthly", (1, 1, 1, 1 << 1, all_bits(1, 12), all_bits(0, 6))),
        ("@weekly", (1, 1, 1, all_bits(1, 31), all_bits(1, 12), 1)),
        ("@daily", (1, 1, 1, all_bits(1, 31), all_bits(1, 12), all_bits(0, 6))),
        ("@midnight", (1, 1, 1, all_bits(1, 31), all_bits(1, 12), all_bits(0, 6))),
        ("@hourly", (1, 1, all_bits(0, 23), all_bits(1, 31), all_bits(1, 12), all_bits(0, 6))),
        ("0 5 * * * *", (1, 1 << 5, all_bits(0, 23), all_bits(1, 31), all_bits(1, 12), all_bits(0, 6))),
        (
            "* 5 * * * *",
            (all_bits(0, 59), 1 << 5, all_bits(0, 23), all_bits(1, 31), all_bits(1, 12), all_bits(0, 6)),
        ),
    ],
)
def test_descriptors_and_specs(spec: str, expected: tuple[int, int, int, int, int, int]) -> None:
    """contract §7 item 3; K:cron/parser_test.go TestParseSchedule (every5min, midnight, annual)."""
    assert cron(spec) == CronSchedule(*expected)


@pytest.mark.parametrize(
    ("spec", "location"),
    [
        # contract §7 item 2; K:cron/parser_test.go TestParseSchedule
        ("CRON_TZ=UTC  0 5 * * * *", "UTC"),
        ("CRON_TZ=Asia/Tokyo 0 5 * * * *", "Asia/Tokyo"),
        ("CRON_TZ=Asia/Tokyo\t0 5 * * * *", "Asia/Tokyo"),  # kit v0.18.3: any whitespace ends the prefix
        ("TZ=UTC  @midnight", "UTC"),
        ("TZ=Asia/Tokyo @midnight", "Asia/Tokyo"),
        ("TZ= 0 5 * * * *", "UTC"),  # time.LoadLocation("") is UTC
        ("TZ=Local 0 5 * * * *", "UTC"),  # time.Local: the (UTC) input time's location
        ("0 5 * * * *", "UTC"),
        ("0\t5\n*  *\u3000* *", "UTC"),  # strings.Fields splits on any unicode.IsSpace
    ],
)
def test_timezone_prefix(spec: str, location: str) -> None:
    """contract §7 item 2 and "Timezone"; K:cron/parser_test.go TestParseSchedule."""
    assert cron(spec).location == location


# --- @every: contract §7 "`@every d`"; K:cron/constantdelay_test.go, robfig constantdelay_test.go ----


@pytest.mark.parametrize(
    ("spec", "delay"),
    [
        ("@every 5m", 5 * 60 * S),
        ("@every 5ms", 5 * MS),
        ("@every 5ns", 5),  # K:cron/parser_test.go TestParseSchedule (exact since kit v0.16)
        ("@every 1h30m", 5400 * S),
        ("@every 1.5s", 1500 * MS),
        ("@every 0s", 0),  # accepted by the parser; behaviour UNCONFIRMED (§16)
        ("@every -1s", -S),
    ],
)
def test_every_exact(spec: str, delay: int) -> None:
    """contract §7 (Dapr 1.16+ exact `@every`); K:cron/parser_test.go TestParseSchedule."""
    sched = parse_schedule(spec)
    assert sched == EverySchedule(delay)
    assert sched.next(ns("Mon Jul 9 14:45 2012") + 123) == ns("Mon Jul 9 14:45 2012") + 123 + delay


@pytest.mark.parametrize(
    ("after", "spec", "expected"),
    [
        # robfig/cron v3 constantdelay_test.go TestConstantDelayNext, whole-second legacy (Dapr <= 1.15)
        ("Mon Jul 9 14:45 2012", "@every 15m50ns", "Mon Jul 9 15:00 2012"),
        ("Mon Jul 9 14:59 2012", "@every 15m", "Mon Jul 9 15:14 2012"),
        ("Mon Jul 9 14:59:59 2012", "@every 15m", "Mon Jul 9 15:14:59 2012"),
        ("Mon Jul 9 15:45 2012", "@every 35m", "Mon Jul 9 16:20 2012"),
        ("Mon Jul 9 23:46 2012", "@every 14m", "Tue Jul 10 00:00 2012"),
        ("Mon Jul 9 23:35:51 2012", "@every 25h44m24s", "Thu Jul 11 01:20:15 2012"),
        ("Mon Jul 9 23:35 2012", "@every 2184h25m", "Thu Oct 9 00:00 2012"),
        ("Mon Dec 31 23:59:45 2012", "@every 15s", "Tue Jan 1 00:00:00 2013"),
        ("Mon Jul 9 14:45:00.005 2012", "@every 15m50ns", "Mon Jul 9 15:00 2012"),  # aligned to the second
        ("Mon Jul 9 14:45:00.5 2012", "@every 1ms", "Mon Jul 9 14:45:01 2012"),  # d < 1s becomes 1s
        ("Mon Jul 9 14:45 2012", "@every 1500ms", "Mon Jul 9 14:45:01 2012"),  # sub-second part dropped
        ("Mon Jul 9 14:45 2012", "@every -5s", "Mon Jul 9 14:45:01 2012"),
    ],
)
def test_every_legacy_rounding(after: str, spec: str, expected: str) -> None:
    """contract §7 (Dapr <= 1.15, kit < v0.16 `Every`); robfig constantdelay_test.go TestConstantDelayNext."""
    sched = parse_schedule(spec, exact_every=False)
    assert isinstance(sched, EverySchedule)
    assert sched.resolution_ns == EVERY_LEGACY_SECOND
    assert sched.next(ns(after)) == ns(expected)


@pytest.mark.parametrize(
    ("after", "delay", "expected"),
    [
        # K:cron/constantdelay_test.go TestConstantDelayNext (the stored kit variant, millisecond grid)
        ("Mon Jul 9 14:45 2012", 15 * 60 * S + 50, "Mon Jul 9 15:00 2012"),
        ("Mon Jul 9 14:45:00 2012", 15 * MS, "Mon Jul 9 14:45:00.015 2012"),
        ("Mon Jul 9 14:45:00.015 2012", 15 * MS, "Mon Jul 9 14:45:00.030 2012"),
        ("Mon Jul 9 23:35:51 2012", (25 * 3600 + 44 * 60 + 24) * S, "Thu Jul 11 01:20:15 2012"),
        ("Mon Jul 9 14:45:00.005 2012", 15 * 60 * S + 50, "Mon Jul 9 15:00:00.005 2012"),
    ],
)
def test_every_millisecond_variant(after: str, delay: int, expected: str) -> None:
    """contract §7; K:cron/constantdelay_test.go TestConstantDelayNext via `EverySchedule.from_duration`."""
    assert EverySchedule.from_duration(delay, EVERY_MILLISECOND).next(ns(after)) == ns(expected)


# --- TZ prefix modes: contract §7 item 2 (kit v0.18.3 / D@HEAD:docs/release_notes/v1.18.3.md) ---------


def test_legacy_tz_prefix_modes() -> None:
    """contract §7 item 2; K:cron/parser_test.go TestParseScheduleTimezoneIgnoredForEvery (pre-v0.18.3)."""
    assert parse_schedule("CRON_TZ=Europe/Rome @every 1h", strict_tz_prefix=False) == EverySchedule(3600 * S)
    for bare in ("TZ=UTC", "CRON_TZ=Asia/Tokyo", "TZ=", "TZ=UTC\t0\t5\t*\t*\t*\t*"):
        with pytest.raises(SchedulerPanicError, match="panic"):
            parse_schedule(bare, strict_tz_prefix=False)
    # before v0.18.3 only an ASCII space ended the zone name
    with pytest.raises(CronError, match=r"^provided bad location Asia/Tokyo\t0: unknown time zone"):
        parse_schedule("CRON_TZ=Asia/Tokyo\t0 5 * * * *", strict_tz_prefix=False)
    assert cron("TZ=Asia/Tokyo 0 5 * * * *", strict_tz_prefix=False).location == "Asia/Tokyo"


# --- Next: contract §7, §8; K:cron/spec_test.go TestActivation ---------------------------------------


@pytest.mark.parametrize(
    ("time", "spec", "fires"),
    [
        ("Mon Jul 9 15:00 2012", "0 0/15 * * * *", True),
        ("Mon Jul 9 15:45 2012", "0 0/15 * * * *", True),
        ("Mon Jul 9 15:40 2012", "0 0/15 * * * *", False),
        ("Mon Jul 9 15:05 2012", "0 5/15 * * * *", True),
        ("Mon Jul 9 15:20 2012", "0 5/15 * * * *", True),
        ("Mon Jul 9 15:50 2012", "0 5/15 * * * *", True),
        ("Sun Jul 15 15:00 2012", "0 0/15 * * Jul *", True),
        ("Sun Jul 15 15:00 2012", "0 0/15 * * Jun *", False),
        ("Sun Jul 15 08:30 2012", "0 30 08 ? Jul Sun", True),
        ("Sun Jul 15 08:30 2012", "0 30 08 15 Jul ?", True),
        ("Mon Jul 16 08:30 2012", "0 30 08 ? Jul Sun", False),
        ("Mon Jul 16 08:30 2012", "0 30 08 15 Jul ?", False),
        ("Mon Jul 9 15:00 2012", "@hourly", True),
        ("Mon Jul 9 15:04 2012", "@hourly", False),
        ("Mon Jul 9 15:00 2012", "@daily", False),
        ("Mon Jul 9 00:00 2012", "@daily", True),
        ("Mon Jul 9 00:00 2012", "@midnight", True),
        ("Mon Jul 9 00:00 2012", "@weekly", False),
        ("Sun Jul 8 00:00 2012", "@weekly", True),
        ("Sun Jul 8 01:00 2012", "@weekly", False),
        ("Sun Jul 8 00:00 2012", "@monthly", False),
        ("Sun Jul 1 00:00 2012", "@monthly", True),
        ("Tue Jan 1 00:00 2013", "@yearly", True),
        ("Tue Jan 1 00:00 2013", "@annually", True),
        ("Sun Jul 1 00:00 2012", "@annually", False),
        # dom and dow both restricted: either matches (OR)
        ("Sun Jul 15 00:00 2012", "0 * * 1,15 * Sun", True),
        ("Fri Jun 15 00:00 2012", "0 * * 1,15 * Sun", True),
        ("Wed Aug 1 00:00 2012", "0 * * 1,15 * Sun", True),
        ("Sun Jul 15 00:00 2012", "0 * * */10 * Sun", True),  # robfig #70: */10 has no star bit
        # one of them a star: both must match (AND)
        ("Sun Jul 15 00:00 2012", "0 * * * * Mon", False),
        ("Mon Jul 9 00:00 2012", "0 * * 1,15 * *", False),
        ("Sun Jul 15 00:00 2012", "0 * * 1,15 * *", True),
        ("Sun Jul 15 00:00 2012", "0 * * */2 * Sun", True),
        ("Mon Jul 9 00:00 2012", "0 * * 1,15 * ?", False),  # `?` is a star too
        ("Mon Jul 9 00:00 2012", "0 * * 1,15 * */1", False),  # `*/1` keeps the star bit
        ("Mon Jul 9 00:00 2012", "0 * * 1,15 * */2", False),  # Mon is not in 0,2,4,6; OR with dom
        ("Tue Jul 10 00:00 2012", "0 * * 1,15 * */2", True),
    ],
)
def test_activation(time: str, spec: str, fires: bool) -> None:
    """contract §7 item 4 (day matching); K:cron/spec_test.go TestActivation (5-field specs get `0 `)."""
    assert (parse_schedule(spec).next(ns(time) - S) == ns(time)) is fires


# --- Next: contract §7, §8; K:cron/spec_test.go TestNext / TestNextWithTz, parser_test.go DST --------

NY = "TZ=America/New_York "


@pytest.mark.parametrize(
    ("after", "spec", "expected"),
    [
        ("Mon Jul 9 14:45 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"),
        ("Mon Jul 9 14:59 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"),
        ("Mon Jul 9 14:59:59 2012", "0 0/15 * * * *", "Mon Jul 9 15:00 2012"),
        ("Mon Jul 9 15:45 2012", "0 20-35/15 * * * *", "Mon Jul 9 16:20 2012"),
        ("Mon Jul 9 23:46 2012", "0 */15 * * * *", "Tue Jul 10 00:00 2012"),
        ("Mon Jul 9 23:45 2012", "0 20-35/15 * * * *", "Tue Jul 10 00:20 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * * * *", "Tue Jul 10 00:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 1/2 * * *", "Tue Jul 10 01:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 10-12 * * *", "Tue Jul 10 10:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 1/2 */2 * *", "Thu Jul 11 01:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * 9-20 * *", "Wed Jul 10 00:20:15 2012"),
        ("Mon Jul 9 23:35:51 2012", "15/35 20-35/15 * 9-20 Jul *", "Wed Jul 10 00:20:15 2012"),
        ("Mon Jul 9 23:35 2012", "0 0 0 9 Apr-Oct ?", "Thu Aug 9 00:00 2012"),
        ("Mon Jul 9 23:35 2012", "0 0 0 */5 Apr,Aug,Oct Mon", "Tue Aug 1 00:00 2012"),
        ("Mon Jul 9 23:35 2012", "0 0 0 */5 Oct Mon", "Mon Oct 1 00:00 2012"),
        ("Mon Jul 9 23:35 2012", "0 0 0 * Feb Mon", "Mon Feb 4 00:00 2013"),
        ("Mon Jul 9 23:35 2012", "0 0 0 * Feb Mon/2", "Fri Feb 1 00:00 2013"),
        ("Mon Dec 31 23:59:45 2012", "0 * * * * *", "Tue Jan 1 00:00:00 2013"),
        ("Mon Jul 9 23:35 2012", "0 0 0 29 Feb ?", "Mon Feb 29 00:00 2016"),
        # sub-second part of `after` dropped, then +1 s: never *at* `after` (§8)
        ("Mon Jul 9 14:45:00.999 2012", "* * * * * *", "Mon Jul 9 14:45:01 2012"),
        ("Mon Jul 9 14:44:59.999 2012", "0 45 14 * * *", "Mon Jul 9 14:45 2012"),
        ("Mon Jul 9 14:45 2012", "0 45 14 * * *", "Tue Jul 10 14:45 2012"),
        # DST 2am EST -> 3am EDT (America/New_York, 2012-03-11)
        ("2012-03-11T00:00:00-0500", NY + "0 30 2 11 Mar ?", "2013-03-11T02:30:00-0400"),
        ("2012-03-11T00:00:00-0500", NY + "0 0 * * * ?", "2012-03-11T01:00:00-0500"),
        ("2012-03-11T01:00:00-0500", NY + "0 0 * * * ?", "2012-03-11T03:00:00-0400"),
        ("2012-03-11T03:00:00-0400", NY + "0 0 * * * ?", "2012-03-11T04:00:00-0400"),
        ("2012-03-11T04:00:00-0400", NY + "0 0 * * * ?", "2012-03-11T05:00:00-0400"),
        ("2012-03-11T00:00:00-0500", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T01:00:00-0500"),
        ("2012-03-11T01:00:00-0500", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T03:00:00-0400"),
        ("2012-03-11T03:00:00-0400", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T04:00:00-0400"),
        ("2012-03-11T04:00:00-0400", "CRON_TZ=America/New_York 0 0 * * * ?", "2012-03-11T05:00:00-0400"),
        ("2012-03-11T00:00:00-0500", NY + "0 0 1 * * ?", "2012-03-11T01:00:00-0500"),
        ("2012-03-11T01:00:00-0500", NY + "0 0 1 * * ?", "2012-03-12T01:00:00-0400"),
        ("2012-03-11T00:00:00-0500", NY + "0 0 2 * * ?", "2012-03-12T02:00:00-0400"),  # 2am skipped
        # DST 2am EDT -> 1am EST (2012-11-04)
        ("2012-11-04T00:00:00-0400", NY + "0 30 2 04 Nov ?", "2012-11-04T02:30:00-0500"),
        ("2012-11-04T01:45:00-0400", NY + "0 30 1 04 Nov ?", "2012-11-04T01:30:00-0500"),
        ("2012-11-04T00:00:00-0400", NY + "0 0 * * * ?", "2012-11-04T01:00:00-0400"),
        ("2012-11-04T01:00:00-0400", NY + "0 0 * * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", NY + "0 0 * * * ?", "2012-11-04T02:00:00-0500"),
        ("2012-11-04T00:00:00-0400", NY + "0 0 1 * * ?", "2012-11-04T01:00:00-0400"),  # 1am runs twice
        ("2012-11-04T01:00:00-0400", NY + "0 0 1 * * ?", "2012-11-04T01:00:00-0500"),
        ("2012-11-04T01:00:00-0500", NY + "0 0 1 * * ?", "2012-11-05T01:00:00-0500"),
        ("2012-11-04T00:00:00-0400", NY + "0 0 2 * * ?", "2012-11-04T02:00:00-0500"),
        ("2012-11-04T02:00:00-0500", NY + "0 0 2 * * ?", "2012-11-05T02:00:00-0500"),
        ("2012-11-04T00:00:00-0400", NY + "0 0 3 * * ?", "2012-11-04T03:00:00-0500"),
        ("2012-11-04T03:00:00-0500", NY + "0 0 3 * * ?", "2012-11-05T03:00:00-0500"),
        ("2012-11-04T00:00:00-0400", NY + "0 0 3 3 * ?", "2012-12-03T03:00:00-0500"),  # monthly
        # midnight does not exist (robfig/cron#157)
        ("2018-10-17T05:00:00-0400", "TZ=America/Sao_Paulo 0 0 9 10 * ?", "2018-11-10T06:00:00-0500"),
        ("2018-02-14T05:00:00-0500", "TZ=America/Sao_Paulo 0 0 9 22 * ?", "2018-02-22T07:00:00-0500"),
        # TestNextWithTz: the input's +05:30 zone, expressed as a prefix
        ("2016-01-03T13:09:03+0530", "TZ=Asia/Kolkata 0 14 14 * * *", "2016-01-03T14:14:00+0530"),
        ("2016-01-03T04:09:03+0530", "TZ=Asia/Kolkata 0 14 14 * * ?", "2016-01-03T14:14:00+0530"),
        ("2016-01-03T14:09:03+0530", "TZ=Asia/Kolkata 0 14 14 * * *", "2016-01-03T14:14:00+0530"),
        ("2016-01-03T14:00:00+0530", "TZ=Asia/Kolkata 0 14 14 * * ?", "2016-01-03T14:14:00+0530"),
        # Europe/Rome: the hour walk adds real hours, so a skipped 2am is missed for the day and a
        # repeated 2am fires at both occurrences (like robfig's "1am nightly job runs twice")
        ("2026-03-29T00:00:00+0100", "TZ=Europe/Rome 0 30 2 * * *", "2026-03-30T02:30:00+0200"),
        ("2026-10-25T00:00:00+0200", "TZ=Europe/Rome 0 30 2 * * *", "2026-10-25T02:30:00+0200"),
        ("2026-10-25T02:30:00+0200", "TZ=Europe/Rome 0 30 2 * * *", "2026-10-25T02:30:00+0100"),
        ("2026-10-25T02:30:00+0100", "TZ=Europe/Rome 0 30 2 * * *", "2026-10-26T02:30:00+0100"),
        ("2026-10-25T00:00:00+0200", "TZ=Europe/Rome 0 30 * * * *", "2026-10-25T00:30:00+0200"),
    ],
)
def test_next(after: str, spec: str, expected: str) -> None:
    """contract §7, §8; K:cron/spec_test.go TestNext and TestNextWithTz (robfig/cron v3 spec_test.go)."""
    assert parse_schedule(spec).next(ns(after)) == ns(expected)


@pytest.mark.parametrize(
    ("after", "spec"),
    [
        ("Mon Jul 9 23:35 2012", "0 0 0 30 Feb ?"),  # spec_test.go TestNext "Unsatisfiable"
        ("Mon Jul 9 23:35 2012", "0 0 0 31 Apr ?"),
        ("Mon Jul 9 23:35 2012", "TZ=America/New_York 0 0 0 31 Apr ?"),
        ("Mon Jul 9 23:35 2012", ", * * * * *"),  # a field with no value at all
        ("Mon Jul 9 23:35 2012", "0 0 0 , * *"),  # dom empty and dow a star: AND never holds
        ("Mon Jul 9 23:35 2012", "0 0 0 29 Feb Mon"),  # fine: OR with Mondays
    ],
)
def test_next_zero_time(after: str, spec: str) -> None:
    """contract §7 item 4 (no match within 5 years -> zero time); K:cron/spec_test.go TestNext."""
    result = parse_schedule(spec).next(ns(after))
    assert (result is None) is (spec != "0 0 0 29 Feb Mon")


def test_five_year_limit() -> None:
    """contract §7 item 4; K:cron/spec.go `yearLimit := t.Year() + 5` (a leap day 8 years away is missed)."""
    leap = parse_schedule("0 0 0 29 Feb ?")
    assert leap.next(ns("Sat Mar 1 00:00 2096")) is None  # 2100 is not a leap year; 2104 > 2096 + 5
    assert leap.next(ns("Tue Mar 1 00:00 2095")) == ns("Fri Feb 29 00:00 2096")


def test_rome_wall_clock_across_dst() -> None:
    """contract §7 "Timezone"; K:cron/parser_test.go TestParseScheduleTimezoneDST."""
    sched = parse_schedule("CRON_TZ=Europe/Rome 0 0 9 * * *")
    t = ns("2026-10-23T12:00:00+0200")
    for expected in ("2026-10-24T07:00:00+0000", "2026-10-25T08:00:00+0000", "2026-10-26T08:00:00+0000"):
        t = sched.next(t)  # type: ignore[assignment]
        assert t == ns(expected)


def test_no_prefix_is_utc_and_series() -> None:
    """contract §7 "Timezone" and §8 (each trigger = Next(previous)); K:cron/spec.go."""
    sched = parse_schedule("*/20 * * * * *")
    t = ns("Mon Jul 9 14:45:07 2012")
    got = []
    for _ in range(4):
        t = sched.next(t)  # type: ignore[assignment]
        got.append(t)
    assert got == [ns(f"Mon Jul 9 {x} 2012") for x in ("14:45:20", "14:45:40", "14:46:00", "14:46:20")]
    assert parse_schedule("0 0 0 1 1 *").next(-1) == 0  # negative input: Go floors the nanoseconds


def test_go_date_normalisation() -> None:
    """contract §7 (DST); Go `time.Date`: month/day overflow and gap/overlap resolution used by spec.go."""
    assert go_date(2012, 13, 1, 0, 0, 0, None) * S == ns("Tue Jan 1 00:00 2013")
    assert go_date(2012, 2, 30, 0, 0, 0, None) * S == ns("Thu Mar 1 00:00 2012")
    assert go_date(2012, 3, 0, 24, 0, 0, None) * S == ns("Thu Mar 1 00:00 2012")
    # west of UTC: a gap time moves back an hour, an overlap time takes the earlier (DST) instant
    ny = load_zone("America/New_York")
    assert go_date(2012, 3, 11, 2, 30, 0, ny) * S == ns("2012-03-11T01:30:00-0500")
    assert go_date(2012, 11, 4, 1, 30, 0, ny) * S == ns("2012-11-04T01:30:00-0400")
    # east of UTC: a gap time moves forward, an overlap time takes the later (standard) instant
    rome = load_zone("Europe/Rome")
    assert go_date(2026, 3, 29, 2, 30, 0, rome) * S == ns("2026-03-29T03:30:00+0200")
    assert go_date(2026, 10, 25, 2, 30, 0, rome) * S == ns("2026-10-25T02:30:00+0100")


def test_utc_jumps_match_literal_walk() -> None:
    """contract §7; K:cron/spec.go: the UTC fast path (jump to next set bit) equals Go's unit-by-unit walk,
    which `TZ=Etc/UTC` (a real zone, so no fast path) takes."""
    import random

    rnd = random.Random(7)

    def field(lo: int, hi: int) -> str:
        kind = rnd.randrange(5)
        a, b = sorted(rnd.sample(range(lo, hi + 1), 2))
        return ["*", str(a), f"{a}-{b}", f"{a}/{rnd.randint(1, 9)}", f"{a},{b}"][kind]

    for _ in range(300):
        spec = " ".join(field(lo, hi) for lo, hi in ((0, 59), (0, 59), (0, 23), (1, 31), (1, 12), (0, 6)))
        after = rnd.randrange(0, 4_000_000_000) * S + rnd.randrange(S)
        fast, walk = parse_schedule(spec), parse_schedule("TZ=Etc/UTC " + spec)
        assert fast.next(after) == walk.next(after), spec
