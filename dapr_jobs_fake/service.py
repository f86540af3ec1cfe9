"""The Jobs API operations, independent of protocol: what daprd plus the Scheduler do for each call.

The HTTP and gRPC adapters decode a request into a `JobSpec` (through the contract), call one method
here, and render the result or the `Rejected` error in their own shape. Every call lands in the
journal, with its findings, whichever protocol it came by.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .contract import Contract, Rejected, Suspicion
from .engine import Engine, JobState
from .journal import Call, Journal, Operation, Protocol
from .model import FailurePolicy, JobSpec
from .timefmt import ns_to_datetime
from .violations import ContractWarning, Violation


class JobsService:
    """Schedule, get, delete, list and delete-by-prefix over one engine, recorded in one journal."""

    def __init__(
        self, contract: Contract, engine: Engine, journal: Journal, now_ns: Callable[[], int]
    ) -> None:
        self.contract = contract
        self.engine = engine
        self.journal = journal
        self._now_ns = now_ns
        self._last_now: tuple[int, datetime] = (0, ns_to_datetime(0))

    def schedule(self, spec: JobSpec) -> None:
        """Create or (with overwrite, or before Dapr 1.16) replace a job; raises `Rejected`."""
        with self.engine.lock:
            plan = self.contract.plan(spec, self._now_ns())
            exists = self.engine.has(spec.name)
            if exists and self.contract.profile.overwrite_supported and not spec.overwrite:
                raise self.contract.already_exists(spec.name)
            self.engine.upsert(plan)

    def get(self, name: str, *, as_json: bool = True) -> tuple[JobSpec, FailurePolicy]:
        """The stored spec and effective failure policy; raises `Rejected` if missing or invalid.

        `as_json` (the HTTP API): daprd renders the job with protojson after the Scheduler answered,
        so a gRPC-created job whose `data` protojson cannot render fails with 500 (§4); gRPC reads
        pass False.
        """
        self.contract.check_name(name, "get")
        state = self.engine.get(name)
        if state is None:
            raise self.contract.not_found(name)
        spec = state.plan.spec
        if as_json and spec.data is not None and spec.data.raw is not None:
            self.contract.check_renderable(spec.data)
        return spec, state.plan.failure_policy

    def delete(self, name: str) -> bool:
        """Delete a job; deleting a missing job succeeds, as in etcd (§2). True if one existed."""
        self.contract.check_name(name, "delete")
        return self.engine.delete(name)

    def list_jobs(self) -> list[JobState]:
        with self.engine.lock:
            return [state for name in self.engine.names() if (state := self.engine.get(name)) is not None]

    def delete_prefix(self, prefix: str) -> list[str]:
        return self.engine.delete_prefix(prefix)

    # -- journal ------------------------------------------------------------------------------
    def now(self) -> datetime:
        """The virtual time as a datetime; the last one is reused while the clock stands still."""
        ns = self._now_ns()
        last_ns, last = self._last_now
        if ns == last_ns:
            return last
        at = ns_to_datetime(ns)
        self._last_now = (ns, at)
        return at

    def record(
        self,
        *,
        protocol: Protocol,
        operation: Operation,
        job_name: str | None,
        request: str,
        body: Any,
        spec: JobSpec | None,
        status: int,
        response: Any,
        rejected: Rejected | None = None,
        suspicions: list[Suspicion] | None = None,
    ) -> Call:
        """Journal one answered call, turning a rejection into a Violation and suspicions into warnings."""
        violations: tuple[Violation, ...] = ()
        if rejected is not None and rejected.violation:
            violations = (
                Violation(
                    request,
                    rejected.location,
                    rejected.rule,
                    rejected.explanation,
                    rejected.hint,
                    rejected.section,
                ),
            )
        warnings: tuple[ContractWarning, ...] = ()
        if suspicions:
            warnings = tuple(
                ContractWarning(request, s.location, s.rule, s.message, s.hint) for s in suspicions
            )
        return self.journal.record(
            protocol=protocol,
            operation=operation,
            job_name=job_name,
            request=request,
            body=body,
            spec=spec,
            status=status,
            response=response,
            at=self.now(),
            error_code=rejected.error.error_code if rejected else None,
            violations=violations,
            warnings=warnings,
        )
