"""The HTTP server under the sidecar: pytest-httpserver's threaded werkzeug server, serving like Go.

daprd serves HTTP/1.1 with Go's net/http. `SidecarHTTPServer` keeps pytest-httpserver's server (and its
expectations, so one sidecar port can also fake other Dapr APIs), puts the Dapr routes in front of them,
and serves each connection with `http_conn.GoFramingHandler`: Go's request parsing, refusals, body
framing, keep-alive and pipelining, instead of werkzeug's dev-server framing. `read_body` reads a body
as daprd does, through kit's LimitReadCloser (`--max-body-size`, 4 MiB).
"""

from __future__ import annotations

import contextlib
import errno
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from ..golang.http1 import GoHttpRules
from ..golang.httpbody import GoBody, GoBodyError
from .http_conn import GoFramingHandler, internal_error_body

__all__ = ["MAX_BODY_BYTES", "GoFramingHandler", "SidecarHTTPServer", "read_body"]

#: daprd's default `--max-body-size` (contract §13).
MAX_BODY_BYTES = 4 * 1024 * 1024
_SHUTDOWN_POLL_SECONDS = 0.02


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
        rules: Callable[[], GoHttpRules] | None = None,
    ) -> None:
        super().__init__(host, port, threaded=True)
        self._front = front
        self._fallback = fallback
        #: How the emulated daprd's Go reads requests (a profile's framing fields).
        self.rules: Callable[[], GoHttpRules] = rules or GoHttpRules
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
        server.dapr_jobs_fake_rules = self.rules  # type: ignore[attr-defined]
        server.get_request = _backing_off(server.get_request)  # type: ignore[method-assign]
        server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        server.socket.listen(go_listen_backlog())  # werkzeug listens with a backlog of 128
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
        except GoBodyError:  # an expectation read a body Go could not read: as if nothing matched
            response = self._fallback(request)
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


def go_listen_backlog() -> int:
    """The accept backlog Go's `net.Listen` asks for (`maxListenerBacklog`): the kernel's somaxconn.

    With werkzeug's 128, a burst of connections beyond it was dropped by the kernel and the clients'
    SYNs retried a second later; daprd's listener queues them all (up to somaxconn)."""
    try:
        with open("/proc/sys/net/core/somaxconn") as limit:
            value = int(limit.read().split()[0])
    except (OSError, ValueError, IndexError):
        return socket.SOMAXCONN
    return min(value, (1 << 16) - 1) if value > 0 else socket.SOMAXCONN


def check_free(host: str, port: int) -> None:
    """Raise OSError (EADDRINUSE) if `host:port` cannot be bound."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


class BodyUnreadable(Exception):
    """daprd's `io.ReadAll(r.Body)` failed: `str()` is Go's error (ERR_BODY_READ "failed to read
    request body: <error>", §3 step 2)."""


def read_body(request: Request, limit: int = MAX_BODY_BYTES) -> bytes | None:
    """The body as daprd's handler reads it: `io.ReadAll` through kit's `LimitReadCloser(body, limit)`
    (`pkg/api/http/middlewares.go`, `dapr/kit streams/limitreadcloser.go`). None when it is longer
    than `limit` ("stream too large", §13); `BodyUnreadable` when Go's body read fails.

    kit's reader asks for at most `limit + 1` bytes and drops the one over the limit; when that read
    also ends the body (Go returns the last bytes with io.EOF), the error is lost and the body is
    read as its first `limit` bytes. So a body of exactly `limit + 1` bytes (Content-Length) is
    truncated, not refused, in every Dapr release. Over the limit, kit closes the body (net/http reads
    up to 256 KiB more of it; what is left stays on the connection as Go leaves it).
    The request's cached body is what was read, for pytest-httpserver's matchers.
    """
    body: GoBody | None = request.environ.get("dapr_jobs_fake.body")
    if body is None:  # not served by GoFramingHandler (werkzeug's test client): plain reading
        data = request.get_data()
        return None if len(data) > limit else data
    stream = request.environ["wsgi.input"]
    chunks: list[bytes] = []
    left = limit
    try:
        while True:
            chunk = stream.read(min(1 << 16, left + 1))
            if not chunk:
                break
            left -= len(chunk)
            if left < 0:
                chunks.append(chunk[:-1])
                if body.saw_eof:  # io.EOF came with the byte over the limit: kit keeps io.EOF
                    break
                body.close()
                request._cached_data = b""
                return None
            chunks.append(chunk)
    except GoBodyError as err:
        request._cached_data = b""
        raise BodyUnreadable(str(err)) from None
    data = b"".join(chunks)
    request._cached_data = data
    return data


def internal_error(exc: BaseException) -> Response:
    """A Dapr-shaped 500 for a failure inside the fake itself (a bug: please report it)."""
    return Response(internal_error_body(exc), status=500, content_type="application/json")
