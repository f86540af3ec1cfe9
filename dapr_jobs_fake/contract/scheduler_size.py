"""The byte sizes of what the Scheduler sends and receives for one job, and the limits that refuse it.

A job of about 2 MiB is refused though daprd took its body (§13): not by daprd, which never limits what
it sends the Scheduler, but by gRPC limits behind it (read in dapr/dapr, go-etcd-cron and etcd at each
version's tags; the answers recorded on 1.14.4 to 1.18.3, conformance `bodies/scheduler-message-*`):

- the Scheduler stores a job with one etcd request, and its etcd client sends at most 2 MiB (etcd
  clientv3 `defaultMaxCallSendMsgSize`; the Scheduler sets no other): `ResourceExhausted` "trying to
  send message larger than max (N vs. 2097152)", every version;
- 1.14 only: the Scheduler's gRPC server takes at most 4 MiB from daprd (grpc-go's default receive
  limit; 1.15+ raise it), "grpc: received message larger than max (N vs. 4194304)", and its embedded
  etcd refuses a request over 1.5 MiB (`MaxRequestBytes`; 1.15+ raise it), `Unknown` "etcdserver:
  request is too large".

N is the protobuf size of the message, worked out here field by field:

- daprd -> Scheduler (1.14): `scheduler.v1.ScheduleJobRequest{name, job{schedule, repeats, due_time, ttl,
  data}, metadata{app_id, namespace, target{job{}}}}`;
- Scheduler -> etcd: a `PutRequest{key, value}` (1.14, 1.15, and 1.16+ with overwrite), else (1.16+) a
  `TxnRequest` that puts it if the key is absent (go-etcd-cron `PutIfNotExists`). The key is
  `dapr/jobs/app||<namespace>||<app>||<name>`; the value go-etcd-cron's stored job: a random partition
  id (uint32 in 1.14, uint64 after), the begin time (whole seconds before go-etcd-cron v0.9.0), the
  expiration (with a ttl) and the `api.Job` with the metadata `Any`, the data `Any` and (1.15+) the
  failure policy, the default one when none is given.

The partition id is random, so the real N varies by a byte or two between runs of the same job (the
recordings mask it): the fake counts its most likely width (uint64: 10 bytes; uint32: 5 bytes). The
embedded etcd measures its own raft request, a few bytes more than the Put the fake counts. The limits
and widths per version are profile fields (`scheduler_*`, `etcd_request_limit`).
"""

from __future__ import annotations

from typing import Any

from .model import VALUE_TYPE_URL, FailurePolicy, JobData, JobPlan, JobSpec
from .profiles import Profile
from .valuewire import encode_value

#: etcd clientv3's `defaultMaxCallSendMsgSize`: the Scheduler's etcd client sends at most this.
ETCD_CLIENT_SEND_LIMIT = 2 * 1024 * 1024
_METADATA_TYPE_URL = "type.googleapis.com/dapr.proto.scheduler.v1.JobMetadata"
_NS_PER_SECOND = 1_000_000_000


def varint_size(value: int) -> int:
    size = 1
    while value >= 0x80:
        value >>= 7
        size += 1
    return size


def field_size(length: int) -> int:
    """A length-delimited field of `length` bytes: one tag byte (fields 1 to 15), its length, them."""
    return 1 + varint_size(length) + length


def _string(text: str | None) -> int:
    """An optional string field: absent when None (proto3 `optional`), else written even when empty."""
    return 0 if text is None else field_size(len(text.encode("utf-8", "surrogatepass")))


def _any(type_url: str, value_size: int) -> int:
    """A `google.protobuf.Any` message: empty fields are not written."""
    return (field_size(len(type_url)) if type_url else 0) + (field_size(value_size) if value_size else 0)


def data_size(data: JobData | None) -> int | None:
    """The size of the job's data `Any` message, None without data."""
    if data is None:
        return None
    if data.raw is not None:
        return _any(data.type_url, len(data.raw))
    value = len(encode_value(data.json_value)) if data.type_url == VALUE_TYPE_URL else 0
    return _any(data.type_url, value)


def policy_size(policy: FailurePolicy) -> int:
    """`common.v1.JobFailurePolicy{drop{} | constant{interval, max_retries}}`."""
    if policy.kind != "constant":
        return field_size(0)  # drop: an empty message
    constant = 0
    if policy.interval_raw is not None or policy.interval_ns is not None:
        seconds, nanos = policy.interval_raw or divmod(policy.interval_ns or 0, _NS_PER_SECOND)
        interval = (1 + varint_size(seconds & (1 << 64) - 1) if seconds else 0) + (
            1 + varint_size(nanos & (1 << 64) - 1) if nanos else 0
        )
        constant += field_size(interval)
    if policy.max_retries is not None:
        constant += 1 + varint_size(policy.max_retries)
    return field_size(constant)


def _metadata(app_id: str, namespace: str) -> int:
    """`JobMetadata{app_id, namespace, target{job{}}}` (the target: 2 bytes)."""
    return field_size(len(app_id.encode())) + field_size(len(namespace.encode())) + 4


def _timing_fields(spec: JobSpec) -> int:
    """schedule, due_time, ttl and repeats: the same in daprd's job and in the one the Scheduler stores."""
    size = _string(spec.schedule) + _string(spec.due_time) + _string(spec.ttl)
    return size if spec.repeats is None else size + 1 + varint_size(spec.repeats)


def daprd_request_size(plan: JobPlan, app_id: str, namespace: str, data: int | None) -> int:
    """`scheduler.v1.ScheduleJobRequest` as daprd 1.14 sends it (what its Scheduler's server receives)."""
    spec = plan.spec
    job = _timing_fields(spec)
    if data is not None:
        job += field_size(data)
    return _string(spec.name) + field_size(job) + field_size(_metadata(app_id, namespace))


def _timestamp(ns: int, whole_seconds: bool) -> int:
    seconds, nanos = divmod(ns, _NS_PER_SECOND)
    return 1 + varint_size(seconds) + (0 if whole_seconds or not nanos else 1 + varint_size(nanos))


def etcd_request_size(plan: JobPlan, profile: Profile, app_id: str, namespace: str, data: int | None) -> int:
    """The etcd request that stores the job: a Put, or (1.16+, no overwrite) a put-if-absent Txn."""
    spec = plan.spec
    job = _timing_fields(spec)
    job += field_size(field_size(len(_METADATA_TYPE_URL)) + field_size(_metadata(app_id, namespace)))
    if data is not None:
        job += field_size(data)
    if profile.scheduler_stores_policy:
        job += field_size(policy_size(plan.failure_policy))
    whole = profile.truncate_creation
    begin = plan.begin_ns if plan.begin_ns is not None else plan.created_ns
    stored = 1 + profile.scheduler_partition_id_bytes + field_size(_timestamp(begin, whole))
    if plan.expiration_ns is not None:
        stored += field_size(_timestamp(plan.expiration_ns, whole))
    stored += field_size(job)
    key = len(f"dapr/jobs/app||{namespace}||{app_id}||{spec.name}".encode("utf-8", "surrogatepass"))
    put = field_size(key) + field_size(stored)
    if profile.overwrite_supported and not spec.overwrite:
        compare = 2 + field_size(key) + 2  # target CREATE, the key, create_revision 0
        return field_size(compare) + field_size(field_size(put))
    return put


#: More than every fixed field of both messages takes (tags, lengths, times, policy, metadata URL).
_ENVELOPE_BOUND = 1024


def _value_bound(value: Any, budget: int) -> int:
    """An upper bound of a JSON value's `google.protobuf.Value` size, cheap (no encoding), iterative;
    it stops counting once past `budget`. Each node: at most 12 bytes of tags and lengths, 9 of a
    number, 4 bytes a character of a string or key."""
    total, stack = 0, [value]
    while stack and total <= budget:
        node = stack.pop()
        total += 12
        if isinstance(node, str):
            total += 4 * len(node)
        elif isinstance(node, dict):
            total += sum(12 + 4 * len(str(key)) for key in node)
            stack.extend(node.values())
        elif isinstance(node, (list, tuple)):
            stack.extend(node)
        else:
            total += 9
    return total


def _surely_fits(plan: JobPlan, app_id: str, namespace: str, limit: int) -> bool:
    """Whether an upper bound of both messages is within `limit` (almost every job: no counting)."""
    spec = plan.spec
    texts = (spec.name, spec.schedule, spec.due_time, spec.ttl, app_id, namespace)
    budget = limit - _ENVELOPE_BOUND - 8 * sum(len(text) for text in texts if text)  # the key, twice
    data = plan.stored_data
    if data is None or budget < 0:
        return budget >= 0
    if data.raw is not None:
        return len(data.raw) + len(data.type_url) <= budget
    return len(data.type_url) + _value_bound(data.json_value, budget) <= budget


def refusal(plan: JobPlan, profile: Profile, app_id: str, namespace: str) -> tuple[str, str] | None:
    """(gRPC code, Go's words) of the first limit this job breaks on its way to etcd, or None."""
    limits = (profile.scheduler_receive_limit, profile.etcd_request_limit, ETCD_CLIENT_SEND_LIMIT)
    if _surely_fits(plan, app_id, namespace, min(limit for limit in limits if limit is not None)):
        return None
    data = data_size(plan.stored_data)
    if profile.scheduler_receive_limit is not None:
        received = daprd_request_size(plan, app_id, namespace, data)
        if received > profile.scheduler_receive_limit:
            limit = profile.scheduler_receive_limit
            return "RESOURCE_EXHAUSTED", f"grpc: received message larger than max ({received} vs. {limit})"
    sent = etcd_request_size(plan, profile, app_id, namespace, data)
    if sent > ETCD_CLIENT_SEND_LIMIT:
        limit = ETCD_CLIENT_SEND_LIMIT
        return "RESOURCE_EXHAUSTED", f"trying to send message larger than max ({sent} vs. {limit})"
    if profile.etcd_request_limit is not None and sent > profile.etcd_request_limit:
        return "UNKNOWN", "etcdserver: request is too large"
    return None
