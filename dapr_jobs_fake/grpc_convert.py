"""Proto <-> model conversions for the gRPC adapters: no server, no channel, no journal.

`grpc_api` (the sidecar's `Dapr` service) turns a proto `Job` into the contract's protojson-named
field dict with `job_fields` and renders stored jobs back with `job_to_proto`; `grpc_app` (delivery
to a gRPC app) builds each `JobEventRequest` with `job_event_request`. Both pack the stored `data`
with `data_to_any`, so a job reads back and is delivered with the same `Any` (contract §4, §10.2).

Needs the `grpc` extra (the stubs shipped in `dapr`, and protobuf); importing this module without it
raises an ImportError naming `pip install "dapr-jobs-fake[grpc]"`.
"""

from __future__ import annotations

from typing import Any

from .model import NS_PER_SECOND, VALUE_TYPE_URL, FailurePolicy, JobData, JobSpec

GRPC_EXTRA_HINT = 'gRPC support needs the grpc extra: pip install "dapr-jobs-fake[grpc]"'

try:
    from dapr.proto import api_v1, appcallback_v1
    from dapr.proto import common_v1 as common_v1
    from google.protobuf import any_pb2, duration_pb2, json_format, struct_pb2
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
}
_POST = common_v1.HTTPExtension.POST


def policy_from_proto(message: Any) -> FailurePolicy:
    """`common.v1.JobFailurePolicy` as the model's `FailurePolicy` (an empty one is kind "unset")."""
    kind = message.WhichOneof("policy")
    if kind == "drop":
        return FailurePolicy("drop")
    if kind != "constant":
        return FailurePolicy("unset")
    constant = message.constant
    interval = None
    if constant.HasField("interval"):
        interval = constant.interval.seconds * NS_PER_SECOND + constant.interval.nanos
    retries = constant.max_retries if constant.HasField("max_retries") else None
    return FailurePolicy("constant", interval_ns=interval, max_retries=retries)


def policy_to_proto(policy: FailurePolicy) -> Any:
    if policy.kind == "drop":
        return common_v1.JobFailurePolicy(drop=common_v1.JobFailurePolicyDrop())
    if policy.kind == "unset":
        return common_v1.JobFailurePolicy()
    constant = common_v1.JobFailurePolicyConstant()
    if policy.interval_ns is not None:
        seconds, nanos = divmod(policy.interval_ns, NS_PER_SECOND)
        constant.interval.CopyFrom(duration_pb2.Duration(seconds=seconds, nanos=nanos))
    if policy.max_retries is not None:
        constant.max_retries = policy.max_retries
    return common_v1.JobFailurePolicy(constant=constant)


def data_to_any(data: JobData) -> Any:
    """The stored `Any`: verbatim for gRPC-created jobs; a `google.protobuf.Value` for HTTP ones (§4)."""
    if data.raw is not None:
        return any_pb2.Any(type_url=data.type_url, value=data.raw)
    value = struct_pb2.Value()
    json_format.ParseDict(data.json_value, value)
    return any_pb2.Any(type_url=VALUE_TYPE_URL, value=value.SerializeToString())


def job_fields(job: Any, *, overwrite: bool, with_policy: bool) -> dict[str, Any]:
    """A proto `Job` as the contract's field dict (protojson names; unset optionals left out).

    `data` is kept as a `JobData` (type URL and bytes verbatim, as the Scheduler stores the `Any`);
    `failurePolicy` is dropped for versions whose proto lacks it (before 1.16), like an unknown field.
    """
    fields: dict[str, Any] = {}
    has = job.HasField
    if has("schedule"):
        fields["schedule"] = job.schedule
    if has("repeats"):
        fields["repeats"] = job.repeats
    if has("due_time"):
        fields["dueTime"] = job.due_time
    if has("ttl"):
        fields["ttl"] = job.ttl
    if has("data"):
        data = job.data
        fields["data"] = JobData(type_url=data.type_url, raw=data.value)
    if with_policy and has("failure_policy"):
        fields["failurePolicy"] = policy_from_proto(job.failure_policy)
    if overwrite:
        fields["overwrite"] = True
    return fields


def job_to_proto(spec: JobSpec, policy: FailurePolicy | None) -> Any:
    """The `Job` daprd answers GetJob/ListJobs with: fields as submitted, the effective policy (§4)."""
    job = api_v1.Job(name=spec.name)
    if spec.schedule is not None:
        job.schedule = spec.schedule
    if spec.repeats is not None:
        job.repeats = spec.repeats
    if spec.due_time is not None:
        job.due_time = spec.due_time
    if spec.ttl is not None:
        job.ttl = spec.ttl
    if spec.data is not None:
        job.data.CopyFrom(data_to_any(spec.data))
    if policy is not None:
        job.failure_policy.CopyFrom(policy_to_proto(policy))
    return job


def job_event_request(name: str, data: JobData | None) -> Any:
    """The `JobEventRequest` daprd sends an app for a trigger of job `name` (`grpc_channel.go:sendJob`):
    the stored `Any` as `data` and its type URL as `content_type`, method `job/<name>`, verb POST."""
    request = appcallback_v1.JobEventRequest(
        name=name, method="job/" + name, http_extension=common_v1.HTTPExtension(verb=_POST)
    )
    if data is not None:
        packed = data_to_any(data)
        request.data.CopyFrom(packed)
        request.content_type = packed.type_url
    return request
