"""Injected faults over gRPC, as the real `dapr` SDK and raw stubs see them (issue 13).

Expected codes, details and ErrorInfo are daprd's, recorded with the Scheduler process stopped (conformance
area `outage`; contract §5.2), with the Scheduler port the fake's deterministic 50006.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("dapr.proto")

import grpc
from dapr.clients import DaprClient, Job
from dapr.clients.exceptions import DaprGrpcError
from dapr.proto import api_service_v1, api_v1
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from dapr_jobs_fake import DaprError, DaprJobsFake

DIAL = (
    'latest balancer error: connection error: desc = "transport: Error while dialing: dial tcp '
    '127.0.0.1:50006: connect: connection refused"'
)


def details(words: str) -> str:
    return f"failed to {words} due to: rpc error: code = DeadlineExceeded desc = {DIAL}"


@pytest.fixture
def stub(fake: DaprJobsFake) -> Iterator[Any]:
    with grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as channel:
        yield api_service_v1.DaprStub(channel)


def error_info(err: grpc.RpcError) -> tuple[str, str, dict[str, str]]:
    status = rpc_status.from_call(err)
    assert status is not None and len(status.details) == 1
    info = error_details_pb2.ErrorInfo()
    status.details[0].Unpack(info)
    return info.reason, info.domain, dict(info.metadata)


@pytest.mark.dapr_jobs(app_id="conformance")
def test_the_sdk_sees_an_unreachable_scheduler_as_from_daprd__s5_2(dapr_jobs: DaprJobsFake) -> None:
    """1.18.3: ScheduleJob DEADLINE_EXCEEDED, GetJob and DeleteJob INTERNAL, each with daprd's ErrorInfo."""
    dapr_jobs.faults.scheduler_unreachable()
    seen = []
    with DaprClient() as client:
        for words, call in (
            ("schedule job", lambda: client.schedule_job(Job(name="x", due_time="1h"))),
            ("get job", lambda: client.get_job("x")),
            ("delete job", lambda: client.delete_job("x")),
        ):
            with pytest.raises(DaprGrpcError) as raised:
                call()
            err = raised.value
            assert err.details() == details(words)
            info = err.status_details().error_info
            assert (info["domain"], info["metadata"]) == (
                "dapr.io",
                {"appID": "conformance", "namespace": "default"},
            )
            seen.append((err.code(), err.error_code()))
    assert seen == [
        (grpc.StatusCode.DEADLINE_EXCEEDED, "DAPR_SCHEDULER_SCHEDULE_JOB"),
        (grpc.StatusCode.INTERNAL, "DAPR_SCHEDULER_GET_JOB"),
        (grpc.StatusCode.INTERNAL, "DAPR_SCHEDULER_DELETE_JOB"),
    ]
    assert [c.request.rsplit("/", 1)[1] for c in dapr_jobs.calls] == ["ScheduleJob", "GetJob", "DeleteJob"]
    assert [c.status for c in dapr_jobs.calls] == [504, 500, 500]  # grpc-gateway's statuses
    assert all(c.injected for c in dapr_jobs.calls)


def test_1_14_4_schedule_is_internal_with_scheduler_reasons__s5_2(fake: DaprJobsFake, stub: Any) -> None:
    fake.reset(dapr_version="1.14.4", app_id="conformance")
    fake.faults.scheduler_unreachable()
    with pytest.raises(grpc.RpcError) as raised:
        stub.ScheduleJobAlpha1(api_v1.ScheduleJobRequest(job=api_v1.Job(name="g", due_time="1h")))
    assert (raised.value.code(), raised.value.details()) == (
        grpc.StatusCode.INTERNAL,
        details("schedule job"),
    )
    assert error_info(raised.value)[0] == "SCHEDULER_SCHEDULE_JOB"


def test_list_and_delete_by_prefix_fail_at_once_with_unavailable(fake: DaprJobsFake, stub: Any) -> None:
    """No WaitForReady on these two (`D@v1.18.3:pkg/api/universal/jobs.go`): Unavailable at once, wrapped
    INTERNAL (recorded on 1.17.5 and 1.18.3 with the Scheduler stopped: 0.0 s)."""
    fake.faults.scheduler_unreachable(["list", "delete_prefix"])
    with pytest.raises(grpc.RpcError) as listed:
        stub.ListJobs(api_v1.ListJobsRequest())
    with pytest.raises(grpc.RpcError) as deleted:
        stub.DeleteJobsByPrefix(api_v1.DeleteJobsByPrefixRequest(name_prefix="a"))
    dial = DIAL.removeprefix("latest balancer error: ")
    assert (listed.value.code(), listed.value.details()) == (
        grpc.StatusCode.INTERNAL,
        f"failed to list jobs due to: rpc error: code = Unavailable desc = {dial}",
    )
    assert error_info(listed.value)[0] == "DAPR_SCHEDULER_LIST_JOBS"
    assert error_info(deleted.value)[0] == "DAPR_SCHEDULER_DELETE_JOB"
    assert [c.operation for c in fake.calls] == ["list", "delete_prefix"]


def test_a_grpc_call_without_a_name_is_refused_by_daprd_first(fake: DaprJobsFake, stub: Any) -> None:
    fake.faults.scheduler_unreachable()
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetJob(api_v1.GetJobRequest(name=""))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT and fake.calls[0].injected is None
    fake.journal.clear()


def test_a_built_error_keeps_its_grpc_code(fake: DaprJobsFake, stub: Any) -> None:
    fake.faults.error(DaprError(429, "RESOURCE_EXHAUSTED", "ERR_SLOW_DOWN", "slow down"), protocol="grpc")
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetJob(api_v1.GetJobRequest(name="x"))
    assert (raised.value.code(), raised.value.details()) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "slow down")
    assert fake.calls[0].status == 429


def test_1_15_4_gives_no_answer_the_client_deadline_ends_it__s5_2(fake: DaprJobsFake, stub: Any) -> None:
    """Recorded on 1.15.4: DEADLINE_EXCEEDED "Deadline Exceeded" at the client's deadline, no dapr details."""
    fake.reset(dapr_version="1.15.4")
    fake.faults.scheduler_unreachable()
    journaled = threading.Event()
    fake.journal.listeners.append(lambda entry: journaled.set())
    with pytest.raises(grpc.RpcError) as raised:
        stub.ScheduleJobAlpha1(
            api_v1.ScheduleJobRequest(job=api_v1.Job(name="g", due_time="1h")), timeout=0.3
        )
    assert (raised.value.code(), raised.value.details()) == (
        grpc.StatusCode.DEADLINE_EXCEEDED,
        "Deadline Exceeded",
    )
    assert rpc_status.from_call(raised.value) is None
    assert journaled.wait(5) and fake.calls[0].injected == "the Scheduler is unreachable: no answer"


def test_1_15_4_without_a_client_deadline_ends_after_the_delay(fake: DaprJobsFake, stub: Any) -> None:
    fake.reset(dapr_version="1.15.4")
    fake.faults.scheduler_unreachable(delay=0.1)
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetJobAlpha1(api_v1.GetJobRequest(name="g"))
    assert (raised.value.code(), raised.value.details()) == (
        grpc.StatusCode.DEADLINE_EXCEEDED,
        "Deadline Exceeded",
    )
    assert fake.calls[0].status == 504  # grpc-gateway's status for DEADLINE_EXCEEDED


def test_a_hung_scheduler_over_grpc_as_recorded_on_1_18_3__s5_2(fake: DaprJobsFake, stub: Any) -> None:
    """A paused Scheduler process: keepalive gives up after 15 s; Schedule UNAVAILABLE, the rest INTERNAL."""
    fake.faults.fail(condition="unresponsive")
    seen = []
    for rpc, request in (
        ("ScheduleJobAlpha1", api_v1.ScheduleJobRequest(job=api_v1.Job(name="q", due_time="1h"))),
        ("GetJobAlpha1", api_v1.GetJobRequest(name="q")),
        ("DeleteJobAlpha1", api_v1.DeleteJobRequest(name="q")),
        ("ListJobs", api_v1.ListJobsRequest()),
    ):
        with pytest.raises(grpc.RpcError) as raised:
            getattr(stub, rpc)(request)
        seen.append(
            (raised.value.code(), raised.value.details().split(" due to: ")[1], error_info(raised.value)[0])
        )
    keepalive = "rpc error: code = Unavailable desc = keepalive ping failed to receive ACK within timeout"
    assert seen == [
        (grpc.StatusCode.UNAVAILABLE, keepalive, "DAPR_SCHEDULER_SCHEDULE_JOB"),
        (grpc.StatusCode.INTERNAL, keepalive, "DAPR_SCHEDULER_GET_JOB"),
        (grpc.StatusCode.INTERNAL, keepalive, "DAPR_SCHEDULER_DELETE_JOB"),
        (grpc.StatusCode.INTERNAL, keepalive, "DAPR_SCHEDULER_LIST_JOBS"),
    ]
