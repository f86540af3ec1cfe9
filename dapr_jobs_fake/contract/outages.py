"""What daprd answers when the Scheduler cannot answer, per version, as data: the answers `fake.faults`
injects for its named conditions (contract §5.2, "Scheduler unreachable").

- `unreachable`: the Scheduler process is gone (stopped, crashed, not started yet). daprd's Schedule,
  Get and Delete wait for it (gRPC `WaitForReady`) inside a 30 s deadline (`rpcTimeout`,
  `D@v1.18.3:pkg/api/universal/jobs.go`), then answer the balancer's last dial error wrapped as each
  operation wraps Scheduler errors (`D@v1.18.3:pkg/api/errors/scheduler.go`). Recorded with the
  Scheduler process stopped on 1.14.4, 1.16.8, 1.17.5 and 1.18.3 (conformance recordings, area
  `outage`): HTTP POST 504 from 1.16 (500 before, `post_status_from_grpc_code`), GET and DELETE 500;
  gRPC ScheduleJob `DEADLINE_EXCEEDED` from 1.16 (`INTERNAL` before), GetJob and DeleteJob `INTERNAL`;
  an ErrorInfo either way. Dapr 1.15.0 to 1.15.5 wait for a Scheduler client with the request's own
  context, which has no deadline (`D@v1.15.4:pkg/api/universal/jobs.go`, `a.scheduler.Next(ctx)`), so
  they never answer (`Profile.scheduler_outage` "hang"): recorded on 1.15.4, whose HTTP clients timed out
  at 90 s, whose gRPC clients saw their own deadline, and whose `GET /v1.0/healthz` answered 500
  `ERR_HEALTH_NOT_READY` meanwhile. From 1.15.6 the wait is inside the 30 s deadline
  (`D@v1.15.6:pkg/runtime/scheduler/internal/clients/wrapper/wrapper.go:call`), so the fake answers as
  1.16 does, with 1.15's 500 for POST (inferred, not recorded).
  ListJobs and DeleteJobsByPrefix (1.17+) call the Scheduler without `WaitForReady`, so they fail at
  once with `Unavailable` and the dial error, `INTERNAL` (recorded on 1.17.5 and 1.18.3).
- `unresponsive`: the Scheduler process hangs (it keeps its connection but answers nothing, recorded by
  pausing it with SIGSTOP). From 1.16.2 daprd's Scheduler client sends keepalive pings
  (`D@v1.16.2:pkg/scheduler/client/client.go`, `Profile.scheduler_keepalive`) and gives up after 15 s:
  `code = Unavailable desc = keepalive ping failed to receive ACK within timeout`, POST 503, gRPC
  ScheduleJob `UNAVAILABLE`, everything else 500 `INTERNAL` (recorded on 1.16.8, 1.17.5, 1.18.3). Before,
  the call waits out the 30 s deadline: `timeout`'s answer (recorded on 1.14.4 and 1.15.4). Nothing is
  stored.
- `timeout`: the Scheduler does not answer within daprd's 30 s: grpc-go's text for an expired deadline,
  `code = DeadlineExceeded desc = context deadline exceeded`, POST 504 from 1.16 (500 before), GET and
  DELETE 500 (recorded on 1.14.4 and 1.15.4 with a hung Scheduler; from 1.16.2 what a Scheduler gives
  that answers keepalives but not the call, e.g. one waiting on etcd: inferred).

The dial error names the Scheduler's address, `127.0.0.1:<its port>` in the recordings; the fake names
`127.0.0.1:50006`, the Scheduler's default `--port` (`D@v1.18.3:cmd/scheduler/options/options.go`),
unless the fault gives another. daprd waits the 30 s before answering; the fake answers at once unless
the fault has a `delay` (`delay=30` reproduces it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import DaprError, ErrorCatalogue, Rejected, Row

#: The named conditions a fault can reproduce.
Condition = Literal["unreachable", "unresponsive", "timeout"]
CONDITIONS: tuple[Condition, ...] = ("unreachable", "unresponsive", "timeout")
#: The Jobs operations a fault can hit (the journal's names; `delete_prefix` is DeleteJobsByPrefix).
FaultOperation = Literal["schedule", "get", "delete", "list", "delete_prefix"]
OPERATIONS: tuple[FaultOperation, ...] = ("schedule", "get", "delete", "list", "delete_prefix")
#: The Scheduler address the dial error names (the Scheduler's default port).
DEFAULT_SCHEDULER_ADDRESS = "127.0.0.1:50006"
#: daprd's deadline for one Scheduler call, in seconds (`rpcTimeout`).
RPC_TIMEOUT_SECONDS = 30.0
#: The gRPC status codes a `DaprError` may carry (grpc's `StatusCode` names).
GRPC_CODES = (
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
)  # fmt: skip

#: The words daprd puts before `due to:` and the errorCode suffix, per operation
#: (`SchedulerScheduleJob`, `SchedulerGetJob`, `SchedulerDeleteJob` (also DeleteJobsByPrefix),
#: `SchedulerListJobs`).
_WRAPPED = {
    "schedule": ("schedule job", "SCHEDULE_JOB"),
    "get": ("get job", "GET_JOB"),
    "delete": ("delete job", "DELETE_JOB"),
    "list": ("list jobs", "LIST_JOBS"),
    "delete_prefix": ("delete job", "DELETE_JOB"),
}
#: dapr/kit `grpccodes.HTTPStatusFromCode` for the codes these answers carry.
_HTTP_STATUS = {"DEADLINE_EXCEEDED": 504, "UNAVAILABLE": 503}
#: What the journal shows for each condition.
LABELS: dict[str, str] = {
    "unreachable": "the Scheduler is unreachable",
    "unresponsive": "the Scheduler hangs",
    "timeout": "the Scheduler did not answer in time",
    "error": "an injected error",
}

#: The row injected answers are journaled under: "state" (never a contract violation).
INJECTED = Row(
    "fault.injected",
    "§5.2",
    "name",
    "an injected fault answered this call ({label})",
    kind="state",
)


@dataclass(eq=False)
class InjectedFailure(Rejected):
    """A refusal made by an injected fault, not by the contract: the journal marks it `injected`."""

    injected: str = "an injected fault"


def dial_error(address: str = DEFAULT_SCHEDULER_ADDRESS) -> str:
    """grpc-go's error for a refused connection to the Scheduler."""
    return (
        f'connection error: desc = "transport: Error while dialing: dial tcp {address}: connect: '
        'connection refused"'
    )


def scheduler_error(errors: ErrorCatalogue, operation: FaultOperation, code: str, desc: str) -> DaprError:
    """`failed to <op> due to: rpc error: code = <code> desc = <desc>`, as daprd wraps it (§5.2):
    POST takes the code's HTTP status from 1.16 (`SchedulerScheduleJob`), everything else is 500
    `INTERNAL`."""
    words, suffix = _WRAPPED[operation]
    status, grpc_code = 500, "INTERNAL"
    if operation == "schedule" and errors.profile.post_status_from_grpc_code and code in _HTTP_STATUS:
        status, grpc_code = _HTTP_STATUS[code], code
    message = f"failed to {words} due to: {errors.rpc_error(code, desc)}"
    return errors.kit(status, grpc_code, suffix, message)


def condition_error(
    errors: ErrorCatalogue,
    operation: FaultOperation,
    condition: Condition,
    address: str = DEFAULT_SCHEDULER_ADDRESS,
) -> DaprError | None:
    """daprd's answer to `operation` under `condition`, or None when this version never answers
    (`Profile.scheduler_outage` "hang": the call waits until the Scheduler is back)."""
    deadline = ("DEADLINE_EXCEEDED", "context deadline exceeded")
    if condition == "unresponsive" and errors.profile.scheduler_keepalive:
        return scheduler_error(
            errors, operation, "UNAVAILABLE", "keepalive ping failed to receive ACK within timeout"
        )
    if condition in ("timeout", "unresponsive"):
        return scheduler_error(errors, operation, *deadline)
    if operation in ("list", "delete_prefix"):  # no WaitForReady: fails at once
        return scheduler_error(errors, operation, "UNAVAILABLE", dial_error(address))
    if errors.profile.scheduler_outage == "hang":
        return None
    return scheduler_error(
        errors, operation, "DEADLINE_EXCEEDED", f"latest balancer error: {dial_error(address)}"
    )


#: What daprd 1.15.0 to 1.15.5 answer `GET /v1.0/healthz` with while the Scheduler is gone (recorded
#: on 1.15.4; `ERR_HEALTH_NOT_READY`, §12).
NOT_READY = DaprError(500, "UNAVAILABLE", "ERR_HEALTH_NOT_READY", "dapr is not ready")
#: What a gRPC client without a deadline gets when the fake stops waiting for a Scheduler that never
#: comes back (a 1.15.0 to 1.15.5 outage, past the fault's wait): the words of a client's own deadline.
NO_ANSWER = DaprError(0, "DEADLINE_EXCEEDED", "", "Deadline Exceeded")
