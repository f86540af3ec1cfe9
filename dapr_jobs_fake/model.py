"""The validated job model shared by every layer.

The contract layer turns an HTTP body or a gRPC message into a `JobSpec` (the job as the client
submitted it) and, at creation time, into a `JobPlan` (the spec with its times resolved against the
Scheduler clock). The engine only ever sees `JobPlan`s; the adapters render `JobSpec`s back.

Times inside the fake are integers: nanoseconds since the Unix epoch, UTC. Go (and so Dapr) keeps
nanoseconds, Python's `datetime` only microseconds; integers keep `@every 1ns` and `"0.000000001s"`
exact and make the trigger queue cheap to order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .cron import Schedule

NS_PER_SECOND = 1_000_000_000

#: The type URL daprd gives the `data` of every job created over HTTP (contract §4).
VALUE_TYPE_URL = "type.googleapis.com/google.protobuf.Value"


@dataclass(frozen=True)
class FailurePolicy:
    """`common.v1.JobFailurePolicy`: what the Scheduler does when a trigger fails (contract §10.4).

    `interval_ns` is None when the client left `interval` unset (the Scheduler then retries at once);
    `max_retries` is None when unset (retry forever). Kind "unset" is a policy object with neither
    `drop` nor `constant` set (`"failurePolicy": {}`): stored and shown as `{}`, and never retried
    (go-etcd-cron's policy switch has no case for it; inferred).
    """

    kind: Literal["drop", "constant", "unset"]
    interval_ns: int | None = None
    max_retries: int | None = None


#: The policy the Scheduler stores when a job has none (1.15+): constant, 1 s, 3 retries (§4, §10.4).
DEFAULT_FAILURE_POLICY = FailurePolicy("constant", interval_ns=NS_PER_SECOND, max_retries=3)


@dataclass(frozen=True)
class JobData:
    """The job's `data`, a `google.protobuf.Any` in the Scheduler.

    Jobs created over HTTP carry a `google.protobuf.Value`: `type_url` is `VALUE_TYPE_URL` and
    `json_value` holds the JSON value as sent. Jobs created over gRPC carry whatever `Any` the client
    built, kept verbatim in `type_url` and `raw` (the Python SDK sends an empty type URL).
    """

    type_url: str
    json_value: object = None
    raw: bytes | None = None

    @property
    def is_json_value(self) -> bool:
        return self.type_url == VALUE_TYPE_URL and self.raw is None


@dataclass(frozen=True)
class JobSpec:
    """A job as the client submitted it; strings are kept exactly as sent (GET echoes them, §4)."""

    name: str
    schedule: str | None = None
    repeats: int | None = None
    due_time: str | None = None
    ttl: str | None = None
    data: JobData | None = None
    failure_policy: FailurePolicy | None = None
    overwrite: bool = False


@dataclass(frozen=True)
class JobPlan:
    """A validated job with its times resolved at creation (go-etcd-cron `Builder.Parse`, §8).

    `created_ns` is the Scheduler's clock at creation truncated to the second; `begin_ns` the resolved
    `dueTime` (None without one); `expiration_ns` the resolved `ttl` (relative to `begin_ns` when a
    dueTime is set); `failure_policy` the effective policy (the default when none was given).
    """

    spec: JobSpec
    created_ns: int
    begin_ns: int | None
    expiration_ns: int | None
    schedule: Schedule | None
    failure_policy: FailurePolicy
