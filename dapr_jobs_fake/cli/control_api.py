"""The control API: the fake's own HTTP routes under `/_dapr-jobs-fake/`, for suites in any language.

Read the clock and move it, freeze it or let it tick, list jobs, calls, triggers and violations,
and reset, with curl or any HTTP client. No Dapr route starts with this prefix, so it never shadows
the emulated API. It does not ask for the Dapr API token: it is the test's back door, not Dapr's.

Routes (JSON in and out):
- `GET  /_dapr-jobs-fake/clock` -> `{"now", "nextTriggerAt", "mode"}`
- `POST /_dapr-jobs-fake/clock/advance` `{"seconds": 90}` or `{"duration": "1h30m"}` (Go duration)
- `POST /_dapr-jobs-fake/clock/advance-to` `{"time": "2030-01-01T00:00:00Z"}`
- `POST /_dapr-jobs-fake/clock/run-next`, `POST /_dapr-jobs-fake/clock/run-until-idle` `{"limit": "24h"}`
- `POST /_dapr-jobs-fake/clock/mode` `{"mode": "manual" | "real"}` (freeze, or tick with real time)
- `GET  /_dapr-jobs-fake/jobs`, `/calls`, `/triggers`, `/violations`
- `POST /_dapr-jobs-fake/reset`
Moves answer `{"now": ..., "triggers": [...]}` listing the attempts they made.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug import Request, Response

from ..contract.deepjson import dumps, loads
from ..contract.model import ECHOED_FIELDS
from ..contract.protojson import plain, render_data
from ..engine.clock import ClockError
from ..golang.calendar import ns_to_datetime
from ..golang.duration import GoDurationError, parse_go_duration
from ..golang.rfc3339 import RFC3339Error, format_rfc3339, parse_rfc3339
from ..journal.records import Call, Entry, TriggerRecord

if TYPE_CHECKING:
    from ..fake import DaprJobsFake

PREFIX = "/_dapr-jobs-fake"


class ControlError(Exception):
    """A control request that cannot be done: answered 400 with the reason."""


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def trigger_json(record: TriggerRecord) -> dict[str, Any]:
    return {
        "job": record.name,
        "kind": record.kind,
        "scheduledAt": format_rfc3339(record.scheduled_ns),
        "tick": record.tick,
        "attempt": record.attempt,
        "target": record.target,
        "status": record.status,
        "succeeded": record.succeeded,
        "error": None if record.error is None else repr(record.error),
    }


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
        if not path.startswith(PREFIX + "/"):
            return None
        route = (request.method, path[len(PREFIX) :])
        routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("GET", "/clock"): lambda _: self._clock(),
            ("POST", "/clock/advance"): self._advance,
            ("POST", "/clock/advance-to"): self._advance_to,
            ("POST", "/clock/run-next"): lambda _: self._moved(self._one(self.fake.clock.run_next())),
            ("POST", "/clock/run-until-idle"): self._run_until_idle,
            ("POST", "/clock/mode"): self._mode_change,
            ("GET", "/jobs"): lambda _: self._jobs(),
            ("GET", "/calls"): lambda _: [self._call(c) for c in self.fake.calls],
            ("GET", "/triggers"): lambda _: [trigger_json(t) for t in self.fake.triggers],
            ("GET", "/violations"): lambda _: [v.__dict__ for v in self.fake.violations],
            ("POST", "/reset"): self._reset,
        }
        action = routes.get(route)
        if action is None:
            known = ", ".join(f"{m} {PREFIX}{p}" for m, p in routes)
            return _json({"error": f"no control route {request.method} {path}; known: {known}"}, 404)
        try:
            body = loads(request.get_data().decode("utf-8", "replace") or "{}")
            if not isinstance(body, dict):
                raise ControlError("the body must be a JSON object")
            return _json(action(body), 200)
        except (ControlError, ClockError, ValueError) as err:
            return _json({"error": str(err)}, 400)

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

    @staticmethod
    def _one(record: TriggerRecord | None) -> list[TriggerRecord]:
        return [] if record is None else [record]

    def _advance(self, body: dict[str, Any]) -> dict[str, Any]:
        if "duration" in body:
            try:
                delta_ns = parse_go_duration(str(body["duration"]))
            except GoDurationError as err:
                raise ControlError(str(err)) from None
        elif "seconds" in body and isinstance(body["seconds"], (int, float)) and _finite(body["seconds"]):
            delta_ns = round(body["seconds"] * 1_000_000_000)
        else:
            raise ControlError('send {"seconds": <number>} or {"duration": "<Go duration, e.g. 1h30m>"}')
        self._check_reachable(self.fake.clock.now_ns() + delta_ns)
        return self._moved(self.fake.clock.advance_ns(delta_ns))

    @staticmethod
    def _check_reachable(target_ns: int) -> None:
        """Refuse a move past what the journal can timestamp (a datetime, years 1-9999): after it,
        every later request would fail."""
        try:
            ns_to_datetime(target_ns)
        except ValueError:
            raise ControlError(
                f"cannot move the clock to {format_rfc3339(target_ns)}: beyond year 9999"
            ) from None

    def _advance_to(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            target = parse_rfc3339(str(body.get("time", "")))
        except RFC3339Error as err:
            raise ControlError(f'send {{"time": "<RFC3339>"}}: {err}') from None
        delta = target - self.fake.clock.now_ns()
        if delta < 0:
            raise ControlError(f"cannot move the clock backwards to {body['time']}")
        self._check_reachable(target)
        return self._moved(self.fake.clock.advance_ns(delta))

    def _run_until_idle(self, body: dict[str, Any]) -> dict[str, Any]:
        from datetime import timedelta

        limit = None
        if body.get("limit") is not None:
            try:
                limit = timedelta(microseconds=parse_go_duration(str(body["limit"])) / 1000)
            except GoDurationError as err:
                raise ControlError(str(err)) from None
        return self._moved(self.fake.clock.run_until_idle(limit))

    def _mode_change(self, body: dict[str, Any]) -> dict[str, Any]:
        mode = body.get("mode")
        if mode not in ("manual", "real"):
            raise ControlError(
                'send {"mode": "manual"} to freeze the clock or {"mode": "real"} to let it tick'
            )
        if self._set_mode is None:
            raise ControlError("this fake's clock has no real-time mode (it is driven by its owner)")
        self._set_mode(mode)
        return self._clock()

    # -- state ----------------------------------------------------------------------------------
    def _jobs(self) -> list[dict[str, Any]]:
        jobs = []
        for state in sorted(self.fake.service.jobs(), key=lambda s: s.name):
            spec = state.plan.spec
            jobs.append(
                {
                    "name": state.name,
                    **{f.json_name: getattr(spec, f.attr) for f in ECHOED_FIELDS},
                    "data": None if spec.data is None else plain(render_data(spec.data, self.fake.profile)),
                    # format_rfc3339, not fake.jobs' datetime: a dueTime may lie beyond year 9999
                    "nextTriggerAt": format_rfc3339(state.next_trigger_ns),
                    "triggers": state.delivered,
                    "ticks": state.ticks,
                }
            )
        return jobs

    @staticmethod
    def _call(call: Call) -> dict[str, Any]:
        return {
            "seq": call.seq,
            "protocol": call.protocol,
            "operation": call.operation,
            "job": call.job_name,
            "request": call.request,
            "status": call.status,
            "errorCode": call.error_code,
            "at": _iso(call.at),
            "violations": [v.rule for v in call.violations],
            "warnings": [w.rule for w in call.warnings],
        }

    def _reset(self, _: dict[str, Any]) -> dict[str, Any]:
        self.fake.reset()
        self._subscribe()
        return self._clock()


def _finite(seconds: float) -> bool:
    """A number of seconds that converts to whole nanoseconds (not inf, NaN, nor an int past float)."""
    try:
        return math.isfinite(seconds * 1e9)
    except OverflowError:  # an int too large for a float
        return False


def _json(value: Any, status: int) -> Response:
    return Response(dumps(value), status=status, content_type="application/json")
