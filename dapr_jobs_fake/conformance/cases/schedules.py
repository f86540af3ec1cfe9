"""Schedules (§7, §9): descriptors, `@every` with Go durations, cron fields and ranges, time zones.

Each schedule is POSTed with a one-hour dueTime, so an accepted job does not fire during the run (an
`@every 1ms` would otherwise fire all the time), read back and deleted: the answer to the POST is the
parser's verdict, and it comes before any dueTime check.
"""

from __future__ import annotations

from ..model import Case
from .dsl import case, delete, get, post

_CRASH = "a bare TZ= prefix crashes the Scheduler before 1.18.3 (the recording would lose the sidecar)"


def _schedule(slug: str, spec: str, about: str = "", not_recorded: dict[str, str] | None = None) -> Case:
    name = f"sc-{slug}"
    return case(
        f"schedules/{slug}",
        "§7",
        post(name, {"schedule": spec, "dueTime": "1h", "data": "s"}),
        get(name),
        delete(name),
        about=about,
        not_recorded=not_recorded,
    )


CASES = [
    _schedule("daily", "@daily"),
    _schedule("yearly", "@yearly"),
    _schedule("annually", "@annually"),
    _schedule("monthly", "@monthly"),
    _schedule("weekly", "@weekly"),
    _schedule("midnight", "@midnight"),
    _schedule("hourly", "@hourly"),
    _schedule("descriptor-case-sensitive", "@Daily"),
    _schedule("unknown-descriptor", "@foo"),
    _schedule("reboot", "@reboot"),
    _schedule("every-hour", "@every 1h"),
    _schedule("every-compound", "@every 1h30m"),
    _schedule("every-fraction", "@every 1.5s"),
    _schedule("every-millisecond", "@every 1ms"),
    _schedule("every-microsecond-sign", "@every 1\u00b5s"),
    _schedule("every-zero", "@every 0s"),
    _schedule("every-negative", "@every -1s"),
    _schedule("every-bad-duration", "@every x"),
    _schedule("every-missing-unit", "@every 10"),
    _schedule("every-day-unit", "@every 1d"),
    _schedule("every-no-space", "@every1h"),
    _schedule("every-two-spaces", "@every  1h"),
    _schedule("every-nothing", "@every"),
    _schedule("five-fields", "0 0 * * *", about="1.14 parses 5 fields (no seconds); 1.15+ needs 6"),
    _schedule("six-fields", "0 0 0 * * *"),
    _schedule("seven-fields", "0 0 0 * * * *"),
    _schedule("one-field", "1h", about="a plain Go duration is not a schedule"),
    _schedule("empty", "", about='"schedule": "" counts as set and fails in the parser'),
    _schedule("every-second", "* * * * * *"),
    _schedule("list-and-steps", "0,30 */5 1-10/3 * * *"),
    _schedule("question-mark", "0 0 0 ? * *"),
    _schedule("month-names", "0 0 0 1 jan,JUL *"),
    _schedule("weekday-range-names", "0 0 9 * * mon-fri"),
    _schedule("weekday-seven", "0 0 0 * * 7"),
    _schedule("weekday-zero-to-six", "0 0 0 * * 0-6"),
    _schedule("second-sixty", "60 * * * * *"),
    _schedule("hour-twenty-four", "0 0 24 * * *"),
    _schedule("day-zero", "0 0 0 0 * *"),
    _schedule("day-thirty-two", "0 0 0 32 * *"),
    _schedule("month-thirteen", "0 0 0 * 13 *"),
    _schedule("step-zero", "*/0 * * * * *"),
    _schedule("range-backwards", "5-1 * * * * *"),
    _schedule("negative-number", "-1 * * * * *"),
    _schedule("quartz-l", "0 0 0 L * *"),
    _schedule("leading-spaces", "  0 0 0 * * *"),
    _schedule("inner-spaces", "0  0 0 * * *"),
    _schedule("february-thirtieth", "0 0 0 30 2 *", about="never matches: accepted, no next time"),
    _schedule("tz-prefix", "TZ=UTC 0 0 0 * * *"),
    _schedule("cron-tz-prefix", "CRON_TZ=Europe/Paris 0 0 0 * * *"),
    _schedule("tz-bad-zone", "TZ=Not/AZone 0 0 0 * * *"),
    _schedule("tz-with-every", "TZ=UTC @every 1h", about="refused from 1.18.3, the zone ignored before"),
    _schedule("tz-with-descriptor", "TZ=America/New_York @daily"),
    _schedule(
        "tz-alone",
        "TZ=UTC",
        not_recorded={v: _CRASH for v in ("1.14", "1.15", "1.16", "1.17", "1.18.0", "1.18.1", "1.18.2")},
    ),
    _schedule("tz-empty-zone", "TZ= 0 0 0 * * *"),
]
