"""API faults as data: `Fault` (what `fake.faults.fail` installs, what the `faults=` option and marker
take) and the JSON forms of both fault kinds (the CLI's control API, `fault_from_json`)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ..contract.errors import DaprError
from ..contract.outages import (
    CONDITIONS,
    DEFAULT_SCHEDULER_ADDRESS,
    GRPC_CODES,
    LABELS,
    OPERATIONS,
    Condition,
    FaultOperation,
)
from ..delivery.faults import AppFault, check_window

#: The longest `delay` a fault may ask for (and how long a 1.15.0-1.15.5 outage holds a call when no
#: delay is given), in seconds: long enough for daprd's 30 s, short enough that no test hangs for good.
MAX_DELAY = 120.0
HANG_LIMIT = 60.0
ProtocolChoice = Literal["http", "grpc", "both"]
#: Operations that change state: only they can be `applied` (the Scheduler did it, the caller timed out).
WRITES = ("schedule", "delete", "delete_prefix")


def operations_of(value: str | Sequence[str]) -> tuple[FaultOperation, ...]:
    """`"schedule"`, `["get", "delete"]`, or `"all"` / `"*"` (every operation), checked."""
    names = [value] if isinstance(value, str) else list(value)
    if any(name in ("all", "*") for name in names):
        return OPERATIONS
    unknown = [n for n in names if n not in OPERATIONS]
    if unknown or not names:
        raise ValueError(
            f"unknown operation(s) {unknown or names!r}; known: {', '.join(OPERATIONS)} (or 'all')"
        )
    return tuple(n for n in OPERATIONS if n in names)


@dataclass(frozen=True)
class Fault:
    """Make Jobs API calls fail: which ones, how, and for how long.

    - `operations`: "schedule", "get", "delete", "list", "delete_prefix", a list of them, or "all";
      `protocol`: "http", "grpc" or "both"; `job`: only calls for this job name (None: any).
    - how: `condition` "unreachable" (the Scheduler process is gone), "unresponsive" (it hangs) or
      "timeout" (it does not answer within daprd's 30 s), answered exactly as the emulated daprd answers
      it (`contract.outages`); or `error`, any `DaprError` the test builds.
    - for how long: the next `times` matching calls, or for `seconds` of wall time, or until cleared.
    - `delay`: seconds to wait before answering (at most `MAX_DELAY`; daprd waits 30 s for a Scheduler
      that is gone, the fake answers at once unless told). A call waiting out its delay is served
      normally when the fault is cleared meanwhile, as daprd serves it when the Scheduler comes back.
    - `applied`: with "timeout" or `error` on a write, the Scheduler carries the request out anyway and
      only the answer is lost (a POST that timed out, whose job exists).
    - `scheduler_address`: the address the dial error of "unreachable" names.
    """

    operations: str | Sequence[str] = OPERATIONS
    condition: Condition | None = "unreachable"
    error: DaprError | None = None
    protocol: ProtocolChoice = "both"
    job: str | None = None
    times: int | None = None
    seconds: float | None = None
    delay: float = 0.0
    applied: bool = False
    scheduler_address: str = field(default=DEFAULT_SCHEDULER_ADDRESS)

    def __post_init__(self) -> None:
        object.__setattr__(self, "operations", operations_of(self.operations))
        if self.error is not None:
            if not isinstance(self.error, DaprError):
                raise ValueError(f"error must be a DaprError, not {type(self.error).__name__}")
            if self.error.grpc_code not in GRPC_CODES:
                raise ValueError(f"the error's grpc_code must be one of {', '.join(GRPC_CODES)}")
            object.__setattr__(self, "condition", None)
        elif self.condition not in CONDITIONS:
            raise ValueError(
                f"condition must be one of {', '.join(CONDITIONS)} (or give error=DaprError(...))"
            )
        if self.protocol not in ("http", "grpc", "both"):
            raise ValueError(f"protocol must be 'http', 'grpc' or 'both', not {self.protocol!r}")
        check_window(self.times, self.seconds)
        if isinstance(self.delay, bool) or not (
            isinstance(self.delay, (int, float)) and 0 <= self.delay <= MAX_DELAY
        ):
            raise ValueError(f"delay must be 0 to {MAX_DELAY:g} seconds, not {self.delay!r}")
        if self.applied and self.condition in ("unreachable", "unresponsive"):
            raise ValueError(
                "applied=True needs condition='timeout' or an error: a Scheduler that is gone or hangs "
                "applies nothing"
            )
        if self.job is not None and not isinstance(self.job, str):
            raise ValueError(f"job must be a job name or None, not {self.job!r}")

    @property
    def label(self) -> str:
        """What the journal says about calls this fault answered."""
        what = LABELS[self.condition or "error"]
        return f"{what} (applied)" if self.applied else what

    def matches(self, operation: str, protocol: str, job: str | None) -> bool:
        return (
            operation in self.operations
            and self.protocol in ("both", protocol)
            and (self.job is None or self.job == job)
        )


# -- JSON (the control API) ---------------------------------------------------------------------------
_FAULT_KEYS = {
    "operations", "condition", "error", "protocol", "job", "times", "seconds", "delay", "applied",
    "schedulerAddress",
}  # fmt: skip
_APP_KEYS = {"job", "times", "seconds", "status", "hang", "drop"}
_ERROR_KEYS = {"httpStatus", "grpcCode", "errorCode", "message", "shape", "metadata"}


def fault_from_json(body: dict[str, Any]) -> Fault:
    """A `Fault` from the control API's JSON (camelCase keys); ValueError says what is wrong."""
    _known(body, _FAULT_KEYS, "fault")
    kwargs: dict[str, Any] = {
        "operations": body.get("operations", "all"),
        "protocol": body.get("protocol", "both"),
        "job": body.get("job"),
        "times": body.get("times"),
        "seconds": _number(body.get("seconds"), "seconds"),
        "delay": _number(body.get("delay", 0), "delay"),
        "applied": _flag(body.get("applied", False), "applied"),
        "scheduler_address": str(body.get("schedulerAddress") or DEFAULT_SCHEDULER_ADDRESS),
    }
    if body.get("error") is not None:
        kwargs["error"] = error_from_json(body["error"])
    else:
        kwargs["condition"] = body.get("condition", "unreachable")
    if not isinstance(kwargs["operations"], (str, list)):
        raise ValueError('operations is "all", an operation name or a list of them')
    try:
        return Fault(**kwargs)
    except TypeError as err:
        raise ValueError(str(err)) from None


def app_fault_from_json(body: dict[str, Any]) -> AppFault:
    _known(body, _APP_KEYS, "app fault")
    return AppFault(
        job=body.get("job"),
        times=body.get("times"),
        seconds=_number(body.get("seconds"), "seconds"),
        status=body.get("status"),
        hang=_flag(body.get("hang", False), "hang"),
        drop=_flag(body.get("drop", False), "drop"),
    )


def error_from_json(body: Any) -> DaprError:
    """`{"httpStatus": 503, "grpcCode": "UNAVAILABLE", "errorCode": "...", "message": "..."}`."""
    if not isinstance(body, dict):
        raise ValueError("error is an object: {httpStatus, grpcCode, errorCode, message}")
    _known(body, _ERROR_KEYS, "error")
    status = body.get("httpStatus", 500)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise ValueError(f"error.httpStatus must be an HTTP status (100 to 599), not {status!r}")
    code = body.get("grpcCode", "INTERNAL")
    shape = body.get("shape", "kit" if body.get("metadata") else "api")
    if shape not in ("kit", "api"):
        raise ValueError("error.shape is 'kit' (with ErrorInfo details) or 'api'")
    metadata = body.get("metadata") or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise ValueError("error.metadata is an object of strings")
    for key in ("errorCode", "message"):
        if not isinstance(body.get(key, ""), str):
            raise ValueError(f"error.{key} is a string")
    return DaprError(
        status,
        str(code),
        body.get("errorCode", ""),
        body.get("message", ""),
        shape=shape,
        metadata=tuple(sorted(metadata.items())),
    )


def fault_json(fault: Any) -> dict[str, Any]:
    """An installed fault as the control API lists it."""
    spec = fault.spec
    answer: dict[str, Any] = {
        "id": fault.id,
        "kind": "app" if isinstance(spec, AppFault) else "api",
        "active": fault.active,
        "hits": fault.hits,
        "remaining": fault.remaining,
        "job": spec.job,
        "times": spec.times,
        "seconds": spec.seconds,
    }
    if isinstance(spec, AppFault):
        answer["does"] = spec.describe()
    else:
        answer.update(
            operations=list(spec.operations),
            protocol=spec.protocol,
            condition=spec.condition,
            error=None if spec.error is None else str(spec.error),
            delay=spec.delay,
            applied=spec.applied,
        )
    return answer


def _known(body: dict[str, Any], known: set[str], what: str) -> None:
    unknown = sorted(set(body) - known)
    if unknown:
        raise ValueError(f"unknown {what} key(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")


def _number(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{name} is a number of seconds, not {value!r}")
    return float(value)


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} is true or false, not {value!r}")
    return value
