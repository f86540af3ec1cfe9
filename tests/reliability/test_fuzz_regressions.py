"""What the fuzzing found: one regression test per finding.

Each test says what is sent, what daprd (Go's net/http, protobuf-go, grpc-go, checked against those
libraries at the versions each Dapr release uses) answers, and what the fake did before.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Iterator

import pytest
from fuzz_support import (
    CRASH_MARK,
    TOKEN,
    check_alive,
    fresh,
    mounted_control,
    raw_exchange,
    raw_request,
    read_answer,
)
from wire import send

from dapr_jobs_fake import ClockError, DaprJobsFake


@pytest.fixture
def control(fake: DaprJobsFake) -> Iterator[DaprJobsFake]:
    with mounted_control(fake) as mounted:
        yield mounted


# -- fixed ---------------------------------------------------------------------------------------------


def test_lowercase_method_is_not_get(fake: DaprJobsFake) -> None:
    """§2: Go routes methods case-sensitively, so `get` matches no jobs route and falls to the
    service-invocation fallback (404 ERR_DIRECT_INVOKE); werkzeug upper-cased it and answered as GET.
    The health route likewise answers only `GET`."""
    fresh(fake)
    for method, path in (("get", b"/v1.0/jobs/x"), ("post", b"/v1.0/jobs/x"), ("get", b"/v1.0/healthz")):
        answer = raw_request(fake, method, path, b'{"dueTime":"1s"}' if method == "post" else b"")
        assert answer.status == 404, (method, path, answer.body)
        assert json.loads(answer.body)["errorCode"] == "ERR_DIRECT_INVOKE"
        assert fake.calls[-1].request == f"{method} {path.decode()}"
    assert not list(fake.jobs)


@pytest.mark.parametrize("method", ["POST", "GET", "DELETE"])
@pytest.mark.parametrize("segment", [b"a%FF", b"!%FF", b"%ED%A0%80"])
def test_name_with_invalid_utf8(fake: DaprJobsFake, method: str, segment: bytes) -> None:
    """§2, §6: a name that percent-decodes to bytes that are not UTF-8 unescapes fine (Go strings are
    bytes), but daprd cannot marshal it into the Scheduler request (proto3 string): 500 with the gRPC
    client's Internal error. Before: `a%FF` got a 400 "failed to unescape" with a Python codec message
    and `!%FF` crashed the GET/DELETE handler with werkzeug's HTML 500 page."""
    fresh(fake)
    operation = {"POST": "schedule", "GET": "get", "DELETE": "delete"}[method]
    body = b'{"dueTime":"1s"}' if method == "POST" else b""
    answer = raw_request(fake, method, b"/v1.0/jobs/" + segment, body)
    assert answer.status == 500
    assert answer.content_type == "application/json"
    error = json.loads(answer.body)
    assert error["errorCode"] == f"DAPR_SCHEDULER_{operation.upper()}_JOB"
    assert error["message"].endswith(
        "due to: rpc error: code = Internal desc = grpc: error while marshaling: "
        "string field contains invalid UTF-8"
    )
    assert fake.calls[-1].status == 500
    assert fake.calls[-1].violations[0].rule == "name.invalid"
    assert not list(fake.jobs)
    check_alive(fake)


def test_name_with_valid_utf8_escapes_still_works(fake: DaprJobsFake) -> None:
    """§2: `%C3%A9` is `é`; routed decoded or raw, it unescapes to the same name."""
    fresh(fake)
    assert raw_request(fake, "POST", b"/v1.0/jobs/%C3%A9", b'{"dueTime":"1s"}').status == 204
    assert raw_request(fake, "POST", b"/v1.0/jobs/!%C3%A9", b'{"dueTime":"1s"}').status == 204
    assert sorted(fake.jobs) == ["!é", "é"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (b"/_dapr-jobs-fake/clock/advance", b'{"seconds": Infinity}'),
        (b"/_dapr-jobs-fake/clock/advance", b'{"seconds": NaN}'),
        (b"/_dapr-jobs-fake/clock/advance", b'{"seconds": 1e300}'),
        (b"/_dapr-jobs-fake/clock/advance", b'{"seconds": 1000000000000}'),
        (b"/_dapr-jobs-fake/clock/advance", b'{"seconds": 1' + b"0" * 400 + b"}"),
        (b"/_dapr-jobs-fake/clock/advance-to", b'{"time": "9999-12-31T23:59:59-23:59"}'),
    ],
)
def test_control_api_refuses_unreachable_moves(control: DaprJobsFake, path: bytes, body: bytes) -> None:
    """Control API (docs/cli.md): a move to a non-number or past year 9999 is a 400 and leaves the
    clock where it was. Before: `Infinity` crashed the handler (OverflowError), and `1e300` moved the
    clock so far that every later request failed timestamping its journal entry."""
    fake = fresh(control)
    before = fake.clock.now_ns()
    answer = raw_request(fake, "POST", path, body)
    assert answer.status == 400, answer.body
    assert "error" in json.loads(answer.body)
    assert fake.clock.now_ns() == before
    assert raw_request(fake, "GET", b"/v1.0/jobs/x").status == 500  # still answering, journaling
    assert fake.calls[-1].status == 500


def test_control_api_lists_jobs_due_beyond_year_9999(control: DaprJobsFake) -> None:
    """§8: ISO 8601 years are unbounded integers, so a dueTime can lie past year 9999 (Go's time
    reaches ~292 billion years). The control API's clock and job listing still answer."""
    fake = fresh(control)
    assert raw_request(fake, "POST", b"/v1.0/jobs/far", b'{"dueTime":"P99999999999Y"}').status == 204
    clock = raw_request(fake, "GET", b"/_dapr-jobs-fake/clock")
    assert clock.status == 200, clock.body
    assert json.loads(clock.body)["nextTriggerAt"].startswith("100000002029-03-17T")
    jobs = raw_request(fake, "GET", b"/_dapr-jobs-fake/jobs")
    assert jobs.status == 200, jobs.body
    assert [job["name"] for job in json.loads(jobs.body)] == ["far"]


def test_invalid_utf8_body(fake: DaprJobsFake) -> None:
    """§3: protojson refuses a body that is not UTF-8 ("invalid UTF-8"): 400 ERR_MALFORMED_REQUEST."""
    fresh(fake)
    answer = raw_request(fake, "POST", b"/v1.0/jobs/x", b'{"dueTime":"1s","data":"\xff"}')
    assert answer.status == 400
    assert json.loads(answer.body)["errorCode"] == "ERR_MALFORMED_REQUEST"


def test_out_of_range_number_in_data(fake: DaprJobsFake) -> None:
    """§3: protojson parses a Value number with strconv.ParseFloat; 1e400 is out of range, so
    `invalid google.protobuf.Value: 1e400` -> 400 ERR_MALFORMED_REQUEST, and nothing is stored."""
    fresh(fake)
    answer = raw_request(fake, "POST", b"/v1.0/jobs/x", b'{"dueTime":"1s","data":[1e400]}')
    assert answer.status == 400
    assert json.loads(answer.body)["errorCode"] == "ERR_MALFORMED_REQUEST"
    assert not list(fake.jobs)


@pytest.mark.parametrize("body", [b'{"dueTime":"\\ud800"}', b'{"dueTime":"1s","data":"\\ud800"}'])
def test_lone_surrogate_escape_in_body(fake: DaprJobsFake, body: bytes) -> None:
    """§3: protobuf-go's JSON string decoder refuses an unpaired `\\ud800` ("invalid escape code"):
    400 ERR_MALFORMED_REQUEST. The fake answered 500 "due time format not recognized" for the first,
    and stored the second, whose GET then crashed (HTML 500) encoding the surrogate."""
    fresh(fake)
    answer = raw_request(fake, "POST", b"/v1.0/jobs/x", body)
    assert answer.status == 400
    assert json.loads(answer.body)["errorCode"] == "ERR_MALFORMED_REQUEST"


def test_far_due_time_job_is_readable(fake: DaprJobsFake) -> None:
    """§8: a job due past year 9999 (ISO 8601 years are unbounded) is stored; reading it must not raise."""
    fresh(fake)
    assert raw_request(fake, "POST", b"/v1.0/jobs/far", b'{"dueTime":"P99999999999Y"}').status == 204
    assert fake.jobs["far"].name == "far"
    fake.clock.next_trigger_at()


def test_clock_cannot_leave_datetime_range(fake: DaprJobsFake) -> None:
    """A move past year 9999 is refused with ClockError, or the fake keeps answering afterwards."""
    fresh(fake)
    with contextlib.suppress(ClockError):
        fake.clock.advance(days=10**8)
    answer = raw_request(fake, "GET", b"/v1.0/jobs/x")
    assert answer.status == 500
    assert json.loads(answer.body)["errorCode"] == "DAPR_SCHEDULER_GET_JOB"


def test_catch_up_burst_is_bounded(fake: DaprJobsFake) -> None:
    """§8: missed ticks fire back-to-back until caught up; the fake must stop a burst too long to
    finish (ClockError, as run_until_idle does) instead of hanging the test and filling memory."""
    fresh(fake)
    body = b'{"schedule":"@every 1s","dueTime":"2000-01-01T00:00:00Z"}'
    assert raw_request(fake, "POST", b"/v1.0/jobs/x", body).status == 204
    limit = fake.clock.idle_trigger_limit  # the session fake's: reset() does not restore it
    fake.clock.idle_trigger_limit = 1000
    try:
        fake.on_job()(lambda event: None)
        before = fake.clock.now_ns()
        with pytest.raises(ClockError, match="made 1000 attempts and more are due"):
            fake.clock.advance_ns(0)
        assert len(fake.triggers) == 1000  # what was made stays made
        assert fake.clock.now_ns() == before  # catching up on past ticks does not move the clock
        assert raw_request(fake, "GET", b"/v1.0/jobs/x").status == 200
    finally:
        fake.clock.idle_trigger_limit = limit


# -- HTTP framing: Go's net/http (checked against Go 1.22.6 to 1.26.6 servers set up as daprd's) --------

POST_HEAD = b"POST /v1.0/jobs/c HTTP/1.1\r\nHost: x\r\n"
JOB = b'{"dueTime":"1s"}'
GO_400 = b"400 Bad Request"


def exchange_half_closed(fake: DaprJobsFake, payload: bytes, timeout: float = 2.0) -> bytes:
    """Send `payload`, close the sending side (the body ends there), read until the fake closes."""
    with socket.create_connection((fake.host, fake.http_port), timeout=timeout) as sock:
        sock.sendall(payload)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


@pytest.mark.parametrize(
    ("payload", "error", "closes"),
    [
        pytest.param(
            POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\nzz\r\n",
            "invalid byte in chunk length",
            True,
            id="chunk-size-not-hex",
        ),
        pytest.param(
            POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n-1\r\n",
            "invalid byte in chunk length",
            True,
            id="chunk-size-negative",
        ),
        pytest.param(  # 5 bytes are `ab\r\n0`, then the CRLF, then an empty chunk-size line
            POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n5\r\nab\r\n0\r\n\r\n",
            "empty hex number for chunk length",
            True,
            id="chunk-data-short",
        ),
        pytest.param(
            POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc",
            "unexpected EOF",
            True,
            id="chunked-cut-by-eof",
        ),
        pytest.param(
            POST_HEAD + b"Content-Length: 30\r\n\r\n{}",
            "unexpected EOF",
            False,
            id="content-length-cut-by-eof",
        ),
        pytest.param(
            POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + JOB + b"XX0\r\n\r\n",
            "malformed chunked encoding",
            True,
            id="chunk-data-not-followed-by-crlf",
        ),
        pytest.param(
            POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + JOB + b"\r\n0\r\n",
            "http: unexpected EOF reading trailer",
            False,
            id="last-chunk-cut",
        ),
    ],
)
def test_malformed_or_cut_body_is_err_body_read(
    fake: DaprJobsFake, payload: bytes, error: str, closes: bool
) -> None:
    """§3 step 2, §13: daprd reads the body with io.ReadAll; Go's body reader fails
    (`net/http/internal/chunked.go`, `transfer.go:body.readLocked`) and daprd answers 400
    `{"errorCode":"ERR_BODY_READ","message":"failed to read request body: <Go's error>"}`, journaled.
    Go then closes with `Connection: close` after a chunked-framing error (writeHeader's discard of the
    rest fails); after a cut Content-Length body or trailer it answers without one and meets EOF next.
    Before: 500 "dapr-jobs-fake internal error: OSError/ClientDisconnected", not journaled."""
    fresh(fake)
    answer = exchange_half_closed(fake, payload)
    assert CRASH_MARK not in answer, answer
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n"), answer
    assert (b"\r\nConnection: close" in head) == closes, head
    assert json.loads(body) == {
        "errorCode": "ERR_BODY_READ",
        "message": f"failed to read request body: {error}",
    }
    assert [(c.status, c.error_code) for c in fake.calls] == [(400, "ERR_BODY_READ")]
    assert [v.rule for v in fake.violations] == ["body.unreadable"]
    assert not list(fake.jobs)


@pytest.mark.parametrize(
    "chunks",
    [
        pytest.param(b"10;name=value\r\n" + JOB + b"\r\n0\r\n\r\n", id="chunk-extension"),
        pytest.param(b"10\r\n" + JOB + b"\r\n0\r\nX-Trailer: v\r\n\r\n", id="trailer"),
        pytest.param(b"10 \t\r\n" + JOB + b"\r\n0;last\r\nA: 1\r\nB: 2\r\n\r\n", id="both-and-whitespace"),
    ],
)
def test_chunk_extensions_and_trailers_are_accepted(fake: DaprJobsFake, chunks: bytes) -> None:
    """RFC 9112 §7.1: `net/http/internal/chunked.go` drops `;ext` (and trailing whitespace) from a
    chunk-size line and `transfer.go:readTrailer` reads trailer fields after the last chunk: the job
    is scheduled (204). Before: 500 internal error (werkzeug's "Invalid chunk header")."""
    fresh(fake)
    answer = raw_exchange(
        fake, POST_HEAD + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunks
    )
    assert answer.status == 204, answer.body
    assert "c" in fake.jobs


def test_an_over_long_chunk_size_is_refused_at_once(fake: DaprJobsFake) -> None:
    """`chunked.go:parseHexUint` stops at the 17th digit ("http chunk length too large"): daprd answers
    400 ERR_BODY_READ without waiting for the chunk. Before: the fake waited for 2**72 bytes."""
    fresh(fake)
    payload = POST_HEAD + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + b"f" * 18 + b"\r\n"
    answer = raw_exchange(fake, payload, timeout=0.5)
    assert answer.status == 400
    assert answer.json() == {
        "errorCode": "ERR_BODY_READ",
        "message": "failed to read request body: http chunk length too large",
    }


def go_refusal(fake: DaprJobsFake, payload: bytes, timeout: float = 0.3) -> bytes:
    """Send a request net/http refuses before any handler; the whole answer, read to the close
    (net/http closes at once: still open after `timeout` is a failure)."""
    with socket.create_connection((fake.host, fake.http_port), timeout=timeout) as sock:
        sock.sendall(payload)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            data += b"<still open>"
        return data


def plain(status_line: bytes, body: bytes) -> bytes:
    """net/http's answer to a request it cannot read (`server.go:serve`): plain text, then a close."""
    return (
        b"HTTP/1.1 "
        + status_line
        + b"\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
        + body
    )


@pytest.mark.parametrize(
    "lengths",
    [
        pytest.param([b"-1"], id="negative"),
        pytest.param([b"abc"], id="not-a-number"),
        pytest.param([b"+16"], id="plus-sign"),
        pytest.param([b"16, 16"], id="list"),
        pytest.param([b""], id="empty"),
        pytest.param([b"5", b"16"], id="two-that-differ"),
        pytest.param([b"1" + b"0" * 30], id="past-2**63"),
        pytest.param([b"9223372036854775808"], id="2**63"),
        pytest.param([b"0x10"], id="hex"),
    ],
)
def test_a_bad_content_length_is_a_plain_400(fake: DaprJobsFake, lengths: list[bytes]) -> None:
    """`transfer.go:fixLength`: differing Content-Length headers ("http: message cannot contain
    multiple Content-Length headers") and `parseContentLength` (strconv.ParseUint(v, 10, 63): "bad
    Content-Length", "invalid empty Content-Length") fail `readRequest`; the server answers its plain
    400 and closes. Nothing is journaled (daprd never sees the request). Before: read leniently."""
    fresh(fake)
    lines = b"".join(b"Content-Length: " + value + b"\r\n" for value in lengths)
    answer = go_refusal(fake, POST_HEAD + lines + b"Connection: close\r\n\r\n" + JOB)
    assert answer == plain(GO_400, GO_400)
    assert fake.calls == []


@pytest.mark.parametrize("lengths", [[b"16", b"16"], [b" 16 "], [b"016"]])
def test_repeated_or_padded_content_lengths_are_read(fake: DaprJobsFake, lengths: list[bytes]) -> None:
    """`fixLength` keeps one of equal Content-Length values; textproto trims them; ParseUint takes
    leading zeros."""
    fresh(fake)
    lines = b"".join(b"Content-Length: " + value + b"\r\n" for value in lengths)
    assert raw_exchange(fake, POST_HEAD + lines + b"Connection: close\r\n\r\n" + JOB).status == 204


@pytest.mark.parametrize(
    "encodings",
    [
        pytest.param([b"gzip"], id="gzip"),
        pytest.param([b"identity"], id="identity"),
        pytest.param([b"chunked, chunked"], id="list"),
        pytest.param([b"chunked", b"chunked"], id="two-headers"),
        pytest.param([b"gzip, chunked"], id="gzip-then-chunked"),
        pytest.param([b""], id="empty"),
    ],
)
def test_an_unsupported_transfer_encoding_is_501(fake: DaprJobsFake, encodings: list[bytes]) -> None:
    """`transfer.go:parseTransferEncoding` accepts exactly one header whose value is `chunked` (any
    case) ("too many transfer encodings", "unsupported transfer encoding"); `server.go:serve` answers
    `HTTP/1.1 501 Not Implemented` + "Unsupported transfer encoding" and closes."""
    fresh(fake)
    lines = b"".join(b"Transfer-Encoding: " + value + b"\r\n" for value in encodings)
    answer = go_refusal(fake, POST_HEAD + lines + b"Content-Length: 16\r\nConnection: close\r\n\r\n" + JOB)
    assert answer == plain(b"501 Not Implemented", b"Unsupported transfer encoding")
    assert fake.calls == []


@pytest.mark.parametrize(
    ("line", "why"),
    [
        pytest.param(b"Bad Header", b"", id="no-colon"),
        pytest.param(b"X : y", b": invalid header name", id="space-before-colon"),
        pytest.param(b"\xff: v", b"", id="non-token-name"),
        pytest.param(b"X-\x7f: 1", b"", id="del-in-name"),
        pytest.param(b"X\t: y", b"", id="tab-in-name"),
        pytest.param(b"X: a\x00b", b"", id="nul-in-value"),
        pytest.param(b"X: a\x7fb", b"", id="del-in-value"),
        pytest.param(b"X: a\rb", b"", id="cr-in-value"),
        pytest.param(b": v", b"", id="empty-name"),
    ],
)
def test_a_malformed_header_line_is_a_plain_400(fake: DaprJobsFake, line: bytes, why: bytes) -> None:
    """`textproto.Reader.ReadMIMEHeader` ("malformed MIME header line") and `server.go:readRequest`
    ("invalid header name", a space before the colon passes textproto) refuse these: net/http's 400,
    a close, nothing journaled. Before: served (a line without a colon even swallowed the rest)."""
    fresh(fake)
    answer = go_refusal(
        fake, b"GET /v1.0/jobs/c HTTP/1.1\r\nHost: x\r\n" + line + b"\r\nConnection: close\r\n\r\n"
    )
    assert answer == plain(GO_400 + why, GO_400 + why)
    assert fake.calls == []


@pytest.mark.parametrize(
    ("hosts", "why"),
    [
        pytest.param([], b": missing required Host header", id="missing"),
        pytest.param([b"a", b"b"], b"", id="two"),  # request.go: fmt.Errorf("too many Host headers")
        pytest.param([b"x y"], b": malformed Host header", id="malformed"),
        pytest.param([b"a/b"], b": malformed Host header", id="slash"),
    ],
)
def test_host_header_rules(fake: DaprJobsFake, hosts: list[bytes], why: bytes) -> None:
    """`server.go:readRequest`: a statusError (`badRequestError(...)`) is written as
    `HTTP/1.1 400 Bad Request: <why>` with the body `400 Bad Request: <why>`; two Host headers fail
    earlier, in `request.go`, with a plain error: the plain 400."""
    fresh(fake)
    lines = b"".join(b"Host: " + host + b"\r\n" for host in hosts)
    answer = go_refusal(fake, b"GET /v1.0/jobs/c HTTP/1.1\r\n" + lines + b"Connection: close\r\n\r\n")
    assert answer == plain(GO_400 + why, GO_400 + why)
    assert fake.calls == []


def test_http_1_0_needs_no_host(fake: DaprJobsFake) -> None:
    """The Host rule is HTTP/1.1's: an HTTP/1.0 request without one is served, answered in HTTP/1.0
    and closed (no keep-alive asked)."""
    fresh(fake)
    answer = go_refusal(fake, b"GET /v1.0/healthz HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 204 No Content\r\n"), answer
    assert b"Connection" not in answer


@pytest.mark.parametrize("byte", [b"\x00", b"\x01", b"\x1f", b"\x7f", b" ", b"\t"])
def test_a_control_byte_in_the_target_is_a_plain_400(fake: DaprJobsFake, byte: bytes) -> None:
    """`url.ParseRequestURI` refuses a control byte ("net/url: invalid control character in URL"), and
    a space or tab splits the request line wrongly: net/http's plain 400. Before: routed (500)."""
    fresh(fake)
    answer = go_refusal(
        fake, b"GET /v1.0/jobs/a" + byte + b"b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    assert answer == plain(GO_400, GO_400)
    assert fake.calls == []


def test_an_absolute_form_target_is_routed_by_its_path(fake: DaprJobsFake) -> None:
    """RFC 9112 §3.2.2 (servers must accept the absolute form); `url.ParseRequestURI` keeps the path,
    which chi routes. Before: 404 ERR_DIRECT_INVOKE."""
    fresh(fake)
    assert raw_request(fake, "POST", b"/v1.0/jobs/c", JOB).status == 204
    answer = raw_request(fake, "GET", b"http://" + fake.host.encode() + b"/v1.0/jobs/c")
    assert answer.status == 200, answer.body
    assert answer.json()["name"] == "c"
    assert raw_request(fake, "GET", b"HTTP://h/v1.0/jobs/c?x=1").status == 200
    assert go_refusal(fake, b"GET http://[::1/v1.0/jobs/c HTTP/1.1\r\nHost: x\r\n\r\n") == plain(
        GO_400, GO_400
    )


def test_raw_utf8_bytes_in_the_path_are_the_name(fake: DaprJobsFake) -> None:
    """§2: net/http keeps the target's bytes (url.setPath: RawPath is the raw path when it differs
    from Go's escaping); chi routes RawPath and QueryUnescape leaves the bytes alone, so the name is
    the UTF-8 text `é`, the same job as `/v1.0/jobs/%C3%A9`; `<ff>` is the invalid-UTF-8 name of
    `test_name_with_invalid_utf8` (500, "string field contains invalid UTF-8"). Before: Latin-1 twice."""
    fresh(fake)
    assert raw_request(fake, "POST", b"/v1.0/jobs/\xc3\xa9", JOB).status == 204
    assert list(fake.jobs) == ["é"]
    assert raw_request(fake, "GET", b"/v1.0/jobs/%C3%A9").status == 200
    answer = raw_request(fake, "GET", b"/v1.0/jobs/\xff")
    assert answer.status == 500
    assert answer.json()["message"].endswith("string field contains invalid UTF-8")
    assert fake.calls[-1].request == "GET /v1.0/jobs/\\xff"


@pytest.mark.parametrize(
    "lines",
    [
        pytest.param(b"dapr-api-token:   " + TOKEN.encode() + b"  \t\r\n", id="padded"),
        pytest.param(
            b"dapr-api-token: " + TOKEN.encode() + b"\r\ndapr-api-token: other\r\n", id="first-of-two"
        ),
        pytest.param(b"Dapr-API-Token: " + TOKEN.encode() + b"\r\n", id="any-case"),
    ],
)
def test_the_token_header_is_read_as_go_reads_it(fake: DaprJobsFake, lines: bytes) -> None:
    """§11: `APITokenAuthMiddleware` compares `r.Header.Get("dapr-api-token")`: the first value, which
    textproto trimmed. Before: untrimmed, and repeated headers joined with ", "."""
    fresh(fake, token=TOKEN)
    answer = raw_exchange(
        fake, b"GET /v1.0/jobs/c HTTP/1.1\r\nHost: x\r\n" + lines + b"Connection: close\r\n\r\n"
    )
    assert answer.status == 500  # past the token check: job not found
    assert answer.json()["errorCode"] == "DAPR_SCHEDULER_GET_JOB"
    second = b"dapr-api-token: other\r\ndapr-api-token: " + TOKEN.encode() + b"\r\n"
    refused = raw_exchange(
        fake, b"GET /v1.0/jobs/c HTTP/1.1\r\nHost: x\r\n" + second + b"Connection: close\r\n\r\n"
    )
    assert refused.status == 401  # only the first counts


def test_expect_100_continue_is_answered_once(fake: DaprJobsFake) -> None:
    """`server.go` (expectContinueReader) writes `HTTP/1.1 100 Continue` once, when the handler
    first reads the body. Before: two."""
    fresh(fake)
    payload = POST_HEAD + b"Expect: 100-continue\r\nConnection: close\r\nContent-Length: 16\r\n\r\n" + JOB
    with socket.create_connection((fake.host, fake.http_port), timeout=5) as sock:
        sock.sendall(payload)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.count(b"HTTP/1.1 100 Continue\r\n\r\n") == 1, data
    assert data.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n"), data


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        pytest.param(b"".join(b"X-%d: v\r\n" % i for i in range(150)), 204, id="150-short-lines"),
        pytest.param(b"".join(b"X-%d: v\r\n" % i for i in range(800)), 204, id="800-short-lines"),
        pytest.param(b"X-Long: " + b"v" * 8000 + b"\r\n", 204, id="one-8-KB-line"),
        pytest.param(b"X-Long: " + b"v" * 70_000 + b"\r\n", 431, id="one-70-KB-line"),
    ],
)
def test_headers_are_limited_by_bytes(fake: DaprJobsFake, headers: bytes, status: int) -> None:
    """daprd sets MaxHeaderBytes to its `--read-buffer-size`, 4 KiB by default in Dapr 1.14 to 1.18
    (`pkg/api/http/server.go`, `pkg/runtime/config.go:DefaultReadBufferSize`), and Go reads up to that
    + 4096 bytes for a head (`server.go:initialReadLimitSize`): any number of lines under 8 KiB is
    served, more is a 431. Before: Python's limits (100 lines, a 64 KiB line)."""
    fresh(fake)
    answer = raw_exchange(
        fake, b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"Connection: close\r\n\r\n"
    )
    assert answer.status == status


# -- protojson's words (contract §3; checked against protobuf-go 1.34.2, 1.36.4 and 1.36.11) -------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            b'{"dueTime":"1s","data":"\xff"}', "syntax error (line 1:24): invalid UTF-8 in string", id="data"
        ),
        pytest.param(b'{"\xff":1}', "syntax error (line 1:2): invalid UTF-8 in string", id="key"),
        pytest.param(
            b'{"dueTime":"1s",\n"data":"ab\xed\xa0\x80"}',
            "syntax error (line 2:8): invalid UTF-8 in string",
            id="line-2",
        ),
        pytest.param(
            b'{"dueTime":"1s",\xff}', "syntax error (line 1:17): invalid value \ufffd", id="outside"
        ),
    ],
)
def test_invalid_utf8_body_message_reads_like_protobuf_go(
    fake: DaprJobsFake, body: bytes, message: str
) -> None:
    """`internal/encoding/json/decode.go`: `invalid UTF-8 in string` at the string's opening quote;
    a byte outside strings is an `invalid value` (the byte, which daprd's JSON writes as U+FFFD).
    Before: Python's codec message at line 1:1."""
    fresh(fake)
    answer = raw_request(fake, "POST", b"/v1.0/jobs/x", body)
    assert answer.json() == {
        "errorCode": "ERR_MALFORMED_REQUEST",
        "message": "failed deserializing HTTP body: proto: " + message,
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            b'{"dueTime":"1s","dueTime":"2s"}', '(line 1:17): duplicate field "dueTime"', id="field"
        ),
        pytest.param(
            b'{"dueTime":"1s","due_time":"2s"}', '(line 1:17): duplicate field "due_time"', id="alias"
        ),
        pytest.param(
            b'{"dueTime":"1s","data":{"a":1,"a":2}}', '(line 1:31): duplicate map key "a"', id="data-key"
        ),
        pytest.param(
            b'{"dueTime":"1s","data":{"a":{"b":1,"b":2}}}', '(line 1:36): duplicate map key "b"', id="deep"
        ),
        pytest.param(
            b'{"dueTime":"1s","failurePolicy":{"drop":{},"drop":{}}}',
            '(line 1:44): duplicate field "drop"',
            id="policy",
        ),
        pytest.param(  # the type error comes first in the text
            b'{"ttl":false,"ttl":false}', "(line 1:8): invalid value for string field ttl: false", id="order"
        ),
    ],
)
def test_duplicate_key_messages_read_like_protojson(fake: DaprJobsFake, body: bytes, message: str) -> None:
    """`encoding/protojson/decode.go`: `unmarshalMessage` ("duplicate field %v", field numbers, so a
    JSON and proto name clash too) and `unmarshalMap`, which Struct uses ("duplicate map key %v"),
    both at `tok.Pos()` of the second name; protojson reads in order, so the first fault in the text
    is the one told. Before: at the first key's value, and data keys called fields."""
    fresh(fake)
    answer = raw_request(fake, "POST", b"/v1.0/jobs/x", body)
    assert answer.json()["message"] == "failed deserializing HTTP body: proto: " + message


@pytest.mark.parametrize(
    "body",
    [
        b'{"dueTime":"1s","extra":{"a":1,"a":2}}',
        b'{"extra":1,"extra":2,"dueTime":"1s"}',
        b'{"dueTime":"1s","failurePolicy":{"drop":{"x":1,"x":2}}}',
        b'{"dueTime":"1s","failurePolicy":{"q":1,"q":2}}',
    ],
)
def test_keys_repeated_where_protojson_does_not_look_are_accepted(fake: DaprJobsFake, body: bytes) -> None:
    """§3: unknown fields (and the keys of `drop`, a message without fields) are skipped unread
    (DiscardUnknown, `skipJSONValue`), so their keys may repeat: the job is scheduled."""
    fresh(fake)
    assert raw_request(fake, "POST", b"/v1.0/jobs/x", body).status == 204


# -- the control API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("app_url", ["not a url", "ftp://x", "http://[::1"])
def test_a_refused_app_url_changes_nothing(control: DaprJobsFake, app_url: str) -> None:
    """Before: the 400 kept the app_url in fake.options (DaprJobsFake.configure set the options before
    applying them), and every later reset(), POST /_dapr-jobs-fake/reset included, failed."""
    fake = fresh(control)
    try:
        answer = send(fake, "POST", "/_dapr-jobs-fake/app", {"app_url": app_url})
        assert answer.status == 400
        assert fake.options.app_url is None
        assert send(fake, "POST", "/_dapr-jobs-fake/reset", b"").status == 200
        with pytest.raises(ValueError):
            fake.configure(app_url=app_url)
        assert fake.options.app_url is None
    finally:
        fake.configure(app_url=None)


def test_control_api_401_is_json(control: DaprJobsFake) -> None:
    """Every control-API error is JSON `{"errorCode", "message"}` (docs/cli.md), the 401 too. Before:
    daprd's plain-text "invalid api token\n"."""
    fake = fresh(control, token=TOKEN)
    answer = send(fake, "GET", "/_dapr-jobs-fake/clock")
    assert answer.status == 401
    assert answer.content_type == "application/json"
    assert set(answer.json()) >= {"errorCode", "message"}
    assert send(fake, "GET", "/_dapr-jobs-fake/clock", headers={"dapr-api-token": TOKEN}).status == 200


# -- the gRPC journal ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rpc", "payload", "detail"),
    [
        ("ScheduleJobAlpha1", b"\xff\xff\xff", "proto: cannot parse invalid wire-format data"),
        ("GetJob", b"\x0a\x02\x0a\xff", "string field contains invalid UTF-8"),
        ("ScheduleJob", b"\x0a\x03\x0a\x01\xff", "string field contains invalid UTF-8"),
        ("DeleteJobAlpha1", b"\x0a", "proto: cannot parse invalid wire-format data"),
    ],
)
def test_an_undecodable_grpc_request_is_journaled(
    fake: DaprJobsFake, rpc: str, payload: bytes, detail: str
) -> None:
    """The journal promises every call the fake answered. grpc-go decodes before any interceptor
    (`server.go:processUnaryRPC`), so even without the token it answers INTERNAL "grpc: error
    unmarshalling request: <protobuf-go's error>" (checked against grpc-go 1.82 with daprd 1.18.3's
    messages). Before: grpcio's "Exception deserializing request!", not journaled."""
    grpc = pytest.importorskip("grpc")
    if fake.grpc_port is None:
        pytest.skip("the session fake serves no gRPC")
    fresh(fake, token=TOKEN)
    with grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as channel:
        call = channel.unary_unary(f"/dapr.proto.runtime.v1.Dapr/{rpc}")
        with pytest.raises(grpc.RpcError) as raised:
            call(payload, timeout=5)
    assert raised.value.code() == grpc.StatusCode.INTERNAL
    assert raised.value.details() == f"grpc: error unmarshalling request: {detail}"
    assert [(c.request, c.status) for c in fake.calls] == [(f"/dapr.proto.runtime.v1.Dapr/{rpc}", 500)]
    assert [v.rule for v in fake.violations] == ["request.undecodable"]


def test_an_undecodable_request_for_a_missing_rpc_gets_the_proxy_answer(fake: DaprJobsFake) -> None:
    """grpc-go looks the method up before decoding, and daprd's proxy takes an RPC the version lacks
    without decoding it: UNKNOWN "failed to proxy request", whatever the bytes."""
    grpc = pytest.importorskip("grpc")
    if fake.grpc_port is None:
        pytest.skip("the session fake serves no gRPC")
    fresh(fake, profile="docs-1.14-alpha")
    with (
        grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as channel,
        pytest.raises(grpc.RpcError) as raised,
    ):
        channel.unary_unary("/dapr.proto.runtime.v1.Dapr/ListJobs")(b"\xff", timeout=5)
    assert raised.value.code() == grpc.StatusCode.UNKNOWN
    assert raised.value.details().startswith("failed to proxy request")


def test_the_fake_serves_after_every_finding(fake: DaprJobsFake) -> None:
    """Whatever the findings above do to one request, the next one is served."""
    fresh(fake)
    for payload in (
        POST_HEAD + b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n",
        POST_HEAD + b"Content-Length: 5\r\nContent-Length: 16\r\nConnection: close\r\n\r\n" + JOB,
        b"GET /v1.0/jobs/a\x00b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    ):
        with socket.create_connection((fake.host, fake.http_port), timeout=5) as sock:
            sock.sendall(payload)
            read_answer(sock)
        check_alive(fake)


@pytest.mark.parametrize(
    ("template", "status", "message"),
    [
        pytest.param(
            '{"dueTime":%s}', 400, "(line 1:12): invalid value for string field dueTime: {", id="dueTime"
        ),
        pytest.param(
            '{"dueTime":"1s","schedule":%s}',
            400,
            "(line 1:28): invalid value for string field schedule: {",
            id="schedule",
        ),
        pytest.param(
            '{"dueTime":"1s","repeats":%s}',
            400,
            "(line 1:27): invalid value for uint32 field repeats: {",
            id="repeats",
        ),
        pytest.param(
            '{"dueTime":"1s","failurePolicy":{"constant":{"interval":%s}}}',
            400,
            "syntax error (line 1:57): unexpected token {",
            id="interval",
        ),
        pytest.param('{"dueTime":"1s","failurePolicy":{"drop":%s}}', 204, None, id="drop-unknown-keys"),
        pytest.param(
            '{"dueTime":"1s","failurePolicy":{"constant":%s}}', 204, None, id="constant-unknown-keys"
        ),
    ],
)
def test_deep_nesting_in_a_known_field_is_answered(
    fake: DaprJobsFake, template: str, status: int, message: str | None
) -> None:
    """§3: protojson reads a scalar field's first token and refuses an object there ("invalid value
    for string field schedule: {"; a Duration wants a string: "unexpected token {"): 400
    ERR_MALFORMED_REQUEST. Inside a message field, unknown keys are skipped (DiscardUnknown) up to the
    recursion limit, 10,000: the job is scheduled. Before: RecursionError in the JSON Schema check,
    500 "dapr-jobs-fake internal error", not journaled."""
    fresh(fake)
    deep = '{"k":' * 3000 + "1" + "}" * 3000
    answer = raw_request(fake, "POST", b"/v1.0/jobs/deep", (template % deep).encode())
    assert CRASH_MARK not in answer.body, answer.body[:200]
    assert answer.status == status, answer.body[:200]
    if message is not None:
        assert answer.json() == {
            "errorCode": "ERR_MALFORMED_REQUEST",
            "message": "failed deserializing HTTP body: proto: " + message,
        }
    assert len(fake.calls) == 1


@pytest.mark.parametrize("framing", ["length", "chunked"])
def test_pipelined_requests_are_all_answered(fake: DaprJobsFake, framing: str) -> None:
    """RFC 9112 §9.3.2: a server answers pipelined requests in the order received (Go serves them one
    after the other from its buffered reader). The finding was the readers' (`read_answer` here,
    `read_reply` in benchmarks/fuzz.py): they dropped the bytes of the next answer when it came in
    the same `recv` as the first; with them kept, the old server answered every pipelined request too."""
    fresh(fake)
    body = (
        b"Content-Length: 16\r\n\r\n" + JOB
        if framing == "length"
        else b"Transfer-Encoding: chunked\r\n\r\n10\r\n" + JOB + b"\r\n0\r\n\r\n"
    )
    three = (
        POST_HEAD
        + body
        + b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        + b"GET /v1.0/jobs/c HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    for _ in range(50):
        with socket.create_connection((fake.host, fake.http_port), timeout=2) as sock:
            sock.sendall(three)
            assert read_answer(sock).status in (204, 409)
            assert read_answer(sock).status == 204
            assert read_answer(sock).status == 200
