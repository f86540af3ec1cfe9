"""dueTime, ttl and repeats (§8, §9): the point-in-time grammar, the builder's checks in their order, and
a job's life with no app (each trigger fails: the failure policy applies from 1.15, 1.14 drops it)."""

from __future__ import annotations

from typing import Any

from ..model import Case
from .dsl import Wait, case, delete, get, post


def _job(slug: str, body: dict[str, Any], about: str = "") -> Case:
    name = f"tm-{slug}"
    return case(f"timing/{slug}", "§8", post(name, body), get(name), delete(name), about=about)


def _due(slug: str, due: str, about: str = "") -> Case:
    return _job(f"due-{slug}", {"dueTime": due, "data": "t"}, about)


def _ttl(slug: str, ttl: str, about: str = "", **extra: Any) -> Case:
    return _job(f"ttl-{slug}", {"schedule": "@every 1h", "ttl": ttl, "data": "t", **extra}, about)


CASES = [
    _due("hour", "1h"),
    _due("compound", "1h30m10s"),
    _due("fraction", "1.5h"),
    _due("microsecond-sign", "3600000000\u00b5s"),
    _due("plus-sign", "+1h"),
    _due("day-unit", "1d"),
    _due("missing-unit", "10"),
    _due("empty", ""),
    _due("garbage", "soon"),
    _due("space-inside", "1 h"),
    _due("iso-hour", "PT1H"),
    _due("iso-day", "P1D"),
    _due("iso-week", "P1W"),
    _due("iso-full", "P1Y2M3DT4H5M6S"),
    _due("iso-fraction", "PT1.5H"),
    _due("iso-lowercase", "pt1h"),
    _due("iso-repeats", "R2/PT1H", about="repeats are not supported for a dueTime"),
    _due("iso-repeat-once", "R1/PT1H"),
    _due("rfc3339-future", "{in:1h}"),
    _due("rfc3339-offset", "2099-01-01T00:00:00+02:00"),
    _due("rfc3339-fraction", "2099-01-01T00:00:00.123456789Z"),
    _due("rfc3339-no-offset", "2099-01-01T00:00:00"),
    _due("rfc3339-lowercase", "2099-01-01t00:00:00z"),
    _due("date-only", "2099-01-01"),
    _due("rfc3339-bad-day", "2099-02-30T00:00:00Z"),
    _ttl("hour", "1h"),
    _ttl("rfc3339", "{in:2h}"),
    _ttl("iso", "P1D"),
    _ttl("garbage", "later"),
    _ttl("empty", ""),
    _ttl("before-due-time", "{in:1h}", dueTime="2h", about="an absolute ttl before the dueTime"),
    _ttl("relative-to-due-time", "1h", dueTime="2h", about="a duration ttl counts from the dueTime"),
    _job("ttl-without-schedule", {"dueTime": "1h", "ttl": "2h"}),
    _job("repeats-zero", {"schedule": "@every 1h", "repeats": 0}),
    _job("repeats-without-schedule", {"dueTime": "1h", "repeats": 2}),
    _job("repeats-one-without-schedule", {"dueTime": "1h", "repeats": 1, "data": "t"}),
    _job("repeats-five", {"schedule": "@every 1h", "repeats": 5, "data": "t"}),
    _job(
        "checks-order-schedule-first",
        {"schedule": "bad", "dueTime": "bad", "ttl": "bad", "repeats": 0},
        about="repeats, then the schedule, then dueTime, then ttl: which refusal wins",
    ),
    _job("checks-order-due-before-ttl", {"schedule": "@daily", "dueTime": "bad", "ttl": "bad"}),
    _job("checks-order-repeats-before-ttl", {"dueTime": "1h", "repeats": 2, "ttl": "2h"}),
    case(
        "timing/no-app-one-shot-retried-then-gone",
        "§8",
        post("tm-noapp-once", {"dueTime": "2s", "data": "t"}),
        Wait(0.4),
        get("tm-noapp-once"),
        Wait(3.5),
        get("tm-noapp-once"),
        Wait(8.5),
        get("tm-noapp-once"),
        about="no app channel: 4 failed attempts 1 s apart (1.15+), then the job is gone; 1.14 drops it at "
        "once (the job exists until its last attempt, so the looks do not depend on the second's offset)",
    ),
    case(
        "timing/no-app-past-due-time",
        "§8",
        post("tm-noapp-past", {"dueTime": "-10s", "data": "t"}),
        Wait(7.5),
        get("tm-noapp-past"),
    ),
    case(
        "timing/no-app-repeats",
        "§8",
        post("tm-noapp-repeats", {"schedule": "@every 1s", "repeats": 2, "data": "t"}),
        Wait(0.5),
        get("tm-noapp-repeats"),
        Wait(12.5),
        get("tm-noapp-repeats"),
    ),
    case(
        "timing/no-app-delete-before-due",
        "§8",
        post("tm-noapp-deleted", {"dueTime": "2s", "data": "t"}),
        delete("tm-noapp-deleted"),
        Wait(3.5),
        get("tm-noapp-deleted"),
    ),
]
