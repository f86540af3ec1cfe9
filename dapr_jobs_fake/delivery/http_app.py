"""An HTTP app as the target: `POST <app_url>/job/<name>` over a kept-alive connection, as daprd sends it."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

from ..contract.model import JobData
from ..engine.attempt import Attempt, Outcome
from .wire import UndeliverableData, encode_job_body, job_path, outcome_for_status


class HttpAppTarget:
    """`POST <app_url>/job/<name>` as daprd sends it (§10.1), on one kept-alive connection.

    `timeout` bounds connecting and each read (seconds, socket timeouts: unaffected by time-machine).
    A connection the app closed while idle is re-opened once; any other transport error fails the
    attempt. Redirects are not followed: a 3xx fails, as in daprd.
    """

    def __init__(
        self,
        app_url: str,
        *,
        app_token: str | None = None,
        timeout: float = 10.0,
        body_encoder: Callable[[JobData | None], bytes] = encode_job_body,
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
        self._encode = body_encoder
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()

    def deliver(self, attempt: Attempt) -> Outcome:
        try:
            body = self._encode(attempt.plan.spec.data)
        except UndeliverableData as exc:
            return Outcome(self.target_name, False, error=exc)
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        if self.app_token:
            headers["dapr-api-token"] = self.app_token
        path = self._prefix + job_path(attempt.name)
        with self._lock:
            for _ in range(2):
                reused = self._conn is not None
                conn = self._conn or self._new_connection()
                try:
                    if conn.sock is None:
                        conn.connect()
                        # Go dials with TCP_NODELAY; without it small requests wait on delayed ACKs.
                        sock = cast(socket.socket, conn.sock)  # set by connect()
                        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                    self._drop(conn)
                    if reused:
                        continue  # the app closed the idle keep-alive connection: reconnect once
                    return Outcome(self.target_name, False, error=exc, body=body)
                except (OSError, http.client.HTTPException) as exc:
                    self._drop(conn)
                    return Outcome(self.target_name, False, error=exc, body=body)
                if response.will_close:
                    self._drop(conn)
                else:
                    self._conn = conn
                return outcome_for_status(response.status, self.target_name, body)
        raise AssertionError("unreachable")  # pragma: no cover

    def _new_connection(self) -> http.client.HTTPConnection:
        cls = http.client.HTTPSConnection if self._scheme == "https" else http.client.HTTPConnection
        return cls(self._host, self._port, timeout=self.timeout)

    def _drop(self, conn: http.client.HTTPConnection | None) -> None:
        if conn is not None:
            conn.close()
        self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop(self._conn)
