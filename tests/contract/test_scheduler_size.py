"""A job too large for the Scheduler (§13): the limits behind daprd and the sizes they measure.

The sizes are worked out from the protos at each version's tags (dapr/dapr `pkg/scheduler/server`,
go-etcd-cron `internal/api`, `internal/key`, `stored.Job`; etcd clientv3 `defaultMaxCallSendMsgSize`,
embedded etcd `MaxRequestBytes`), and checked on the conformance bodies: what they answer on real
1.14.4 to 1.18.3 is replayed in tests/conformance (`bodies/scheduler-message-*`,
`bodies/just-under-4-mib`). Here: the exact sizes, the boundaries, and both protocols.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.contract import scheduler_size
from dapr_jobs_fake.contract.errors import Rejected
from dapr_jobs_fake.contract.model import FailurePolicy
from dapr_jobs_fake.contract.profiles import get_profile
from dapr_jobs_fake.contract.rules import Contract
from dapr_jobs_fake.contract.valuewire import encode_value

MIB = 1024 * 1024
#: A creation time whose nanoseconds take a 5-byte varint, as about 3 runs in 4 of the real one do.
NOW = 1_900_000_000 * 10**9 + 500_000_000


def refusal(version: str, name: str, data_chars: int, **fields: Any) -> str | None:
    """What the Scheduler says of `{"dueTime": "1h", "data": "<data_chars x v>", **fields}`."""
    contract = Contract(get_profile(version), "conformance", "default")
    body = json.dumps({"dueTime": "1h", "data": "v" * data_chars, **fields}).encode()
    try:
        contract.plan(contract.decode_http_schedule(name, body).spec, NOW, "http")
    except Rejected as refused:
        assert refused.rule == "job.too-large" and refused.violation
        return refused.error.message
    return None


SEND = (
    "failed to schedule job due to: rpc error: code = ResourceExhausted desc = "
    "trying to send message larger than max"
)


@pytest.mark.parametrize(
    ("version", "size"),
    [
        # TxnRequest{compare{CREATE, key, 0}, success{put}}: the Put + 71 bytes (go-etcd-cron PutIfNotExists)
        ("1.18.3", 2_097_460),
        ("1.16.8", 2_097_460),
        # a PutRequest; go-etcd-cron v0.4.4 truncates the begin time to the second (no nanos field)
        ("1.15.4", 2_097_389),
        # a uint32 partition id (5 bytes) and no stored failure policy (go-etcd-cron v0.2.3)
        ("1.14.4", 2_097_374),
    ],
)
def test_the_etcd_request_size_is_counted_field_by_field(version: str, size: int) -> None:
    assert refusal(version, "bd-2m-over", 2 * MIB) == f"{SEND} ({size} vs. 2097152)"


def test_1_14_takes_at_most_4_mib_from_daprd_and_1_5_mib_into_etcd() -> None:
    """daprd's ScheduleJobRequest is 4,194,337 bytes + the name for a 4 MiB - 64 string; 1.15+ raised
    both limits (Scheduler server MaxRecvMsgSize, etcd MaxRequestBytes), leaving the etcd client's."""
    received = (
        "failed to schedule job due to: rpc error: code = ResourceExhausted desc = grpc: received message"
    )
    assert refusal("1.14.4", "bd-under", 4 * MIB - 64) == f"{received} larger than max (4194345 vs. 4194304)"
    too_large = (
        "failed to schedule job due to: rpc error: code = Unknown desc = etcdserver: request is too large"
    )
    assert refusal("1.14.4", "bd-2m-under", 2 * MIB - 1024) == too_large
    assert refusal("1.14.4", "small", 1536 * 1024 - 400) is None
    assert refusal("1.15.4", "bd-2m-under", 2 * MIB - 1024) is None


def test_the_boundary_is_the_limit_to_the_byte() -> None:
    """301 bytes of envelope at the limit (308 at 2 MiB of data, where the lengths' varints grow a byte):
    2 MiB - 301 characters is the largest string, one more makes the request one byte too large."""
    assert refusal("1.18", "bd-2m-over", 2 * MIB - 301) is None
    assert refusal("1.18", "bd-2m-over", 2 * MIB - 300) == f"{SEND} (2097153 vs. 2097152)"


def test_overwrite_sends_a_plain_put_71_bytes_smaller() -> None:
    """From 1.16, only a create-if-absent goes through a Txn (go-etcd-cron `PutIfNotExists`)."""
    assert refusal("1.18", "bd-2m-over", 2 * MIB - 300, overwrite=True) is None
    assert refusal("1.18", "bd-2m-over", 2 * MIB - 300) == f"{SEND} (2097153 vs. 2097152)"


def test_every_field_of_the_stored_job_counts() -> None:
    base = refusal("1.18", "j", 2 * MIB)
    longer = refusal("1.18", "j", 2 * MIB, schedule="@every 1h", ttl="2h", repeats=3)
    assert base and longer
    size = int(base.rsplit("(", 1)[1].split(" ")[0])
    # schedule 11 bytes, ttl 4, repeats 2, and the expiration Timestamp the ttl adds (14, with nanos)
    assert longer.endswith(f"({size + 11 + 4 + 2 + 14} vs. 2097152)")


def test_policy_sizes() -> None:
    assert scheduler_size.policy_size(FailurePolicy("drop")) == 2
    default = FailurePolicy("constant", interval_ns=10**9, max_retries=3)
    assert scheduler_size.policy_size(default) == 8  # constant{interval{seconds: 1}, max_retries: 3}
    # constant{interval{seconds: 1, nanos: 500000000}}: no max_retries field when unset
    assert scheduler_size.policy_size(FailurePolicy("constant", interval_ns=1_500_000_000)) == 12


@pytest.mark.parametrize(("version", "status"), [("1.18", 429), ("1.16", 429), ("1.15", 500), ("1.14", 500)])
def test_http_answers_429_from_1_16_and_500_before(version: str, status: int) -> None:
    with DaprJobsFake(dapr_version=version) as fake:
        body = {"dueTime": "1h", "data": "v" * (2 * MIB)}
        answer = requests.post(f"{fake.url}/v1.0-alpha1/jobs/big", json=body, timeout=30)
        assert answer.status_code == status
        assert "larger than max" in answer.json()["message"] or version == "1.14"
        assert list(fake.jobs) == []
        (violation,) = fake.violations
        assert violation.rule == "job.too-large"


def test_grpc_jobs_are_measured_too() -> None:
    grpc = pytest.importorskip("grpc")
    from dapr.proto import api_service_v1, api_v1
    from google.protobuf import any_pb2

    with (
        DaprJobsFake(grpc=True) as fake,
        grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as ch,
    ):
        stub = api_service_v1.DaprStub(ch)
        data = any_pb2.Any(
            type_url="type.googleapis.com/google.protobuf.BytesValue", value=b"\x0a" + b"x" * (3 * MIB)
        )
        with pytest.raises(grpc.RpcError) as raised:
            stub.ScheduleJob(api_v1.ScheduleJobRequest(job=api_v1.Job(name="big", due_time="1h", data=data)))
        assert raised.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert "trying to send message larger than max" in raised.value.details()
        assert list(fake.jobs) == []


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.floats(allow_nan=False)
    | st.integers(-(2**53), 2**53)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=30,
)


@given(JSON)
def test_the_cheap_bound_is_never_below_the_encoded_size(value: Any) -> None:
    """Small jobs skip the counting on a bound: it must hold for every JSON value."""
    assert scheduler_size._value_bound(value, 1 << 40) >= len(encode_value(value))
