"""Proto <-> model conversions for the gRPC sidecar: no server, no channel, no journal.

`grpc_api` turns a proto `Job` into the contract's protojson-named field dict with `job_fields` and
renders stored jobs back with `job_to_proto`; the stored `data` is packed by `contract.proto.data_to_any`,
the same `Any` the gRPC app delivery sends (contract §4, §10.2).

Needs the `grpc` extra (the stubs shipped in `dapr`, and protobuf); importing this module without it
raises an ImportError naming `pip install "dapr-jobs-fake[grpc]"`.
"""

from __future__ import annotations

from typing import Any

from ..contract.model import ECHOED_FIELDS, FailurePolicy, JobData, JobPlan
from ..contract.proto import GRPC_EXTRA_HINT, data_to_any
from ..golang.calendar import NS_PER_SECOND
from ..golang.protoduration import as_duration, duration_error

try:
    from dapr.proto import api_v1
    from dapr.proto import common_v1 as common_v1
    from google.protobuf import duration_pb2
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(f"{GRPC_EXTRA_HINT} ({exc})") from exc

#: grpc-gateway's `HTTPStatusFromCode` for the codes the sidecar answers with (the journal's `status`).
HTTP_OF_CODE = {
    "OK": 200,
    "INVALID_ARGUMENT": 400,
    "UNAUTHENTICATED": 401,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "INTERNAL": 500,
    "UNIMPLEMENTED": 501,
    # the codes an injected `DaprError` may carry (`fake.faults`)
    "CANCELLED": 499,
    "UNKNOWN": 500,
    "DEADLINE_EXCEEDED": 504,
    "PERMISSION_DENIED": 403,
    "RESOURCE_EXHAUSTED": 429,
    "FAILED_PRECONDITION": 400,
    "ABORTED": 409,
    "OUT_OF_RANGE": 400,
    "UNAVAILABLE": 503,
    "DATA_LOSS": 500,
}


def policy_from_proto(message: Any) -> FailurePolicy:
    """`common.v1.JobFailurePolicy` as the model's `FailurePolicy` (an empty one is kind "unset")."""
    kind = message.WhichOneof("policy")
    if kind == "drop":
        return FailurePolicy("drop")
    if kind != "constant":
        return FailurePolicy("unset")
    constant = message.constant
    interval, raw = None, None
    if constant.HasField("interval"):
        seconds, nanos = constant.interval.seconds, constant.interval.nanos
        if duration_error(seconds, nanos) is None:
            interval = seconds * NS_PER_SECOND + nanos
        else:  # stored and read back as sent; the Scheduler's clock reads it saturated (AsDuration)
            interval, raw = as_duration(seconds, nanos), (seconds, nanos)
    retries = constant.max_retries if constant.HasField("max_retries") else None
    return FailurePolicy("constant", interval_ns=interval, max_retries=retries, interval_raw=raw)


def policy_to_proto(policy: FailurePolicy) -> Any:
    if policy.kind == "drop":
        return common_v1.JobFailurePolicy(drop=common_v1.JobFailurePolicyDrop())
    if policy.kind == "unset":
        return common_v1.JobFailurePolicy()
    constant = common_v1.JobFailurePolicyConstant()
    if policy.interval_raw is not None:
        seconds, nanos = policy.interval_raw
        constant.interval.CopyFrom(duration_pb2.Duration(seconds=seconds, nanos=nanos))
    elif policy.interval_ns is not None:
        seconds, nanos = _split(policy.interval_ns)
        constant.interval.CopyFrom(duration_pb2.Duration(seconds=seconds, nanos=nanos))
    if policy.max_retries is not None:
        constant.max_retries = policy.max_retries
    return common_v1.JobFailurePolicy(constant=constant)


def job_fields(job: Any, *, overwrite: bool, with_policy: bool) -> dict[str, Any]:
    """A proto `Job` as the contract's field dict (protojson names; unset optionals left out).

    `data` is kept as a `JobData` (type URL and bytes verbatim, as the Scheduler stores the `Any`);
    `failurePolicy` is dropped for versions whose proto lacks it (before 1.16), like an unknown field.
    """
    fields: dict[str, Any] = {}
    has = job.HasField
    for job_field in ECHOED_FIELDS:
        if has(job_field.proto_name):
            fields[job_field.json_name] = getattr(job, job_field.proto_name)
    if has("data"):
        data = job.data
        fields["data"] = JobData(type_url=data.type_url, raw=data.value)
    if with_policy and has("failure_policy"):
        fields["failurePolicy"] = policy_from_proto(job.failure_policy)
    if overwrite:
        fields["overwrite"] = True
    return fields


def job_to_proto(plan: JobPlan, *, with_policy: bool) -> Any:
    """The `Job` daprd answers GetJob/ListJobs with: fields as submitted, the stored data, and the
    effective policy where the version has the field (§4, §14)."""
    spec = plan.spec
    job = api_v1.Job(name=spec.name)
    for job_field in ECHOED_FIELDS:
        value = getattr(spec, job_field.attr)
        if value is not None:
            setattr(job, job_field.proto_name, value)
    if plan.stored_data is not None:
        job.data.CopyFrom(data_to_any(plan.stored_data))
    if with_policy:
        job.failure_policy.CopyFrom(policy_to_proto(plan.failure_policy))
    return job


def _split(ns: int) -> tuple[int, int]:
    """(seconds, nanos) of a Duration, nanos carrying the sign of seconds (`durationpb.New`)."""
    seconds, nanos = divmod(abs(ns), NS_PER_SECOND)
    return (-seconds, -nanos) if ns < 0 else (seconds, nanos)
