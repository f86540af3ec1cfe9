"""POST bodies (§3): how daprd decodes them with protojson, which refusals come first, what `data`
becomes, and the failure policy's JSON form. Accepted bodies are read back with GET and deleted."""

from __future__ import annotations

from typing import Any

from ..model import Case
from .dsl import NO_BODY, Http, case, delete, get, post


def _body(slug: str, body: Any = NO_BODY, *, raw: str | None = None, about: str = "") -> Case:
    """POST the body, GET what was stored, DELETE it. Accepted bodies carry `data`: before 1.18.3 a
    job scheduled over HTTP without data cannot be read back (bodies/data-absent shows that)."""
    name = f"bd-{slug}"
    return case(
        f"bodies/{slug}",
        "§3",
        post(name, body, raw=raw),
        get(name),
        delete(name),
        about=about,
    )


_BIG = '{"dueTime":"1h","data":"' + "x" * (4 * 1024 * 1024) + '"}'
_UNDER = '{"dueTime":"1h","data":"' + "y" * (4 * 1024 * 1024 - 64) + '"}'
# daprd's Scheduler client sends at most 2 MiB per message (gRPC's ResourceExhausted past it); the
# request carries the job and about 300 bytes of names and metadata besides the data.
_GRPC_UNDER = '{"dueTime":"1h","data":"' + "u" * (2 * 1024 * 1024 - 1024) + '"}'
_GRPC_OVER = '{"dueTime":"1h","data":"' + "v" * (2 * 1024 * 1024) + '"}'

CASES = [
    _body("empty", raw="", about="an empty body is skipped, as `{}`: no schedule, no dueTime"),
    _body("empty-object", {}),
    _body("whitespace-only", raw="  \n"),
    _body("array", raw="[{}]"),
    _body("string", raw='"x"'),
    _body("null", raw="null"),
    _body("truncated-json", raw='{"dueTime":"1h"'),
    _body("trailing-garbage", raw='{"dueTime":"1h"} x'),
    _body("byte-order-mark", raw='\ufeff{"dueTime":"1h"}'),
    _body("name-in-body", {"name": "bd-other", "dueTime": "1h"}, about="the name belongs in the URL only"),
    _body("empty-name-in-body", {"data": "b", "name": "", "dueTime": "1h"}),
    _body("name-in-body-and-bad-json-type", {"name": "x", "dueTime": 5}),
    _body("legacy-job-wrapper", {"job": {"dueTime": "1h"}}, about="unknown keys are dropped"),
    _body("unknown-key-dropped", {"data": "b", "dueTime": "1h", "extra": {"a": 1}}),
    _body("key-case-sensitive", {"DueTime": "1h"}),
    _body("snake-case-due-time", {"data": "b", "due_time": "1h"}),
    _body("both-key-spellings", {"dueTime": "1h", "due_time": "2h"}),
    _body("duplicate-key", raw='{"dueTime":"1h","dueTime":"2h"}'),
    _body("due-time-number", {"dueTime": 10}),
    _body("schedule-null", {"schedule": None}),
    _body("schedule-null-with-due-time", {"data": "b", "schedule": None, "dueTime": "1h"}),
    _body("repeats-string", {"data": "b", "schedule": "@daily", "repeats": "3"}),
    _body("repeats-negative", {"schedule": "test", "repeats": -1}),
    _body("repeats-fraction", {"schedule": "@daily", "repeats": 1.5}),
    _body("repeats-exponent", {"data": "b", "schedule": "@daily", "repeats": 2e0}),
    _body("repeats-too-big", {"schedule": "@daily", "repeats": 4294967296}),
    _body("repeats-max", {"data": "b", "schedule": "@daily", "repeats": 4294967295}),
    _body("data-string", {"dueTime": "1h", "data": "Hello, World!"}),
    _body("data-number", {"dueTime": "1h", "data": 123}),
    _body("data-float", {"dueTime": "1h", "data": 1.5}),
    _body("data-big-integer", {"dueTime": "1h", "data": 12345678901234567890}),
    _body("data-exponent", raw='{"dueTime":"1h","data":1e3}'),
    _body("data-true", {"dueTime": "1h", "data": True}),
    _body("data-null", {"dueTime": "1h", "data": None}),
    _body("data-array", {"dueTime": "1h", "data": [1, "a", None, {"b": []}]}),
    _body("data-object-key-order", {"dueTime": "1h", "data": {"z": 1, "a": 2, "m": {"y": 1, "b": 2}}}),
    _body("data-unicode", {"dueTime": "1h", "data": "é \u2028 \U0001f600 <&>"}),
    _body("data-escapes", raw='{"dueTime":"1h","data":"\\u00e9\\n\\t\\"\\/"}'),
    _body(
        "data-any-shaped-object",
        {"dueTime": "1h", "data": {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "x"}},
        about="an object with @type is just a Struct, not an Any",
    ),
    _body("data-json-string-of-any", {"dueTime": "1h", "data": '{"@type":"x","value":"y"}'}),
    _body("data-absent", {"dueTime": "1h"}, about="GET of an HTTP job without data: 500 before 1.18.3"),
    _body("overwrite-string", {"data": "b", "dueTime": "1h", "overwrite": "true"}),
    _body("overwrite-false", {"data": "b", "dueTime": "1h", "overwrite": False}),
    _body("failure-policy-drop", {"dueTime": "1h", "data": "b", "failurePolicy": {"drop": {}}}),
    _body(
        "failure-policy-constant",
        {"dueTime": "1h", "data": "b", "failurePolicy": {"constant": {"interval": "0.2s", "maxRetries": 4}}},
    ),
    _body(
        "failure-policy-snake-case",
        {"dueTime": "1h", "data": "b", "failure_policy": {"constant": {"interval": "10s", "max_retries": 2}}},
    ),
    _body(
        "failure-policy-interval-only",
        {"dueTime": "1h", "data": "b", "failurePolicy": {"constant": {"interval": "1.5s"}}},
    ),
    _body(
        "failure-policy-max-retries-only",
        {"dueTime": "1h", "data": "b", "failurePolicy": {"constant": {"maxRetries": 0}}},
    ),
    _body("failure-policy-empty-constant", {"dueTime": "1h", "data": "b", "failurePolicy": {"constant": {}}}),
    _body("failure-policy-empty", {"dueTime": "1h", "data": "b", "failurePolicy": {}}),
    _body(
        "failure-policy-go-duration",
        {"dueTime": "1h", "data": "b", "failurePolicy": {"constant": {"interval": "200ms"}}},
    ),
    _body(
        "failure-policy-negative-interval",
        {"dueTime": "1h", "data": "b", "failurePolicy": {"constant": {"interval": "-1s"}}},
    ),
    _body(
        "failure-policy-both-kinds",
        {"dueTime": "1h", "data": "b", "failurePolicy": {"drop": {}, "constant": {"interval": "1s"}}},
    ),
    _body(
        "failure-policy-max-retries-string",
        {"dueTime": "1h", "data": "b", "failurePolicy": {"constant": {"maxRetries": "2"}}},
    ),
    _body("failure-policy-null", {"dueTime": "1h", "data": "b", "failurePolicy": None}),
    case(
        "bodies/content-type-not-checked",
        "§3",
        Http(
            "POST",
            "/{api}/jobs/bd-content-type",
            body={"dueTime": "1h", "data": 1},
            headers=(("Content-Type", "text/plain"),),
        ),
        get("bd-content-type"),
        delete("bd-content-type"),
    ),
    case("bodies/over-4-mib", "§3", post("bd-big", raw=_BIG), get("bd-big")),
    case("bodies/just-under-4-mib", "§3", post("bd-under", raw=_UNDER), delete("bd-under")),
    case(
        "bodies/scheduler-message-under-2-mib",
        "§13",
        post("bd-2m-under", raw=_GRPC_UNDER),
        delete("bd-2m-under"),
    ),
    case(
        "bodies/scheduler-message-over-2-mib", "§13", post("bd-2m-over", raw=_GRPC_OVER), delete("bd-2m-over")
    ),
]
