"""Shared pieces of the bounded fuzz tests (`test_fuzz_*.py`): raw-socket HTTP, the invariants every
answer must keep, and the hypothesis strategies of the Dapr inputs (contract §3, §7, §8, §9).

Answers are `wire.Answer`s (status, Content-Type, body), as in the wire-fidelity tests; `raw_request`
exists beside `wire.send` because `http.client` cannot send an arbitrary method, request target or
framing. Sockets always have a timeout, so a fake that stops answering fails the test instead of
hanging it.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import string
import weakref
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from wire import Answer

from dapr_jobs_fake import ClockError, DaprJobsFake
from dapr_jobs_fake.contract.model import JobSpec
from dapr_jobs_fake.engine.clock import RunawayJobError
from dapr_jobs_fake.engine.engine import JobState, next_tick_ns
from dapr_jobs_fake.golang.calendar import ns_to_datetime


def examples(default: int) -> int:
    """`FUZZ_EXAMPLES=5000` (or the "long" hypothesis profile) for a longer one-off run."""
    if os.environ.get("FUZZ_EXAMPLES"):
        return int(os.environ["FUZZ_EXAMPLES"])
    if os.environ.get("HYPOTHESIS_PROFILE") == "long":
        return settings.default.max_examples
    return default


def fuzz_settings(default: int) -> settings:
    """Settings for a property over a running fake: no deadline (a request is I/O), and the session
    fake is shared by the examples of a test (it is reset by each example itself)."""
    return settings(
        max_examples=examples(default),
        deadline=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


#: Statuses daprd (or net/http in front of it) gives on the jobs, health, metadata and fallback
#: routes (§2, §5.2, §11, §12); 202 is the docs-1.14-alpha profile's success status.
DAPR_STATUSES = {200, 202, 204, 400, 401, 404, 409, 429, 500}  # 429: a job too large for the Scheduler
#: ... and what net/http answers itself for a request head it refuses (431, 505; 501 for an
#: unsupported Transfer-Encoding).
FRAMING_STATUSES = {400, 431, 501, 505}
PROFILES = ("1.18", "docs-1.14-alpha")
TOKEN = "s3cret"
NOW_NS = 1_900_000_000 * 1_000_000_000  # 2030-03-17T17:46:40Z
CLOCK_ERRORS = (ClockError, RunawayJobError)
#: What a 500 says when the fake itself failed (`sidecar.http_server.internal_error`): a crash.
CRASH_MARK = b"dapr-jobs-fake internal error"
TIMEOUT = 5.0


# -- raw HTTP -----------------------------------------------------------------------------------------


#: Bytes read from a socket past the answer returned (the next pipelined answer's start).
_LEFTOVER: weakref.WeakKeyDictionary[socket.socket, bytes] = weakref.WeakKeyDictionary()


def read_answer(sock: socket.socket, head_only: bool = False) -> Answer:
    """One response from `sock`; interim 1xx answers (100 Continue) are skipped. Bytes of a next
    (pipelined) answer read along with it are kept for the next call on the same socket."""
    data = _LEFTOVER.pop(sock, b"")
    while True:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                raise AssertionError(f"connection closed before a full response head: {data!r}")
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ")[1])
        if 100 <= status < 200:
            data = rest
            continue
        break
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        headers[key.strip().lower()] = value.strip()
    if head_only:
        _LEFTOVER[sock] = rest
        return Answer(status, headers.get("content-type"), b"")
    length = int(headers.get("content-length", "0") or 0)
    if "content-length" not in headers and headers.get("transfer-encoding") is None and status != 204:
        while chunk := sock.recv(65536):  # read to close
            rest += chunk
        return Answer(status, headers.get("content-type"), rest)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    _LEFTOVER[sock] = rest[length:]
    return Answer(status, headers.get("content-type"), rest[:length])


def raw_request(
    fake: DaprJobsFake,
    method: str,
    target: bytes,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on a fresh connection; `target` is sent verbatim on the request line."""
    lines = [method.encode("latin-1") + b" " + target + b" HTTP/1.1", f"Host: {fake.host}".encode()]
    for key, value in (headers or {}).items():
        lines.append(f"{key}: {value}".encode("latin-1"))
    lines.append(f"Content-Length: {len(body)}".encode())
    lines.append(b"Connection: close")
    payload = b"\r\n".join(lines) + b"\r\n\r\n" + body
    return raw_exchange(fake, payload, head_only=method.upper() == "HEAD")


def raw_exchange(
    fake: DaprJobsFake, payload: bytes, *, head_only: bool = False, timeout: float = TIMEOUT
) -> Answer:
    """Send `payload` (a whole request, framing included) on a fresh connection; read one answer."""
    with socket.create_connection((fake.host, fake.http_port), timeout=timeout) as sock:
        sock.sendall(payload)
        return read_answer(sock, head_only=head_only)


def path_of_name(name: str, prefix: str = "/v1.0-alpha1/jobs/") -> bytes:
    """The request target for a job name, percent-encoded as a careful client would."""
    return (prefix + quote(name, safe="")).encode("ascii")


# -- state ---------------------------------------------------------------------------------------------


def fresh(fake: DaprJobsFake, profile: str = "1.18", token: str | None = None) -> DaprJobsFake:
    fake.reset(
        dapr_version=profile,
        api_token=token,
        start=datetime.fromtimestamp(NOW_NS // 1_000_000_000, tz=timezone.utc),
    )
    return fake


def snapshot(fake: DaprJobsFake) -> dict[str, JobState]:
    """Every stored job with its progress: what a refused request must leave as it was."""
    states = {}
    for name in fake.engine.names():
        state = fake.engine.get(name)
        if state is not None:
            states[name] = state
    return states


def has_first_tick(fake: DaprJobsFake, spec: JobSpec) -> bool:
    """Whether an accepted job is stored at all: one whose ttl ends before its first tick is deleted
    on creation, as the Scheduler's counter does (§8)."""
    return next_tick_ns(fake.contract.plan(spec, fake.clock.now_ns()), 0, None) is not None


def stored(fake: DaprJobsFake, name: str) -> bool:
    """`name in fake.jobs`, from the engine."""
    return fake.engine.get(name) is not None


def in_datetime_range(ns: int) -> bool:
    try:
        ns_to_datetime(ns)
    except ValueError:
        return False
    return True


class _Burst(BaseException):
    """Raised by the fuzz handler to stop a long catch-up burst early (the clock bounds it only at
    `idle_trigger_limit`, a million attempts); a BaseException stops the move, keeping the job."""


def move(fake: DaprJobsFake, delta_ns: int, limit: int = 2000) -> None:
    """Advance with an in-process handler; only the documented clock errors may escape."""
    count = 0

    def handler(event: Any) -> None:
        nonlocal count
        count += 1
        if count > limit:
            raise _Burst

    fake.on_job()(handler)
    try:
        fake.clock.advance_ns(delta_ns)
    except (*CLOCK_ERRORS, _Burst):
        pass


# -- the invariants ------------------------------------------------------------------------------------


def check_answer(answer: Answer, *, token: str | None = None, head: bool = False) -> None:
    """Status is one Dapr gives; error bodies have the documented shape (§5.1); never a crash."""
    assert answer.status in DAPR_STATUSES, (answer.status, answer.body[:300])
    assert CRASH_MARK not in answer.body, answer.body[:300]
    if answer.status < 400 or head:  # a HEAD answer has headers only
        return
    ctype = answer.content_type or ""
    if ctype.startswith("application/json"):
        body = json.loads(answer.body)
        assert isinstance(body, dict), body
        assert isinstance(body.get("errorCode"), str), body
        assert isinstance(body.get("message"), str), body
        assert set(body) <= {"errorCode", "message", "details"}, body
        return
    assert ctype == "text/plain; charset=utf-8", (answer.status, ctype, answer.body[:300])
    text = answer.body.decode("utf-8")
    if answer.status == 401:
        assert token is not None
        assert text == "invalid api token\n"
    else:
        assert answer.status == 400, (answer.status, text)
        assert text == "400 Bad Request" or text.startswith(
            'failed to unescape request parameter "name". Error: '
        ), text


def check_framing_answer(answer: Answer) -> None:
    """An answer net/http may give before daprd sees the request: plain text, never HTML."""
    if answer.status in DAPR_STATUSES and answer.content_type == "application/json":
        check_answer(answer)
        return
    assert answer.status in DAPR_STATUSES | FRAMING_STATUSES, (answer.status, answer.body[:300])
    assert answer.content_type in (None, "text/plain; charset=utf-8"), (answer.content_type, answer.body)
    assert b"<html" not in answer.body.lower(), answer.body[:300]
    assert b"Traceback" not in answer.body, answer.body[:300]


def check_alive(fake: DaprJobsFake) -> None:
    answer = raw_request(fake, "GET", b"/v1.0/healthz")
    assert answer.status == 204, answer


def check_state(fake: DaprJobsFake) -> None:
    """Every stored job can be read back as a test reads it and (over HTTP) as a client does."""
    get_ok = fake.profile.get_status
    for name in list(fake.jobs):
        job = fake.jobs[name]
        assert job.name == name
        answer = raw_request(fake, "GET", path_of_name(name))
        assert answer.status == get_ok, (name, answer.body[:300])
        assert json.loads(answer.body)["name"] == name


# -- strategies ----------------------------------------------------------------------------------------

GO_UNITS = ["ns", "us", "µs", "μs", "ms", "s", "m", "h", "d", "", "S", "hm", "w"]
go_number = st.one_of(
    st.integers(0, 10**6).map(str),
    st.integers(0, 2**70).map(str),
    st.tuples(st.integers(0, 999), st.integers(0, 999)).map(lambda t: f"{t[0]}.{t[1]}"),
    st.sampled_from(["", ".", ".5", "1.", "0", "00", "9223372036854775807", "9223372036854775808"]),
)
go_duration = st.builds(
    lambda sign, groups: sign + "".join(groups),
    st.sampled_from(["", "", "-", "+", "--"]),
    st.lists(st.builds(lambda n, u: n + u, go_number, st.sampled_from(GO_UNITS)), min_size=0, max_size=4),
) | st.sampled_from(["0", "-0", "+0", "1h30m", "2562047h47m16.854775807s", "2562047h47m16.854775808s"])

rfc3339 = st.builds(
    lambda y, mo, d, h, mi, s, frac, off: f"{y}-{mo}-{d}T{h}:{mi}:{s}{frac}{off}",
    st.sampled_from(["2030", "0000", "9999", "1970", "203", "20300", "-001"]),
    st.sampled_from(["01", "12", "13", "00", "1", "02"]),
    st.sampled_from(["01", "29", "30", "31", "32", "00", "1"]),
    st.sampled_from(["00", "23", "24", "1", "9"]),
    st.sampled_from(["00", "59", "60"]),
    st.sampled_from(["00", "59", "60", "6"]),
    st.sampled_from(["", ".5", ".123456789", ".1234567891234", ",5", ".", ".x"]),
    st.sampled_from(
        ["Z", "z", "+00:00", "-23:59", "+24:00", "+24:60", "+25:00", "+01:61", "", "+0100", "+1:00"]
    ),
)
iso_duration = st.builds(
    lambda r, body: r + body,
    st.sampled_from(["", "", "R5/", "R0/", "R-1/", "R/", "R", "Rx/"]),
    st.builds(
        lambda parts: "P" + "".join(parts),
        st.lists(
            st.builds(
                lambda n, u: n + u,
                st.sampled_from(["1", "0", "-1", "+2", "99999999999", "9223372036854775807", "", "1.5"]),
                st.sampled_from(["Y", "M", "W", "D", "T", "H", "S", "X"]),
            ),
            max_size=5,
        ),
    ),
)
cron_atom = st.one_of(
    st.sampled_from(["*", "?", "0", "1", "59", "60", "7", "6", "-1", "jan", "DEC", "mon", "sun", "x", ""]),
    st.integers(0, 70).map(str),
)
cron_range = st.builds(
    lambda a, b, step: a + b + step,
    cron_atom,
    st.sampled_from(["", "", "-5", "-mon", "-7", "-1-2", "-"]),
    st.sampled_from(["", "", "/2", "/0", "/60", "/-1", "/x", "/1/2", "/99999999999999999999"]),
)
cron_field = st.lists(cron_range, min_size=1, max_size=3).map(",".join)
cron_spec = st.lists(cron_field, min_size=4, max_size=8).map(" ".join)
zones = st.sampled_from(
    [
        "UTC",
        "America/New_York",
        "Europe/London",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
        "Local",
        "",
        "Not/AZone",
        "../etc",
        "/abs",
        "Etc/GMT+12",
        "Pacific/Chatham",
        "utc",
    ]
)
schedule_text = st.one_of(
    cron_spec,
    st.sampled_from(
        [
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
            "@Daily",
            "@reboot",
            "@",
            "@every",
            "@every ",
            "",
        ]
    ),
    go_duration.map(lambda d: "@every " + d),
    st.builds(
        lambda p, z, sep, rest: f"{p}={z}{sep}{rest}",
        st.sampled_from(["TZ", "CRON_TZ"]),
        zones,
        st.sampled_from([" ", "", "  ", "\t", "\u3000"]),
        cron_spec | st.just("@daily") | st.just(""),
    ),
)
point_in_time = st.one_of(go_duration, rfc3339, iso_duration, st.text(max_size=12))

json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
interval = st.one_of(
    st.sampled_from(
        [
            "1s",
            "0.2s",
            ".5s",
            "-1s",
            "200ms",
            "2m",
            "1.s",
            ".s",
            "s",
            "01s",
            "1.0000000001s",
            "315576000001s",
            "99999999999999999999s",
            " 1s",
        ]
    ),
    json_value,
)
failure_policy = st.one_of(
    st.fixed_dictionaries({"drop": st.one_of(st.just({}), json_value)}),
    st.fixed_dictionaries(
        {
            "constant": st.one_of(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "interval": interval,
                        "maxRetries": st.one_of(st.integers(-3, 2**33), json_value),
                        "max_retries": st.integers(0, 5),
                    },
                ),
                json_value,
            )
        }
    ),
    st.just({"drop": {}, "constant": {}}),
    json_value,
)
field_values: dict[str, st.SearchStrategy[Any]] = {
    "schedule": st.one_of(schedule_text, json_value),
    "dueTime": st.one_of(point_in_time, json_value),
    "due_time": st.one_of(point_in_time, json_value),
    "ttl": st.one_of(point_in_time, json_value),
    "repeats": st.one_of(
        st.integers(-2, 2**33), st.sampled_from(["3", "-1", "1.0", "4294967296", "x"]), json_value
    ),
    "data": json_value,
    "overwrite": st.one_of(st.booleans(), json_value),
    "failurePolicy": failure_policy,
    "failure_policy": failure_policy,
    "name": st.one_of(st.just(""), st.text(max_size=5), json_value),
    "job": json_value,
}
job_body = st.fixed_dictionaries({}, optional={key: value for key, value in field_values.items()}).flatmap(
    lambda d: st.dictionaries(st.text(max_size=6), json_value, max_size=2).map(lambda extra: {**extra, **d})
)
#: Bodies that are mostly valid, so that accepted jobs (and the clock) get exercised too.
likely_valid_body = st.fixed_dictionaries(
    {
        "schedule": st.sampled_from(
            [
                "@every 1s",
                "@every 250ms",
                "*/5 * * * * *",
                "@hourly",
                "TZ=Europe/London 0 30 1 * * *",
                "@every 0s",
                "@every -1s",
            ]
        )
    },
    optional={
        "dueTime": st.sampled_from(
            ["0s", "10s", "-1h", "PT1M", "2030-03-17T17:47:00Z", "2000-01-01T00:00:00Z"]
        ),
        "ttl": st.sampled_from(["1h", "5s", "PT10S", "2030-03-17T18:00:00Z"]),
        "repeats": st.integers(1, 4),
        "data": json_value,
        "overwrite": st.booleans(),
        "failurePolicy": st.sampled_from(
            [
                {"drop": {}},
                {"constant": {}},
                {"constant": {"maxRetries": 1}},
                {"constant": {"interval": "0.5s", "maxRetries": 2}},
            ]
        ),
    },
) | st.fixed_dictionaries({"dueTime": point_in_time}, optional={"data": json_value})


def encode_body(value: Any, style: str) -> bytes:
    if style == "compact":
        return json.dumps(value, separators=(",", ":")).encode()
    if style == "ascii":
        return json.dumps(value, indent=1).encode()
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


#: Bodies of every kind: job-shaped JSON, any JSON, random bytes (invalid UTF-8 included), classics.
body_bytes = st.one_of(
    st.builds(encode_body, job_body, st.sampled_from(["compact", "ascii", "utf8"])),
    st.builds(encode_body, json_value, st.sampled_from(["compact", "utf8"])),
    st.binary(max_size=64),
    st.sampled_from(
        [
            b"",
            b"{",
            b"{}",
            b"[{}]",
            b'""',
            b"null",
            b'{"schedule":"@daily","schedule":"@daily"}',
            b'{"dueTime":"1s","due_time":"1s"}',
            b'{"dueTime":NaN}',
            b'{"dueTime":"1s"}\n',
            b'\xef\xbb\xbf{"dueTime":"1s"}',
            b'{"dueTime":"\\ud800"}',
            b'{"repeats":1e400,"schedule":"@daily"}',
            b'{"data":-0.0,"dueTime":"1s"}',
            b'{"dueTime":"1s","data":"\xff"}',
            b'{"dueTime":"1s","data":"\xed\xa0\x80"}',
            b'{"dueTime":"1s","data":"\xc3"}',
        ]
    ),
)


def _encodable(name: str) -> bool:
    """A name a client can put in a URL: no lone surrogates (they have no UTF-8 form)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


job_names = st.one_of(
    st.text(min_size=0, max_size=12),
    st.text(alphabet=string.ascii_letters + string.digits + "-_.:|@ ", min_size=1, max_size=12),
    st.sampled_from(
        [
            ".",
            "..",
            "a/b",
            "a%b",
            "a+b",
            " a ",
            "%",
            "x" * 254,
            "x" * 600,
            "\x00",
            "\x7f",
            "é",
            "a#b",
            "a?b",
            "a\\b",
            "my||job@name",
            "\u2028",
        ]
    ),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=250, max_size=300),
).filter(_encodable)
# Raw path segments: %-escapes (good and bad), `+`, `/`, dot segments, anything printable.
raw_segment = st.lists(
    st.sampled_from(
        [
            *"abcAZ09-_.~+%/;:@=&$,!*'()[]",
            *("%2F", "%25", "%2", "%zz", "%20", "%00", "%7C", "%C3%A9", "%FF", "%E2%80", "%ED%A0%80"),
            *("..", "//"),
        ]
    ),
    max_size=12,
).map("".join)
prefixes = st.sampled_from(
    [
        "/v1.0-alpha1/jobs/",
        "/v1.0/jobs/",
        "/v1.0-alpha1/jobs",
        "/v1.0/job/",
        "/",
        "/v1.0/",
        "/v1.0/healthz",
        "/v1.0/healthz/outbound",
        "/v1.0/metadata",
        "/v1.0-alpha1/JOBS/",
        "//v1.0/jobs/",
        "/v1.0/jobs/../jobs/",
        "/_dapr-jobs-fake/clock",
        "/v1.0-alpha2/jobs/",
        "",
    ]
)
methods = st.one_of(
    st.sampled_from(["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "get", "Post", "TRACE"]),
    st.text(alphabet=string.ascii_uppercase, min_size=1, max_size=8),
)


def answered(fake: DaprJobsFake, calls_before: int, answer: Answer, path: bytes, method: str) -> None:
    """The call landed in the journal exactly once, with the status that went on the wire."""
    plain = path.split(b"?", 1)[0].rstrip(b"/")
    if method == "GET" and plain in (b"/v1.0/healthz", b"/v1.0/healthz/outbound", b"/v1.0/metadata"):
        return  # not journaled: health and metadata are not jobs API calls
    calls = fake.calls
    assert len(calls) == calls_before + 1, [c.describe() for c in calls[calls_before:]]
    assert calls[-1].status == answer.status


# -- the control API -----------------------------------------------------------------------------------


@contextlib.contextmanager
def mounted_control(fake: DaprJobsFake) -> Iterator[DaprJobsFake]:
    """The CLI's control API on `fake`'s HTTP port (manual clock), unmounted afterwards."""
    from dapr_jobs_fake.cli.control_api import ControlApi

    hint = fake.api.route_hint
    control = ControlApi(fake, mode=lambda: "manual")
    control.mount()
    try:
        yield fake
    finally:
        fake.api.mounts.remove(control.handle)
        fake.api.route_hint = hint
