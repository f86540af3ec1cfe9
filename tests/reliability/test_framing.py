"""HTTP framing as Go's net/http does it: no request smuggled past a framing error, bodies capped
whatever the framing, plain-text answers (never HTML), and a stopped fake answers nothing (issue 8
items 1, 4, 8; contract §2, §13)."""

from __future__ import annotations

import socket
import time

import requests
from wire import STABLE, send

from dapr_jobs_fake import DaprJobsFake


def raw(fake: DaprJobsFake, payload: bytes, *, timeout: float = 5.0) -> bytes:
    """Send `payload` on one socket and read until the server closes it (or `timeout`)."""
    with socket.create_connection((fake.host, fake.http_port), timeout=timeout) as sock:
        sock.sendall(payload)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def test_headers_over_the_limit_close_the_connection_and_smuggle_nothing(fake: DaprJobsFake) -> None:
    """The issue's repro: after the 431 the connection closes, so the DELETE in the leftover lines
    never runs (before: the victim was deleted). The limit is Go's, in bytes: daprd sets
    `MaxHeaderBytes` to `--read-buffer-size` (4 KiB, `pkg/api/http/server.go`, 1.14 to 1.18) and Go
    reads up to that + 4096 bytes for a head (`server.go:initialReadLimitSize`): 1,000 short lines
    (9,948 bytes) are over it."""
    assert send(fake, "POST", STABLE + "victim", {"schedule": "@daily"}).status == 204
    headers = b"".join(b"X-%d: v\r\n" % i for i in range(1000))
    payload = (
        b"POST /v1.0/jobs/a HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n"
        b"DELETE /v1.0/jobs/victim HTTP/1.1\r\nHost: x\r\n\r\n"
    )
    answer = raw(fake, payload)
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"Connection: close" in answer
    assert answer.count(b"HTTP/1.1 ") == 1  # one answer: nothing after it was read as a request
    assert "victim" in fake.jobs
    assert [c.request for c in fake.calls] == ["POST /v1.0/jobs/victim"]


def test_the_header_limit_counts_bytes_not_lines(fake: DaprJobsFake) -> None:
    """Go limits the head's bytes, not its lines: 100 or 500 short header lines (under 8 KiB) are
    served, and a head of exactly 8,192 bytes too; one byte more is a 431 (checked against Go 1.22.6 to
    1.26.6 with MaxHeaderBytes 4096)."""
    for count in (100, 500):
        headers = b"".join(b"X-%d: v\r\n" % i for i in range(count))
        answer = raw(
            fake, b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n" + headers + b"Connection: close\r\n\r\n"
        )
        assert answer.startswith(b"HTTP/1.1 204 No Content\r\n"), answer[:80]
    base = b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Pad: "
    for size, status in ((8192, b"204"), (8193, b"431")):
        head = base + b"v" * (size - len(base) - 4) + b"\r\n\r\n"
        assert len(head) == size
        assert raw(fake, head).startswith(b"HTTP/1.1 " + status), size


def test_malformed_request_line_is_a_plain_400_and_a_close(fake: DaprJobsFake) -> None:
    answer = raw(fake, b"GARBAGE\r\nDELETE /v1.0/jobs/x HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer == (
        b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
        b"400 Bad Request"
    )
    assert fake.calls == []


def test_http_0_9_is_refused_with_400(fake: DaprJobsFake) -> None:
    """net/http does not speak HTTP/0.9: `GET /path` without a version is a 400 and a close."""
    answer = raw(fake, b"GET /v1.0/healthz\r\n")
    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"<html" not in answer.lower()


def test_other_http_versions_get_505(fake: DaprJobsFake) -> None:
    answer = raw(fake, b"GET /v1.0/healthz HTTP/2.0\r\nHost: x\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 505 HTTP Version Not Supported")
    assert b"Connection: close" in answer


def test_chunked_body_over_4_mib_is_err_body_read_and_not_stored(fake: DaprJobsFake) -> None:
    """§13: the 4 MiB limit counts bytes as they are read, chunked or not (before: a 64 MiB chunked
    body was stored). The connection closes after the answer: the rest of the body is not read."""
    chunk = b"x" * (1 << 20)

    def body() -> object:
        yield b'{"dueTime":"1s","data":"'
        for _ in range(64):
            yield chunk
        yield b'"}'

    try:
        answer = requests.post(f"{fake.url}{STABLE}huge", data=body(), timeout=30)
    except requests.ConnectionError:  # the server may close while the client still writes
        answer = None
    if answer is not None:
        assert answer.status_code == 400
        assert answer.json()["errorCode"] == "ERR_BODY_READ"
    assert "huge" not in fake.jobs
    assert [v.rule for v in fake.violations] == ["body.too-large"]
    assert send(fake, "GET", "/v1.0/healthz").status == 204  # still serving


def test_small_chunked_body_is_read(fake: DaprJobsFake) -> None:
    def body() -> object:
        yield b'{"dueTime":'
        yield b'"1s"}'

    assert requests.post(f"{fake.url}{STABLE}chunked", data=body(), timeout=10).status_code == 204
    assert "chunked" in fake.jobs


def test_a_stopped_fake_answers_nothing_on_kept_alive_connections() -> None:
    fake = DaprJobsFake(grpc=False).start()
    with requests.Session() as session:
        assert session.get(f"{fake.url}/v1.0/healthz", timeout=5).status_code == 204
        started = time.monotonic()
        fake.stop()
        try:
            answer = session.get(f"{fake.url}/v1.0/healthz", timeout=5)
        except requests.ConnectionError:
            answer = None
        assert answer is None, "a stopped fake answered on a connection kept alive before stop()"
        assert time.monotonic() - started < 2
