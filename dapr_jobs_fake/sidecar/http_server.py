"""The HTTP server under the sidecar: pytest-httpserver's threaded werkzeug server, made to frame like Go.

daprd serves HTTP/1.1 with Go's net/http: connections are kept alive, a request line or header block it
cannot parse gets a plain-text `400 Bad Request` (or 431, 505) and the connection is closed, and a body
is read only up to `--max-body-size`. werkzeug's dev server closes every connection and answers framing
errors with HTML; `GoFramingHandler` fixes both, and `SidecarHTTPServer` puts the Dapr routes in front
of pytest-httpserver's expectations, so one sidecar port can also fake other Dapr APIs.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.serving import WSGIRequestHandler

#: daprd's default `--max-body-size` (contract §13).
MAX_BODY_BYTES = 4 * 1024 * 1024
_SHUTDOWN_POLL_SECONDS = 0.02
#: What Go's server reads of an unread request body after the handler, to keep the connection.
_GO_POST_HANDLER_DISCARD = 256 << 10
#: net/http's answers to requests it cannot parse (`server.go:serve`), `Connection: close` each.
_GO_FRAMING_ANSWERS = {
    400: "400 Bad Request",
    414: "400 Bad Request",  # Go has no 414: an over-long request line is a 400 (or 431 with headers)
    431: "431 Request Header Fields Too Large",
    505: "505 HTTP Version Not Supported: unsupported protocol version",
}


class _AtEndOfStream:
    """A stand-in connection that is always readable and always at end of stream (see below)."""

    _fd: int | None = None

    def fileno(self) -> int:
        if _AtEndOfStream._fd is None:
            read_end, write_end = os.pipe()
            os.close(write_end)
            _AtEndOfStream._fd = read_end
        return _AtEndOfStream._fd


class GoFramingHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive and Go's framing rules; quiet, since the journal records every call.

    werkzeug always sends `Connection: close` and, after each response, drains whatever the client sent
    next, which on a kept-alive connection is the next request. The sidecar always consumes the request
    body itself, so while a WSGI response is written the drain is pointed at an empty stream and the
    forced close is dropped, unless the application asked to close (`dapr_jobs_fake.close`, e.g. after
    an over-long body). Everything the standard library refuses before the application runs (a bad
    request line, HTTP/0.9, too many headers, another HTTP version) keeps its `Connection: close`, so no
    leftover bytes are ever read as a request, and is answered in Go's plain-text words.
    """

    protocol_version = "HTTP/1.1"
    timeout = 120
    _saved: tuple[Any, Any] | None = None
    _in_wsgi = False
    _close_after = False
    _refused = False

    def setup(self) -> None:
        super().setup()
        connections: Connections | None = getattr(self.server, "dapr_jobs_fake_connections", None)
        self._refused = connections is not None and not connections.add(self.connection)

    def handle(self) -> None:
        if not self._refused:  # else accepted just before stop(): answer nothing
            super().handle()

    def finish(self) -> None:
        connections: Connections | None = getattr(self.server, "dapr_jobs_fake_connections", None)
        if connections is not None:
            connections.discard(self.connection)
        super().finish()

    def make_environ(self) -> Any:
        environ = super().make_environ()  # captures the real rfile as wsgi.input
        self._saved = (self.rfile, self.connection)
        self.rfile = io.BytesIO()
        self.connection = _AtEndOfStream()
        self._in_wsgi = True
        self._close_after = False
        environ["dapr_jobs_fake.close"] = self._request_close
        return environ

    def _request_close(self) -> None:
        self._close_after = True

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            self._in_wsgi = False
            if self._saved is not None:
                self.rfile, self.connection = self._saved
                self._saved = None
            if self._close_after:
                self.close_connection = True

    def parse_request(self) -> bool:
        refused = go_request_line_error(self.raw_requestline)
        if refused is not None:
            self.request_version, self.command, self.requestline = "HTTP/1.1", "", ""
            self.send_error(refused)
            return False
        return super().parse_request()

    def send_header(self, keyword: str, value: str) -> None:
        if (
            self._in_wsgi
            and not self._close_after
            and keyword.lower() == "connection"
            and value.lower() == "close"
        ):
            return
        super().send_header(keyword, value)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """net/http's answer to an unparsable request: plain text, `Connection: close` (never HTML)."""
        text = _GO_FRAMING_ANSWERS.get(code, "400 Bad Request")
        self.close_connection = True
        try:
            self.wfile.write(
                f"HTTP/1.1 {text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
                f"{text}".encode()
            )
            self.wfile.flush()
        except OSError:
            pass

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        pass


_HTTP_VERSION = re.compile(rb"HTTP/([0-9])\.([0-9])")
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def go_request_line_error(raw: bytes) -> int | None:
    """The status net/http answers a request line with before reading headers, or None when it parses
    (`server.go:readRequest`, `parseRequestLine`, `ParseHTTPVersion`): exactly `METHOD SP URI SP
    HTTP/x.y`, a token method, HTTP/1.x (another version is 505). So HTTP/0.9's `GET /path` is a 400."""
    line = raw.rstrip(b"\r\n")
    method, sp1, rest = line.partition(b" ")
    uri, sp2, proto = rest.partition(b" ")
    if not sp1 or not sp2 or not _TOKEN.fullmatch(method) or not uri:
        return 400
    version = _HTTP_VERSION.fullmatch(proto)
    if version is None:
        return 400
    return None if version.group(1) == b"1" else 505


class Connections:
    """The server's open client connections; once closing, a connection that registers late (accepted
    just before `stop()`) is refused instead of served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._closing = False

    def open(self) -> None:
        with self._lock:
            self._closing = False

    def add(self, connection: socket.socket) -> bool:
        with self._lock:
            if self._closing:
                return False
            self._open.add(connection)
            return True

    def discard(self, connection: socket.socket) -> None:
        with self._lock:
            self._open.discard(connection)

    def close_all(self) -> None:
        with self._lock:
            self._closing = True
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class SidecarHTTPServer(HTTPServer):
    """pytest-httpserver with the Dapr routes in front, threaded, keep-alive and quick to stop.

    `front(request)` answers a Dapr route, or returns None to let the test's own expectations (then
    `fallback`) have the request.
    """

    def __init__(
        self,
        front: Callable[[Request], Response | None],
        fallback: Callable[[Request], Response],
        host: str,
        port: int,
    ) -> None:
        super().__init__(host, port, threaded=True)
        self._front = front
        self._fallback = fallback
        #: Open client connections (kept alive between requests), closed by `stop()`.
        self._connections = Connections()

    def start(self) -> None:
        self._connections.open()
        try:
            check_free(self.host, self.port)  # werkzeug would print and sys.exit() instead of raising
            super().start()
        except (OSError, SystemExit) as err:
            detail = getattr(err, "strerror", None) or "address already in use"
            raise ListenError(self.host, self.port, "HTTP", detail) from None

    def thread_target(self) -> None:
        """Serve with Go's framing; set up here, before the first accept, so no request sees werkzeug's."""
        server = self.server
        assert server is not None
        server.RequestHandlerClass = GoFramingHandler
        server.dapr_jobs_fake_connections = self._connections  # type: ignore[attr-defined]
        server.get_request = _backing_off(server.get_request)  # type: ignore[method-assign]
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.current_thread().name = "dapr-jobs-fake-http"
        server.serve_forever(poll_interval=_SHUTDOWN_POLL_SECONDS)

    def stop(self) -> None:
        """Stop accepting, then close every kept-alive connection: a stopped fake answers nothing."""
        server = self.server
        self._connections.close_all()  # and refuse the ones accepted meanwhile
        super().stop()
        if server is not None:
            server.server_close()
        self._connections.close_all()

    def application(self, request: Request) -> Response:
        try:
            response = self._front(request)
            if response is not None:
                return response
            response = self.dispatch(request)
        except Exception as exc:  # never werkzeug's HTML 500: daprd answers JSON
            response = internal_error(exc)
        self.log.append((request, response))
        return response

    def respond_nohandler(self, request: Request, extra_message: str = "") -> Response:
        return self._fallback(request)


class ListenError(OSError):
    """A port the fake cannot listen on; str says which address, which API and why."""

    def __init__(self, host: str, port: int, api: str, detail: str) -> None:
        super().__init__(errno.EADDRINUSE, f"cannot listen on {host}:{port} for {api}: {detail}")
        self.host, self.port, self.api = host, port, api

    def __str__(self) -> str:
        return str(self.strerror)


def _backing_off(get_request: Callable[[], Any]) -> Callable[[], Any]:
    """`accept()` that sleeps after running out of file descriptors, as Go's server does (5 ms doubling
    to 1 s), instead of the busy loop socketserver falls into while the pending connection waits."""
    delay = [0.0]

    def accept() -> Any:
        try:
            request = get_request()
        except OSError as err:
            if err.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                delay[0] = min(1.0, delay[0] * 2 or 0.005)
                time.sleep(delay[0])
            raise
        delay[0] = 0.0
        return request

    return accept


def check_free(host: str, port: int) -> None:
    """Raise OSError (EADDRINUSE) if `host:port` cannot be bound."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The request body, counted as it is read whatever the framing (Content-Length or chunked), or
    None when it is longer than `limit` (daprd's LimitReadCloser: `ERR_BODY_READ`, §13).

    After reading up to the limit, what is left is discarded as Go's server does after a handler
    (`server.go:maxPostHandlerReadBytes`, 256 KiB): a body that ends within that keeps the connection
    alive; a longer one is not read further, and the connection is closed after the answer. The
    request's cached body is what was read (empty when over the limit), for pytest-httpserver's
    matchers.
    """
    stream = request.stream
    data = _read_up_to(stream, limit + 1)
    rest = _read_up_to(stream, _GO_POST_HANDLER_DISCARD + 1)
    if len(rest) > _GO_POST_HANDLER_DISCARD:
        _close_after_answer(request)
    over = len(data) > limit
    request._cached_data = b"" if over else data
    return None if over else data


def _read_up_to(stream: Any, size: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total < size:
        chunk = stream.read(min(1 << 16, size - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _close_after_answer(request: Request) -> None:
    close = request.environ.get("dapr_jobs_fake.close")
    if close is not None:
        close()


def internal_error(exc: BaseException) -> Response:
    """A Dapr-shaped 500 for a failure inside the fake itself (a bug: please report it)."""
    body = {
        "errorCode": "ERR_INTERNAL",
        "message": f"dapr-jobs-fake internal error: {type(exc).__name__}: {exc}",
    }
    return Response(json.dumps(body), status=500, content_type="application/json")
