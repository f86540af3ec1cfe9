"""The Jobs API use cases, independent of protocol: what daprd plus the Scheduler do for each call.

An adapter (HTTP or gRPC) translates its wire request into a `JobRequest`, calls one method here, and
translates the `Answer` back. Each method checks the request against the contract, applies it to the
engine and journals it, the last two under the engine lock so that the journal's order is the order the
engine applied things in. What differs per protocol in the journal (statuses, how an error or a job
reads) comes from the adapter's `Wire`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from ..contract import rows
from ..contract.errors import DaprError, Rejected, Suspicion
from ..contract.model import JobPlan, JobSpec
from ..contract.rules import Contract
from ..engine.clock import VirtualClock
from ..engine.engine import Engine, JobState
from ..golang.calendar import ns_to_datetime
from ..journal.findings import ContractWarning, Violation
from ..journal.journal import Journal
from ..journal.records import Call, Operation
from ..journal.records import Protocol as WireProtocol


class Wire(Protocol):
    """How one protocol's answers read in the journal (the adapter supplies it)."""

    protocol: WireProtocol

    def ok_status(self, operation: Operation) -> int: ...

    def error_status(self, error: DaprError) -> int: ...

    def error_response(self, error: DaprError) -> Any: ...

    def job_response(self, plan: JobPlan) -> tuple[Any, Any]:
        """(what the journal keeps, what goes on the wire) for a job read back."""
        ...


class FaultPoint(Protocol):
    """Where injected faults hook in (`sidecar.faults.Faults.intercept`)."""

    def intercept(self, request: JobRequest, operation: Operation) -> Rejected | None: ...


@dataclass(frozen=True)
class JobRequest:
    """One Jobs API request, protocol-neutral.

    `described` is the journal's one-line description; `name` the job name (or prefix) as the wire
    carried it; `raw` an HTTP body for the contract to decode, or `fields` a gRPC job already turned
    into protojson-named fields (`has_job` False when the ScheduleJobRequest had none); `body` what
    the journal shows as sent; `client` the caller's SDK when its user-agent tells ("python", "go",
    "java"), so hints use its words.
    """

    wire: Wire
    described: str
    name: str | None = None
    raw: bytes | None = None
    fields: dict[str, Any] | None = None
    has_job: bool = True
    body: Any = None
    client: str | None = None


@dataclass(frozen=True)
class Answer:
    """The journaled call and, on success, the value the adapter renders (None on error)."""

    call: Call
    value: Any = None
    error: DaprError | None = None


@dataclass
class _Draft:
    """What is known about a call while it is being handled."""

    name: str | None
    body: Any
    spec: JobSpec | None = None
    suspicions: list[Suspicion] = field(default_factory=list)


class JobsService:
    """Schedule, get, delete, list and delete-by-prefix over one engine, recorded in one journal."""

    def __init__(self, contract: Contract, engine: Engine, journal: Journal, clock: VirtualClock) -> None:
        self.contract = contract
        self.engine = engine
        self.journal = journal
        self.clock = clock
        self._last_now: tuple[int, datetime] = (0, ns_to_datetime(0))
        self._local = threading.local()
        #: Injected faults (`sidecar.faults.Faults`), asked where daprd calls the Scheduler.
        self.faults: FaultPoint | None = None

    # -- use cases ------------------------------------------------------------------------------
    def schedule(self, request: JobRequest) -> Answer:
        """Create or (with overwrite, or before Dapr 1.16) replace a job."""
        contract = self.contract
        protocol = request.wire.protocol
        draft = _Draft(request.name, request.body)
        try:
            if request.raw is not None:
                decoded = contract.decode_http_schedule(request.name or "", request.raw)
                draft.spec, draft.body, draft.suspicions = decoded.spec, decoded.body, decoded.suspicions
            elif not request.has_job:
                raise rows.JOB_EMPTY.reject(contract.errors, protocol)
            else:
                draft.spec = contract.spec_from_fields(
                    request.name or "", request.fields or {}, protocol=protocol
                )
        except Rejected as rejected:
            if draft.name:
                draft.name = draft.name.strip() or draft.name
            return self._reject(request, "schedule", draft, rejected)
        spec = draft.spec
        draft.name = spec.name
        try:
            injected = self._intercept(request, "schedule")
        except Rejected as rejected:
            return self._reject(request, "schedule", draft, rejected)
        with self.applying():  # a refusal that depends on stored jobs is journaled in the engine's order
            try:
                plan = contract.plan(spec, self.clock.now_ns(), protocol)
                if contract.profile.overwrite_supported and not spec.overwrite and self.engine.has(spec.name):
                    raise contract.already_exists(spec.name, protocol)
            except Rejected as rejected:
                return self._reject(request, "schedule", draft, rejected)
            self.engine.upsert(plan)
            if injected is not None:  # the Scheduler stored it, the caller got the fault's answer
                return self._reject(request, "schedule", draft, injected)
            return Answer(self._record(request, "schedule", draft, request.wire.ok_status("schedule"), None))

    def get(self, request: JobRequest, *, as_json: bool) -> Answer:
        """Read a job back. `as_json` (HTTP): daprd renders the job with protojson after the Scheduler
        answered, so a gRPC-created job whose `data` protojson cannot render fails with 500 (§4)."""
        name = request.name or ""
        draft = _Draft(name, request.body)
        try:
            self._intercept(request, "get")
        except Rejected as rejected:
            return self._reject(request, "get", draft, rejected)
        with self.applying():
            try:
                self._check_name(request, name, "get")
                state = self.engine.get(name)
                if state is None:
                    raise self.contract.not_found(name, request.wire.protocol)
                draft.spec = state.plan.spec
                if as_json:
                    self.contract.check_renderable(state.plan)
            except Rejected as rejected:
                return self._reject(request, "get", draft, rejected)
            journaled, reply = request.wire.job_response(state.plan)
            return Answer(
                self._record(request, "get", draft, request.wire.ok_status("get"), journaled), reply
            )

    def delete(self, request: JobRequest) -> Answer:
        """Delete a job; deleting a missing job succeeds, as in etcd (§2)."""
        name = request.name or ""
        draft = _Draft(name, request.body)
        try:
            injected = self._intercept(request, "delete")
            self._check_name(request, name, "delete")
            with self.applying():
                self.engine.delete(name)
                if injected is not None:  # deleted, but the caller got the fault's answer
                    raise injected
                call = self._record(request, "delete", draft, request.wire.ok_status("delete"), None)
            return Answer(call)
        except Rejected as rejected:
            return self._reject(request, "delete", draft, rejected)

    def list_jobs(self, request: JobRequest) -> Answer:
        """This app's jobs in the Scheduler's etcd key order, i.e. by name (§14)."""
        try:
            self._intercept(request, "list")
        except Rejected as rejected:
            return self._reject(request, "list", _Draft(None, request.body), rejected)
        with self.applying():
            states = sorted(self.jobs(), key=lambda state: state.name)
            call = self._record(
                request,
                "list",
                _Draft(None, request.body),
                request.wire.ok_status("list"),
                [s.name for s in states],
            )
        return Answer(call, states)

    def delete_prefix(self, request: JobRequest) -> Answer:
        """Delete every job whose name starts with the prefix; unset or "" deletes them all (§14)."""
        draft = _Draft(request.name or None, request.body)
        try:
            injected = self._intercept(request, "delete_prefix")
        except Rejected as rejected:
            return self._reject(request, "delete_prefix", draft, rejected)
        with self.applying():
            deleted = self.engine.delete_prefix(request.name or "")
            if injected is not None:
                return self._reject(request, "delete_prefix", draft, injected)
            call = self._record(
                request, "delete_prefix", draft, request.wire.ok_status("delete_prefix"), deleted
            )
        return Answer(call, deleted)

    def reject(self, request: JobRequest, operation: Operation, rejected: Rejected) -> Answer:
        """Journal a refusal the adapter made before any Jobs code (auth, routing, framing)."""
        return self._reject(request, operation, _Draft(request.name, request.body), rejected)

    def jobs(self) -> list[JobState]:
        """Every stored job, in creation order."""
        with self.engine.lock:
            return [state for name in self.engine.names() if (state := self.engine.get(name)) is not None]

    # -- internals ------------------------------------------------------------------------------
    @contextmanager
    def applying(self) -> Iterator[None]:
        """Hold the engine lock while a change is applied and journaled; tell the journal's listeners
        once the outermost `applying` ends (it nests: a refusal journaled inside one)."""
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        try:
            with self.engine.lock:
                yield
        finally:
            self._local.depth = depth
            if depth == 0:
                self.journal.flush()

    def _intercept(self, request: JobRequest, operation: Operation) -> Rejected | None:
        """An injected fault where daprd calls the Scheduler: raises its answer (after its delay,
        outside every lock), or returns it when the Scheduler still applies the write."""
        faults = self.faults
        return None if faults is None else faults.intercept(request, operation)

    def _check_name(self, request: JobRequest, name: str, operation: str) -> None:
        """GET/DELETE: gRPC refuses an empty name before the Scheduler (§5.2); then the validator."""
        protocol = request.wire.protocol
        if protocol == "grpc" and not name:
            raise rows.NAME_EMPTY.reject(self.contract.errors, protocol, why="the job name is empty")
        self.contract.check_name(name, operation, protocol)  # type: ignore[arg-type]

    def now(self) -> datetime:
        """The virtual time as a datetime; the last one is reused while the clock stands still."""
        ns = self.clock.now_ns()
        last_ns, last = self._last_now
        if ns == last_ns:
            return last
        at = ns_to_datetime(ns)
        self._last_now = (ns, at)
        return at

    def _reject(self, request: JobRequest, operation: Operation, draft: _Draft, rejected: Rejected) -> Answer:
        error = rejected.error
        wire = request.wire
        with self.applying():
            call = self._record(
                request, operation, draft, wire.error_status(error), wire.error_response(error), rejected
            )
        return Answer(call, error=error)

    def _record(
        self,
        request: JobRequest,
        operation: Operation,
        draft: _Draft,
        status: int,
        response: Any,
        rejected: Rejected | None = None,
    ) -> Call:
        protocol = request.wire.protocol
        violations: tuple[Violation, ...] = ()
        if rejected is not None and rejected.violation:
            violations = (
                Violation(
                    request.described,
                    rejected.location(protocol, operation),
                    rejected.rule,
                    rejected.explanation,
                    rejected.hint(protocol, request.client),
                    rejected.row.section,
                ),
            )
        warnings: tuple[ContractWarning, ...] = ()
        if draft.suspicions:
            warnings = tuple(
                ContractWarning(
                    request.described,
                    s.location,
                    s.rule,
                    s.message,
                    s.hint(protocol, request.client),
                    s.row.section,
                )
                for s in draft.suspicions
            )
        return self.journal.record_call(
            protocol=protocol,
            operation=operation,
            job_name=draft.name,
            request=request.described,
            body=draft.body,
            spec=draft.spec,
            status=status,
            response=response,
            at=self.now(),
            error_code=rejected.error.error_code if rejected else None,
            violations=violations,
            warnings=warnings,
            injected=getattr(rejected, "injected", None),
            hint=rejected.hint(protocol, request.client) if rejected is not None else None,
        )
