"""Triggers delivered to a real `dapr.ext.grpc.App` over gRPC (issue 4), on the virtual clock.

Section numbers refer to /work/shared/spec/dapr-jobs-contract.md (§) and real-clients.md (RC §).
"""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
import requests

pytest.importorskip("dapr.ext.grpc")

import grpc
from dapr.clients import ConstantFailurePolicy, DaprClient, Job
from dapr.ext.grpc import App, JobEvent
from dapr.proto import common_v1
from google.protobuf import any_pb2, json_format, struct_pb2
from grpc_app_support import ON_JOB_EVENT, ON_JOB_EVENT_ALPHA1, Recorder

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.contract.profiles import DAPR_1_18

DAPR_1_17 = dataclasses.replace(
    DAPR_1_18, key="1.17", grpc_stable_jobs=False, grpc_list_and_prefix="alpha1", app_stable_callback=False
)


def test_app_receives_the_trigger_via_on_job_event_s10_2(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    application, address, recorder = grpc_app
    seen: list[tuple[str, bytes]] = []

    @application.job_event("reminder")
    def on_reminder(event: JobEvent) -> None:
        seen.append((event.name, event.data))

    dapr_jobs.app_grpc_address = address
    with DaprClient() as client:
        client.schedule_job(Job(name="reminder", due_time="10s", data=any_pb2.Any(value=b'{"user": 7}')))
    dapr_jobs.clock.advance(seconds=9)
    assert seen == []
    dapr_jobs.clock.advance(seconds=1)
    assert seen == [("reminder", b'{"user": 7}')]
    method, request, _ = recorder.calls[0]
    assert method == ON_JOB_EVENT
    post = common_v1.HTTPExtension.POST
    assert (request.method, request.content_type, request.http_extension.verb) == ("job/reminder", "", post)
    record = dapr_jobs.assert_triggered("reminder", times=1)[0]
    assert record.succeeded and record.target == f"grpc://{address}"


@pytest.mark.filterwarnings("ignore::dapr_jobs_fake.DaprJobsContractWarning")  # the point of this test
def test_http_created_job_arrives_as_a_value_any_s10_2(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    application, address, recorder = grpc_app
    values: list[object] = []

    @application.job_event("fromhttp")
    def on_job(event: JobEvent) -> None:
        values.append(json_format.MessageToDict(struct_pb2.Value.FromString(event.data)))

    dapr_jobs.app_grpc_address = address
    body = {"dueTime": "1s", "data": {"k": "v"}}
    assert requests.post(f"{dapr_jobs.url}/v1.0/jobs/fromhttp", json=body, timeout=5).status_code == 204
    dapr_jobs.clock.advance(seconds=1)
    assert values == [{"k": "v"}]
    assert recorder.calls[0][1].content_type == "type.googleapis.com/google.protobuf.Value"
    # a faithful trap: the journal warns that the app got protobuf bytes, not JSON (issue 12, item 6)
    assert [w.rule for w in dapr_jobs.warnings] == ["trigger.json-data-to-grpc-app"]


@pytest.mark.dapr_jobs(app_api_token="app-secret")
def test_app_api_token_is_sent_as_metadata_s10_2_s11(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    application, address, recorder = grpc_app
    application.job_event("t")(lambda event: None)
    dapr_jobs.app_grpc_address = address
    with DaprClient() as client:
        client.schedule_job(Job(name="t", due_time="1s"))
    dapr_jobs.clock.advance(seconds=1)
    assert recorder.calls[0][2]["dapr-api-token"] == "app-secret"


def test_falls_back_to_on_job_event_alpha1_s10_2(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    """An app built with dapr-ext-grpc <= 1.17 has no OnJobEvent: daprd retries with the Alpha1 method."""
    application, address, recorder = grpc_app
    seen: list[str] = []
    application.job_event("old-app")(lambda event: seen.append(event.name))
    recorder.refuse[ON_JOB_EVENT] = grpc.StatusCode.UNIMPLEMENTED
    dapr_jobs.app_grpc_address = address
    with DaprClient() as client:
        client.schedule_job(Job(name="old-app", due_time="1s"))
    dapr_jobs.clock.advance(seconds=1)
    assert recorder.methods() == [ON_JOB_EVENT, ON_JOB_EVENT_ALPHA1]
    assert seen == ["old-app"]
    dapr_jobs.assert_triggered("old-app", times=1)


@pytest.mark.dapr_jobs(dapr_version=DAPR_1_17)
def test_pre_1_18_calls_only_on_job_event_alpha1_s10_2(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    application, address, recorder = grpc_app
    application.job_event("j")(lambda event: None)
    dapr_jobs.app_grpc_address = address
    with DaprClient() as client:
        client.schedule_job(Job(name="j", due_time="1s"))
    dapr_jobs.clock.advance(seconds=1)
    assert recorder.methods() == [ON_JOB_EVENT_ALPHA1]


def test_handler_error_is_retried_per_failure_policy_s10_3_s10_4(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    application, address, _ = grpc_app
    attempts: list[str] = []

    @application.job_event("flaky")
    def flaky(event: JobEvent) -> None:
        attempts.append(event.get_data_as_string())
        if len(attempts) < 3:
            raise RuntimeError("app not ready")

    dapr_jobs.app_grpc_address = address
    policy = ConstantFailurePolicy(max_retries=5, interval_seconds=5)
    data = any_pb2.Any(value=json.dumps("x").encode())
    with DaprClient() as client:
        client.schedule_job(Job(name="flaky", due_time="10s", data=data, failure_policy=policy))
    start = dapr_jobs.clock.now()
    dapr_jobs.clock.advance(seconds=30)
    assert attempts == ['"x"'] * 3
    records = dapr_jobs.assert_triggered("flaky", times=1, attempts=3)
    assert [r.succeeded for r in records] == [False, False, True]
    assert [r.status for r in records] == [grpc.StatusCode.UNKNOWN.value[0]] * 2 + [0]
    assert [r.scheduled_at - start for r in records] == [timedelta(seconds=s) for s in (10, 15, 20)]
    assert "flaky" not in dapr_jobs.jobs  # one-shot job done


def test_not_found_from_the_app_is_not_retried_s10_3(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    _, address, recorder = grpc_app
    recorder.refuse["gone"] = grpc.StatusCode.NOT_FOUND
    dapr_jobs.app_grpc_address = address
    with DaprClient() as client:
        client.schedule_job(Job(name="gone", due_time="1s"))
    dapr_jobs.clock.advance(seconds=10)
    (record,) = dapr_jobs.assert_triggered("gone", times=1)
    assert record.succeeded and record.status == grpc.StatusCode.NOT_FOUND.value[0]


def test_unhandled_job_fails_on_both_methods_and_is_retried_s10_3(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    """The App answers UNIMPLEMENTED for a job without a handler (RC §1.6): a failure, retried 3 times."""
    _, address, recorder = grpc_app
    dapr_jobs.app_grpc_address = address
    with DaprClient() as client:
        client.schedule_job(Job(name="nobody", due_time="1s"))
    dapr_jobs.clock.advance(seconds=10)
    records = dapr_jobs.assert_triggered(
        "nobody", times=1, attempts=4
    )  # default policy: 1 s x 3 retries (§10.4)
    assert not any(r.succeeded for r in records)
    assert recorder.methods()[:2] == [ON_JOB_EVENT, ON_JOB_EVENT_ALPHA1]


def test_unreachable_app_fails_the_attempt_s10_3(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[App, str, Recorder]
) -> None:
    application, address, _ = grpc_app
    application.stop()  # nothing listens there any more
    dapr_jobs.app_grpc_address = address
    with DaprClient() as client:
        client.schedule_job(
            Job(name="lost", due_time="1s", failure_policy=ConstantFailurePolicy(max_retries=0))
        )
    dapr_jobs.clock.advance(seconds=2)
    (record,) = dapr_jobs.assert_triggered("lost", times=1)
    assert not record.succeeded and record.status == grpc.StatusCode.UNAVAILABLE.value[0]


def test_app_grpc_address_option_and_reset_s10_2(grpc_app: tuple[App, str, Recorder]) -> None:
    application, address, _ = grpc_app
    got: list[str] = []
    application.job_event("c")(lambda event: got.append(event.name))
    with DaprJobsFake(app_grpc_address=address) as fake:
        assert fake.app_grpc_address == address
        fake.on_job("other")(lambda event: None)  # in-process handlers take only their own jobs
        fake.reset()
        assert fake.app_grpc_address == address  # reset keeps constructor options
        for name in ("c", "other"):
            requests.post(f"{fake.url}/v1.0/jobs/{name}", json={"dueTime": "1s"}, timeout=5)
        fake.clock.advance(seconds=1)
        assert [r.target for r in fake.triggers] == [f"grpc://{address}"] * 2  # reset cleared handlers
    assert got == ["c"]
