"""Bounded fuzzing of the control API (`/_dapr-jobs-fake/`, docs/cli.md), mounted as the CLI mounts it.

Any method on any route (and on paths beside them), with any body (JSON of every shape, the route's
own keys with values of every type, garbage bytes, invalid UTF-8, nesting 12,000 deep). Properties:
the answer is 200, 400, 401 (only with an API token) or 404; it is JSON, and an error has
`errorCode` and `message` (never a traceback or HTML); it comes within a deadline; a refused request
changes nothing (jobs, clock, options, journal); the clock never moves backwards (but for `/reset`)
nor past year 9999; the fake keeps serving both its APIs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fuzz_support import (
    CRASH_MARK,
    TOKEN,
    check_alive,
    fresh,
    fuzz_settings,
    json_value,
    mounted_control,
    raw_request,
    snapshot,
)
from hypothesis import given
from hypothesis import strategies as st
from wire import Answer, send

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.golang.calendar import MAX_DATETIME_NS

FUZZ = fuzz_settings(50)
FEW = fuzz_settings(20)
PREFIX = "/_dapr-jobs-fake"
#: The routes `GET /_dapr-jobs-fake/` lists (`test_the_index_lists_these_routes` keeps this true).
ROUTES = [
    ("GET", "/"),
    ("GET", "/clock"),
    ("POST", "/clock/advance"),
    ("POST", "/clock/advance-to"),
    ("POST", "/clock/run-next"),
    ("POST", "/clock/run-until-idle"),
    ("POST", "/clock/mode"),
    ("POST", "/app"),
    ("GET", "/jobs"),
    ("GET", "/calls"),
    ("GET", "/triggers"),
    ("GET", "/violations"),
    ("GET", "/jumps"),
    ("POST", "/faults"),
    ("POST", "/faults/app"),
    ("GET", "/faults"),
    ("POST", "/faults/clear"),
    ("POST", "/reset"),
]
#: Finite jobs only: no move can make more than a few attempts, and none repeats without end.
SEED_JOBS = [
    ("once", {"dueTime": "10s", "data": {"n": 1}}),
    ("thrice", {"schedule": "@every 1m", "repeats": 3, "failurePolicy": {"drop": {}}}),
    ("past", {"dueTime": "2000-01-01T00:00:00Z"}),
    ("far", {"dueTime": "P99999999999Y"}),
    ("ttl", {"schedule": "@every 1s", "ttl": "3s", "failurePolicy": {"constant": {"maxRetries": 1}}}),
]


@pytest.fixture
def control(fake: DaprJobsFake) -> Iterator[DaprJobsFake]:
    with mounted_control(fake) as mounted:
        yield mounted


def seeded(fake: DaprJobsFake, token: str | None = None) -> DaprJobsFake:
    fake.configure(app_url=None, app_grpc_address=None, app_connected=True)
    fresh(fake, token=token)
    headers = {} if token is None else {"dapr-api-token": token}
    for name, body in SEED_JOBS:
        assert send(fake, "POST", "/v1.0/jobs/" + name, body, headers).status == 204
    return fake


def state(fake: DaprJobsFake) -> tuple[Any, ...]:
    options = fake.options
    return (
        snapshot(fake),
        fake.clock.now_ns(),
        options.app_url,
        options.app_grpc_address,
        options.app_connected,
        options.api_token,
        len(fake.calls),
        len(fake.triggers),
    )


def check_control_answer(answer: Answer, *, token: str | None, sent: str | None, head: bool) -> None:
    assert answer.status in (200, 400, 401, 404), (answer.status, answer.body[:300])
    assert CRASH_MARK not in answer.body, answer.body[:300]
    assert b"Traceback" not in answer.body and b"<html" not in answer.body.lower(), answer.body[:300]
    if answer.status == 401:
        assert token is not None and sent != token
    assert answer.content_type == "application/json", (answer.content_type, answer.body[:300])
    if head:
        return
    body = json.loads(answer.body)
    if answer.status != 200:
        assert isinstance(body, dict), body
        assert isinstance(body.get("errorCode"), str) and isinstance(body.get("message"), str), body


# -- strategies -------------------------------------------------------------------------------------------

times = st.one_of(
    st.sampled_from(
        [
            "2030-03-17T17:46:40Z",
            "2030-03-17T18:00:00Z",
            "2000-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "9999-12-31T23:59:59-23:59",
            "0001-01-01T00:00:00Z",
            "2030-03-17T17:46:40.5+01:00",
            "not a time",
            "",
        ]
    ),
    json_value,
)
durations = st.one_of(
    st.sampled_from(["1s", "1h30m", "0s", "-1s", "2562047h47m16.854775807s", "2562047h", "1d", "", "x"]),
    json_value,
)
numbers = st.one_of(
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, 1, 90, 1e-10, 253402300799, 9e15, 10**400]),
    json_value,
)
#: A valid app, or values the control API or the router refuses (a refusal changes nothing:
#: `test_a_refused_app_url_changes_nothing`).
app_values = st.one_of(
    st.none(),
    st.sampled_from(
        ["http://127.0.0.1:1", "https://127.0.0.1:1/base", "not a url", "ftp://x", "http://[::1"]
    ),
    st.integers(),
    st.lists(st.none()),
)
route_bodies = st.one_of(
    st.fixed_dictionaries({}, optional={"seconds": numbers, "duration": durations}),
    st.fixed_dictionaries({}, optional={"time": times}),
    st.fixed_dictionaries({}, optional={"limit": durations}),
    st.fixed_dictionaries(
        {}, optional={"mode": st.sampled_from(["manual", "real", "", "REAL"]) | json_value}
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "app_url": app_values,
            "app_grpc_address": app_values,
            "connected": st.booleans() | json_value,
        },
    ),
    st.dictionaries(st.text(max_size=10), json_value, max_size=3),
)
bodies = st.one_of(
    route_bodies.map(lambda body: json.dumps(body).encode()),
    st.builds(lambda value: json.dumps(value).encode(), json_value),
    st.binary(max_size=40),
    st.sampled_from(
        [
            b"",
            b"{",
            b"null",
            b"[]",
            b'{"seconds": NaN}',
            b'{"seconds": Infinity}',
            b'{"seconds": 1, "seconds": 2}',
            b'{"seconds": 1e999}',
            b'{"time": "\xff"}',
            b'{"duration": "1s\xed\xa0\x80"}',
            b'{"mode": "\\ud800"}',
            b"[" * 12_000 + b"]" * 12_000,
            b'{"seconds":' * 12_000 + b"1" + b"}" * 12_000,
            b'{"duration": "' + b"1" * 100_000 + b's"}',
        ]
    ),
)
paths = st.one_of(
    st.sampled_from([path for _, path in ROUTES]).map(lambda p: PREFIX + p),
    st.sampled_from(
        [
            PREFIX,
            PREFIX + "//clock",
            PREFIX + "/clock/",
            PREFIX + "/CLOCK",
            PREFIX + "/clock/advance/x",
            PREFIX + "/nope",
            PREFIX + "/clock?x=1",
            PREFIX + "/%63lock",
            PREFIX + "/clock/../jobs",
            PREFIX + "/./calls",
            PREFIX + "/jobs%2F",
        ]
    ),
)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "get", "post", "X"])


# -- the properties ---------------------------------------------------------------------------------------


def test_the_index_lists_these_routes(control: DaprJobsFake) -> None:
    answer = send(seeded(control), "GET", PREFIX + "/")
    assert answer.status == 200 and answer.content_type == "application/json"
    listed = [(route["method"], route["path"]) for route in answer.json()]
    assert listed == [(method, PREFIX + path) for method, path in ROUTES]


@FUZZ
@given(
    method=methods,
    path=paths,
    body=bodies,
    token=st.sampled_from([None, None, TOKEN]),
    sent=st.sampled_from([None, TOKEN, "wrong"]),
)
def test_any_request_to_the_control_api(
    control: DaprJobsFake, method: str, path: str, body: bytes, token: str | None, sent: str | None
) -> None:
    fake = seeded(control, token)
    before = state(fake)
    headers = {} if sent is None else {"dapr-api-token": sent}
    answer = raw_request(fake, method, path.encode(), body, headers)
    check_control_answer(answer, token=token, sent=sent, head=method.upper() == "HEAD")
    now = fake.clock.now_ns()
    assert now <= MAX_DATETIME_NS
    route = path[len(PREFIX) :]
    if answer.status == 200 and route == "/reset":
        assert snapshot(fake) == {} and len(fake.calls) == 0
    elif answer.status == 200 and (method.upper(), route) in ROUTES and method.upper() == "GET":
        assert state(fake) == before  # a listing changes nothing
    elif answer.status == 200:
        assert now >= before[1]
    else:
        assert state(fake) == before, (answer.status, answer.body[:200])
    check_alive(fake)
    clock = send(fake, "GET", PREFIX + "/clock", headers={} if token is None else {"dapr-api-token": token})
    assert clock.status == 200, clock.body


@FEW
@given(
    steps=st.lists(
        st.tuples(st.sampled_from([path for method, path in ROUTES if method == "POST"]), route_bodies),
        min_size=1,
        max_size=6,
    )
)
def test_sequences_of_clock_moves(control: DaprJobsFake, steps: list[tuple[str, dict[str, Any]]]) -> None:
    """Moves, app changes and resets in any order: each answer is documented, the clock only goes
    forward (a reset starts it again), never past year 9999, and the listings stay readable."""
    fake = seeded(control)
    for route, body in steps:
        before = fake.clock.now_ns()
        answer = send(fake, "POST", PREFIX + route, json.dumps(body))
        check_control_answer(answer, token=None, sent=None, head=False)
        after = fake.clock.now_ns()
        assert after <= MAX_DATETIME_NS
        if route != "/reset":
            assert after >= before
    for listing in ("/jobs", "/calls", "/triggers", "/violations", "/clock"):
        shown = send(fake, "GET", PREFIX + listing)
        assert shown.status == 200, (listing, shown.body[:300])
    assert raw_request(fake, "GET", b"/v1.0/jobs/once").status in (200, 500)
    check_alive(fake)
