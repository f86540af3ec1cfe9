"""The validated job model shared by every layer.

The contract layer turns an HTTP body or a gRPC message into a `JobSpec` (the job as the client
submitted it) and, at creation time, into a `JobPlan` (the spec with its times resolved against the
Scheduler clock). The engine only ever sees `JobPlan`s; the adapters render `JobSpec`s back.

Times inside the fake are integers: nanoseconds since the Unix epoch, UTC (`golang.calendar`).
`JOB_FIELDS` is the one list of the job's fields and their names on each wire: the decoder, the gRPC
conversions, the GET rendering, the journal's field matching and the control API all read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ..golang.calendar import NS_PER_SECOND

if TYPE_CHECKING:
    from ..golang.cron import Schedule

#: The type URL daprd gives the `data` of every job created over HTTP (contract §4).
VALUE_TYPE_URL = "type.googleapis.com/google.protobuf.Value"


@dataclass(frozen=True, slots=True)
class FailurePolicy:
    """`common.v1.JobFailurePolicy`: what the Scheduler does when a trigger fails (contract §10.4).

    `interval_ns` is None when the client left `interval` unset (the Scheduler then retries at once);
    `max_retries` is None when unset (retry forever). Kind "unset" is a policy object with neither
    `drop` nor `constant` set (`"failurePolicy": {}`), as a request carries it: the Scheduler stores the
    default policy instead (recorded from real 1.16.8 to 1.18.3, over HTTP and gRPC; `Contract.plan`).
    """

    kind: Literal["drop", "constant", "unset"]
    interval_ns: int | None = None
    max_retries: int | None = None
    #: The `interval` exactly as a gRPC client sent it, (seconds, nanos), when it is not a valid
    #: protobuf Duration (out of range, or signs that differ): the Scheduler stores it as is, gRPC
    #: reads return it, protojson cannot render it (§4), and `interval_ns` is what Go's saturating
    #: `AsDuration` makes of it. None for every valid interval.
    interval_raw: tuple[int, int] | None = None


#: The policy the Scheduler stores when a job has none (1.15+): constant, 1 s, 3 retries (§4, §10.4).
DEFAULT_FAILURE_POLICY = FailurePolicy("constant", interval_ns=NS_PER_SECOND, max_retries=3)


@dataclass(frozen=True, slots=True)
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

    @property
    def as_sent(self) -> object:
        """What the client sent: the JSON value (HTTP) or the `Any`'s raw bytes (gRPC)."""
        return self.json_value if self.raw is None else self.raw


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class JobPlan:
    """A validated job with its times resolved at creation (go-etcd-cron `Builder.Parse`, §8).

    `created_ns` is the Scheduler's clock at creation (truncated to the second where the profile says
    so); `begin_ns` the resolved
    `dueTime` (None without one); `expiration_ns` the resolved `ttl` (relative to `begin_ns` when a
    dueTime is set); `failure_policy` the effective policy (the default when none was given).
    """

    spec: JobSpec
    created_ns: int
    begin_ns: int | None
    expiration_ns: int | None
    schedule: Schedule | None
    failure_policy: FailurePolicy
    #: What the Scheduler stores as `data`: the spec's, except that a data-less job scheduled over HTTP
    #: on Dapr 1.14.3 to 1.18.2 stores a `google.protobuf.Value` with no kind (§1 corrections, §4).
    stored_data: JobData | None = None
    #: daprd's HTTP channel fails on a stored Value with no kind (before 1.18.3, §10.1).
    kindless_value_fails: bool = False
    #: Dapr 1.14.0 to 1.14.2 send the app Go's `json.Marshal` of the `Any`:
    #: `{"type_url": ..., "value": <base64>}` (§10.1).
    go_json_any_body: bool = False
    _http_body: tuple[bytes, str | None] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.stored_data is None:  # the common case: stored as sent
            object.__setattr__(self, "stored_data", self.spec.data)

    @property
    def http_body(self) -> tuple[bytes, str | None]:
        """The body daprd's HTTP channel sends the app for this job, or why it cannot build one
        (`http_channel.go:constructJobRequest`); computed on first use, once per job."""
        cached = self._http_body
        if cached is None:
            from .protojson import UnrenderableData, http_job_body

            try:
                body = http_job_body(
                    self.stored_data,
                    kindless_fails=self.kindless_value_fails,
                    go_json_any=self.go_json_any_body,
                )
                cached = (body, None)
            except UnrenderableData as err:
                cached = (b"", str(err))
            object.__setattr__(self, "_http_body", cached)
        return cached


#: What the Scheduler stores for a data-less job scheduled over HTTP on Dapr 1.14.3 to 1.18.2: the Any of
#: a nil `google.protobuf.Value` (`anypb.New(job.GetData())`, §4).
KINDLESS_VALUE = JobData(type_url=VALUE_TYPE_URL, raw=b"")


FieldKind = Literal["string", "uint32", "value", "policy", "bool"]


@dataclass(frozen=True)
class JobField:
    """One field of a job as the wires name it.

    `json_name`/`proto_name` are protojson's two accepted spellings (§3); `attr` the `JobSpec`
    attribute; `echoed` whether GET answers it as submitted (§4); `policy_era` whether it exists only
    where the profile exposes failure policies and overwrite (1.16+); `in_job` False for `overwrite`,
    which is a field of the request around the job, not of the job.
    """

    json_name: str
    proto_name: str
    attr: str
    kind: FieldKind
    echoed: bool = False
    policy_era: bool = False
    in_job: bool = True


#: The job's fields in proto field order (`dapr/proto/runtime/v1/jobs.proto`, `internals/v1/jobs.proto`).
JOB_FIELDS: tuple[JobField, ...] = (
    JobField("name", "name", "name", "string"),
    JobField("schedule", "schedule", "schedule", "string", echoed=True),
    JobField("repeats", "repeats", "repeats", "uint32", echoed=True),
    JobField("dueTime", "due_time", "due_time", "string", echoed=True),
    JobField("ttl", "ttl", "ttl", "string", echoed=True),
    JobField("data", "data", "data", "value"),
    JobField("failurePolicy", "failure_policy", "failure_policy", "policy", policy_era=True),
    JobField("overwrite", "overwrite", "overwrite", "bool", policy_era=True, in_job=False),
)
#: The scalar fields GET echoes exactly as submitted, in order (§4).
ECHOED_FIELDS = tuple(f for f in JOB_FIELDS if f.echoed)
#: Every spelling a test may use for a field (`due_time` or `dueTime`) -> the field.
FIELD_BY_NAME: dict[str, JobField] = {
    name: f for f in JOB_FIELDS for name in {f.json_name, f.proto_name, f.attr} if f.attr != "name"
}


def spec_value(spec: JobSpec, name: str) -> object:
    """A spec field as a test compares it: `data` as the JSON value (or raw bytes) that was sent."""
    value = getattr(spec, FIELD_BY_NAME[name].attr)
    return value.as_sent if isinstance(value, JobData) else value
