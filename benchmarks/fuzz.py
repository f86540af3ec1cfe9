"""A long seeded random run against one `DaprJobsFake`: HTTP, raw gRPC and the control API.

The same properties as `tests/reliability/test_fuzz_*.py`, at volume: every answer is one daprd (or
net/http, grpc-go, the control API) documents; the fake never crashes (a 500 saying "dapr-jobs-fake
internal error", a gRPC UNKNOWN from a servicer exception, a traceback or an HTML page); it never
hangs (every request has a deadline); a refused request changes no state; what is stored stays
readable; the clock never moves backwards (but for a reset) nor past year 9999.

Per surface it prints the requests tried, the answers by status, and the crashes, hangs,
undocumented answers and state-change violations, with a few examples of each. It exits 1 when
there is any crash, hang or undocumented answer (2 with `--strict` for state violations alone).

The inputs of the bugs fuzzing found (now fixed, each pinned by a test in
`tests/reliability/test_fuzz_regressions.py`) are sent too; `--exclude-known` would leave out inputs of
bugs still open (none are, today).

Run: python benchmarks/fuzz.py [--seed 0] [--requests 10000] [--surfaces http,grpc,control]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import random
import socket
import string
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

os.environ.setdefault("GRPC_VERBOSITY", "NONE")
# The suite's raw-HTTP reader and control-API routes, not copies: they live in tests/reliability, and
# import `wire` from tests/ (both folders pytest puts on sys.path for them).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "reliability"))

from fuzz_support import read_answer
from test_fuzz_control import ROUTES as INDEX_ROUTES
from wire import Answer

from dapr_jobs_fake import ClockError, DaprJobsFake
from dapr_jobs_fake.cli.control_api import ControlApi
from dapr_jobs_fake.fake import grpc_available
from dapr_jobs_fake.golang.calendar import MAX_DATETIME_NS

CRASH_MARK = b"dapr-jobs-fake internal error"
MAX_BODY = 4 * 1024 * 1024
HTTP_DOCUMENTED = {200, 202, 204, 400, 401, 404, 409, 429, 431, 500, 501, 505}  # 429: too large for etcd
GRPC_DOCUMENTED = {
    "OK",
    "INVALID_ARGUMENT",
    "INTERNAL",
    "ALREADY_EXISTS",
    "NOT_FOUND",
    "UNAUTHENTICATED",
    "UNIMPLEMENTED",
}
CONTROL_DOCUMENTED = {200, 400, 401, 404}
PREFIX = "/_dapr-jobs-fake"
TOKEN = "s3cret"
#: Requests between resets of the fake (keeps the number of jobs, and each check, small).
EPOCH = 50
IDLE_TRIGGER_LIMIT = 1000


class Hang(Exception):
    """No answer within the deadline."""


@dataclass
class Tally:
    """What one surface did."""

    name: str
    tried: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)
    #: Per problem: how many of each input kind, and the first example of each kind.
    kinds: dict[str, Counter[str]] = field(default_factory=dict)
    examples: dict[str, dict[str, str]] = field(default_factory=dict)
    seconds: float = 0.0

    def note(self, problem: str, example: str) -> None:
        kind = example.split(":", 1)[0].split(" ", 1)[0]
        self.counts[problem] += 1
        self.kinds.setdefault(problem, Counter())[kind] += 1
        self.examples.setdefault(problem, {}).setdefault(kind, example[:300])


# -- raw HTTP -------------------------------------------------------------------------------------------


def read_reply(sock: socket.socket, head_only: bool = False) -> Answer:
    """`fuzz_support.read_answer`; a connection closed before an answer is a connection error here (one
    more undocumented answer), not an assertion that ends the run."""
    try:
        return read_answer(sock, head_only)
    except AssertionError as err:
        raise ConnectionError(str(err)) from None


def exchange(
    fake: DaprJobsFake, payload: bytes, timeout: float, *, head: bool = False, count: int = 1
) -> list[Answer]:
    """Send `payload` (one or `count` pipelined requests) and read `count` replies, or raise Hang."""
    try:
        with socket.create_connection((fake.host, fake.http_port), timeout=timeout) as sock:
            with contextlib.suppress(OSError):  # answered and closed before taking an over-long body
                sock.sendall(payload)
            return [read_reply(sock, head) for _ in range(count)]
    except TimeoutError as err:
        raise Hang(str(err)) from None


def request(method: str, target: bytes, body: bytes = b"", headers: dict[str, str] | None = None) -> bytes:
    lines = [method.encode("latin-1") + b" " + target + b" HTTP/1.1", b"Host: 127.0.0.1"]
    lines += [f"{k}: {v}".encode("latin-1") for k, v in (headers or {}).items()]
    lines += [f"Content-Length: {len(body)}".encode(), b"Connection: close"]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def name_path(name: str, prefix: str = "/v1.0-alpha1/jobs/") -> bytes:
    return (prefix + quote(name, safe="")).encode("ascii")


def snapshot(fake: DaprJobsFake) -> dict[str, Any]:
    return {name: fake.engine.get(name) for name in fake.engine.names()}


# -- random inputs (stdlib `random`, seeded) ------------------------------------------------------------


class Inputs:
    """Random values of the kinds the hypothesis strategies draw, from one seeded `random.Random`."""

    def __init__(self, rnd: random.Random) -> None:
        self.r = rnd

    def pick(self, items: list[Any]) -> Any:
        return self.r.choice(items)

    def text(self, size: int = 12, alphabet: str | None = None) -> str:
        n = self.r.randint(0, size)
        if alphabet is not None:
            return "".join(self.r.choice(alphabet) for _ in range(n))
        out = []
        for _ in range(n):
            c = chr(
                self.r.choice(
                    [self.r.randint(0x20, 0x7E), self.r.randint(0, 0x2FF), self.r.randint(0, 0x10FFFF)]
                )
            )
            out.append(c if not 0xD800 <= ord(c) <= 0xDFFF else "x")
        return "".join(out)

    def json_value(self, depth: int = 3) -> Any:
        kind = self.r.random()
        if depth <= 0 or kind < 0.5:
            return self.pick([None, True, False, 0, -1, 2**70, 1.5, -0.0, 1e300, "", "x", self.text(8)])
        if kind < 0.75:
            return [self.json_value(depth - 1) for _ in range(self.r.randint(0, 3))]
        return {self.text(6): self.json_value(depth - 1) for _ in range(self.r.randint(0, 3))}

    def duration(self) -> str:
        return self.pick(
            [
                "1s",
                "0s",
                "-1h",
                "1h30m",
                "250ms",
                "1d",
                "",
                "x",
                "2562047h47m16.854775807s",
                "9223372036854775808ns",
            ]
        )

    def point_in_time(self) -> str:
        return self.pick(
            [
                self.duration(),
                "2030-03-17T18:00:00Z",
                "2000-01-01T00:00:00Z",
                "9999-12-31T23:59:59Z",
                "2030-02-30T00:00:00Z",
                "PT1M",
                "P1Y2M3DT4H",
                "P99999999999Y",
                "R5/PT1S",
                "PX",
                self.text(8),
            ]
        )

    def schedule(self) -> str:
        return self.pick(
            [
                "@every 1s",
                "@every 250ms",
                "@daily",
                "@hourly",
                "@reboot",
                "*/5 * * * * *",
                "0 30 1 * * *",
                "* * * *",
                "61 * * * * *",
                "TZ=Europe/London 0 30 1 * * *",
                "TZ=Nope/Zone @daily",
                "@every 0s",
                "@every -1s",
                "",
                self.text(10),
            ]
        )

    def job_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        fields: list[tuple[str, Callable[[], Any]]] = [
            ("schedule", self.schedule),
            ("dueTime", self.point_in_time),
            ("due_time", self.point_in_time),
            ("ttl", self.point_in_time),
            ("repeats", lambda: self.pick([0, 1, 3, -1, 2**32, "3", "x", 1.5])),
            ("data", self.json_value),
            ("overwrite", lambda: self.pick([True, False, "true", 1, None])),
            (
                "failurePolicy",
                lambda: self.pick(
                    [
                        {"drop": {}},
                        {"constant": {}},
                        {"constant": {"maxRetries": self.pick([0, 1, 3, -1])}},
                        {
                            "constant": {
                                "interval": self.pick(["0.5s", "1s", "200ms", "-1s", 5]),
                                "maxRetries": 2,
                            }
                        },
                        {"drop": {}, "constant": {}},
                        self.json_value(),
                    ]
                ),
            ),
            ("name", lambda: self.pick(["", "x", None])),
            (self.text(5), self.json_value),
        ]
        for key, make in fields:
            if self.r.random() < 0.35:
                body[key] = make()
        if self.r.random() < 0.7 and "dueTime" not in body and "schedule" not in body:
            body["dueTime"] = self.pick(["1s", "10s", "1h", "0s"])
        return body

    def name(self) -> str:
        return self.pick(
            [
                "a",
                "b",
                "job-1",
                "c d",
                "é",
                " a ",
                "a/b",
                "a%b",
                "a+b",
                "..",
                "x" * 254,
                "my||job",
                self.text(12),
                self.text(12, string.ascii_lowercase + "-."),
            ]
        )


# -- the HTTP surface -------------------------------------------------------------------------------------

BAD_UTF8 = [b"\xff", b"\x80", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80"]


def nested(levels: int, kind: str) -> bytes:
    if kind == "array":
        return b"[" * levels + b"1" + b"]" * levels
    return b'{"k":' * levels + b"1" + b"}" * levels


def chunked(body: bytes, size: int) -> bytes:
    out = b""
    for i in range(0, len(body), size):
        piece = body[i : i + size]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    return out + b"0\r\n\r\n"


@dataclass
class HttpCase:
    kind: str
    payload: bytes
    known: bool = False  # hits a bug still open (none today)
    head: bool = False
    count: int = 1


def http_case(inputs: Inputs) -> HttpCase:
    r = inputs.r
    roll = r.random()
    name = inputs.name()
    prefix = r.choice(["/v1.0/jobs/", "/v1.0-alpha1/jobs/"])
    if roll < 0.40:
        body = json.dumps(inputs.job_body(), ensure_ascii=r.random() < 0.5).encode()
        return HttpCase("job", request("POST", name_path(name, prefix), body))
    if roll < 0.50:
        method = r.choice(["GET", "DELETE"])
        return HttpCase("get-delete", request(method, name_path(name, prefix)))
    if roll < 0.58:
        body = json.dumps(inputs.job_body()).encode()
        cut = r.randint(0, len(body))
        return HttpCase(
            "invalid-utf8", request("POST", name_path(name), body[:cut] + r.choice(BAD_UTF8) + body[cut:])
        )
    if roll < 0.63:
        return HttpCase("random-bytes", request("POST", name_path(name), r.randbytes(r.randint(0, 64))))
    if roll < 0.68:
        levels = r.choice([r.randint(1, 12_000), 9_999, 10_000, 12_000])
        where = r.choice(["data", "extra", "top", "schedule", "failurePolicy"])
        deep = nested(levels, r.choice(["array", "object"]))
        body = deep if where == "top" else b'{"dueTime":"1s","' + where.encode() + b'":' + deep + b"}"
        return HttpCase("deep", request("POST", name_path("deep"), body))
    if roll < 0.70:
        size = r.choice([MAX_BODY - 1, MAX_BODY, MAX_BODY + 1, MAX_BODY + 300_000, 100_000])
        body = b'{"dueTime":"1s","data":"' + b"x" * (size - 26) + b'"}'
        if r.random() < 0.5:
            payload = (
                b"POST /v1.0/jobs/big HTTP/1.1\r\nHost: x\r\n"
                b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
            )
            return HttpCase("huge", payload + chunked(body, r.choice([1 << 16, 1 << 20])))
        return HttpCase("huge", request("POST", b"/v1.0/jobs/big", body))
    if roll < 0.74:
        key = r.choice(["dueTime", "schedule", "data-key"])
        if key == "data-key":
            body = b'{"dueTime":"1s","data":{"k":1,"k":2}}'
        else:
            body = b'{"' + key.encode() + b'":"1s","' + key.encode() + b'":"@daily"}'
        return HttpCase("duplicate-keys", request("POST", name_path(name), body))
    if roll < 0.82:
        method = r.choice(["GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS", "get", "TRACE", "X"])
        segment = "".join(
            r.choice(["a", "%2F", "%25", "%2", "%zz", "%20", "%C3%A9", "%FF", "+", "..", "/", "~"])
            for _ in range(r.randint(0, 6))
        )
        base = r.choice(
            [
                "/v1.0/jobs/",
                "/v1.0-alpha1/jobs/",
                "/v1.0/",
                "/",
                "//v1.0/jobs/",
                "/v1.0/healthz",
                "/v1.0/metadata",
            ]
        )
        query = r.choice(["", "?", "?a=b", "?%zz"])
        target = (base + segment + query).encode()
        return HttpCase(
            "any-path", request(method, target, r.randbytes(r.randint(0, 8))), head=method == "HEAD"
        )
    if roll < 0.88:
        body = json.dumps(inputs.job_body()).encode()
        size = r.randint(1, 40)
        payload = (
            b"POST "
            + name_path(name)
            + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        )
        return HttpCase("chunked", payload + chunked(body, size))
    if roll < 0.94:
        headers = {
            "X-" + inputs.text(10, string.ascii_letters + string.digits + "-"): inputs.text(
                40, string.printable.strip() + " \xe9"
            )
            for _ in range(r.randint(0, 20))
        }
        if r.random() < 0.3:
            headers["dapr-api-token"] = r.choice([TOKEN, "wrong", ""])
        return HttpCase(
            "odd-headers", request("POST", name_path(name), json.dumps(inputs.job_body()).encode(), headers)
        )
    # Framing Go's net/http reads, or refuses itself (the fuzz findings of test_fuzz_regressions.py).
    head = b"POST /v1.0/jobs/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
    job = b'{"dueTime":"1s"}'
    framing = r.choice(
        [
            head + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
            head + b"Transfer-Encoding: chunked\r\n\r\n10;ext=1\r\n" + job + b"\r\n0\r\n\r\n",
            head + b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + job + b"\r\n0\r\nX-T: v\r\n\r\n",
            head + b"Content-Length: -1\r\n\r\n" + job,
            head + b"Content-Length: 5\r\nContent-Length: 16\r\n\r\n" + job,
            head + b"Transfer-Encoding: gzip\r\nContent-Length: 16\r\n\r\n" + job,
            head + b"Bad Header\r\nContent-Length: 16\r\n\r\n" + job,
            b"GET /v1.0/jobs/a\x00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"GET http://x/v1.0/jobs/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            b"POST /v1.0/jobs/\xc3\xa9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 16\r\n\r\n"
            + job,
            b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: v\r\n" % i for i in range(150))
            + b"Connection: close\r\n\r\n",
        ]
    )
    if r.random() < 0.1:  # pipelined: a lost second request is a hang
        pair = (
            b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        return HttpCase("pipelined", pair, count=2)
    return HttpCase("framing", framing)


def run_http(
    fake: DaprJobsFake, tally: Tally, inputs: Inputs, n: int, timeout: float, exclude_known: bool
) -> None:
    r = inputs.r
    while tally.tried < n:
        if tally.tried % EPOCH == 0:
            fake.reset(
                api_token=r.choice([None, None, TOKEN]),
                dapr_version=r.choice(["1.18", "1.18", "docs-1.14-alpha"]),
            )
        case = http_case(inputs)
        if case.known and exclude_known:
            continue
        if fake.options.api_token and r.random() < 0.8 and b"dapr-api-token" not in case.payload:
            case.payload = case.payload.replace(
                b"\r\n", b"\r\ndapr-api-token: " + TOKEN.encode() + b"\r\n", 1
            )
        tally.tried += 1
        before, calls = snapshot(fake), len(fake.calls)
        label = f"{case.kind}: {case.payload[:160]!r}"
        try:
            replies = exchange(fake, case.payload, timeout, head=case.head, count=case.count)
        except Hang:
            tally.statuses["timeout"] += 1
            tally.note("hangs", label)
            continue
        except (ConnectionError, OSError) as err:
            if case.kind == "huge":  # answered and closed before the whole body was sent
                tally.statuses["closed"] += 1
                continue
            tally.statuses["closed"] += 1
            tally.note("undocumented", f"{label} -> connection error {err}")
            continue
        for reply in replies:
            tally.statuses[str(reply.status)] += 1
            if CRASH_MARK in reply.body or b"Traceback" in reply.body or b"<html" in reply.body.lower():
                tally.note("crashes", f"{label} -> {reply.status} {reply.body[:200]!r}")
            elif reply.status not in HTTP_DOCUMENTED:
                tally.note("undocumented", f"{label} -> {reply.status} {reply.body[:200]!r}")
        status = replies[-1].status
        if status >= 400 and snapshot(fake) != before:
            tally.note("state changes", f"{label} -> {status} but the jobs changed")
        if len(fake.calls) - calls > case.count:
            tally.note("state changes", f"{label} -> journaled {len(fake.calls) - calls} times")
        if tally.tried % 10 == 0:
            check_http_state(fake, tally, timeout, label)
        if tally.tried % 20 == 0:
            try:
                fake.clock.advance_ns(r.randint(0, 3600 * 10**9))
            except ClockError:
                pass
            except Exception as err:  # a move that raises anything else is a crash
                tally.note("crashes", f"clock move after {label}: {type(err).__name__}: {err}")


def check_http_state(fake: DaprJobsFake, tally: Tally, timeout: float, label: str) -> None:
    """Stored jobs answer GET with 200 or daprd's JSON 500; the fake answers its health check."""
    headers = {} if not fake.options.api_token else {"dapr-api-token": fake.options.api_token}
    for name in list(fake.jobs)[:10]:
        if "%" in name or name in (".", ".."):
            continue  # daprd's HTTP API cannot address it: QueryUnescape, path.Clean of the route (§2)
        try:
            reply = exchange(fake, request("GET", name_path(name), headers=headers), timeout)[0]
        except (Hang, OSError):
            tally.note("hangs", f"GET of stored {name!r} after {label}")
            continue
        if reply.status != fake.profile.get_status and not (
            reply.status == 500 and b"ERR_INTERNAL" in reply.body and CRASH_MARK not in reply.body
        ):
            tally.note("state changes", f"stored {name!r} unreadable: {reply.status} {reply.body[:200]!r}")
    try:
        if exchange(fake, request("GET", b"/v1.0/healthz"), timeout)[0].status != 204:
            tally.note("undocumented", f"health check failed after {label}")
    except (Hang, OSError):
        tally.note("hangs", f"health check after {label}")


# -- the gRPC surface -------------------------------------------------------------------------------------


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def pb(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def deep_value(levels: int) -> bytes:
    value = pb(3, b"x")
    for _ in range(levels):
        value = pb(6, pb(1, value))
    return value


def grpc_job(inputs: Inputs) -> bytes:
    r = inputs.r
    job = pb(1, inputs.name().encode())
    if r.random() < 0.6:
        job += pb(2, inputs.schedule().encode())
    if r.random() < 0.7:
        job += pb(4, inputs.point_in_time().encode())
    if r.random() < 0.2:
        job += pb(5, inputs.point_in_time().encode())
    if r.random() < 0.3:
        job += pb(3, r.choice([0, 1, 3, 2**32 - 1, 2**32, 2**64 - 1]))
    if r.random() < 0.5:
        url = r.choice(
            ["type.googleapis.com/google.protobuf.Value", "", "x", "type.googleapis.com/", "a/b", "\x00"]
        )
        value = r.choice(
            [r.randbytes(r.randint(0, 16)), pb(3, b"hi"), deep_value(r.choice([1, 100, 4999, 5000, 12_000]))]
        )
        job += pb(6, pb(1, url.encode()) + pb(2, value))
    if r.random() < 0.3:
        if r.random() < 0.3:
            job += pb(7, pb(1, b""))
        else:
            seconds = r.choice([0, 1, -1, 2**63 - 1, -(2**63 - 1), -(2**63)])
            nanos = r.choice([0, 1, -1, 999_999_999, 2**31 - 1, -(2**31), 2**31])
            constant = pb(1, pb(1, seconds) + pb(2, nanos))
            if r.random() < 0.5:
                constant += pb(2, r.choice([0, 3, 2**32 - 1]))
            job += pb(7, pb(2, constant))
    if r.random() < 0.02:
        job += pb(2, b"x" * r.choice([100_000, MAX_BODY + 1]))
    return job


RPCS = [
    "ScheduleJob",
    "ScheduleJobAlpha1",
    "GetJob",
    "GetJobAlpha1",
    "DeleteJob",
    "DeleteJobAlpha1",
    "ListJobs",
    "ListJobsAlpha1",
    "DeleteJobsByPrefix",
    "DeleteJobsByPrefixAlpha1",
]


def grpc_case(inputs: Inputs) -> tuple[str, bytes]:
    r = inputs.r
    rpc = r.choice(RPCS)
    roll = r.random()
    if roll < 0.2:
        return rpc, r.randbytes(r.randint(0, 64))
    if rpc.startswith("Schedule"):
        payload = pb(1, grpc_job(inputs)) + (pb(2, 1) if r.random() < 0.5 else b"")
        if roll < 0.4:  # truncated or corrupted
            cut = r.randint(0, len(payload))
            payload = r.choice([payload[:cut], payload[:cut] + r.randbytes(r.randint(1, 8)) + payload[cut:]])
        return rpc, payload
    if rpc.startswith("List"):
        return rpc, b""
    if rpc.startswith("DeleteJobsByPrefix") and r.random() < 0.3:
        return rpc, b""
    return rpc, pb(1, inputs.name().encode())


def run_grpc(fake: DaprJobsFake, tally: Tally, inputs: Inputs, n: int, timeout: float) -> None:
    import grpc

    r = inputs.r
    options = [("grpc.max_metadata_size", 64 << 20), ("grpc.absolute_max_metadata_size", 64 << 20)]
    with grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}", options=options) as channel:

        def call(rpc: str, payload: bytes, token: str | None) -> tuple[str, Any]:
            method = channel.unary_unary("/dapr.proto.runtime.v1.Dapr/" + rpc)
            metadata = None if token is None else (("dapr-api-token", token),)
            try:
                return "OK", method(payload, timeout=timeout, metadata=metadata)
            except grpc.RpcError as err:
                return err.code().name, err.details()

        token: str | None = None
        while tally.tried < n:
            if tally.tried % EPOCH == 0:
                fake.reset(
                    api_token=r.choice([None, None, TOKEN]),
                    dapr_version=r.choice(["1.18", "1.18", "docs-1.14-alpha"]),
                )
                token = fake.options.api_token
                for name in ("a", "b"):
                    call("ScheduleJobAlpha1", pb(1, pb(1, name.encode()) + pb(4, b"1h")), token)
            rpc, payload = grpc_case(inputs)
            sent = token if r.random() < 0.9 else r.choice([None, "wrong"])
            tally.tried += 1
            before, calls = snapshot(fake), len(fake.calls)
            code, details = call(rpc, payload, sent)
            tally.statuses[code] += 1
            label = f"{rpc} {payload[:120]!r}"
            if code == "DEADLINE_EXCEEDED":
                tally.note("hangs", label)
                continue
            # daprd's own answers: its proxy's for a method it lacks, the Scheduler's for a job too large
            proxied = code == "UNKNOWN" and str(details).startswith("failed to proxy request: ")
            too_large = code == "RESOURCE_EXHAUSTED" and "trying to send message larger than max" in str(
                details
            )
            if code == "UNKNOWN" and not proxied:
                tally.note("crashes", f"{label} -> UNKNOWN {details}")
            elif (
                code not in GRPC_DOCUMENTED
                and not proxied
                and not too_large
                and not (code == "RESOURCE_EXHAUSTED" and len(payload) > MAX_BODY)
            ):
                tally.note("undocumented", f"{label} -> {code} {details}")
            journaled = len(fake.calls) - calls  # an undecodable request too (grpc-go's INTERNAL)
            if journaled != (0 if code == "RESOURCE_EXHAUSTED" and not too_large else 1):
                tally.note("state changes", f"{label} -> {code}, journaled {journaled} times")
            if (code != "OK" or rpc.startswith(("Get", "List"))) and snapshot(fake) != before:
                tally.note("state changes", f"{label} -> {code} but the jobs changed")
            if tally.tried % 10 == 0:
                for name in list(fake.jobs)[:10]:
                    got, answer = call("GetJobAlpha1", pb(1, name.encode()), token)
                    if got != "OK":
                        tally.note("state changes", f"stored {name!r} unreadable over gRPC: {got} {answer}")
                check_http_state(fake, tally, timeout, label)


# -- the control API -------------------------------------------------------------------------------------

#: Routes of the index (`test_fuzz_control.ROUTES`) this run does not send to: they came after it (a
#: seed sends what it always did), and an installed fault would fail its GET checks of stored jobs.
NOT_FUZZED = {
    ("GET", "/jumps"),
    ("POST", "/faults"),
    ("POST", "/faults/app"),
    ("GET", "/faults"),
    ("POST", "/faults/clear"),
}
ROUTES = [route for route in INDEX_ROUTES if route not in NOT_FUZZED]
SEED_JOBS = [
    ("once", b'{"dueTime":"10s","data":{"n":1}}'),
    ("thrice", b'{"schedule":"@every 1m","repeats":3,"failurePolicy":{"drop":{}}}'),
    ("past", b'{"dueTime":"2000-01-01T00:00:00Z"}'),
    ("far", b'{"dueTime":"P99999999999Y"}'),
    ("ttl", b'{"schedule":"@every 1s","ttl":"3s","failurePolicy":{"constant":{"maxRetries":1}}}'),
]


def control_state(fake: DaprJobsFake) -> dict[str, Any]:
    options = fake.options
    return {
        "jobs": snapshot(fake),
        "clock": fake.clock.now_ns(),
        "app_url": options.app_url,
        "app_grpc_address": options.app_grpc_address,
        "app_connected": options.app_connected,
        "calls": len(fake.calls),
        "triggers": len(fake.triggers),
    }


def control_body(inputs: Inputs, exclude_known: bool) -> tuple[bytes, bool]:
    r = inputs.r
    roll = r.random()
    if roll < 0.6:
        number = r.choice(
            [0, 1, 90, -1, 1e-10, 1e300, float("inf"), float("nan"), 253402300799, 10**400, "5", None]
        )
        key, value = r.choice(
            [
                ("seconds", number),
                ("duration", inputs.duration()),
                ("time", inputs.point_in_time()),
                ("limit", inputs.duration()),
                ("mode", r.choice(["manual", "real", "", 1])),
                ("app_url", r.choice([None, "http://127.0.0.1:1", 5, "not a url", "ftp://x", "http://[::1"])),
                ("app_grpc_address", r.choice([None, "127.0.0.1:1", 5])),
                ("connected", r.choice([True, False, "yes", None])),
                (inputs.text(5), inputs.json_value()),
            ]
        )
        return json.dumps({key: value}).encode(), False
    if roll < 0.75:
        return json.dumps(inputs.json_value()).encode(), False
    if roll < 0.9:
        return r.randbytes(r.randint(0, 40)), False
    return r.choice(
        [b"", b"{", b"[" * 12_000 + b"]" * 12_000, b'{"seconds": NaN}', b'{"time":"\xff"}']
    ), False


def run_control(
    fake: DaprJobsFake, tally: Tally, inputs: Inputs, n: int, timeout: float, exclude_known: bool
) -> None:
    r = inputs.r
    while tally.tried < n:
        if tally.tried % EPOCH == 0:
            fake.configure(app_url=None, app_grpc_address=None, app_connected=True)
            fake.reset(api_token=r.choice([None, None, None, TOKEN]), dapr_version="1.18")
            headers = {} if not fake.options.api_token else {"dapr-api-token": TOKEN}
            for name, body in SEED_JOBS:
                exchange(fake, request("POST", b"/v1.0/jobs/" + name.encode(), body, headers), timeout)
        method, route = r.choice(ROUTES)
        if r.random() < 0.2:
            method = r.choice(["GET", "POST", "PUT", "DELETE", "HEAD", "get", "X"])
        if r.random() < 0.1:
            route = r.choice(["", "/nope", "/clock/", "//clock", "/CLOCK", "/clock/advance/x", "/%63lock"])
        body, known = control_body(inputs, exclude_known)
        token = fake.options.api_token
        sent = token if r.random() < 0.9 else r.choice([None, "wrong"])
        headers = {} if sent is None else {"dapr-api-token": sent}
        tally.tried += 1
        before = control_state(fake)
        label = f"{route or '/'} ({method}) {body[:120]!r}"
        try:
            reply = exchange(
                fake,
                request(method, (PREFIX + route).encode(), body, headers),
                timeout,
                head=method == "HEAD",
            )[0]
        except Hang:
            tally.statuses["timeout"] += 1
            tally.note("hangs", label)
            continue
        tally.statuses[str(reply.status)] += 1
        if CRASH_MARK in reply.body or b"Traceback" in reply.body or b"<html" in reply.body.lower():
            tally.note("crashes", f"{label} -> {reply.status} {reply.body[:200]!r}")
        elif reply.status not in CONTROL_DOCUMENTED:
            tally.note("undocumented", f"{label} -> {reply.status} {reply.body[:200]!r}")
        elif method != "HEAD":
            try:
                parsed = json.loads(reply.body)
                if reply.status != 200 and not (
                    isinstance(parsed, dict) and "errorCode" in parsed and "message" in parsed
                ):
                    tally.note("undocumented", f"{label} -> {reply.status} without errorCode/message")
            except ValueError:
                tally.note("undocumented", f"{label} -> {reply.status} not JSON: {reply.body[:100]!r}")
        now = fake.clock.now_ns()
        if now > MAX_DATETIME_NS:
            tally.note("state changes", f"{label} -> the clock passed year 9999")
        if reply.status == 200 and route == "/reset":
            pass
        elif reply.status == 200:
            if now < before["clock"]:
                tally.note("state changes", f"{label} -> the clock moved backwards")
        else:
            changed = [key for key, value in control_state(fake).items() if value != before[key]]
            if changed:
                tally.note(
                    "state changes",
                    f"{label} -> {reply.status} but changed {', '.join(changed)}"
                    + (" (known)" if known else ""),
                )
        if tally.tried % 10 == 0:
            check_http_state(fake, tally, timeout, label)


# -- main ------------------------------------------------------------------------------------------------


def report(tally: Tally) -> None:
    rate = tally.tried / tally.seconds if tally.seconds else 0.0
    print(f"\n{tally.name}: {tally.tried} requests in {tally.seconds:.1f} s ({rate:.0f}/s)")
    statuses = ", ".join(f"{status}: {count}" for status, count in sorted(tally.statuses.items()))
    print(f"  answers by status: {statuses}")
    for problem in ("crashes", "hangs", "undocumented", "state changes"):
        kinds = tally.kinds.get(problem, Counter())
        by_kind = ", ".join(f"{kind} {count}" for kind, count in kinds.most_common())
        print(f"  {problem:<13}: {tally.counts[problem]}" + (f" ({by_kind})" if by_kind else ""))
        for example in tally.examples.get(problem, {}).values():
            print(f"      e.g. {example}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--requests", type=int, default=10_000, help="requests per surface")
    parser.add_argument("--surfaces", default="http,grpc,control")
    parser.add_argument(
        "--timeout", type=float, default=2.0, help="seconds before a request counts as a hang"
    )
    parser.add_argument("--exclude-known", action="store_true", help="leave out inputs of the pinned bugs")
    parser.add_argument("--strict", action="store_true", help="exit 2 on state violations too")
    args = parser.parse_args(argv)
    logging.getLogger("grpc._server").setLevel(logging.CRITICAL)  # one traceback per undecodable request
    surfaces = [s.strip() for s in args.surfaces.split(",") if s.strip()]
    if "grpc" in surfaces and not grpc_available():
        print("gRPC surface skipped: the grpc extra is not installed")
        surfaces.remove("grpc")
    print(f"seed {args.seed}, {args.requests} requests per surface, deadline {args.timeout} s per request")
    tallies = []
    with DaprJobsFake(grpc="grpc" in surfaces) as fake:
        ControlApi(fake, mode=lambda: "manual").mount()
        # A schedule catching up on decades of missed ticks stops after this many attempts (ClockError)
        # instead of a million: the run is about answers, not long bursts.
        fake.clock.idle_trigger_limit = IDLE_TRIGGER_LIMIT
        for index, surface in enumerate(surfaces):
            tally = Tally(surface)
            inputs = Inputs(random.Random(f"{args.seed}:{surface}:{index}"))
            started = time.perf_counter()
            if surface == "http":
                run_http(fake, tally, inputs, args.requests, args.timeout, args.exclude_known)
            elif surface == "grpc":
                run_grpc(fake, tally, inputs, args.requests, args.timeout)
            elif surface == "control":
                run_control(fake, tally, inputs, args.requests, args.timeout, args.exclude_known)
            else:
                parser.error(f"unknown surface {surface!r}")
            tally.seconds = time.perf_counter() - started
            report(tally)
            tallies.append(tally)
    failed = any(t.counts["crashes"] or t.counts["hangs"] or t.counts["undocumented"] for t in tallies)
    if failed:
        print("\nFAILED: crashes, hangs or undocumented answers (see above)")
        return 1
    if args.strict and any(t.counts["state changes"] for t in tallies):
        print("\nFAILED: state-change violations (see above)")
        return 2
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
