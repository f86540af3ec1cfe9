"""Delivering a trigger to the app, and what its answer means (contract §10.1, §10.3).

A *target* is anything with `deliver(attempt) -> Outcome` and `close()`; the clock calls `deliver`
without holding any lock, so a target may call back into the fake. Three targets live here:
- `HttpAppTarget`: `POST <app_url>/job/<name>` over a kept-alive `http.client` connection, as daprd;
- `WsgiAppTarget`: the same request handed to a WSGI app (e.g. Flask) in process, without a socket;
- `JobHandlers`: plain Python callables registered per job name (`@handlers.on_job("name")`).
A gRPC app target (issue 4) fits the same protocol and maps its status with `outcome_for_grpc_code`.

Outcome rules (§10.3): 2xx succeed; 404 / gRPC NotFound succeed without retry ("non-retriable");
every other status, a refused connection, a timeout or a transport error fails and the Scheduler
applies the failure policy. An exception raised by in-process app code fails the attempt too and is
marked `raise_error`, so the clock re-raises it to the test after the move.
"""

from __future__ import annotations

import copy
import http.client
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, cast
from urllib.parse import quote, urlsplit

from werkzeug.test import EnvironBuilder, run_wsgi_app

from .engine import Attempt, AttemptView
from .model import VALUE_TYPE_URL, JobData
from .render import protojson_value

#: Status codes daprd maps to gRPC OK / NotFound (`pkg/messaging/v1/util.go:CodeFromHTTPStatus`).
GRPC_OK, GRPC_NOT_FOUND = 0, 5


@dataclass(frozen=True)
class Outcome:
    """The app's answer to one attempt: `succeeded` is what the Scheduler is told (§10.3).

    `status` is the HTTP status (None when no answer came back), `error` the exception when the
    request or the in-process code failed, `raise_error` whether the clock should re-raise `error`
    to the test (true for app code run in process, false for e.g. a refused connection), and `body`
    the bytes sent on the wire (None for plain handlers).
    """

    target: str
    succeeded: bool
    status: int | None = None
    error: BaseException | None = None
    raise_error: bool = False
    body: bytes | None = None


def outcome_for_status(status: int, target: str, body: bytes | None = None) -> Outcome:
    """§10.3: 2xx → success; 404 → success, not retried; anything else → failure."""
    return Outcome(target, 200 <= status < 300 or status == 404, status=status, body=body)


def outcome_for_grpc_code(code: int, target: str) -> Outcome:
    """§10.2/§10.3 for a gRPC app: OK and NotFound succeed, every other code fails."""
    return Outcome(target, code in (GRPC_OK, GRPC_NOT_FOUND), status=code)


class Target(Protocol):
    """What the clock delivers to. `deliver` must not raise for app failures; it reports them."""

    def deliver(self, attempt: Attempt) -> Outcome: ...

    def close(self) -> None: ...


# -- the body daprd sends (§10.1) -------------------------------------------------------------------


class UndeliverableData(Exception):
    """daprd cannot build the request body, so the attempt fails before reaching the app."""


def encode_job_body(data: JobData | None, *, empty_data_fails: bool = False) -> bytes:
    """The body of `POST /job/<name>` (`http_channel.go:constructJobRequest`).

    A `google.protobuf.Value` is re-serialised as compact protojson; any other `Any` sends its raw
    value bytes with surrounding whitespace trimmed; no data sends an empty body (1.18.3+). Dapr
    1.14.3 to 1.18.2 cannot marshal a data-less HTTP job and fail the delivery: `empty_data_fails`.
    """
    if data is None:
        if empty_data_fails:
            raise UndeliverableData("job has no data: proto: none of the oneof fields is set (Dapr < 1.18.3)")
        return b""
    if data.is_json_value:
        return protojson_value(data.json_value).encode()
    if data.type_url == VALUE_TYPE_URL and data.raw is not None:
        return protojson_value(_decode_value_proto(data.raw)).encode()
    return (data.raw or b"").strip()


def _decode_value_proto(raw: bytes) -> object:
    """A proto-encoded `google.protobuf.Value` (gRPC-created job) as a JSON value; needs protobuf."""
    try:
        from google.protobuf import json_format, struct_pb2
    except ImportError as exc:  # the grpc extra is not installed
        raise UndeliverableData("decoding google.protobuf.Value data needs the 'grpc' extra") from exc
    message = struct_pb2.Value()
    message.ParseFromString(raw)
    return json_format.MessageToDict(message)


def job_path(name: str) -> str:
    """`/job/<name>`: daprd concatenates the name (leading `/` trimmed) and Go escapes the path."""
    return "/job/" + quote(name.removeprefix("/"), safe="/$&+,:;=@")


# -- in-process handlers ----------------------------------------------------------------------------


class JobEvent(AttemptView):
    """What an in-process handler receives for one attempt.

    `data` is the job's data as the app would decode it: the JSON value for HTTP-created jobs (a
    fresh copy per event), the raw bytes for other `Any` types, None without data. `scheduled_at`
    is the attempt's scheduled time (a retry's own time), `tick_at` the tick it belongs to,
    `attempt` the 1-based try of that tick.
    """

    __slots__ = ()

    @property
    def job_data(self) -> JobData | None:
        """The job's stored data, undecoded."""
        return self.source.plan.spec.data

    @property
    def data(self) -> Any:
        data = self.job_data
        if data is None:
            return None
        if data.is_json_value:
            value = data.json_value
            return copy.deepcopy(value) if isinstance(value, (dict, list)) else value
        return data.raw

    @property
    def body(self) -> bytes:
        """The bytes an HTTP app would receive for this event (§10.1)."""
        return encode_job_body(self.job_data)

    def __repr__(self) -> str:
        return f"JobEvent(name={self.name!r}, scheduled_ns={self.scheduled_ns}, attempt={self.attempt})"


#: A handler's return value: None or True = 200, False = 500, an int = that HTTP status.
Handler = Callable[[JobEvent], object]


class JobHandlers:
    """In-process app: handlers by job name, plus an optional catch-all (`on_job()` without name).

    A job without a handler answers 404, like an app without that route: success, not retried
    (§10.3), and visible in the trigger journal.
    """

    target_name = "handlers"

    def __init__(self) -> None:
        self._by_name: dict[str, Handler] = {}
        self._fallback: Handler | None = None
        self._ok = Outcome(self.target_name, True, status=200)
        self._missing = Outcome(self.target_name, True, status=404)

    def on_job(self, name: str | None = None) -> Callable[[Handler], Handler]:
        """Decorator: `@handlers.on_job("reminder")` (or `@handlers.on_job()` for every job)."""

        def register(fn: Handler) -> Handler:
            self.register(name, fn)
            return fn

        return register

    def register(self, name: str | None, fn: Handler) -> None:
        if name is None:
            self._fallback = fn
        else:
            self._by_name[name] = fn

    def unregister(self, name: str | None) -> None:
        if name is None:
            self._fallback = None
        else:
            self._by_name.pop(name, None)

    def clear(self) -> None:
        self._by_name.clear()
        self._fallback = None

    def handles(self, name: str) -> bool:
        """True when a handler would run for job `name` (its own or the catch-all)."""
        return name in self._by_name or self._fallback is not None

    def __bool__(self) -> bool:
        """True once any handler is registered."""
        return bool(self._by_name) or self._fallback is not None

    def deliver(self, attempt: Attempt) -> Outcome:
        fn = self._by_name.get(attempt.name, self._fallback)
        if fn is None:
            return self._missing
        try:
            result = fn(JobEvent(attempt))
        except Exception as exc:
            return Outcome(self.target_name, False, error=exc, raise_error=True)
        if result is None or result is True:
            return self._ok
        if result is False:
            return Outcome(self.target_name, False, status=500)
        if isinstance(result, int):
            return outcome_for_status(result, self.target_name)
        return self._ok

    def close(self) -> None:
        pass


# -- WSGI app in process ----------------------------------------------------------------------------


class WsgiAppTarget:
    """Hand each trigger to a WSGI app (Flask, Django, ...) in process: the request daprd would send,
    built with werkzeug's `EnvironBuilder`, run with `run_wsgi_app`. Exceptions the app lets through
    fail the attempt and are re-raised by the clock (Flask propagates them when `TESTING` is set)."""

    def __init__(
        self,
        app: Any,
        *,
        app_token: str | None = None,
        body_encoder: Callable[[JobData | None], bytes] = encode_job_body,
        target_name: str = "wsgi",
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.target_name = target_name
        self._encode = body_encoder

    def deliver(self, attempt: Attempt) -> Outcome:
        try:
            body = self._encode(attempt.plan.spec.data)
        except UndeliverableData as exc:
            return Outcome(self.target_name, False, error=exc)
        headers = [("dapr-api-token", self.app_token)] if self.app_token else []
        builder = EnvironBuilder(
            path=job_path(attempt.name),
            method="POST",
            data=body,
            content_type="application/json",
            headers=headers,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        try:
            _body, status, _headers = run_wsgi_app(self.app, environ, buffered=True)  # reads and closes
        except Exception as exc:
            return Outcome(self.target_name, False, error=exc, raise_error=True, body=body)
        return outcome_for_status(int(status.split(None, 1)[0]), self.target_name, body)

    def close(self) -> None:
        pass


# -- HTTP app over a socket -------------------------------------------------------------------------


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
