"""An HTTP app as the target: `POST <app_url>/job/<name>` over a kept-alive connection, as daprd sends it."""

from __future__ import annotations

import contextlib
import http.client
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

from ..engine.attempt import Attempt, Outcome, one_line
from .watchdog import Watchdog
from .wire import UndeliverableData, job_path, outcome_for_status, plan_body


class HttpAppTarget:
    """`POST <app_url>/job/<name>` as daprd sends it (§10.1), on one kept-alive connection.

    `timeout` is the whole attempt's deadline in seconds (connect, send and answer; wall clock, so
    time-machine does not stop it): a hanging or dripping app fails the attempt then. A request is
    sent again only when nothing of it reached the app: before reusing a kept-alive connection the
    target checks that the app has not closed it (Go's transport retries in the same case only,
    `nothingWrittenError`); any error after the request was written fails the attempt, and the
    failure policy decides. Redirects are not followed: a 3xx fails, as in daprd. `close()` may be
    called from another thread and aborts a delivery in progress (a stopping fake does not wait).
    """

    def __init__(
        self,
        app_url: str,
        *,
        app_token: str | None = None,
        timeout: float = 10.0,
        callback_name: Callable[[str], str | None] = lambda name: name,
    ) -> None:
        parts = urlsplit(app_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"app_url must be an http:// or https:// URL, got {app_url!r}")
        self.app_url = app_url
        self.app_token = app_token
        self.timeout = timeout
        self.target_name = f"{parts.scheme}://{parts.netloc}"
        self._scheme = parts.scheme
        self._host = parts.hostname
        self._port = parts.port
        self._prefix = parts.path.rstrip("/")
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._watchdog = Watchdog()
        self._callback_name = callback_name

    def deliver(self, attempt: Attempt) -> Outcome:
        try:
            body = plan_body(attempt.plan)
        except UndeliverableData as exc:
            return Outcome(
                self.target_name, False, error=exc, reason=f"daprd cannot build the request: {exc}"
            )
        # The headers Go's HTTP client adds to daprd's (recorded, docs/conformance.md).
        headers = {
            "User-Agent": "Go-http-client/1.1",
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
            "Accept-Encoding": "gzip",
        }
        if self.app_token:
            headers["dapr-api-token"] = self.app_token
        path = self._prefix + job_path(self._callback_name(attempt.name) or attempt.name)
        with self._lock:
            conn = self._conn
            if conn is not None and not _still_open(conn):
                self._drop(conn)  # the app closed the idle connection: nothing was written, reconnect
                conn = None
            conn = conn or self._new_connection()
            self._conn = conn
            deadline = time.monotonic() + self.timeout
            expired = False
            try:
                if conn.sock is None:
                    conn.connect()
                    # Go dials with TCP_NODELAY; without it small requests wait on delayed ACKs.
                    sock = cast(socket.socket, conn.sock)  # set by connect()
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                self._watchdog.arm(cast(socket.socket, conn.sock), deadline)
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                finally:
                    expired = self._watchdog.disarm()
            except (OSError, http.client.HTTPException) as exc:
                self._drop(conn)
                if expired or isinstance(exc, TimeoutError):
                    error: BaseException = TimeoutError(
                        f"no answer within {self.timeout:g} s (delivery_timeout)"
                    )
                else:
                    error = exc
                return Outcome(self.target_name, False, error=error, body=body, reason=one_line(error))
            if response.will_close:
                self._drop(conn)
            return outcome_for_status(response.status, self.target_name, body, via=f"POST {path}")

    def _new_connection(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self.timeout)

    def _drop(self, conn: http.client.HTTPConnection | None) -> None:
        if conn is not None:
            conn.close()
        if self._conn is conn:
            self._conn = None

    def close(self) -> None:
        """Close the connection, aborting a delivery in progress (safe from any thread)."""
        conn = self._conn
        if conn is not None and conn.sock is not None:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)
        self._watchdog.stop()


def _still_open(conn: http.client.HTTPConnection) -> bool:
    """Whether a kept-alive connection is usable: not closed (nor written to) by the app meanwhile."""
    sock = conn.sock
    if sock is None:
        return True  # not connected yet: connect() opens it
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return True
        return bool(sock.recv(1, socket.MSG_PEEK))  # b"": closed; unexpected bytes: keep (reads fail)
    except (OSError, ValueError):
        return False
