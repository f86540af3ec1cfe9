"""Bounds that keep the fake honest under odd jobs and long runs: clock range, runaways, out-of-range
gRPC durations, journal order and size, listeners that do not leak (issue 8 items 5, 7, 9, 10, 12, 14)."""

from __future__ import annotations

import gc
import sys
import threading
import tracemalloc
from datetime import datetime, timedelta, timezone

import pytest
import requests

from dapr_jobs_fake import ClockError, DaprJobsFake
from dapr_jobs_fake.engine.clock import RunawayJobError
from dapr_jobs_fake.journal.journal import Journal
from dapr_jobs_fake.sidecar.service import JobRequest

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
S = 1_000_000_000


def post(fake: DaprJobsFake, name: str, body: dict[str, object]) -> requests.Response:
    return requests.post(f"{fake.url}/v1.0/jobs/{name}", json=body, timeout=10)


# -- item 10: one bound for every move -------------------------------------------------------------
def test_run_next_refuses_a_trigger_past_year_9999(fake: DaprJobsFake) -> None:
    """Before: run_next() (and the control route) moved past 9999, then every request was an HTML 500."""
    fake.on_job()(lambda event: None)
    assert post(fake, "far", {"dueTime": "9999-12-31T23:59:59.999999999Z"}).status_code == 204
    with pytest.raises(ClockError, match="past year 9999"):
        fake.clock.run_next()
    assert fake.clock.now().year < 9999
    assert requests.get(f"{fake.url}/v1.0/jobs/far", timeout=10).status_code == 200


def test_run_until_idle_fires_jobs_due_after_2262(fake: DaprJobsFake) -> None:
    """Before: run_until_idle() stopped at 2**63 ns (year 2262) and never fired later jobs."""
    fired: list[datetime] = []
    fake.on_job()(lambda event: fired.append(event.scheduled_at))
    assert post(fake, "late", {"dueTime": "3000-01-01T00:00:00Z"}).status_code == 204
    fake.clock.run_until_idle()
    assert fired == [datetime(3000, 1, 1, tzinfo=timezone.utc)]


def test_advance_past_9999_is_refused_and_moves_nothing(fake: DaprJobsFake) -> None:
    before = fake.clock.now_ns()
    with pytest.raises(ClockError, match="past year 9999"):
        fake.clock.advance(days=3_000_000)
    assert fake.clock.now_ns() == before


# -- item 12: runaways ------------------------------------------------------------------------------
def test_a_negative_retry_interval_retries_at_once_and_an_endless_one_is_a_runaway(
    fake: DaprJobsFake,
) -> None:
    """go-etcd-cron adds the interval to the previous attempt's time: a negative one lies in the past,
    so the Scheduler fires the retry at once. Bounded by maxRetries, it ends; unbounded it spins."""
    fake.reset(start=START)
    fake.on_job()(lambda event: 500)
    body = {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "-1s", "maxRetries": 5}}}
    assert post(fake, "bounded", body).status_code == 204
    records = fake.clock.advance(seconds=2)
    assert [r.attempt for r in records] == [1, 2, 3, 4, 5, 6]
    assert {r.delivered_ns for r in records} == {records[0].scheduled_ns}  # all at the tick's instant
    assert [r.scheduled_ns - records[0].scheduled_ns for r in records] == [-n * S for n in range(6)]
    assert (
        post(
            fake, "endless", {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "-1s"}}}
        ).status_code
        == 204
    )
    with pytest.raises(RunawayJobError, match="'endless' re-fires"):
        fake.clock.advance(seconds=5)


def test_every_0s_with_repeats_fires_every_repeat(fake: DaprJobsFake) -> None:
    """A finite `@every 0s` is not a runaway: 5,000 repeats give 5,000 triggers at one instant
    (before: cut off after 1,001 with a runaway error; `http/metrics/success.go` shows 3 of 3)."""
    fake.on_job()(lambda event: None)
    assert post(fake, "burst", {"dueTime": "0s", "repeats": 5000, "schedule": "@every 0s"}).status_code == 204
    records = fake.clock.advance()
    assert len(records) == 5000 and {r.scheduled_ns for r in records} == {fake.clock.now_ns()}
    assert "burst" not in fake.jobs


# -- item 5: gRPC durations protobuf calls invalid ---------------------------------------------------
def test_an_out_of_range_grpc_interval_is_stored_readable_and_unrenderable_over_http(
    fake: DaprJobsFake,
) -> None:
    grpc = pytest.importorskip("grpc")
    from dapr.proto import api_service_v1, api_v1, common_v1
    from google.protobuf import duration_pb2

    with grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as channel:
        stub = api_service_v1.DaprStub(channel)
        policy = common_v1.JobFailurePolicy(
            constant=common_v1.JobFailurePolicyConstant(interval=duration_pb2.Duration(seconds=-(2**63)))
        )
        job = api_v1.Job(name="odd", due_time="1h", failure_policy=policy)
        stub.ScheduleJob(api_v1.ScheduleJobRequest(job=job), timeout=5)
        stub.ScheduleJob(api_v1.ScheduleJobRequest(job=api_v1.Job(name="plain", due_time="1h")), timeout=5)
        read = stub.GetJob(api_v1.GetJobRequest(name="odd"), timeout=5).job
        assert read.failure_policy.constant.interval.seconds == -(2**63)  # as stored
        listed = stub.ListJobsAlpha1(api_v1.ListJobsRequestAlpha1(), timeout=5)
        assert sorted(j.name for j in listed.jobs) == ["odd", "plain"]
    answer = requests.get(f"{fake.url}/v1.0/jobs/odd", timeout=10)
    assert answer.status_code == 500
    assert answer.json() == {
        "errorCode": "ERR_INTERNAL",
        "message": "failed to encode response as JSON: proto: google.protobuf.Duration: seconds out of range "
        "-9223372036854775808",
    }
    assert requests.get(f"{fake.url}/v1.0/jobs/plain", timeout=10).status_code == 200


# -- items 7 and 9: the journal -------------------------------------------------------------------
def test_reset_forgets_listeners(fake: DaprJobsFake) -> None:
    """Before: reset() kept journal listeners, so every later test saw the earlier tests' ones."""
    seen: list[object] = []
    fake.journal.listeners.append(seen.append)
    assert post(fake, "a", {"dueTime": "1h"}).status_code == 204
    fake.reset()
    assert fake.journal.listeners == []
    assert post(fake, "b", {"dueTime": "1h"}).status_code == 204
    assert len(seen) == 1


def test_journal_order_is_the_order_the_engine_applied(fake: DaprJobsFake) -> None:
    """Racing overwrites of one job: the last journaled schedule is the definition the engine kept
    (before: about 1% of 16k calls were journaled in the other order)."""
    wire = fake.api.wire
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:

        def worker(n: int) -> None:
            for i in range(400):
                raw = b'{"schedule":"@every %ds","overwrite":true}' % (n * 1000 + i + 1)
                fake.service.schedule(JobRequest(wire, "POST /v1.0/jobs/x", "x", raw=raw))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert fake.jobs["x"].schedule == fake.scheduled[-1].spec.schedule  # type: ignore[union-attr]
    assert [c.seq for c in fake.calls] == list(range(1, 1601))


def test_a_journal_limit_keeps_the_newest_and_counts_the_dropped() -> None:
    journal = Journal(limit=3)
    for n in range(5):
        journal.record_call(
            protocol="http", operation="get", job_name=str(n), request="GET", body=None, spec=None,
            status=200, response=None, at=START,
        )  # fmt: skip
    assert [c.job_name for c in journal.calls] == ["2", "3", "4"]
    assert journal.dropped == 2


def test_a_stored_job_with_its_journal_entry_costs_under_1_5_kib(fake: DaprJobsFake) -> None:
    """Item 14: 100k stored jobs cost 2.4 KB each with their journal entry; now at most 1.5 KB.

    The cost per job is flat: 2,000 jobs measure within 1% of 5,000 (~1,360 bytes each; the dicts'
    resizes are amortised either way), at a third of the time under tracemalloc."""
    wire, body, count = fake.api.wire, b'{"schedule":"@every 1m","data":{"user":7}}', 2000
    fake.service.schedule(JobRequest(wire, "POST /v1.0/jobs/warm", "warm", raw=body))
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for n in range(count):
            fake.service.schedule(JobRequest(wire, f"POST /v1.0/jobs/job-{n}", f"job-{n}", raw=body))
        gc.collect()
        per_job = (tracemalloc.get_traced_memory()[0] - base) / count
    finally:
        tracemalloc.stop()
    assert per_job <= 1536, f"{per_job:.0f} bytes per stored job with its journal entry"
    assert len(fake.jobs) == count + 1 and len(fake.calls) == count + 1
    fake.clock.advance(timedelta(0))
