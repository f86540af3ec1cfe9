"""Bounded fuzzing of the HTTP surface: "bad input gets a clear error and loses nothing".

Whatever a client sends (any method, any request target and escape, any body: random bytes, invalid
UTF-8, nesting up to 12,000 levels, bodies around daprd's 4 MiB limit, duplicate keys; chunked
framing; odd headers), the fake answers as Dapr would (a status daprd gives, the error shapes of
contract §5.1), never crashes (a 500 saying "dapr-jobs-fake internal error"), keeps serving,
journals every call once, changes nothing when it refuses, and keeps its state readable. Moving the
clock never raises anything but the documented `ClockError`.

Raw sockets are used so that any method, target, header and framing bytes can be sent. Inputs that
hit a bug found by fuzzing are pinned in `test_fuzz_regressions.py` too, with daprd's exact answer.
"""

from __future__ import annotations

import json
import socket
import string
from typing import Any

from fuzz_support import (
    PROFILES,
    TIMEOUT,
    TOKEN,
    answered,
    body_bytes,
    check_alive,
    check_answer,
    check_state,
    encode_body,
    fresh,
    fuzz_settings,
    has_first_tick,
    in_datetime_range,
    job_body,
    job_names,
    json_value,
    likely_valid_body,
    methods,
    move,
    path_of_name,
    prefixes,
    raw_exchange,
    raw_request,
    raw_segment,
    read_answer,
    snapshot,
    stored,
)
from hypothesis import given
from hypothesis import strategies as st
from wire import Answer

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.sidecar.http_server import MAX_BODY_BYTES

FUZZ = fuzz_settings(40)
FEW = fuzz_settings(15)
RARE = fuzz_settings(6)


def check_readable(fake: DaprJobsFake) -> None:
    """Every stored job answers GET with 200, or with daprd's JSON 500 for data it cannot render
    (§4); never a crash."""
    for name in list(fake.jobs):
        answer = raw_request(fake, "GET", path_of_name(name))
        check_answer(answer)
        if answer.status != fake.profile.get_status:
            assert answer.status == 500 and answer.json()["errorCode"] == "ERR_INTERNAL", answer.body[:300]


def check_refused(fake: DaprJobsFake, answer: Answer, before: dict[str, Any], *codes: str) -> None:
    assert answer.status == 400, answer.body[:300]
    assert answer.json()["errorCode"] in codes, answer.body[:300]
    assert snapshot(fake) == before
    assert fake.calls[-1].status == 400


# -- any body, any name, any path ---------------------------------------------------------------------


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    name=job_names,
    body=body_bytes,
    stable=st.booleans(),
    advance=st.integers(0, 4 * 3600 * 10**9),
)
def test_post_any_body_any_name(
    fake: DaprJobsFake, profile: str, name: str, body: bytes, stable: bool, advance: int
) -> None:
    fresh(fake, profile)
    prefix = "/v1.0/jobs/" if stable and profile == "1.18" else "/v1.0-alpha1/jobs/"
    target = path_of_name(name, prefix)
    answer = raw_request(fake, "POST", target, body)
    check_answer(answer)
    answered(fake, 0, answer, target, "POST")
    call = fake.calls[-1]
    if answer.status in (202, 204):
        assert call.spec is not None
        assert stored(fake, call.spec.name) or not has_first_tick(fake, call.spec)
    if call.spec is not None and stored(fake, call.spec.name) and in_datetime_range(fake.clock.now_ns()):
        get = raw_request(fake, "GET", path_of_name(call.spec.name, prefix))
        check_answer(get)
        assert get.status == fake.profile.get_status, get.body[:300]
        assert json.loads(get.body)["name"] == call.spec.name
    else:
        assert not list(fake.jobs)
        assert call.violations or call.error_code, call
    check_state(fake)
    move(fake, advance)
    check_state(fake)
    check_alive(fake)


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    bodies=st.lists(
        st.tuples(st.sampled_from(["a", "b", "c d", "é"]), likely_valid_body), min_size=1, max_size=5
    ),
    moves=st.lists(st.integers(0, 3 * 3600 * 10**9), min_size=1, max_size=3),
    connect=st.booleans(),
)
def test_valid_jobs_then_clock(
    fake: DaprJobsFake,
    profile: str,
    bodies: list[tuple[str, dict[str, Any]]],
    moves: list[int],
    connect: bool,
) -> None:
    fresh(fake, profile)
    for i, (name, body) in enumerate(bodies):
        before = len(fake.calls)
        target = path_of_name(name)
        answer = raw_request(fake, "POST", target, json.dumps(body).encode())
        check_answer(answer)
        answered(fake, before, answer, target, "POST")
        spec = fake.calls[-1].spec
        if answer.status in (202, 204):
            assert spec is not None
            assert stored(fake, name.strip()) or not has_first_tick(fake, spec)
        if i == 1 and connect:
            move(fake, 0)
    check_state(fake)
    for delta in moves:
        move(fake, delta)
        check_state(fake)
    check_alive(fake)


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    method=methods,
    prefix=prefixes,
    segment=raw_segment,
    query=st.sampled_from(["", "?", "?a=b", "?%zz", "?appid=x"]),
    body=st.binary(max_size=16) | body_bytes,
    token=st.sampled_from([None, TOKEN]),
    send_token=st.sampled_from([None, TOKEN, "wrong", ""]),
)
def test_any_method_any_path(
    fake: DaprJobsFake,
    profile: str,
    method: str,
    prefix: str,
    segment: str,
    query: str,
    body: bytes,
    token: str | None,
    send_token: str | None,
) -> None:
    fresh(fake, profile, token=token)
    target = (prefix + segment + query).encode("ascii")
    if not target.startswith(b"/"):
        target = b"/" + target
    headers = {} if send_token is None else {"dapr-api-token": send_token}
    answer = raw_request(fake, method, target, body, headers)
    check_answer(answer, token=token, head=method.upper() == "HEAD")
    answered(fake, 0, answer, target, method)
    if method == "POST" and answer.status in (202, 204):
        call = fake.calls[-1]
        assert call.spec is not None and stored(fake, call.spec.name)
    check_state_with_token(fake, token)
    check_alive(fake)


def check_state_with_token(fake: DaprJobsFake, token: str | None) -> None:
    for name in list(fake.jobs):
        answer = raw_request(fake, "GET", path_of_name(name), headers={"dapr-api-token": token or ""})
        assert answer.status == fake.profile.get_status, (name, answer.body[:300])


@FUZZ
@given(
    requests=st.lists(
        st.tuples(st.sampled_from(["POST", "GET", "DELETE"]), job_names, body_bytes), min_size=1, max_size=6
    )
)
def test_keep_alive_sequences(fake: DaprJobsFake, requests: list[tuple[str, str, bytes]]) -> None:
    """Many requests on one kept-alive connection: each is answered and journaled, none is lost."""
    fresh(fake)
    with socket.create_connection((fake.host, fake.http_port), timeout=10) as sock:
        for seq, (method, name, body) in enumerate(requests, start=1):
            target = path_of_name(name)
            head = (
                f"{method} ".encode()
                + target
                + b" HTTP/1.1\r\nHost: x\r\n"
                + f"Content-Length: {len(body)}\r\n\r\n".encode()
            )
            sock.sendall(head + body)
            answer = read_answer(sock)
            check_answer(answer)
            assert len(fake.calls) == seq
            assert fake.calls[-1].status == answer.status
    check_state(fake)
    check_alive(fake)


# -- bodies: invalid UTF-8, depth, size, duplicate keys -------------------------------------------------

#: Byte sequences that are not UTF-8 (Go's `utf8.DecodeRune` reads each as RuneError).
BAD_UTF8 = [b"\xff", b"\x80", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82"]


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    body=st.builds(encode_body, likely_valid_body | job_body, st.sampled_from(["compact", "utf8"])),
    bad=st.sampled_from(BAD_UTF8),
    where=st.floats(0, 1),
)
def test_invalid_utf8_anywhere_is_malformed(
    fake: DaprJobsFake, profile: str, body: bytes, bad: bytes, where: float
) -> None:
    """§3: protojson refuses a body with a byte sequence that is not UTF-8, in a string or outside:
    400 ERR_MALFORMED_REQUEST, nothing stored, journaled once."""
    fresh(fake, profile)
    cut = int(len(body) * where)
    answer = raw_request(fake, "POST", b"/v1.0-alpha1/jobs/u", body[:cut] + bad + body[cut:])
    check_answer(answer)
    check_refused(fake, answer, {}, "ERR_MALFORMED_REQUEST")
    assert len(fake.calls) == 1
    check_alive(fake)


def nested(kind: str, levels: int) -> str:
    """JSON nested `levels` containers deep: arrays, objects, or both in turn."""
    if kind == "array":
        return "[" * levels + "1" + "]" * levels
    if kind == "object":
        return '{"k":' * levels + "1" + "}" * levels
    opening = "".join("[" if i % 2 else '{"k":' for i in range(levels))
    closing = "".join("]" if i % 2 else "}" for i in reversed(range(levels)))
    return opening + "1" + closing


@FEW
@given(
    levels=st.integers(1, 12_000) | st.sampled_from([9_998, 9_999, 10_000, 10_001, 12_000]),
    kind=st.sampled_from(["array", "object", "mixed"]),
    where=st.sampled_from(["data", "unknown", "top", "policy", "schedule"]),
)
def test_deep_nesting(fake: DaprJobsFake, levels: int, kind: str, where: str) -> None:
    """§3, §4: nesting up to 12,000 levels wherever it sits is accepted or refused as protojson
    would (ERR_MALFORMED_REQUEST at its recursion limit or for a wrong type; a top-level object of
    unknown keys is "Schedule is empty"), never a crash; what is stored is readable."""
    fresh(fake)
    deep = nested(kind, levels)
    body = {
        "data": '{"dueTime":"1s","data":' + deep + "}",
        "unknown": '{"dueTime":"1s","extra":' + deep + "}",
        "top": deep,
        "policy": '{"dueTime":"1s","failurePolicy":{"constant":' + deep + "}}",
        "schedule": '{"dueTime":"1s","schedule":' + deep + "}",
    }[where].encode()
    answer = raw_request(fake, "POST", b"/v1.0/jobs/deep", body)
    check_answer(answer)
    assert len(fake.calls) == 1 and fake.calls[-1].status == answer.status
    if answer.status == 204:
        assert "deep" in fake.jobs
        check_readable(fake)
    else:
        check_refused(fake, answer, {}, "ERR_MALFORMED_REQUEST", "DAPR_SCHEDULER_SCHEDULE_EMPTY")
    check_alive(fake)


def sized_body(size: int) -> bytes:
    """A valid job body of exactly `size` bytes (at least 26)."""
    head, tail = b'{"dueTime":"1s","data":"', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def chunked(
    body: bytes,
    sizes: list[int],
    *,
    upper: bool = False,
    zeros: int = 0,
    ext: bytes = b"",
    trailer: bytes = b"",
) -> bytes:
    """`body` in chunked framing: chunks of the given sizes (cycled), each size line with `ext` (a
    chunk extension, `;name=value`), then the last chunk and the `trailer` lines."""
    out, offset, i = [], 0, 0
    while offset < len(body):
        size = max(1, sizes[i % len(sizes)]) if sizes else len(body)
        piece = body[offset : offset + size]
        length = ("0" * zeros + (f"{len(piece):X}" if upper else f"{len(piece):x}")).encode()
        out.append(length + ext + b"\r\n" + piece + b"\r\n")
        offset += len(piece)
        i += 1
    return b"".join(out) + b"0" + ext + b"\r\n" + trailer + b"\r\n"


def post_framed(target: bytes, body: bytes, framing: str, sizes: list[int]) -> bytes:
    head = b"POST " + target + b" HTTP/1.1\r\nHost: x\r\n"
    if framing == "chunked":
        return head + b"Transfer-Encoding: chunked\r\n\r\n" + chunked(body, sizes)
    return head + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


@RARE
@given(
    size=st.sampled_from(
        [MAX_BODY_BYTES - 1, MAX_BODY_BYTES, MAX_BODY_BYTES + 1, MAX_BODY_BYTES + 300 * 1024, 1 << 20]
    ),
    framing=st.sampled_from(["length", "chunked"]),
    sizes=st.lists(st.integers(1, 1 << 20), min_size=1, max_size=3),
)
def test_bodies_around_the_4_mib_limit(fake: DaprJobsFake, size: int, framing: str, sizes: list[int]) -> None:
    """§13: a body up to `--max-body-size` (4 MiB) is read whatever the framing (and one over 2 MiB
    then refused by the Scheduler, 429); a longer one is 400
    ERR_BODY_READ, stores nothing and is journaled once; the fake keeps serving. One byte over is
    kit's LimitReadCloser quirk: when the read that passes the limit also ends the body (always with
    Content-Length, with chunked when the last chunk is already buffered), it drops that byte and
    keeps io.EOF, so daprd decodes the first 4 MiB: here a JSON cut short, ERR_MALFORMED_REQUEST."""
    fresh(fake)
    payload = post_framed(b"/v1.0/jobs/big", sized_body(size), framing, sizes)
    answer: Answer | None = None
    with socket.create_connection((fake.host, fake.http_port), timeout=30) as sock:
        try:
            sock.sendall(payload)
            answer = read_answer(sock)
        except (OSError, AssertionError):
            # Over the limit the fake answers and closes without reading the rest (as Go does after
            # 256 KiB); the kernel may then reset the connection before the client reads the answer.
            assert size > MAX_BODY_BYTES
    assert len(fake.calls) == 1
    if answer is not None:
        check_answer(answer)
        assert fake.calls[-1].status == answer.status
    if size <= MAX_BODY_BYTES // 2:
        assert answer is not None and answer.status == 204, answer
        assert "big" in fake.jobs
    elif size <= MAX_BODY_BYTES:  # read, then too large for the Scheduler's 2 MiB etcd request (§13)
        assert answer is not None and answer.status == 429, answer
        assert fake.calls[-1].error_code == "DAPR_SCHEDULER_SCHEDULE_JOB"
        assert not list(fake.jobs)
    else:
        truncated = (
            {"ERR_MALFORMED_REQUEST"} if framing == "length" else {"ERR_MALFORMED_REQUEST", "ERR_BODY_READ"}
        )
        codes = truncated if size == MAX_BODY_BYTES + 1 else {"ERR_BODY_READ"}
        assert fake.calls[-1].status == 400 and fake.calls[-1].error_code in codes, fake.calls[-1]
        assert not list(fake.jobs)
    check_alive(fake)


def object_text(items: list[tuple[str, str]]) -> str:
    return "{" + ",".join(f"{json.dumps(key)}:{value}" for key, value in items) + "}"


@FUZZ
@given(
    body=likely_valid_body,
    where=st.sampled_from(["top", "alias", "data", "policy"]),
    again=json_value,
    position=st.floats(0, 1),
)
def test_duplicate_keys_are_malformed(
    fake: DaprJobsFake, body: dict[str, Any], where: str, again: Any, position: float
) -> None:
    """§3: a field given twice (literally, or as JSON and proto name) and a key repeated in a `data`
    object are protojson errors: 400 ERR_MALFORMED_REQUEST, nothing stored, journaled once."""
    fresh(fake)
    items = [(key, json.dumps(value)) for key, value in body.items()]
    extra = json.dumps(again)
    if where == "top":
        key = items[int(position * (len(items) - 1))][0]
        items.append((key, extra))
    elif where == "alias":
        key = "dueTime" if "dueTime" in body else "schedule"
        items.append(("due_time" if key == "dueTime" else "schedule", extra))
        if key == "schedule":  # schedule has no second name: repeat it literally
            items[-1] = ("schedule", extra)
    elif where == "data":
        items = [item for item in items if item[0] != "data"]
        items.append(("data", object_text([("k", "1"), ("j", extra), ("k", extra)])))
    else:
        items = [item for item in items if item[0] not in ("failurePolicy", "failure_policy")]
        items.append(("failurePolicy", '{"constant":{"maxRetries":1,"max_retries":2}}'))
    answer = raw_request(fake, "POST", b"/v1.0/jobs/dup", object_text(items).encode())
    check_answer(answer)
    check_refused(fake, answer, {}, "ERR_MALFORMED_REQUEST")
    assert len(fake.calls) == 1
    check_alive(fake)


# -- framing and headers --------------------------------------------------------------------------------


@FUZZ
@given(
    body=body_bytes,
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=5),
    upper=st.booleans(),
    zeros=st.integers(0, 3),
    method=st.sampled_from(["POST", "GET", "DELETE"]),
    ext=st.sampled_from([b"", b"", b";a=b", b';name="quoted; value"', b" \t"]),
    trailer=st.sampled_from([b"", b"", b"X-Trailer: v\r\n", b"A: 1\r\nB: 2\r\n"]),
)
def test_chunked_framing_reads_like_content_length(
    fake: DaprJobsFake,
    body: bytes,
    sizes: list[int],
    upper: bool,
    zeros: int,
    method: str,
    ext: bytes,
    trailer: bytes,
) -> None:
    """A body sent chunked (any chunk sizes, hex case, leading zeros, chunk extensions and trailing
    whitespace, which Go drops, and trailers, which Go reads) gets the same answer as with
    Content-Length, and the connection stays in step: the next request, pipelined behind it, is
    answered."""
    target = b"/v1.0/jobs/c"
    fresh(fake)
    plain = raw_request(fake, method, target, body)
    fresh(fake)
    payload = (
        method.encode()
        + b" "
        + target
        + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunked(body, sizes, upper=upper, zeros=zeros, ext=ext, trailer=trailer)
    )
    with socket.create_connection((fake.host, fake.http_port), timeout=TIMEOUT) as sock:
        sock.sendall(payload + b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = read_answer(sock)
        health = read_answer(sock)
    check_answer(answer)
    assert (answer.status, answer.body) == (plain.status, plain.body)
    assert health.status == 204
    assert len(fake.calls) == 1 and fake.calls[-1].status == answer.status


#: Header names a test may add freely: tokens, never one that frames, routes or authorises.
_RESERVED = {"content-length", "transfer-encoding", "host", "connection", "expect", "dapr-api-token"}
header_names = st.text(
    alphabet=string.ascii_letters + string.digits + "!#$%&'*+-.^_`|~", min_size=1, max_size=20
)
header_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=200
).map(str.strip)


@FUZZ
@given(
    headers=st.lists(
        st.tuples(header_names.filter(lambda n: n.lower() not in _RESERVED and "_" not in n), header_values),
        max_size=20,
    ),
    body=st.sampled_from([b'{"dueTime":"1s"}', b"{}", b"x"]),
    token=st.sampled_from([None, TOKEN]),
    sent=st.sampled_from([None, TOKEN]) | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E)),
)
def test_odd_headers_change_nothing(
    fake: DaprJobsFake, headers: list[tuple[str, str]], body: bytes, token: str | None, sent: str | None
) -> None:
    """Any valid extra headers (names Go accepts, values with spaces and obs-text) leave the answer
    as it is without them; the API token is compared exactly (§11)."""
    fresh(fake, token=token)
    base = {} if sent is None else {"dapr-api-token": sent}
    plain = raw_request(fake, "POST", b"/v1.0/jobs/h", body, base)
    fresh(fake, token=token)
    lines = b"".join(f"{key}: {value}\r\n".encode("latin-1") for key, value in headers)
    token_line = b"" if sent is None else f"dapr-api-token: {sent}\r\n".encode()
    payload = (
        b"POST /v1.0/jobs/h HTTP/1.1\r\nHost: x\r\n"
        + lines
        + token_line
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
        + body
    )
    answer = raw_exchange(fake, payload)
    check_answer(answer, token=token)
    assert (answer.status, answer.body) == (plain.status, plain.body)
    if token is not None and sent != token:
        assert answer.status == 401 and not list(fake.jobs)
    assert len(fake.calls) == 1
    check_alive(fake)
