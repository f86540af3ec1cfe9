"""daprd's HTTP server is Go's net/http: what it reads, refuses and writes, per Go release.

Each fact was checked against Go 1.22.6, 1.23.6, 1.24.11, 1.25.9, 1.25.13 and 1.26.6 (the `go` line of
dapr/dapr go.mod for 1.14.x, 1.15.0-1.15.4, 1.16.8, 1.15.14, 1.16.19 and 1.17.13/1.18.3) running a server
set up as daprd's (`pkg/api/http/server.go`: MaxHeaderBytes 4096, ReadHeaderTimeout 10 s, the body read
through kit's LimitReadCloser). Sources: `net/http/server.go`, `transfer.go`, `internal/chunked.go`,
`net/textproto/reader.go`; profile fields `go_*` say which release does what.
"""

from __future__ import annotations

import re
import socket

import pytest
from fuzz_support import fresh, raw_exchange, read_answer

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.sidecar.http_server import MAX_BODY_BYTES

POST_HEAD = b"POST /v1.0-alpha1/jobs/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
JOB = b'{"dueTime":"1s"}'
GO_400 = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
    b"400 Bad Request"
)


def read_to_close(fake: DaprJobsFake, payload: bytes, timeout: float = 5.0) -> bytes:
    with socket.create_connection((fake.host, fake.http_port), timeout=timeout) as sock:
        sock.sendall(payload)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


@pytest.mark.parametrize(
    ("version", "strict"),
    [("1.14", False), ("1.15.4", False), ("1.15.5", True), ("1.16", True), ("1.18", True)],
)
@pytest.mark.parametrize(
    ("chunks", "error"),
    [
        pytest.param(b"10\n" + JOB + b"\r\n0\r\n\r\n", "chunked line ends with bare LF", id="bare-lf"),
        pytest.param(b"10\r\r\n" + JOB + b"\r\n0\r\n\r\n", "invalid CR in chunked line", id="extra-cr"),
    ],
)
def test_chunk_lines_must_end_in_crlf_from_go_1_24_2(
    fake: DaprJobsFake, version: str, strict: bool, chunks: bytes, error: str
) -> None:
    """CVE-2025-22871 (Go 1.23.8, 1.24.2: `chunked.go:readChunkLine`): a chunk-size line must end in
    CRLF with no other CR. Dapr 1.14 (Go 1.22.6) and 1.15.0-1.15.4 (Go 1.23.6) trim any trailing
    whitespace and read the chunk; 1.15.5 (Go 1.24.2) and later answer ERR_BODY_READ."""
    fresh(fake, version)
    answer = raw_exchange(fake, POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunks)
    if strict:
        assert answer.status == 400, answer.body
        assert answer.json()["message"] == f"failed to read request body: {error}"
    else:
        assert answer.status == 204, answer.body
        assert "c" in fake.jobs


@pytest.mark.parametrize(("version", "served"), [("1.14", True), ("1.15", False), ("1.18", False)])
def test_a_bad_content_length_beside_chunked(fake: DaprJobsFake, version: str, served: bool) -> None:
    """Go 1.22 (Dapr 1.14) deletes Content-Length when Transfer-Encoding is chunked before reading it
    (`transfer.go:parseTransferEncoding`); Go 1.23+ validate it first (`fixLength`): a 400."""
    fresh(fake, version)
    chunks = b"10\r\n" + JOB + b"\r\n0\r\n\r\n"
    payload = POST_HEAD + b"Transfer-Encoding: chunked\r\nContent-Length: abc\r\n\r\n" + chunks
    if served:
        assert raw_exchange(fake, payload).status == 204
    else:
        assert read_to_close(fake, payload) == GO_400
        assert fake.calls == []


@pytest.mark.parametrize(("version", "served"), [("1.14", True), ("1.15", False), ("1.18", False)])
def test_a_header_line_without_a_name(fake: DaprJobsFake, version: str, served: bool) -> None:
    """`: v`: Go 1.22's textproto skips a header with an empty name; Go 1.23+ refuse the line."""
    fresh(fake, version)
    payload = b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n: v\r\nConnection: close\r\n\r\n"
    if served:
        assert raw_exchange(fake, payload).status == 204
    else:
        assert read_to_close(fake, payload) == GO_400


@pytest.mark.parametrize(
    ("version", "message"),
    [
        ("1.14", "proto: (line 1:13): invalid value for string type: {"),
        ("1.15", "proto: (line 1:13): invalid value for string field schedule: {"),
        ("1.18", "proto: (line 1:13): invalid value for string field schedule: {"),
    ],
)
def test_protojson_type_errors_per_protobuf_go(fake: DaprJobsFake, version: str, message: str) -> None:
    """protobuf-go v1.34.2 (Dapr 1.14) says "invalid value for %v type: %v"; v1.36 (Dapr 1.15+, from
    v1.36.4) "invalid value for %v field %v: %v" (`encoding/protojson/decode.go:unmarshalScalar`)."""
    fresh(fake, version)
    prefix = b"/v1.0-alpha1/jobs/"
    answer = raw_exchange(
        fake,
        b"POST " + prefix + b"s HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 20\r\n\r\n"
        b'{"schedule":{"k":1}}',
    )
    assert answer.json()["message"] == "failed deserializing HTTP body: " + message


def test_a_body_one_byte_over_the_limit_is_read_as_its_first_4_mib(fake: DaprJobsFake) -> None:
    """§13: kit's LimitReadCloser (`streams/limitreadcloser.go`) asks for at most limit + 1 bytes and
    drops the byte over; when that read also ends the body (Go's body returns the last bytes with
    io.EOF, `transfer.go:body.readLocked`), io.EOF stays the error and daprd reads 4 MiB: a valid
    4 MiB job plus one space is read (and then refused by the Scheduler, whose etcd client sends at
    most 2 MiB: 429, `job.too-large`). Two bytes over is "stream too large"."""
    fresh(fake)
    head, tail = b'{"dueTime":"1s","data":"', b'"}'
    job = head + b"x" * (MAX_BODY_BYTES - len(head) - len(tail)) + tail
    for extra, status in ((b" ", 429), (b"  ", 400)):
        body = job + extra
        payload = POST_HEAD + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
        answer = raw_exchange(fake, payload, timeout=30)
        assert answer.status == status, answer.body[:200]
    assert fake.calls[-1].error_code == "ERR_BODY_READ"
    assert fake.calls[-1].response["message"] == "failed to read request body: stream too large"


def test_an_expectation_other_than_100_continue_is_417(fake: DaprJobsFake) -> None:
    """`server.go:serve`: `Expect` other than 100-continue is `sendExpectationFailed` (417, close)."""
    fresh(fake)
    answer = read_to_close(fake, POST_HEAD + b"Expect: foo\r\nContent-Length: 16\r\n\r\n" + JOB)
    assert re.fullmatch(
        rb"HTTP/1\.1 417 Expectation Failed\r\nConnection: close\r\nDate: [^\r]+ GMT\r\n"
        rb"Content-Length: 0\r\n\r\n",
        answer,
    ), answer
    assert fake.calls == []


def test_an_answer_head_is_framed_as_go_frames_it(fake: DaprJobsFake) -> None:
    """`chunkWriter.writeHeader`: the handler's headers sorted by name, then `Date` and the
    `Content-Length` Go computes; no `Server`; `Connection: close` when the request asked it."""
    fresh(fake)
    answer = read_to_close(fake, POST_HEAD + b"Content-Length: 2\r\n\r\n{}")
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == b"HTTP/1.1 400 Bad Request"
    names = [line.split(b":", 1)[0] for line in lines[1:]]
    assert names == [b"Content-Type", b"Traceparent", b"Date", b"Content-Length", b"Connection"], lines
    assert int(lines[4].split(b": ")[1]) == len(body)


def test_crlf_left_after_a_post_body_is_skipped(fake: DaprJobsFake) -> None:
    """`server.go:readRequest`: after a POST, leading CR/LF before the next request line (old clients
    add one after the body) are discarded (RFC 7230 §3)."""
    fresh(fake)
    post = b"POST /v1.0/jobs/c HTTP/1.1\r\nHost: x\r\nContent-Length: 16\r\n\r\n" + JOB
    health = b"\r\nGET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n"
    with socket.create_connection((fake.host, fake.http_port), timeout=5) as sock:
        sock.sendall(post + health)
        assert read_answer(sock).status == 204
        assert read_answer(sock).status == 204


def test_an_unread_body_is_discarded_up_to_256_kib(fake: DaprJobsFake) -> None:
    """A handler that does not read the body (GET: daprd's `SkipInputBody`; health) leaves it to the
    server, which reads up to 256 KiB of it to keep the connection (`maxPostHandlerReadBytes`), else
    answers `Connection: close` and closes."""
    fresh(fake)
    small = b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n" + b"x" * 100_000
    with socket.create_connection((fake.host, fake.http_port), timeout=5) as sock:
        sock.sendall(small + b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert read_answer(sock).status == 204
        assert read_answer(sock).status == 204  # the connection went on
    big = b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 300000\r\n\r\n" + b"x" * 300_000
    answer = read_to_close(fake, big)
    assert answer.startswith(b"HTTP/1.1 204 No Content\r\n"), answer[:100]
    assert b"\r\nConnection: close\r\n" in answer
