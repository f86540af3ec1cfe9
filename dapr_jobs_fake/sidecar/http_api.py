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
from ..golang.url import BadEscape, go_path_clean, go_query_unescape, route_path
from ..journal.records import Operation
from ..journal.records import Protocol as WireProtocol
from .http_server import MAX_BODY_BYTES, read_body
from .service import Answer, JobRequest, JobsService

_HEALTH_PATHS = ("/v1.0/healthz", "/v1.0/healthz/outbound")
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
        #: What `unknown_route` suggests instead (a layer above may know better, e.g. the CLI).
        self.route_hint = (
            "to fake another Dapr API on this port, register an expectation on fake.httpserver "
            "(pytest-httpserver) for that path"
        )

    # -- entry points ---------------------------------------------------------------------------
    def front(self, request: Request) -> Response | None:
        """Answer a Dapr route, or None to let the test's own expectations have the request."""
        described = f"{_method(request)} {_raw_path(request)}"
        raw = read_body(request)  # always consumed: the connection stays in step for the next request
        try:
            path = go_path_clean(route_path(_raw_path(request).split("?", 1)[0]))
        except BadEscape as err:
            # net/http refuses the request line itself: "400 Bad Request", before any daprd code.
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
        if token and not _same(request.headers.get("dapr-api-token"), token):
            return self._refuse(
                described, "other", None, rows.AUTH_TOKEN, carrier="header", problem="missing or wrong"
            )
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
            return self._refuse(described, "other", route, rows.NAME_BAD_ESCAPE, detail=str(err))
        if method == "GET":
            return self._answer(self.service.get(JobRequest(self.wire, described, name), as_json=True))
        if method == "DELETE":
            return self._answer(self.service.delete(JobRequest(self.wire, described, name)))
        if raw is None:
            return self._refuse(described, "schedule", name, rows.BODY_TOO_LARGE, limit=str(MAX_BODY_BYTES))
        return self._answer(self.service.schedule(JobRequest(self.wire, described, name, raw=raw)))

    def unknown_route(self, request: Request) -> Response:
        """daprd's service-invocation fallback (§2), recorded as a violation with a hint."""
        raw_path = _raw_path(request)
        profile = self.service.contract.profile
        return self._refuse(
            f"{_method(request)} {raw_path}",
            "other",
            None,
            rows.ROUTE_UNKNOWN,
            method=_method(request),
            path=raw_path.split("?", 1)[0],
            version=profile.key,
            paths=", ".join(profile.job_paths()),
            route_hint=self.route_hint,
        )

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
            return response
        if answer.value is not None:
            return Response(answer.value, status=answer.call.status, content_type="application/json")
        return empty_response(answer.call.status)


def _method(request: Request) -> str:
    """The method as sent: Go's router matches it case-sensitively (`get` is not `GET`, so it falls to
    the fallback, §2), where werkzeug's `request.method` upper-cases it."""
    return str(request.environ.get("REQUEST_METHOD") or request.method)


def _raw_path(request: Request) -> str:
    return str(request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or request.path)


def _same(sent: str | None, token: str) -> bool:
    """Compare tokens in constant time (`hmac.compare_digest`), as a token check should."""
    return sent is not None and hmac.compare_digest(sent.encode("utf-8", "surrogateescape"), token.encode())


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
