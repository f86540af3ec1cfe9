"""The contract layer's encoders and validators in process: protojson writing, names, body decoding."""

from __future__ import annotations

import pytest

from dapr_jobs_fake.contract.decode import DecodeError, ValidBodies, decode_job_body
from dapr_jobs_fake.contract.model import FailurePolicy, JobData, JobPlan, JobSpec, spec_value
from dapr_jobs_fake.contract.names import invalid_name_reason
from dapr_jobs_fake.contract.profiles import DAPR_1_18, DOCS_1_14_ALPHA
from dapr_jobs_fake.contract.protojson import compact_json, go_float, job_json

KEY = "app||default||app||{}"


@pytest.mark.parametrize(
    ("value", "text"),
    [(1.0, "1"), (0.1, "0.1"), (1e21, "1e+21"), (1e-7, "1e-7"), (123456789.0, "123456789"), (-0.0, "-0")],
)
def test_go_float_writes_float64_as_protojson_does__s4(value: float, text: str) -> None:
    assert go_float(value) == text


def test_job_json_echoes_fields_in_proto_order_and_wraps_data__s4() -> None:
    spec = JobSpec(
        "j",
        schedule="@daily",
        repeats=3,
        due_time="10s",
        ttl="1h",
        data=JobData("type.googleapis.com/google.protobuf.Value", json_value={"b": 1, "a": 2}),
    )
    plan = JobPlan(spec, 0, None, None, None, FailurePolicy("drop"))
    body = compact_json(job_json(plan, DAPR_1_18))
    assert body == (
        b'{"name":"j","schedule":"@daily","repeats":3,"dueTime":"10s","ttl":"1h",'
        b'"data":{"@type":"type.googleapis.com/google.protobuf.Value","value":{"a":2,"b":1}},'
        b'"failurePolicy":{"drop":{}}}'
    )
    docs = compact_json(job_json(plan, DOCS_1_14_ALPHA))
    assert b'"data":{"b":1,"a":2}' in docs and b"failurePolicy" not in docs


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("fo.o", True), ("a_b:c-d", True), ("UPPER", True), ("fo...o", False), (".", False), ("foo.", False)],
)
def test_old_name_policy_is_dns1123_after_stripping__s6(name: str, accepted: bool) -> None:
    reason = invalid_name_reason(name, KEY.format(name), "dns1123-space")
    assert (reason is None) == accepted, reason


@pytest.mark.parametrize(
    ("name", "accepted"),
    [
        ("my||job@name", True),
        ("a/b", False),
        ("a\x00", False),
        ("\u0085", False),
        ("x" * 493, True),
        ("x" * 494, False),
    ],
)
def test_new_name_policy_refuses_only_unsafe_names__s6(name: str, accepted: bool) -> None:
    """go-etcd-cron v0.12.7 (1.18.3): the key `app||default||app||<name>` of at most 512 bytes."""
    assert (invalid_name_reason(name, KEY.format(name), "path-safe-unicode") is None) == accepted


def test_decode_keeps_fields_by_json_name_and_reports_dropped_keys__s3() -> None:
    decoded = decode_job_body(
        b'{"due_time": "1s", "extra": 1, "failure_policy": {"constant": {"max_retries": 2, "x": 0}}}',
        DAPR_1_18.schema_file,
        wrapper=None,
        policy_fields=True,
        valid_bodies=ValidBodies(),
    )
    assert decoded.fields == {"dueTime": "1s", "failurePolicy": {"constant": {"max_retries": 2, "x": 0}}}
    assert decoded.dropped_keys == ["$.extra", "$.failurePolicy.constant.x"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b'{"dueTime": "1s", "due_time": "2s"}', 'duplicate field "due_time"'),
        (b'{"dueTime": "1s", "dueTime": "2s"}', 'duplicate field "dueTime"'),
        (b'{"repeats": -1}', "invalid value for uint32 field repeats"),
        (b"[{}]", "unexpected token"),
    ],
)
def test_decode_refuses_what_protojson_refuses__s3(body: bytes, fragment: str) -> None:
    with pytest.raises(DecodeError) as raised:
        decode_job_body(
            body, DAPR_1_18.schema_file, wrapper=None, policy_fields=True, valid_bodies=ValidBodies()
        )
    assert fragment in raised.value.detail


def test_spec_value_reads_data_as_sent() -> None:
    spec = JobSpec("j", data=JobData("x", raw=b"\x01"))
    assert spec_value(spec, "data") == b"\x01"
    assert spec_value(JobSpec("j", due_time="1s"), "dueTime") == "1s"
