"""The control API: the fake's own HTTP routes under `/_dapr-jobs-fake/`, for suites in any language.

Read the clock and move it, freeze it or let it tick, set the app, list jobs, calls, triggers and
violations, and reset, with curl or any HTTP client (`GET /_dapr-jobs-fake/` lists the routes). No Dapr
route starts with this prefix, so it never shadows the emulated API. When the fake has an API token,
every control route asks for it too (`dapr-api-token`, compared in constant time): on a network, the
control API can reset and move everything.

Errors are JSON: `{"errorCode", "message"}` (Dapr's shape) with `error` repeating the message.
"""

from __future__ import annotations

import hmac
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from werkzeug import Request, Response

from ..contract.deepjson import dumps, loads
from ..engine.clock import ClockError
from ..golang.duration import GoDurationError, parse_go_duration
from ..golang.rfc3339 import RFC3339Error, format_rfc3339, parse_rfc3339
from ..journal.records import Entry, TriggerRecord
from ..sidecar.http_api import go_header
from .control_faults import APP_FAULT_BODY, FAULT_BODY, FaultRoutes
from .control_views import call_json, finding_json, job_json, trigger_json

if TYPE_CHECKING:
    from ..fake import DaprJobsFake

PREFIX = "/_dapr-jobs-fake"
_ERROR_CODE = "ERR_DAPR_JOBS_FAKE_CONTROL"


class ControlError(Exception):
    """A control request that cannot be done: answered 400 with the reason."""


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    body: str
    answer: str
    action: Callable[[dict[str, Any]], Any]


class ControlApi:
    """Serves the control routes for one fake; `mode_setter` switches the CLI's real-time ticking."""

    def __init__(
        self,
        fake: DaprJobsFake,
        *,
        mode: Callable[[], str],
        mode_setter: Callable[[str], None] | None = None,
        listeners: Sequence[Callable[[Entry], None]] = (),
    ) -> None:
        self.fake = fake
        self._mode = mode
        self._set_mode = mode_setter
        #: Journal listeners of the CLI (its log): subscribed again after every reset.
        self._listeners = list(listeners)
        self.routes = {(r.method, r.path): r for r in self._route_table()}

    def _route_table(self) -> list[Route]:
        clock = self.fake.clock
        faults = FaultRoutes(self.fake)
        return [
            Route("GET", "/", "", "this list of routes", lambda _: self._index()),
            Route("GET", "/clock", "", '{"now", "nextTriggerAt", "mode"}', lambda _: self._clock()),
            Route(
                "POST",
                "/clock/advance",
                '{"seconds": 90} or {"duration": "1h30m"}',
                'the clock and the "triggers" made',
                self._advance,
            ),
            Route("POST", "/clock/advance-to", '{"time": "2030-01-02T00:00:00Z"}', "same", self._advance_to),
            Route(
                "POST",
                "/clock/run-next",
                "",
                "same, one attempt",
                lambda _: self._moved(_one(clock.run_next())),
            ),
            Route(
                "POST",
                "/clock/run-until-idle",
                '{"limit": "24h"} (optional for finite jobs)',
                "same",
                self._run_until_idle,
            ),
            Route(
                "POST", "/clock/mode", '{"mode": "manual" | "real" | "auto"}', "the clock", self._mode_change
            ),
            Route(
                "POST",
                "/app",
                '{"app_url": "http://..." | null, "app_grpc_address": "host:port" | null, "connected": bool}'
                " (any of them)",
                "where triggers go now",
                self._set_app,
            ),
            Route(
                "GET", "/jobs", "", "stored jobs with nextTriggerAt, triggers, ticks", lambda _: self._jobs()
            ),
            Route(
                "GET",
                "/calls",
                "",
                "answered requests with their bodies (header dapr-jobs-fake-dropped: "
                "entries dropped by --journal-limit)",
                lambda _: [call_json(c) for c in self.fake.calls],
            ),
            Route(
                "GET",
                "/triggers",
                "",
                "trigger attempts",
                lambda _: [trigger_json(t) for t in self.fake.triggers],
            ),
            Route(
                "GET",
                "/violations",
                "",
                "contract violations",
                lambda _: [finding_json(v) for v in self.fake.violations],
            ),
            Route("GET", "/jumps", "", "the auto clock's jumps", faults.jumps),
            Route("POST", "/faults", FAULT_BODY, "the fault installed (Jobs API calls fail)", faults.add),
            Route(
                "POST", "/faults/app", APP_FAULT_BODY, "the fault installed (deliveries fail)", faults.add_app
            ),
            Route("GET", "/faults", "", "the faults not cleared, with their hits", faults.installed),
            Route("POST", "/faults/clear", "", "no faults (calls waiting on one are served)", faults.clear),
            Route("POST", "/reset", "", "forget jobs, faults and the journal, keep the options", self._reset),
        ]

    def mount(self) -> None:
        """Serve the control routes on the fake's HTTP port and subscribe the listeners."""
        self.fake.api.mounts.append(self.handle)
        self.fake.api.route_hint = (
            f"the fake serves the Dapr Jobs API under {', '.join(self.fake.profile.job_paths())} "
            f"and its control API under {PREFIX}/ (GET {PREFIX}/ lists it)"
        )
        self._subscribe()

    def _subscribe(self) -> None:
        self.fake.journal.listeners.extend(self._listeners)

    def handle(self, request: Request, path: str) -> Response | None:
        if path != PREFIX and not path.startswith(PREFIX + "/"):
            return None
        token = self.fake.options.api_token
        sent = go_header(request, "Dapr-Api-Token")  # as daprd reads it: the first, trimmed
        if token and not (
            sent is not None and hmac.compare_digest(sent.encode("latin-1", "replace"), token.encode())
        ):
            return _error("invalid api token: send the fake's API token in the dapr-api-token header", 401)
        route = self.routes.get((request.method, path[len(PREFIX) :] or "/"))
        if route is None:
            known = ", ".join(f"{m} {PREFIX}{p}" for m, p in self.routes)
            return _error(f"no control route {request.method} {path}; known: {known}", 404)
        try:
            body = loads(request.get_data().decode("utf-8", "replace") or "{}")
            if not isinstance(body, dict):
                raise ControlError("the body must be a JSON object")
            response = _json(route.action(body), 200)
        except (ControlError, ClockError, ValueError) as err:
            return _error(str(err), 400)
        if route.path == "/calls":
            response.headers["dapr-jobs-fake-dropped"] = str(self.fake.journal.dropped)
        return response

    def _index(self) -> list[dict[str, str]]:
        return [
            {"method": r.method, "path": PREFIX + r.path, "body": r.body, "answer": r.answer}
            for r in self.routes.values()
        ]

    # -- clock ----------------------------------------------------------------------------------
    def _clock(self) -> dict[str, Any]:
        clock = self.fake.clock
        nxt = clock.next_trigger_ns()  # any int: a dueTime may lie outside datetime's range
        return {
            "now": format_rfc3339(clock.now_ns()),
            "nextTriggerAt": None if nxt is None else format_rfc3339(nxt),
            "mode": self._mode(),
        }

    def _moved(self, records: list[TriggerRecord]) -> dict[str, Any]:
        return {**self._clock(), "triggers": [trigger_json(r) for r in records]}

    def _advance(self, body: dict[str, Any]) -> dict[str, Any]:
        if "duration" in body:
            delta_ns = _duration(body["duration"])
        elif "seconds" in body and isinstance(body["seconds"], (int, float)) and _finite(body["seconds"]):
            delta_ns = round(body["seconds"] * 1_000_000_000)
        else:
            raise ControlError('send {"seconds": <number>} or {"duration": "<Go duration, e.g. 1h30m>"}')
        return self._moved(self.fake.clock.advance_ns(delta_ns))

    def _advance_to(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            target = parse_rfc3339(str(body.get("time", "")))
        except RFC3339Error as err:
            raise ControlError(f'send {{"time": "<RFC3339>"}}: {err}') from None
        delta = target - self.fake.clock.now_ns()
        if delta < 0:
            raise ControlError(f"cannot move the clock backwards to {body['time']}")
        return self._moved(self.fake.clock.advance_ns(delta))

    def _run_until_idle(self, body: dict[str, Any]) -> dict[str, Any]:
        limit = None
        if body.get("limit") is not None:
            limit = timedelta(microseconds=_duration(body["limit"]) / 1000)
        return self._moved(self.fake.clock.run_until_idle(limit))

    def _mode_change(self, body: dict[str, Any]) -> dict[str, Any]:
        mode = body.get("mode")
        if mode not in ("manual", "real", "auto"):
            raise ControlError(
                'send {"mode": "manual"} to freeze the clock, {"mode": "real"} to let it tick or '
                '{"mode": "auto"} to skip to each due trigger'
            )
        if self._set_mode is None:
            raise ControlError("this fake's clock has no real-time mode (it is driven by its owner)")
        self._set_mode(mode)
        return self._clock()

    # -- state ----------------------------------------------------------------------------------
    def _set_app(self, body: dict[str, Any]) -> dict[str, Any]:
        """Set the app target and whether the app is connected: `connected: false` holds triggers (as
        while no sidecar is connected or the app is unhealthy), `true` delivers what was held."""
        unknown = sorted(set(body) - {"app_url", "app_grpc_address", "connected"})
        if unknown:
            known = "app_url, app_grpc_address or connected"
            raise ControlError(f"unknown key(s) {', '.join(unknown)}; send {known}")
        changes: dict[str, Any] = {key: body[key] for key in ("app_url", "app_grpc_address") if key in body}
        if any(v is not None and not isinstance(v, str) for v in changes.values()):
            raise ControlError("app_url and app_grpc_address are strings (or null to disconnect)")
        if "connected" in body:
            if not isinstance(body["connected"], bool):
                raise ControlError("connected is true or false")
            changes["app_connected"] = body["connected"]
        try:
            self.fake.configure(**changes)
        except (ImportError, ValueError) as err:  # the grpc extra missing, a malformed URL
            raise ControlError(str(err)) from None
        options = self.fake.options
        return {
            "app_url": options.app_url,
            "app_grpc_address": options.app_grpc_address,
            "connected": options.app_connected,
            "target": self.fake.router.target_name,
        }

    def _jobs(self) -> list[dict[str, Any]]:
        states = sorted(self.fake.service.jobs(), key=lambda s: s.name)
        return [job_json(state, self.fake.profile) for state in states]

    def _reset(self, _: dict[str, Any]) -> dict[str, Any]:
        self.fake.reset()
        self._subscribe()
        return self._clock()


def _one(record: TriggerRecord | None) -> list[TriggerRecord]:
    return [] if record is None else [record]


def _duration(text: Any) -> int:
    try:
        return parse_go_duration(str(text))
    except GoDurationError as err:
        raise ControlError(str(err)) from None


def _finite(seconds: float) -> bool:
    """A number of seconds that converts to whole nanoseconds (not inf, NaN, nor an int past float)."""
    try:
        return math.isfinite(seconds * 1e9)
    except OverflowError:  # an int too large for a float
        return False


def _json(value: Any, status: int) -> Response:
    return Response(dumps(value), status=status, content_type="application/json")


def _error(message: str, status: int) -> Response:
    return _json({"errorCode": _ERROR_CODE, "message": message, "error": message}, status)
