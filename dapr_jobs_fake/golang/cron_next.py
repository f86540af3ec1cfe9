"""`SpecSchedule.Next` of the Scheduler's cron library, step for step (contract §7, §8).

The Scheduler's cron engine (go-etcd-cron) computes every trigger after the first as `cron.Next(previous
scheduled trigger)` with dapr/kit's fork of robfig/cron (`K:cron/spec.go`). This module re-implements that
`Next` on integer nanoseconds, including Go's `time.Date` normalisation inside a location, so that wall
clocks that do not exist (DST gap) or exist twice (DST overlap) resolve exactly as in Go, and robfig's
known DST quirks (a gap time resolves *backwards*; an overlap hour fires twice for `0 0 * * * *`) come out
the same. `cron.py` builds `CronSchedule` values; this module only evaluates them.

Go-time model: a `time.Time` here is whole Unix seconds plus a zone (`None` = UTC, else a cached
`ZoneInfo`). Cron arithmetic never produces sub-second parts: `Next` drops them first (`spec.go`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from zoneinfo import ZoneInfo

from .calendar import NS_PER_SECOND, civil_from_days, days_from_civil

#: Top bit of a field's bit set: the field was written `*` or `?` (`spec.go:starBit`).
STAR_BIT = 1 << 63

_VALID = {
    "second": (1 << 60) - 1,
    "minute": (1 << 60) - 1,
    "hour": (1 << 24) - 1,
    "dom": ((1 << 32) - 1) & ~1,
    "month": ((1 << 13) - 1) & ~1,
    "dow": (1 << 7) - 1,
}

# datetime's range, used to clamp zone look-ups far outside any realistic schedule.
_MIN_TS = int(datetime(1, 1, 2, tzinfo=timezone.utc).timestamp())
_MAX_TS = int(datetime(9999, 12, 30, tzinfo=timezone.utc).timestamp())


@cache
def load_zone(name: str) -> ZoneInfo:
    """A cached `ZoneInfo`; raises whatever `zoneinfo` raises for an unknown key."""
    return ZoneInfo(name)


def _offset(zone: ZoneInfo | None, unix: int) -> int:
    """Seconds east of UTC in `zone` at instant `unix` (Go `Location.lookup`)."""
    if zone is None:
        return 0
    unix = min(max(unix, _MIN_TS), _MAX_TS)
    off = datetime.fromtimestamp(unix, zone).utcoffset()
    return 0 if off is None else off.days * 86400 + off.seconds


def fields(unix: int, zone: ZoneInfo | None) -> tuple[int, int, int, int, int, int, int]:
    """Go's `t.Date()`, `t.Clock()` and `t.Weekday()` (Sunday = 0) of instant `unix` in `zone`."""
    days, secs = divmod(unix + _offset(zone, unix), 86400)
    y, mo, d = civil_from_days(days)
    return y, mo, d, secs // 3600, secs // 60 % 60, secs % 60, (days + 4) % 7


def go_date(y: int, mo: int, d: int, h: int, mi: int, s: int, zone: ZoneInfo | None) -> int:
    """Go's `time.Date(y, mo, d, h, mi, s, 0, zone)` as Unix seconds.

    Out-of-range fields normalise (month 13 is January of the next year, day 32 the next month's 1st).
    A wall clock in a DST gap or overlap resolves the way Go does (`time.go:Date`): look up the offset at
    the wall clock read as UTC, then the offset at (wall - that offset), and use the latter. For zones
    west of UTC a gap time therefore moves back an hour and an overlap time takes the earlier (DST) instant.
    """
    y += (mo - 1) // 12
    mo = (mo - 1) % 12 + 1
    wall = days_from_civil(y, mo, 1) * 86400 + (d - 1) * 86400 + h * 3600 + mi * 60 + s
    if zone is None:
        return wall
    return wall - _offset(zone, wall - _offset(zone, wall))


def _next_bit(mask: int, start: int, limit: int) -> int:
    """Lowest set bit of `mask` in [start, limit), or -1."""
    rest = (mask & ((1 << limit) - 1)) >> start
    return start + (rest & -rest).bit_length() - 1 if rest else -1


@dataclass(frozen=True, slots=True)
class CronSchedule:
    """`SpecSchedule`: one bit set per field (bit n = value n; `STAR_BIT` = written `*`/`?`) and a
    location (`K:cron/spec.go`, contract §7).

    `location` is the IANA name from a `TZ=`/`CRON_TZ=` prefix, or "UTC" when there was none (the
    Scheduler evaluates prefix-less schedules in the location of the time it passes, which is UTC, §7
    "Timezone"); Go's `LoadLocation("")` and `LoadLocation("Local")` also land on UTC here.
    """

    second: int
    minute: int
    hour: int
    dom: int
    month: int
    dow: int
    location: str = "UTC"
    _zone: ZoneInfo | None = field(init=False, repr=False, compare=False, default=None)
    _never: bool = field(init=False, repr=False, compare=False, default=False)

    def __post_init__(self) -> None:
        zone = None if self.location == "UTC" else load_zone(self.location)
        object.__setattr__(self, "_zone", zone)
        # A field with no valid bit can never match; Go then loops until the 5-year limit and returns the
        # zero time. Short-circuit it (same answer, without walking five years second by second).
        empty = any(not getattr(self, f) & v for f, v in _VALID.items() if f not in ("dom", "dow"))
        dom, dow = self.dom & _VALID["dom"], self.dow & _VALID["dow"]
        if (self.dom | self.dow) & STAR_BIT:
            empty = empty or not dom or not dow
        else:
            empty = empty or (not dom and not dow)
        object.__setattr__(self, "_never", empty)

    def _day_matches(self, d: int, wd: int) -> bool:
        """`spec.go:dayMatches`: AND when dom or dow carries the star bit, else OR."""
        dom_match = (self.dom >> d) & 1
        dow_match = (self.dow >> wd) & 1
        if (self.dom | self.dow) & STAR_BIT:
            return bool(dom_match and dow_match)
        return bool(dom_match or dow_match)

    def next(self, after_ns: int) -> int | None:
        """First activation strictly after `after_ns` (epoch ns), or None for Go's zero time.

        Mirrors `SpecSchedule.Next` (`K:cron/spec.go`, robfig/cron v3): drop the sub-second part and add
        1 s; then walk month, day, hour, minute, second in the location's wall clock, resetting lower
        fields the first time one is bumped and starting over (`goto WRAP`) when a field wraps; give up
        (None) once the wall-clock year exceeds the starting year + 5. In UTC the hour/minute/second
        walks jump straight to the next set bit (equivalent: UTC has no transitions); in other zones they
        step one unit at a time exactly like Go, so DST behaviour is reproduced.
        """
        if self._never:
            return None
        zone = self._zone
        t = after_ns // NS_PER_SECOND + 1
        y, mo, d, h, mi, s, wd = fields(t, zone)
        year_limit = y + 5
        added = False
        while True:  # WRAP
            if y > year_limit:
                return None
            wrapped = False
            while not (self.month >> mo) & 1:
                if not added:
                    added = True
                    t = go_date(y, mo, 1, 0, 0, 0, zone)
                    y, mo, d, h, mi, s, wd = fields(t, zone)
                t = go_date(y, mo + 1, d, h, mi, s, zone)  # t.AddDate(0, 1, 0)
                y, mo, d, h, mi, s, wd = fields(t, zone)
                if mo == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not self._day_matches(d, wd):
                if not added:
                    added = True
                    t = go_date(y, mo, d, 0, 0, 0, zone)
                    y, mo, d, h, mi, s, wd = fields(t, zone)
                t = go_date(y, mo, d + 1, h, mi, s, zone)  # t.AddDate(0, 0, 1)
                y, mo, d, h, mi, s, wd = fields(t, zone)
                if h != 0:  # midnight skipped or doubled by DST: robfig's ±hours correction
                    t += (24 - h) * 3600 if h > 12 else -h * 3600
                    y, mo, d, h, mi, s, wd = fields(t, zone)
                if d == 1:
                    wrapped = True
                    break
            if wrapped:
                continue
            if zone is None:
                t, added, wrapped = self._jump_utc(t, h, mi, s, added)
                if wrapped:
                    y, mo, d, h, mi, s, wd = fields(t, zone)
                    continue
                return t * NS_PER_SECOND
            while not (self.hour >> h) & 1:
                if not added:
                    added = True
                    t = go_date(y, mo, d, h, 0, 0, zone)
                t += 3600
                y, mo, d, h, mi, s, wd = fields(t, zone)
                if h == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (self.minute >> mi) & 1:
                if not added:
                    added = True
                    t -= t % 60  # t.Truncate(time.Minute): absolute, not wall-clock
                t += 60
                y, mo, d, h, mi, s, wd = fields(t, zone)
                if mi == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            while not (self.second >> s) & 1:
                added = True
                t += 1
                y, mo, d, h, mi, s, wd = fields(t, zone)
                if s == 0:
                    wrapped = True
                    break
            if wrapped:
                continue
            return t * NS_PER_SECOND

    def _jump_utc(self, t: int, h: int, mi: int, s: int, added: bool) -> tuple[int, bool, bool]:
        """The hour/minute/second walks of `Next` in UTC, jumping to the next set bit.

        Returns (t, added, wrapped); `wrapped` means a field rolled over to 0 (Go's `goto WRAP`).
        """
        if not (self.hour >> h) & 1:
            if not added:
                added = True
                t -= mi * 60 + s
                mi = s = 0
            nxt = _next_bit(self.hour, h + 1, 24)
            if nxt < 0:
                return t + (24 - h) * 3600, added, True
            t += (nxt - h) * 3600
        if not (self.minute >> mi) & 1:
            if not added:
                added = True
                t -= s
                s = 0
            nxt = _next_bit(self.minute, mi + 1, 60)
            if nxt < 0:
                return t + (60 - mi) * 60, added, True
            t += (nxt - mi) * 60
        if not (self.second >> s) & 1:
            added = True
            nxt = _next_bit(self.second, s + 1, 60)
            if nxt < 0:
                return t + 60 - s, added, True
            t += nxt - s
        return t, added, False
