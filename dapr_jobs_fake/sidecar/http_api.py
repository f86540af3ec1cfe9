"""The HTTP adapter: daprd's Jobs, health and metadata routes, translated to and from the service.

A request passes these steps in daprd's order (contract §2, §11, §12): the path as Go's router sees it
(`golang.url`), the routes mounted from above (the CLI's control API), health checks (no token),
the API token, metadata, then the Jobs routes. Anything else goes to the test's own pytest-httpserver
expectations and finally to daprd's service-invocation fallback, 404 `ERR_DIRECT_INVOKE`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from werkzeug import Request, Response

from ..contract import rows
from ..contract.deepjson import loads
from ..contract.errors import DaprError, Rejected, Row
from ..contract.model import JobPlan
from ..contract.protojson import compact_json, job_json
from ..golang.http1 import GoHttpRules
from ..golang.url import BadEscape, go_path_clean, go_query_unescape, route_path
from ..journal.records import Operation
from ..journal.records import Protocol as WireProtocol
from .http_server import MAX_BODY_BYTES, BodyUnreadable, read_body
from .service import Answer, JobRequest, JobsService

_HEALTH_PATHS = ("/v1.0/healthz", "/v1.0/healthz/outbound")
#: daprd's tracing middleware puts a `traceparent` on every API answer; with tracing off (standalone, no
#: configuration) it is the all-zero one (recorded from real daprd 1.14 to 1.18, docs/conformance.md).
TRACEPARENT = "00-00000000000000000000000000000000-0000000000000000-00"
#: A route mounted from above: `(request, cleaned path) -> Response`, or None to pass it on.
Mount = Callable[[Request, str], Response | None]


class HttpWire:
    """How HTTP calls read in the journal: the statuses and bodies daprd writes (§2, §4, §5)."""

    protocol: WireProtocol = "http"

    def __init__(self, service: JobsService) -> None:
        self._service = service

    def ok_status(self, operation: Operation) -> int:
        profile = self._service.contract.profile
        return {"schedule": profile.schedule_status, "get": profile.get_status}.get(
            operation, profile.delete_status
        )

    def error_status(self, error: DaprError) -> int:
        return error.http_status

    def error_response(self, error: DaprError) -> Any:
        return parsed_or_raw(error.http_body()[0])

    def job_response(self, plan: JobPlan) -> tuple[Any, Any]:
        payload = compact_json(job_json(plan, self._service.contract.profile))
        return loads(payload.decode()), payload  # the journal keeps what went on the wire


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
        self.wire = HttpWire(service)
        self._api_token = api_token
        self._metadata = metadata
        #: Routes mounted from above (the CLI's control API), tried before the Dapr routes.
        self.mounts: list[Mount] = []
        self._rules = GoHttpRules()
        self._rules_profile: Any = None
        #: What `unknown_route` suggests instead (a layer above may know better, e.g. the CLI).
        self.route_hint = (
            "to fake another Dapr API on this port, register an expectation on fake.httpserver "
            "(pytest-httpserver) for that path"
        )

    # -- entry points ---------------------------------------------------------------------------
    def front(self, request: Request) -> Response | None:
        """Answer a Dapr route, or None to let the test's own expectations have the request."""
        described = f"{_method(request)} {_shown(_raw_path(request))}"
        try:
            path = go_path_clean(route_path(_routed_path(request)))
        except BadEscape as err:
            # net/http refuses the request line itself: "400 Bad Request", before any daprd code, and
            # closes the connection (journaled all the same, so that a test sees why).
            refuse = request.environ.get("dapr_jobs_fake.refuse")
            if refuse is not None:
                refuse()
            return self._refuse(described, "other", None, rows.URL_BAD_ESCAPE, detail=str(err))
        if len(path) > 1:
            path = path.rstrip("/")
        for mount in self.mounts:
            answer = mount(request, path)
            if answer is not None:
                return answer
        method = _method(request)
        if method == "GET" and path in _HEALTH_PATHS:
            return empty_response(204)
        token = self._api_token()
        if token and not _same(go_header(request, "Dapr-Api-Token"), token):
            return self._refuse(
                described, "other", None, rows.AUTH_TOKEN, carrier="header", problem="missing or wrong"
            )
        if method == "GET" and path == "/v1.0/metadata":
            metadata = Response(compact_json(self._metadata()), status=200, content_type="application/json")
            metadata.headers["Traceparent"] = TRACEPARENT
            return metadata
        route = self._job_route(path)
        if route is None:
            return None
        if method not in ("POST", "GET", "DELETE"):
            return self.unknown_route(request)
        try:
            name = go_query_unescape(route)
        except ValueError as err:
            return self._refuse(described, "other", route, rows.NAME_BAD_ESCAPE, detail=str(err))
        if method == "GET":
            return self._answer(self.service.get(JobRequest(self.wire, described, name), as_json=True))
        if method == "DELETE":
            return self._answer(self.service.delete(JobRequest(self.wire, described, name)))
        try:  # daprd's UniversalHTTPHandler reads the body of POST only (GET, DELETE: SkipInputBody)
            raw = read_body(request)
        except BodyUnreadable as err:
            return self._refuse(described, "schedule", name, rows.BODY_UNREADABLE, detail=str(err))
        if raw is None:
            return self._refuse(described, "schedule", name, rows.BODY_TOO_LARGE, limit=str(MAX_BODY_BYTES))
        return self._answer(self.service.schedule(JobRequest(self.wire, described, name, raw=raw)))

    def unknown_route(self, request: Request) -> Response:
        """daprd's service-invocation fallback (§2), recorded as a violation with a hint."""
        raw_path = _shown(_raw_path(request))
        profile = self.service.contract.profile
        return self._refuse(
            f"{_method(request)} {raw_path}",
            "other",
            None,
            rows.ROUTE_UNKNOWN,
            method=_method(request),
            path=_shown(_routed_path(request)),
            version=profile.key,
            paths=", ".join(profile.job_paths()),
            route_hint=self.route_hint,
        )

    def go_rules(self) -> GoHttpRules:
        """How the emulated daprd's Go reads requests (`golang.http1`), from the profile."""
        profile = self.service.contract.profile
        if self._rules_profile is not profile:
            self._rules = GoHttpRules(
                max_header_bytes=profile.max_header_bytes,
                chunk_lines_crlf_only=profile.go_chunk_lines_crlf_only,
                content_length_checked_when_chunked=profile.go_content_length_checked_when_chunked,
                empty_header_name_skipped=profile.go_empty_header_name_skipped,
            )
            self._rules_profile = profile
        return self._rules

    # -- helpers --------------------------------------------------------------------------------
    def _job_route(self, path: str) -> str | None:
        for prefix in self.service.contract.profile.job_paths():
            if path.startswith(prefix):
                name = path[len(prefix) :]
                return name if name and "/" not in name else None
        return None

    def _refuse(
        self, described: str, operation: Operation, name: str | None, row: Row, **params: str
    ) -> Response:
        rejected: Rejected = row.reject(self.service.contract.errors, "http", **params)
        return self._answer(self.service.reject(JobRequest(self.wire, described, name), operation, rejected))

    @staticmethod
    def _answer(answer: Answer) -> Response:
        error = answer.error
        if error is not None:
            payload, content_type = error.http_body()
            response = Response(payload, status=error.http_status)
            response.headers["Content-Type"] = content_type
            if error.shape == "bare":  # net/http's own answer: no daprd middleware saw the request
                return response
            if error.shape in ("unauthorized", "text"):  # Go's http.Error
                response.headers["X-Content-Type-Options"] = "nosniff"
        elif answer.value is not None:
            response = Response(answer.value, status=answer.call.status, content_type="application/json")
        else:
            response = empty_response(answer.call.status)
        response.headers["Traceparent"] = TRACEPARENT
        return response


def _method(request: Request) -> str:
    """The method as sent: Go's router matches it case-sensitively (`get` is not `GET`, so it falls to
    the fallback, §2), where werkzeug's `request.method` upper-cases it."""
    return str(request.environ.get("REQUEST_METHOD") or request.method)


def _raw_path(request: Request) -> str:
    """The request target as sent: Go keeps its bytes, here UTF-8 text with any other byte as a
    surrogate escape (what `golang.url` reads)."""
    go = request.environ.get("dapr_jobs_fake.request")
    if go is not None:
        return str(go.target.decode("utf-8", "surrogateescape"))
    return str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path)


def _routed_path(request: Request) -> str:
    """The path chi routes on, still escaped: the target's, the absolute form's too (RFC 9112 §3.2.2,
    `url.ParseRequestURI`), without the query."""
    go = request.environ.get("dapr_jobs_fake.request")
    if go is not None:
        return str(go.path.decode("utf-8", "surrogateescape"))
    return _raw_path(request).split("?", 1)[0]


def _shown(text: str) -> str:
    """`text` for the journal: bytes that are not UTF-8 as `\\xNN`."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def go_header(request: Request, key: str) -> str | None:
    """`r.Header.Get(key)` (canonical `key`): the first value, as textproto trimmed it; None without
    one. Falls back to werkzeug's headers for requests not served by `GoFramingHandler`."""
    go = request.environ.get("dapr_jobs_fake.request")
    if go is None:
        return request.headers.get(key)
    values = go.headers.get(key)
    return str(values[0]) if values else None


def _same(sent: str | None, token: str) -> bool:
    """daprd's `v != token` on bytes (header values are Latin-1 text here), in constant time."""
    return sent is not None and hmac.compare_digest(sent.encode("latin-1", "replace"), token.encode())


def empty_response(status: int) -> Response:
    """A body-less answer without Content-Type, as daprd's `respondWithEmpty` writes it (§2)."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    if status != 204:
        response.headers["Content-Length"] = "0"
    return response


def parsed_or_raw(raw: bytes) -> Any:
    """A body as the journal shows it: parsed JSON when it is JSON, else the bytes."""
    if not raw:
        return None
    try:
        return loads(raw.decode("utf-8"))
    except ValueError:
        return raw
