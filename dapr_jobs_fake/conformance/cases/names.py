"""Job names (§6, §5.2): daprd's own checks (empty after trimming, `|` on the old policy), then the
Scheduler's validator, over HTTP (names as escaped in the URL) and over gRPC (names as sent)."""

from __future__ import annotations

from ..model import Case
from .dsl import case, delete, delete_job, get, get_job, post, schedule

_JOB = {"dueTime": "1h", "data": "n"}


def _http(slug: str, escaped: str, about: str = "") -> Case:
    """POST, GET and DELETE of the job named by `escaped` (the URL path segment as sent)."""
    return case(
        f"names/http-{slug}",
        "§6",
        post(escaped, _JOB),
        get(escaped),
        delete(escaped),
        about=about,
    )


def _grpc(slug: str, name: str, about: str = "") -> Case:
    return case(
        f"names/grpc-{slug}",
        "§6",
        schedule(name, dueTime="1h"),
        get_job(name),
        delete_job(name),
        about=about,
    )


CASES = [
    _http("plain", "nm-plain"),
    _http("uppercase", "NM-Upper"),
    _http("digits-first", "9nm-digits"),
    _http("underscore", "nm_under"),
    _http("colon", "nm:colon"),
    _http("dot", "nm.dot"),
    _http("double-dot", "nm..dots"),
    _http("trailing-dot", "nm-trail."),
    _http("leading-dot", ".nm-lead"),
    _http("leading-dash", "-nm-dash"),
    _http("trailing-dash", "nm-dash-"),
    _http("only-symbols", "_-_"),
    _http("space-inside", "nm%20space", about="a space: refused by 1.14, stripped before the check later"),
    _http("spaces-around", "%20nm-trim%20", about="POST trims the name, GET and DELETE do not"),
    _http("only-spaces", "%20%20"),
    _http("tab", "nm%09tab"),
    _http("pipe", "nm%7Cpipe", about="`|` is refused by daprd (400) on the old name policy"),
    _http("double-pipe", "nm%7C%7Cpipes"),
    _http("at-sign", "nm%40at"),
    _http("hash", "nm%23hash"),
    _http("question-mark", "nm%3Fq"),
    _http("backslash", "nm%5Cback"),
    _http("percent", "nm%25pct"),
    _http("latin-letter", "nm-%C3%A9t%C3%A9"),
    _http("emoji", "nm-%F0%9F%98%80"),
    _http("nul", "nm%00nul"),
    _http("newline", "nm%0Anl"),
    _http("del-character", "nm%7Fdel"),
    _http("c1-control", "nm%C2%85c1"),
    _http("escaped-dot", "%2E"),
    _http("escaped-dot-dot", "%2E%2E"),
    _http("length-253", "n" * 253),
    _http("length-254", "m" * 254),
    _http("length-600", "l" * 600),
    _grpc("plain", "nm-g-plain"),
    _grpc("empty", "", about="the gRPC name is required (InvalidArgument)"),
    _grpc("spaces-around", " nm-g-trim "),
    _grpc("only-spaces", "   "),
    _grpc("pipe", "nm-g|pipe"),
    _grpc("special-characters", "my||job@name", about="daprd's specialchars test: fine from 1.18.2"),
    _grpc("slash", "nm-g/slash"),
    _grpc("backslash", "nm-g\\back"),
    _grpc("hash", "nm-g#hash"),
    _grpc("question-mark", "nm-g?q"),
    _grpc("nul", "nm-g\x00nul"),
    _grpc("newline", "nm-g\nnl"),
    _grpc("uppercase", "NM-G-Upper"),
    _grpc("length-600", "g" * 600),
]
