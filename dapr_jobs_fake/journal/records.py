"""What the journal keeps: one `Call` per answered request, one `TriggerRecord` per delivery attempt.

Both are immutable once made. `TriggerRecord` is defined by the engine layer (the clock makes it);
it is re-exported here because it is a journal record to everyone who reads one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ..contract.model import JobSpec
from ..engine.attempt import RecordKind, TriggerRecord
from ..engine.autoclock import ClockJump
from .findings import ContractWarning, Violation

__all__ = ["Call", "ClockJump", "Entry", "Operation", "Protocol", "RecordKind", "TriggerRecord"]

Protocol = Literal["http", "grpc"]
Operation = Literal["schedule", "get", "delete", "list", "delete_prefix", "other"]


@dataclass(frozen=True, slots=True)
class Call:
    """One request the fake answered.

    `seq` numbers calls from 1 in the order the fake applied them; `request` is a one-line description
    (`POST /v1.0/jobs/x`, `/dapr.proto.runtime.v1.Dapr/ScheduleJob`); `body` what was sent (parsed JSON,
    the gRPC job as protojson-named fields, or raw bytes); `spec` the job as understood; `status` the
    HTTP status (over gRPC: the HTTP status grpc-gateway maps the code to); `response` what was
    answered; `at` the virtual time; `violations`/`warnings` the contract findings; `hint`, for a
    refused call, what the caller could do instead (in its protocol's or SDK's words).
    """

    seq: int
    protocol: Protocol
    operation: Operation
    job_name: str | None
    request: str
    body: Any
    spec: JobSpec | None
    status: int
    response: Any
    at: datetime
    error_code: str | None = None
    violations: tuple[Violation, ...] = ()
    warnings: tuple[ContractWarning, ...] = ()
    hint: str | None = None
    #: What an injected fault (`fake.faults`) answered this call with, or None for a real answer.
    injected: str | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        outcome = f"{self.status}" + (f" {self.error_code}" if self.error_code else "")
        injected = f" (injected: {self.injected})" if self.injected else ""
        return f"#{self.seq} {self.request} -> {outcome}{injected}"


#: Anything the journal holds, in the order it happened.
Entry = Call | TriggerRecord | ClockJump
