"""The HTTP adapter: daprd's Jobs, health and metadata routes on a pytest-httpserver server.

Requests to Dapr routes are answered here; any other request goes to the expectations the test
registered on the same server (so one sidecar port can also fake state or pub/sub), and otherwise
gets daprd's own 404 `ERR_DIRECT_INVOKE` answer (contract §2).
"""

from __future__ import annotations

import errno
import io
import json
import os
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response
from werkzeug.serving import WSGIRequestHandler, make_server

from .contract import Rejected, Suspicion
from .errors import DaprError
from .gourl import BadEscape, go_path_clean, go_query_unescape, route_path
from .journal import Operation
from .model import JobSpec
from .render import compact_json
from .service import JobsService

if TYPE_CHECKING:
    from .control_api import ControlApi

#: daprd's default `--max-body-size` (contract §13).
MAX_BODY_BYTES = 4 * 1024 * 1024
_HEALTH_PATHS = ("/v1.0/healthz", "/v1.0/healthz/outbound")
_SHUTDOWN_POLL_SECONDS = 0.02


class _AtEndOfStream:
    """A stand-in connection that is always readable and always at end of stream (see below)."""

    _fd: int | None = None

    def fileno(self) -> int:
        if _AtEndOfStream._fd is None:
            read_end, write_end = os.pipe()
            os.close(write_end)
            _AtEndOfStream._fd = read_end
        return _AtEndOfStream._fd


class _KeepAliveHandler(WSGIRequestHandler):
    """HTTP/1.1 with keep-alive, as daprd serves it; quiet, since the journal records every call.

    werkzeug's dev server closes every connection and, after each response, drains whatever the
    client sent next, which on a kept-alive connection is the next request. The fake always consumes
    the request body itself, so here the drain is pointed at an empty stream and the forced
    `Connection: close` is dropped. `timeout` lets idle connections go after a while.
    """

    protocol_version = "HTTP/1.1"
    timeout = 120
    _saved: tuple[Any, Any] | None = None

    def make_environ(self) -> Any:
        environ = super().make_environ()  # captures the real rfile as wsgi.input
        self._saved = (self.rfile, self.connection)
        self.rfile = io.BytesIO()
        self.connection = _AtEndOfStream()
        return environ

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        finally:
            if self._saved is not None:
                self.rfile, self.connection = self._saved
                self._saved = None

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "connection" and value.lower() == "close":
            return
        super().send_header(keyword, value)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SidecarHTTPServer(HTTPServer):
    """pytest-httpserver with the Dapr routes in front, threaded, keep-alive and quick to stop."""

    def __init__(self, api: HttpJobsApi, host: str, port: int) -> None:
        super().__init__(host, port, threaded=True)
        self.api = api

    def start(self) -> None:
        if self.is_running():
            super().start()  # raises pytest-httpserver's "already running" error
        app = Request.application(self.application)
        _check_free(self.host, self.port)  # werkzeug would print and sys.exit() instead of raising
        try:
            self.server = make_server(
                self.host, self.port, app, threaded=True, request_handler=_KeepAliveHandler
            )
        except SystemExit:
            raise OSError(errno.EADDRINUSE, f"cannot listen on {self.host}:{self.port}") from None
        self.server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.port = self.server.port
        import threading

        self.server_thread = threading.Thread(
            target=self.thread_target, daemon=True, name="dapr-jobs-fake-http"
        )
        self.server_thread.start()

    def thread_target(self) -> None:
        assert self.server is not None
        self.server.serve_forever(poll_interval=_SHUTDOWN_POLL_SECONDS)

    def stop(self) -> None:
        server = self.server
        super().stop()
        if server is not None:
            server.server_close()

    def application(self, request: Request) -> Response:
        too_large = (request.content_length or 0) > MAX_BODY_BYTES
        if too_large:
            _discard(request)
        else:
            request.get_data()
        response = self.api.handle(request, too_large=too_large)
        if response is not None:
            return response
        response = self.dispatch(request)
        self.log.append((request, response))
        return response

    def respond_nohandler(self, request: Request, extra_message: str = "") -> Response:
        return self.api.unknown_route(request)


class HttpJobsApi:
    """daprd's HTTP routes for one fake: auth (§11), health and metadata (§12), Jobs (§2-§5)."""

    def __init__(
        self,
        service: JobsService,
        *,
        api_token: Callable[[], str | None],
        metadata: Callable[[], dict[str, Any]],
    ) -> None:
        self.service = service
        self.contract = service.contract
        self._api_token = api_token
        self._metadata = metadata
        #: The fake's own control routes (`control_api.ControlApi`), when enabled (the CLI enables them).
        self.control: ControlApi | None = None

    # -- entry points ---------------------------------------------------------------------------
    def handle(self, request: Request, *, too_large: bool = False) -> Response | None:
        """Answer a Dapr route, or return None to let the test's own expectations have the request."""
        raw_path = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path
        method = _method(request)
        described = f"{method} {raw_path}"
        try:
            path = go_path_clean(route_path(raw_path.split("?", 1)[0]))
        except BadEscape as err:
            # net/http refuses the request line itself: "400 Bad Request", before any daprd code.
            error = DaprError(400, "INVALID_ARGUMENT", "", "400 Bad Request", shape="bare")
            rejected = Rejected(
                error,
                "url",
                "url.bad-escape",
                f"the URL path has a bad escape: {err}",
                hint="percent-encode '%' as %25 in URLs",
                section="§2",
            )
            return self._reject(described, "other", None, None, rejected)
        if len(path) > 1:
            path = path.rstrip("/")
        if self.control is not None:
            answer = self.control.handle(request, path)
            if answer is not None:
                return answer
        if method == "GET" and path in _HEALTH_PATHS:
            return empty_response(204)
        token = self._api_token()
        if token and request.headers.get("dapr-api-token") != token:
            rejected = Rejected(
                self.contract.errors.unauthorized(),
                "header dapr-api-token",
                "auth.token",
                "the dapr-api-token header is missing or wrong",
                hint="send the sidecar's API token (DAPR_API_TOKEN) in the dapr-api-token header",
                section="§11",
            )
            return self._reject(described, "other", None, None, rejected)
        if method == "GET" and path == "/v1.0/metadata":
            return Response(compact_json(self._metadata()), status=200, content_type="application/json")
        route = self._job_route(path)
        if route is None:
            return None
        if method not in ("POST", "GET", "DELETE"):
            return self.unknown_route(request)
        try:
            name = go_query_unescape(route)
        except ValueError as err:
            # daprd's unescapeRequestParametersHandler: `http.Error(w, err.Error(), 400)` with
            # `failed to unescape request parameter %q. Error: %w` (pkg/api/http/server.go).
            message = f'failed to unescape request parameter "name". Error: {err}'
            error = DaprError(400, "INVALID_ARGUMENT", "", message, shape="text")
            rejected = Rejected(
                error,
                "url",
                "url.bad-escape",
                f"the job name in the URL has a bad escape: {err}",
                hint="percent-encode special characters in the job name",
                section="§2",
            )
            return self._reject(described, "other", route, None, rejected)
        if too_large:
            rejected = Rejected(
                self.contract.errors.body_read(),
                "$",
                "body.too-large",
                f"the body is larger than daprd's default --max-body-size ({MAX_BODY_BYTES} bytes)",
                section="§13",
            )
            return self._reject(described, "schedule", name, None, rejected)
        if method == "POST":
            return self._schedule(described, name, request.get_data())
        if method == "GET":
            return self._get(described, name)
        return self._delete(described, name)

    def unknown_route(self, request: Request) -> Response:
        """daprd's service-invocation fallback (§2), recorded as a violation with a hint."""
        raw_path = request.environ.get("RAW_URI") or request.path
        method = _method(request)
        rejected = Rejected(
            self.contract.errors.direct_invoke_not_found(),
            "url",
            "route.unknown",
            f"daprd has no route {method} {raw_path.split('?', 1)[0]} "
            f"(Dapr {self.contract.profile.key} serves jobs under "
            f"{', '.join(self.contract.profile.job_paths())})",
            hint="to fake another Dapr API on this port, register an expectation on "
            "fake.httpserver (pytest-httpserver) for that path",
            section="§2",
        )
        return self._reject(f"{method} {raw_path}", "other", None, None, rejected)

    # -- operations -----------------------------------------------------------------------------
    def _job_route(self, path: str) -> str | None:
        for prefix in self.contract.profile.job_paths():
            if path.startswith(prefix):
                name = path[len(prefix) :]
                return name if name and "/" not in name else None
        return None

    def _schedule(self, described: str, name: str, raw: bytes) -> Response:
        body = _parsed_or_raw(raw)
        suspicions: list[Suspicion] = []
        spec: JobSpec | None = None
        try:
            spec, suspicions = self.contract.parse_http_schedule(name, raw)
            self.service.schedule(spec)
        except Rejected as rejected:
            return self._reject(described, "schedule", name.strip() or name, body, rejected, spec, suspicions)
        status = self.contract.profile.schedule_status
        self.service.record(
            protocol="http",
            operation="schedule",
            job_name=spec.name,
            request=described,
            body=body,
            spec=spec,
            status=status,
            response=None,
            suspicions=suspicions,
        )
        return empty_response(status)

    def _get(self, described: str, name: str) -> Response:
        try:
            spec, policy = self.service.get(name)
        except Rejected as rejected:
            return self._reject(described, "get", name, None, rejected)
        payload = compact_json(self.contract.render_job(spec, policy))
        rendered = json.loads(payload)  # the journal keeps what went on the wire
        status = self.contract.profile.get_status
        self.service.record(
            protocol="http",
            operation="get",
            job_name=name,
            request=described,
            body=None,
            spec=spec,
            status=status,
            response=rendered,
        )
        return Response(payload, status=status, content_type="application/json")

    def _delete(self, described: str, name: str) -> Response:
        try:
            self.service.delete(name)
        except Rejected as rejected:
            return self._reject(described, "delete", name, None, rejected)
        status = self.contract.profile.delete_status
        self.service.record(
            protocol="http",
            operation="delete",
            job_name=name,
            request=described,
            body=None,
            spec=None,
            status=status,
            response=None,
        )
        return empty_response(status)

    def _reject(
        self,
        described: str,
        operation: Operation,
        name: str | None,
        body: Any,
        rejected: Rejected,
        spec: JobSpec | None = None,
        suspicions: list[Suspicion] | None = None,
    ) -> Response:
        payload, content_type = rejected.error.http_body()
        self.service.record(
            protocol="http",
            operation=operation,
            job_name=name,
            request=described,
            body=body,
            spec=spec,
            status=rejected.error.http_status,
            response=_parsed_or_raw(payload),
            rejected=rejected,
            suspicions=suspicions,
        )
        response = Response(payload, status=rejected.error.http_status)
        response.headers["Content-Type"] = content_type
        return response


def _method(request: Request) -> str:
    """The method as sent: Go's router matches it case-sensitively (`get` is not `GET`, so it falls to
    the fallback, §2), where werkzeug's `request.method` upper-cases it."""
    return str(request.environ.get("REQUEST_METHOD") or request.method)


def _check_free(host: str, port: int) -> None:
    """Raise OSError (EADDRINUSE) if `host:port` cannot be bound."""
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def _discard(request: Request) -> None:
    """Read and drop a body the fake refuses, so the kept-alive connection stays usable."""
    stream = request.stream
    while stream.read(1 << 20):
        pass


def empty_response(status: int) -> Response:
    """A body-less answer without Content-Type, as daprd's `respondWithEmpty` writes it (§2)."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    if status != 204:
        response.headers["Content-Length"] = "0"
    return response


def _parsed_or_raw(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw
