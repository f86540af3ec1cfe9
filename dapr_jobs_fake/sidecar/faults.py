"""`fake.faults`: make Jobs API calls fail as real outages make them fail, and deliveries fail as a broken
app makes them fail, without a broken Scheduler or app.

API faults (`Fault`) are checked where daprd calls the Scheduler (`JobsService` asks `intercept`), so
what daprd refuses by itself (a bad token, a malformed body, an empty schedule, a gRPC call without a
name) is still refused first, and what the Scheduler would refuse (a bad cron) is not: it never got
there. A matching call waits out the fault's `delay`, then gets the fault's answer: daprd's real answer
for a named condition (`contract.outages`, per `Profile.scheduler_outage`), or the test's `DaprError`.
If the fault is cleared (or its window ends) while the call waits, the call is served normally, as
daprd serves it when the Scheduler comes back. On Dapr 1.15.0 to 1.15.5 an unreachable Scheduler gets
no answer at all: the call waits until the fault is cleared (then it is served), its client goes away,
or `delay` (default `HANG_LIMIT`) passes, and is then hung up on (`inflight.Abandoned`); meanwhile
`GET /v1.0/healthz` answers 500 `ERR_HEALTH_NOT_READY` and the metadata drops its `scheduler` key.

Every injected answer is journaled with `Call.injected` (what the fault was) and never counts as a
contract violation; injected app outcomes carry `TriggerRecord.injected`. `reset()` removes every fault
and ends every wait without an answer (nothing of one test reaches the next).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from werkzeug import Request, Response

from ..contract.errors import DaprError, Rejected
from ..contract.outages import (
    DEFAULT_SCHEDULER_ADDRESS,
    INJECTED,
    NO_ANSWER,
    NOT_READY,
    InjectedFailure,
    condition_error,
)
from ..delivery.faults import AppFault, DeliveryFaults, InjectedFault
from ..journal.records import Call, Operation
from .fault_specs import HANG_LIMIT, WRITES, Fault, ProtocolChoice
from .inflight import Abandoned, client_gone
from .service import JobRequest, JobsService

__all__ = ["AppFault", "Fault", "Faults", "InjectedFault"]
#: How often a waiting call looks whether its client is still there.
_LOOK_SECONDS = 0.05


class Faults:
    """The faults of one fake: install with `fail`, `scheduler_unreachable`, `timeout`, `error`, `app`
    or `add`; end with the handle's `clear()` or `clear()` here. `on_change` is told when app faults
    come or go (the fake puts them in front of its delivery)."""

    def __init__(
        self,
        service: JobsService,
        *,
        delivery_timeout: Callable[[], float],
        on_change: Callable[[], None] = lambda: None,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._service = service
        self._now = now
        self._cond = threading.Condition()
        self._api: list[InjectedFault] = []
        self._generation = 0
        self._on_change = on_change
        self.app_faults = DeliveryFaults(delivery_timeout, now=now, on_clear=lambda _: on_change())
        self._configured: tuple[Any, ...] = ()
        self._configured_handles: list[InjectedFault] = []
        service.faults = self

    # -- installing -----------------------------------------------------------------------------
    def fail(
        self,
        operations: str | Sequence[str] = "all",
        *,
        condition: str | None = "unreachable",
        error: DaprError | None = None,
        protocol: ProtocolChoice = "both",
        job: str | None = None,
        times: int | None = None,
        seconds: float | None = None,
        delay: float = 0.0,
        applied: bool = False,
        scheduler_address: str = DEFAULT_SCHEDULER_ADDRESS,
    ) -> InjectedFault:
        """Make matching calls fail (see `Fault` for every argument); returns the fault's handle."""
        return self.add(
            Fault(
                operations=operations,
                condition=condition,  # type: ignore[arg-type]
                error=error,
                protocol=protocol,
                job=job,
                times=times,
                seconds=seconds,
                delay=delay,
                applied=applied,
                scheduler_address=scheduler_address,
            )
        )

    def scheduler_unreachable(
        self,
        operations: str | Sequence[str] = "all",
        *,
        protocol: ProtocolChoice = "both",
        times: int | None = None,
        seconds: float | None = None,
        delay: float = 0.0,
        scheduler_address: str = DEFAULT_SCHEDULER_ADDRESS,
    ) -> InjectedFault:
        """The Scheduler is gone (stopped): every call (or these operations) answers as daprd answers
        then, until cleared (or for `times` calls / `seconds`). `delay=30` waits as daprd does."""
        return self.fail(
            operations,
            protocol=protocol,
            times=times,
            seconds=seconds,
            delay=delay,
            scheduler_address=scheduler_address,
        )

    def timeout(
        self,
        operations: str | Sequence[str] = "all",
        *,
        protocol: ProtocolChoice = "both",
        job: str | None = None,
        times: int | None = None,
        seconds: float | None = None,
        delay: float = 0.0,
        applied: bool = False,
    ) -> InjectedFault:
        """The Scheduler does not answer within daprd's 30 s: `DeadlineExceeded`; with `applied` the
        write happened anyway."""
        return self.fail(
            operations,
            condition="timeout",
            protocol=protocol,
            job=job,
            times=times,
            seconds=seconds,
            delay=delay,
            applied=applied,
        )

    def error(
        self,
        error: DaprError,
        operations: str | Sequence[str] = "all",
        *,
        protocol: ProtocolChoice = "both",
        job: str | None = None,
        times: int | None = None,
        seconds: float | None = None,
        delay: float = 0.0,
        applied: bool = False,
    ) -> InjectedFault:
        """Answer matching calls with `error`, a `DaprError` the test builds."""
        return self.fail(
            operations,
            error=error,
            protocol=protocol,
            job=job,
            times=times,
            seconds=seconds,
            delay=delay,
            applied=applied,
        )

    def app(
        self,
        job: str | None = None,
        *,
        times: int | None = None,
        seconds: float | None = None,
        status: int | None = None,
        hang: bool = False,
        drop: bool = False,
    ) -> InjectedFault:
        """Make deliveries of `job` (every job when None) fail: with `status` (default 500), by hanging
        until the delivery timeout, or by being dropped (see `AppFault`)."""
        return self.add(AppFault(job=job, times=times, seconds=seconds, status=status, hang=hang, drop=drop))

    def add(self, spec: Fault | AppFault) -> InjectedFault:
        """Install a fault given as data; returns its handle."""
        fault = self._install(spec)
        if isinstance(spec, AppFault):
            self._on_change()
        return fault

    def _install(self, spec: Fault | AppFault) -> InjectedFault:
        if isinstance(spec, AppFault):
            return self.app_faults.add(spec)
        if not isinstance(spec, Fault):
            raise TypeError(f"a fault is a Fault or an AppFault, not {type(spec).__name__}")
        fault = InjectedFault(spec, now=self._now, on_clear=self._cleared)
        with self._cond:
            self._api.append(fault)
        return fault

    def clear(self) -> None:
        """End every fault: calls waiting out a delay are served now, hangs end (the Scheduler is back)."""
        with self._cond:
            for fault in self._api:
                fault.mark_cleared()
            self._api.clear()
            self._cond.notify_all()
        self.app_faults.clear()
        self._configured_handles = []  # the option's faults too: not installed again until a reset
        self._on_change()

    def _cleared(self, fault: InjectedFault) -> None:
        with self._cond:
            if fault in self._api:
                self._api.remove(fault)
            self._cond.notify_all()

    # -- reading --------------------------------------------------------------------------------
    @property
    def active(self) -> list[InjectedFault]:
        """The faults still in force, API faults first."""
        with self._cond:
            api = list(self._api)
        return [f for f in [*api, *self.app_faults.faults] if f.active]

    @property
    def installed(self) -> list[InjectedFault]:
        """Every fault not cleared, spent ones included."""
        with self._cond:
            api = list(self._api)
        return [*api, *self.app_faults.faults]

    @property
    def injected(self) -> list[Call]:
        """The calls a fault answered, in order (`Call.injected` says which fault)."""
        return [call for call in self._service.journal.calls if call.injected]

    @property
    def scheduler_disconnected(self) -> bool:
        """True while daprd would report no Scheduler: an unreachable fault on a version that never
        answers then (1.15.0 to 1.15.5: no metadata `scheduler` key, healthz not ready)."""
        if self._service.contract.profile.scheduler_outage != "hang":
            return False
        return any(f.active and f.spec.condition == "unreachable" for f in self._api_faults())

    def _api_faults(self) -> list[InjectedFault]:
        with self._cond:
            return list(self._api)

    # -- the fake's hooks -----------------------------------------------------------------------
    def configure(self, specs: Iterable[Fault | AppFault]) -> None:
        """The `faults` option: install these (again, only when they changed since the last time)."""
        specs = tuple(specs)
        if specs == self._configured:
            return
        old, self._configured, self._configured_handles = self._configured_handles, specs, []
        for fault in old:  # quietly: this runs while the fake applies its options
            fault.mark_cleared()
            with self._cond:
                if fault in self._api:
                    self._api.remove(fault)
                self._cond.notify_all()
            self.app_faults.remove(fault)
        self._configured_handles = [self._install(spec) for spec in specs]

    def reset(self) -> None:
        """Remove every fault; calls still waiting get no answer and are not journaled."""
        with self._cond:
            self._generation += 1
            for fault in self._api:
                fault.mark_cleared()
            self._api.clear()
            self._cond.notify_all()
        self.app_faults.clear()
        self._configured, self._configured_handles = (), []

    def wrap_delivery(self, deliver: Any) -> Any:
        return self.app_faults.wrap(deliver)

    def health(self, request: Request, path: str) -> Response | None:
        """An `HttpJobsApi` mount: `GET /v1.0/healthz` is not ready while the Scheduler is missing on
        1.15.0 to 1.15.5 (recorded on 1.15.4, §12)."""
        if path != "/v1.0/healthz" or request.method != "GET" or not self.scheduler_disconnected:
            return None
        body, content_type = NOT_READY.http_body()
        return Response(body, status=NOT_READY.http_status, content_type=content_type)

    def intercept(self, request: JobRequest, operation: Operation) -> Rejected | None:
        """`JobsService`'s hook where daprd calls the Scheduler: None to serve the call; raises the
        injected answer (or `Abandoned` for none); returns it when the write is still applied."""
        if not self._api:
            return None
        protocol, name = request.wire.protocol, request.name
        if protocol == "grpc" and not name and operation in ("get", "delete"):
            return None  # daprd answers "Name is empty" before it calls the Scheduler
        with self._cond:
            fault = next(
                (f for f in self._api if f.spec.matches(operation, protocol, name) and f.take()), None
            )
            generation = self._generation
        if fault is None:
            return None
        spec: Fault = fault.spec
        errors = self._service.contract.errors
        error = spec.error
        if error is None:
            error = condition_error(errors, operation, spec.condition, spec.scheduler_address)  # type: ignore[arg-type]
        wait = spec.delay or (HANG_LIMIT if error is None else 0.0)
        if wait > 0:
            ended = self._wait(fault, wait, generation)
            if ended == "cleared":
                return None
            if ended == "reset":
                raise Abandoned
        label = spec.label
        if error is None:  # this version never answers: journal that, then hang up
            no_answer = InjectedFailure(INJECTED, NO_ANSWER, {"label": label}, injected=f"{label}: no answer")
            self._service.reject(request, operation, no_answer)
            raise Abandoned
        rejected = InjectedFailure(INJECTED, error, {"label": label}, injected=label)
        if spec.applied and operation in WRITES:
            return rejected
        raise rejected

    def _wait(self, fault: InjectedFault, seconds: float, generation: int) -> str:
        """Wait for the fault's delay: "cleared" (serve the call), "reset" (drop it), "elapsed" or "gone"
        (the client left: answer anyway)."""
        deadline = self._now() + seconds
        with self._cond:
            while True:
                if generation != self._generation:
                    return "reset"
                if fault.cleared or fault.expired:
                    return "cleared"
                left = deadline - self._now()
                if left <= 0:
                    return "elapsed"
                if client_gone():
                    return "gone"
                self._cond.wait(min(left, _LOOK_SECONDS))
