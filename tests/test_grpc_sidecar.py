"""The gRPC sidecar (issue 4), driven by the real Dapr Python SDK and by raw generated stubs.

Section numbers refer to /work/shared/spec/dapr-jobs-contract.md (§) and real-clients.md (RC §).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import requests

pytest.importorskip("dapr.proto")

import grpc
from dapr.aio.clients import DaprClient as AioDaprClient
from dapr.clients import ConstantFailurePolicy, DaprClient, DropFailurePolicy, Job
from dapr.clients.exceptions import DaprGrpcError
from dapr.proto import api_service_v1, api_v1
from google.protobuf import any_pb2, json_format, struct_pb2, wrappers_pb2
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.contract.profiles import DAPR_1_18, DOCS_1_14_ALPHA

VALUE_URL = "type.googleapis.com/google.protobuf.Value"
#: A pre-1.18 sidecar: Alpha1 job RPCs, List/DeleteByPrefix only as Alpha1 (§1 matrix, 1.17.x column).
DAPR_1_17 = dataclasses.replace(
    DAPR_1_18,
    key="1.17",
    runtime_version="1.17.11",
    api_versions=("v1.0-alpha1",),
    grpc_stable_jobs=False,
    grpc_list_and_prefix="alpha1",
    app_stable_callback=False,
)


@pytest.fixture
def stub(dapr_jobs: DaprJobsFake) -> Iterator[Any]:
    """A raw `Dapr` stub on the fake's gRPC port."""
    with grpc.insecure_channel(f"127.0.0.1:{dapr_jobs.grpc_port}") as channel:
        yield api_service_v1.DaprStub(channel)


def rpcs(fake: DaprJobsFake) -> list[str]:
    """The gRPC methods the fake answered, with the journal's status."""
    return [f"{c.request.rsplit('/', 1)[1]} {c.status}" for c in fake.calls if c.protocol == "grpc"]


def error_info(err: grpc.RpcError) -> Any:
    status = rpc_status.from_call(err)
    assert status is not None and len(status.details) == 1
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    return info


def json_any(value: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(json_format.ParseDict(value, struct_pb2.Value()))
    return packed


# -- the SDK, stable RPCs (Dapr 1.18) ----------------------------------------------------------------


def test_sdk_sync_schedule_get_delete_uses_stable_rpcs_rc_1_2_s14(dapr_jobs: DaprJobsFake) -> None:
    data = any_pb2.Any(value=json.dumps({"message": "hi"}).encode())  # the SDK examples' empty type URL
    with DaprClient() as client:
        client.schedule_job(
            Job(
                name="j1",
                schedule="@every 1m",
                repeats=3,
                due_time="10s",
                ttl="1h",
                data=data,
                failure_policy=ConstantFailurePolicy(max_retries=2, interval_seconds=5),
            )
        )
        got = client.get_job("j1")
        client.delete_job("j1")
    assert (got.name, got.schedule, got.repeats, got.due_time, got.ttl) == ("j1", "@every 1m", 3, "10s", "1h")
    assert (got.data.type_url, json.loads(got.data.value)) == ("", {"message": "hi"})
    assert isinstance(got.failure_policy, ConstantFailurePolicy)
    assert (got.failure_policy.max_retries, got.failure_policy.interval_seconds) == (2, 5)
    assert rpcs(dapr_jobs) == ["ScheduleJob 200", "GetJob 200", "DeleteJob 200"]
    dapr_jobs.assert_scheduled("j1", schedule="@every 1m", data=json.dumps({"message": "hi"}).encode())
    dapr_jobs.assert_deleted("j1")
    assert "j1" not in dapr_jobs.jobs


def test_sdk_aio_schedule_get_delete_rc_1_5(dapr_jobs: DaprJobsFake) -> None:
    async def scenario() -> Job:
        async with AioDaprClient() as client:
            await client.schedule_job(Job(name="a1", due_time="30s", data=json_any({"n": 1})))
            got = await client.get_job("a1")
            await client.delete_job("a1")
            return got

    got = asyncio.run(scenario())
    assert got.due_time == "30s" and got.data.type_url == VALUE_URL
    assert rpcs(dapr_jobs) == ["ScheduleJob 200", "GetJob 200", "DeleteJob 200"]


def test_sdk_get_shows_the_default_failure_policy_s4(dapr_jobs: DaprJobsFake) -> None:
    with DaprClient() as client:
        client.schedule_job(Job(name="d", due_time="1s"))
        got = client.get_job("d")
    assert isinstance(got.failure_policy, ConstantFailurePolicy)
    assert (got.failure_policy.max_retries, got.failure_policy.interval_seconds) == (3, 1)
    assert got.data is None  # the SDK sends an empty Any and reads it back as None


def test_sdk_overwrite_replaces_the_job_s5_2(dapr_jobs: DaprJobsFake) -> None:
    with DaprClient() as client:
        client.schedule_job(Job(name="o", schedule="@every 1m"))
        client.schedule_job(
            Job(name="o", schedule="@daily", failure_policy=DropFailurePolicy()), overwrite=True
        )
        got = client.get_job("o")
    assert got.schedule == "@daily" and isinstance(got.failure_policy, DropFailurePolicy)
    dapr_jobs.assert_scheduled("o", count=2)
    assert dapr_jobs.jobs["o"].schedule == "@daily"


def test_sdk_duplicate_is_already_exists_s5_2(dapr_jobs: DaprJobsFake) -> None:
    with DaprClient() as client:
        client.schedule_job(Job(name="dup", schedule="@every 1m"))
        with pytest.raises(DaprGrpcError) as caught:
            client.schedule_job(Job(name="dup", schedule="@daily"))
    assert caught.value.code() == grpc.StatusCode.ALREADY_EXISTS
    assert caught.value.details() == (
        "failed to schedule job due to: rpc error: code = AlreadyExists desc = job already exists: "
        "'app||default||app||dup'"
    )
    assert caught.value.error_code() == "DAPR_SCHEDULER_SCHEDULE_JOB"
    assert dapr_jobs.jobs["dup"].schedule == "@every 1m"
    # not a violation (correct create-if-absent code meets it); the hint speaks the Python SDK's words
    assert dapr_jobs.violations == []
    assert (
        dapr_jobs.calls[-1].hint == "call schedule_job(job, overwrite=True) to replace it, or delete it first"
    )


def test_sdk_get_of_a_missing_job_is_internal_s5_2(dapr_jobs: DaprJobsFake) -> None:
    with DaprClient() as client:
        with pytest.raises(DaprGrpcError) as caught:
            client.get_job("nope")
        client.delete_job("nope")  # deleting a missing job succeeds (§5.2)
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details() == (
        "failed to get job due to: rpc error: code = NotFound desc = job not found: nope"
    )
    assert caught.value.error_code() == "DAPR_SCHEDULER_GET_JOB"
    assert dapr_jobs.violations == []  # a state-caused refusal, not a contract breach


@pytest.mark.dapr_jobs(expect_violations=["schedule.invalid"])
def test_sdk_scheduler_validation_error_is_internal_s5_2(dapr_jobs: DaprJobsFake) -> None:
    with DaprClient() as client, pytest.raises(DaprGrpcError) as caught:
        client.schedule_job(Job(name="bad", schedule="not a cron"))
    assert caught.value.code() == grpc.StatusCode.INTERNAL
    assert caught.value.details().startswith("failed to schedule job due to: rpc error: code = Unknown")


# -- the SDK against a pre-1.18 sidecar: no stable RPCs, and no UNIMPLEMENTED to fall back on ------------

_PROXY_ANSWER = "failed to proxy request: required metadata dapr-callee-app-id or dapr-app-id not found"


@pytest.mark.dapr_jobs(dapr_version=DAPR_1_17)
def test_sdk_stable_calls_fail_before_1_18_as_against_real_daprd_rc_1_2_s14(dapr_jobs: DaprJobsFake) -> None:
    """Real daprd 1.17.5 answers the stable ScheduleJob with its service-invocation proxy's UNKNOWN
    (recorded: conformance `grpc/stable-schedule-get-delete`); the SDK (1.18+) falls back to Alpha1
    only on UNIMPLEMENTED, so `schedule_job` fails there, and here; its deprecated `schedule_job_alpha1`
    calls `schedule_job`. The journal's hint names the way out."""
    with DaprClient() as client:
        with pytest.raises(DaprGrpcError) as caught:
            client.schedule_job(Job(name="old", due_time="5s"))
        assert caught.value.code() == grpc.StatusCode.UNKNOWN
        assert caught.value.details() == _PROXY_ANSWER
        with pytest.raises(DaprGrpcError, match="failed to proxy request"), pytest.deprecated_call():
            client.schedule_job_alpha1(Job(name="old", due_time="5s"))
    assert rpcs(dapr_jobs) == ["ScheduleJob 500", "ScheduleJob 500"]
    assert list(dapr_jobs.jobs) == []
    refused = dapr_jobs.calls[0]
    assert not refused.error_code and not refused.violations  # a state answer: probing clients expect it
    assert refused.hint is not None
    assert (
        "call ScheduleJobAlpha1" in refused.hint and "dapr 1.16 and 1.17 call the Alpha1 RPCs" in refused.hint
    )


@pytest.mark.dapr_jobs(dapr_version=DAPR_1_17)
def test_sdk_aio_stable_call_fails_before_1_18_rc_1_2(dapr_jobs: DaprJobsFake) -> None:
    async def scenario() -> None:
        async with AioDaprClient() as client:
            with pytest.raises(DaprGrpcError, match="failed to proxy request"):
                await client.schedule_job(Job(name="old", due_time="5s"))

    asyncio.run(scenario())
    assert rpcs(dapr_jobs) == ["ScheduleJob 500"]


@pytest.mark.dapr_jobs(expect_violations=["auth.token"])  # the last call, without the token
def test_unknown_methods_get_the_proxy_answer_and_are_journaled_s14(dapr_jobs: DaprJobsFake) -> None:
    """Any method daprd does not serve, in any service and call shape, goes to its service-invocation
    proxy (recorded: conformance `grpc/unknown-method`); a wrong API token is refused first."""
    with grpc.insecure_channel(f"127.0.0.1:{dapr_jobs.grpc_port}") as channel:
        unary = channel.unary_unary("/dapr.proto.runtime.v1.Dapr/NoSuchJobRpc")
        streaming = channel.stream_stream("/some.other.Service/Chat")
        with pytest.raises(grpc.RpcError) as caught:
            unary(b"\x0a\x01x")
        assert (caught.value.code(), caught.value.details()) == (grpc.StatusCode.UNKNOWN, _PROXY_ANSWER)
        with pytest.raises(grpc.RpcError) as caught:
            list(streaming(iter([b"", b"\x00"])))
        assert (caught.value.code(), caught.value.details()) == (grpc.StatusCode.UNKNOWN, _PROXY_ANSWER)
        assert [call.request for call in dapr_jobs.calls] == [
            "/dapr.proto.runtime.v1.Dapr/NoSuchJobRpc",
            "/some.other.Service/Chat",
        ]
        assert dapr_jobs.calls[1].hint == "check the method name: Dapr 1.18 serves no such method"
        dapr_jobs.reset(api_token="s3cret")
        with pytest.raises(grpc.RpcError) as caught:
            unary(b"")
        assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


# -- raw stubs: each RPC per profile (§1, §14) ------------------------------------------------------

_PROFILE_RPCS = {
    # profile: (stable jobs, list/prefix Alpha1, list/prefix stable)
    "1.18": (DAPR_1_18, True, True, True),
    "1.17": (DAPR_1_17, False, True, False),
    "docs-1.14-alpha": (DOCS_1_14_ALPHA, False, False, False),
}


def _code(call: Any, request: Any) -> grpc.StatusCode:
    try:
        call(request)
    except grpc.RpcError as err:
        return err.code()
    return grpc.StatusCode.OK


@pytest.mark.parametrize("key", sorted(_PROFILE_RPCS))
def test_each_rpc_exists_per_profile_s1_s14(key: str, dapr_jobs: DaprJobsFake, stub: Any) -> None:
    profile, stable, alpha_list, stable_list = _PROFILE_RPCS[key]
    dapr_jobs.reset(dapr_version=profile)
    ok, missing = grpc.StatusCode.OK, grpc.StatusCode.UNKNOWN  # daprd's proxy answers what it lacks
    job = api_v1.Job(name="p", due_time="10s")
    expected = [
        (stub.ScheduleJobAlpha1, api_v1.ScheduleJobRequest(job=job), ok),
        (stub.GetJobAlpha1, api_v1.GetJobRequest(name="p"), ok),
        (stub.ScheduleJob, api_v1.ScheduleJobRequest(job=job, overwrite=True), ok if stable else missing),
        (stub.GetJob, api_v1.GetJobRequest(name="p"), ok if stable else missing),
        (stub.ListJobsAlpha1, api_v1.ListJobsRequestAlpha1(), ok if alpha_list else missing),
        (stub.ListJobs, api_v1.ListJobsRequest(), ok if stable_list else missing),
        (
            stub.DeleteJobsByPrefixAlpha1,
            api_v1.DeleteJobsByPrefixRequestAlpha1(name_prefix="zzz"),
            ok if alpha_list else missing,
        ),
        (
            stub.DeleteJobsByPrefix,
            api_v1.DeleteJobsByPrefixRequest(name_prefix="zzz"),
            ok if stable_list else missing,
        ),
        (stub.DeleteJob, api_v1.DeleteJobRequest(name="p"), ok if stable else missing),
        (stub.DeleteJobAlpha1, api_v1.DeleteJobRequest(name="p"), ok),
    ]
    assert [_code(call, request) for call, request, _ in expected] == [code for _, _, code in expected]
    if not stable_list:  # daprd's proxy names the routing metadata of its release (1.16+: two keys)
        with pytest.raises(grpc.RpcError) as caught:
            stub.ListJobs(api_v1.ListJobsRequest())
        before_1_16 = "failed to proxy request: required metadata dapr-app-id not found"
        assert caught.value.details() == (before_1_16 if key == "docs-1.14-alpha" else _PROXY_ANSWER)


def test_list_jobs_and_delete_by_prefix_s14(dapr_jobs: DaprJobsFake, stub: Any) -> None:
    for name in ("b-2", "a-1", "b-1", "c"):
        stub.ScheduleJob(api_v1.ScheduleJobRequest(job=api_v1.Job(name=name, schedule="@every 1h")))
    listed = stub.ListJobs(api_v1.ListJobsRequest()).jobs
    assert [job.name for job in listed] == ["a-1", "b-1", "b-2", "c"]  # etcd key order
    assert listed[0].schedule == "@every 1h" and listed[0].failure_policy.constant.max_retries == 3
    stub.DeleteJobsByPrefix(api_v1.DeleteJobsByPrefixRequest(name_prefix="b-"))
    assert sorted(dapr_jobs.jobs) == ["a-1", "c"]
    assert [j.name for j in stub.ListJobsAlpha1(api_v1.ListJobsRequestAlpha1()).jobs] == ["a-1", "c"]
    stub.DeleteJobsByPrefixAlpha1(api_v1.DeleteJobsByPrefixRequestAlpha1())  # unset prefix: all jobs
    assert len(dapr_jobs.jobs) == 0
    assert [c.operation for c in dapr_jobs.calls][-4:] == ["list", "delete_prefix", "list", "delete_prefix"]
    assert sorted(dapr_jobs.calls[-3].response) == ["b-1", "b-2"]  # the names deleted by prefix


# -- daprd's error statuses and details (§5.2) --------------------------------------------------------


@pytest.mark.dapr_jobs(expect_violations=["job.empty", "name.empty", "schedule.empty"])
def test_refusals_carry_daprd_error_info_s5_2(dapr_jobs: DaprJobsFake, stub: Any) -> None:
    cases = [
        (stub.ScheduleJob, api_v1.ScheduleJobRequest(), "Job is empty", "DAPR_SCHEDULER_EMPTY"),
        (
            stub.ScheduleJob,
            api_v1.ScheduleJobRequest(job=api_v1.Job(name="")),
            "Name is empty",
            "DAPR_SCHEDULER_JOB_NAME_EMPTY",
        ),
        (
            stub.ScheduleJob,
            api_v1.ScheduleJobRequest(job=api_v1.Job(name="test")),
            "Schedule is empty",
            "DAPR_SCHEDULER_SCHEDULE_EMPTY",
        ),
        (stub.GetJob, api_v1.GetJobRequest(name=""), "Name is empty", "DAPR_SCHEDULER_JOB_NAME_EMPTY"),
        (stub.DeleteJob, api_v1.DeleteJobRequest(name=""), "Name is empty", "DAPR_SCHEDULER_JOB_NAME_EMPTY"),
    ]
    for call, request, message, reason in cases:
        with pytest.raises(grpc.RpcError) as caught:
            call(request)
        assert (caught.value.code(), caught.value.details()) == (grpc.StatusCode.INVALID_ARGUMENT, message)
        info = error_info(caught.value)
        assert (info.reason, info.domain) == (reason, "dapr.io")
        assert dict(info.metadata) == {"appID": "app", "namespace": "default"}
    assert {v.location for v in dapr_jobs.violations} == {"job", "job.name", "$", "name"}


# -- auth (§11) ---------------------------------------------------------------------------------------


@pytest.mark.dapr_jobs(api_token="s3cret", expect_violations=["auth.token"])
def test_api_token_is_checked_like_daprd_s11(dapr_jobs: DaprJobsFake, stub: Any) -> None:
    request = api_v1.GetJobRequest(name="x")
    for metadata, detail in (
        ((), "missing api token in request metadata"),
        ((("dapr-api-token", "wrong"),), "authentication error: api token mismatch"),
    ):
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetJob(request, metadata=metadata)
        assert (caught.value.code(), caught.value.details()) == (
            grpc.StatusCode.UNAUTHENTICATED,
            "Unauthorized",
        )
        info = error_info(caught.value)
        assert info.reason == "Unauthorized"
        assert dict(info.metadata) == {"http.code": "401", "http.error_message": detail}
    assert len(dapr_jobs.violations) == 2
    with DaprClient() as client:  # DAPR_API_TOKEN comes from dapr_jobs.env
        client.schedule_job(Job(name="ok", due_time="1s"))
    dapr_jobs.assert_scheduled("ok")


# -- one store, two protocols (§4) -------------------------------------------------------------------


def test_http_reads_a_grpc_created_job_s4(dapr_jobs: DaprJobsFake) -> None:
    with DaprClient() as client:
        client.schedule_job(Job(name="value", due_time="1m", data=json_any({"k": [1, "x"]})))
        string = any_pb2.Any()
        string.Pack(wrappers_pb2.StringValue(value="expression"))
        client.schedule_job(Job(name="string", due_time="1m", data=string))
        client.schedule_job(Job(name="nodata", due_time="1m"))
    get = lambda name: requests.get(f"{dapr_jobs.url}/v1.0/jobs/{name}", timeout=5)  # noqa: E731
    assert get("value").json()["data"] == {"@type": VALUE_URL, "value": {"k": [1, "x"]}}
    assert get("string").json()["data"] == {
        "@type": "type.googleapis.com/google.protobuf.StringValue",
        "value": "expression",
    }
    assert get("nodata").json()["data"] == {}  # the SDK's empty Any renders as {} (protojson)


def test_http_get_of_sdk_json_bytes_fails_like_daprd_s4(dapr_jobs: DaprJobsFake) -> None:
    """The SDK examples' Any has no type URL: daprd's protojson cannot render it, so GET answers 500."""
    with DaprClient() as client:
        client.schedule_job(Job(name="raw", due_time="1m", data=any_pb2.Any(value=b'{"a": 1}')))
        unknown = any_pb2.Any(type_url="type.googleapis.com/acme.Thing", value=b"\x08\x01")
        client.schedule_job(Job(name="unknown", due_time="1m", data=unknown))
    raw = requests.get(f"{dapr_jobs.url}/v1.0/jobs/raw", timeout=5)
    assert raw.status_code == 500
    assert raw.json() == {
        "errorCode": "ERR_INTERNAL",
        "message": "failed to encode response as JSON: proto: google.protobuf.Any: type_url is not set",
    }
    assert requests.get(f"{dapr_jobs.url}/v1.0/jobs/unknown", timeout=5).json()["message"] == (
        "failed to encode response as JSON: proto: google.protobuf.Any: unable to resolve "
        '"type.googleapis.com/acme.Thing": not found'
    )


def test_grpc_reads_an_http_created_job_as_a_value_any_s4(dapr_jobs: DaprJobsFake) -> None:
    body = {"dueTime": "30s", "data": {"k": "v", "n": 2}, "failure_policy": {"drop": {}}}
    response = requests.post(f"{dapr_jobs.url}/v1.0/jobs/fromhttp", json=body, timeout=5)
    assert response.status_code == 204
    with DaprClient() as client:
        got = client.get_job("fromhttp")
    assert got.data.type_url == VALUE_URL
    value = struct_pb2.Value()
    assert got.data.Unpack(value)
    assert json_format.MessageToDict(value) == {"k": "v", "n": 2.0}
    assert isinstance(got.failure_policy, DropFailurePolicy)
    assert [c.protocol for c in dapr_jobs.calls] == ["http", "grpc"]


# -- metadata, lifecycle, env ------------------------------------------------------------------------


def test_get_metadata_names_the_emulated_version_s12(dapr_jobs: DaprJobsFake, stub: Any) -> None:
    meta = stub.GetMetadata(api_v1.GetMetadataRequest())
    assert meta.id == "app" and meta.runtime_version == DAPR_1_18.runtime_version
    assert meta.extended_metadata["dapr-jobs-fake-profile"] == "1.18"
    assert list(meta.scheduler.connected_addresses) == ["dapr-jobs-fake"]


def test_env_points_sdks_at_both_ports_rc_1_4(dapr_jobs: DaprJobsFake) -> None:
    env = dapr_jobs.env
    assert env["DAPR_GRPC_PORT"] == str(dapr_jobs.grpc_port)
    assert env["DAPR_GRPC_ENDPOINT"] == f"127.0.0.1:{dapr_jobs.grpc_port}"
    assert dapr_jobs.grpc_port != dapr_jobs.http_port


def test_reset_keeps_the_grpc_port_and_serves_the_new_state() -> None:
    with DaprJobsFake(grpc=True) as fake, grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as channel:
        stub = api_service_v1.DaprStub(channel)
        stub.ScheduleJob(api_v1.ScheduleJobRequest(job=api_v1.Job(name="r", due_time="1s")))
        port = fake.grpc_port
        fake.reset(dapr_version=DAPR_1_17)
        assert fake.grpc_port == port and len(fake.jobs) == 0
        with pytest.raises(grpc.RpcError) as caught:
            stub.ScheduleJob(api_v1.ScheduleJobRequest(job=api_v1.Job(name="r", due_time="1s")))
        assert caught.value.code() == grpc.StatusCode.UNKNOWN  # the new profile is in force
        assert fake.calls[0].protocol == "grpc"


def test_grpc_false_serves_http_only() -> None:
    with DaprJobsFake(grpc=False) as fake:
        assert fake.grpc_port is None
        assert "DAPR_GRPC_PORT" not in fake.env and "DAPR_GRPC_ENDPOINT" not in fake.env


def test_asking_for_grpc_without_the_extra_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "dapr_jobs_fake.sidecar.grpc_api")
    monkeypatch.setitem(sys.modules, "grpc_status", None)  # as if grpcio-status were not installed
    with pytest.raises(ImportError, match=r'pip install "dapr-jobs-fake\[grpc\]"'):
        DaprJobsFake(grpc=True)


def test_early_env_exports_before_test_modules_import(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ini dapr_jobs_early_env: DAPR_* are in os.environ when a test module is imported (RC §1.1)."""
    for key in (
        "DAPR_HTTP_PORT",
        "DAPR_HTTP_ENDPOINT",
        "DAPR_RUNTIME_HOST",
        "DAPR_GRPC_PORT",
        "DAPR_GRPC_ENDPOINT",
    ):
        monkeypatch.delenv(key, raising=False)  # restored after the in-process run
    pytester.makeini("[pytest]\ndapr_jobs_early_env = true\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(
        """
        import os
        AT_IMPORT = os.environ.get("DAPR_GRPC_PORT")

        def test_port(dapr_jobs):
            assert AT_IMPORT == str(dapr_jobs.grpc_port)
            from dapr.clients import DaprClient, Job
            with DaprClient() as client:
                client.schedule_job(Job(name="early", due_time="1s"))
            dapr_jobs.assert_scheduled("early")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
