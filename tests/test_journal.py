"""The journal and its assertion helpers: every call recorded, failures that explain near misses."""

from __future__ import annotations

import threading

import pytest
import requests

from dapr_jobs_fake import DaprJobsFake


def post(fake: DaprJobsFake, name: str, body: object) -> requests.Response:
    return requests.post(f"{fake.url}/v1.0/jobs/{name}", json=body, timeout=10)


def test_every_call_is_recorded_with_protocol_operation_body_and_answer(fake: DaprJobsFake) -> None:
    post(fake, "a", {"schedule": "@daily", "data": [1]})
    requests.get(f"{fake.url}/v1.0/jobs/a")
    requests.delete(f"{fake.url}/v1.0/jobs/a")
    requests.delete(f"{fake.url}/v1.0/jobs/never-was")  # 204 too (contract §2)
    calls = fake.calls
    assert [(c.protocol, c.operation, c.job_name, c.status) for c in calls] == [
        ("http", "schedule", "a", 204),
        ("http", "get", "a", 200),
        ("http", "delete", "a", 204),
        ("http", "delete", "never-was", 204),
    ]
    assert calls[0].body == {"schedule": "@daily", "data": [1]}
    assert calls[1].response["schedule"] == "@daily"
    assert calls[0].at == fake.clock.now()
    assert [c.job_name for c in fake.scheduled] == ["a"]
    assert [c.job_name for c in fake.fetched] == ["a"]
    assert [c.job_name for c in fake.deleted] == ["a", "never-was"]
    fake.assert_fetched("a", count=1)
    fake.assert_deleted("never-was")


def test_assert_scheduled_matches_fields_by_python_or_json_name(fake: DaprJobsFake) -> None:
    post(fake, "r", {"schedule": "@every 1h", "dueTime": "10s", "data": {"k": "v"}, "repeats": 3})
    fake.assert_scheduled(
        "r", schedule="@every 1h", due_time="10s", dueTime="10s", data={"k": "v"}, repeats=3
    )
    fake.assert_scheduled("r", count=1)
    with pytest.raises(TypeError, match="unknown job field"):
        fake.assert_scheduled("r", shedule="@every 1h")


def test_assert_scheduled_failure_shows_near_misses_and_similar_names(fake: DaprJobsFake) -> None:
    post(fake, "reminder-7", {"schedule": "@every 12h"})
    post(fake, "reminder-8", {"dueTime": "nonsense"})
    with pytest.raises(AssertionError) as raised:
        fake.assert_scheduled("reminder-7", schedule="@every 24h")
    message = str(raised.value)
    assert "expected 'reminder-7' with schedule='@every 24h' to be scheduled" in message
    assert (
        "near miss #1 POST /v1.0/jobs/reminder-7 -> 204: schedule='@every 12h' (expected '@every 24h')"
        in message
    )
    with pytest.raises(AssertionError) as raised:
        fake.assert_scheduled("reminder-8")
    assert "rejected #2 POST /v1.0/jobs/reminder-8 -> 500 DAPR_SCHEDULER_SCHEDULE_JOB" in str(raised.value)
    with pytest.raises(AssertionError) as raised:
        fake.assert_scheduled("reminder-9")
    assert "similar names: 'reminder-7'" in str(raised.value)
    with pytest.raises(AssertionError, match="scheduled 2 times, but it was scheduled once"):
        fake.assert_scheduled("reminder-7", count=2)
    fake.journal.calls.clear()  # a copy: the journal itself is unchanged
    assert len(fake.calls) == 2
    fake.reset(dapr_version="1.18")
    assert fake.calls == []


def test_assert_no_violations_explains_each(fake: DaprJobsFake) -> None:
    fake.assert_no_violations()
    post(fake, "x", {"name": "x", "schedule": "@daily"})
    with pytest.raises(AssertionError) as raised:
        fake.assert_no_violations()
    assert "1 Dapr Jobs contract violation(s)" in str(raised.value)
    assert "name.in-body" in str(raised.value) and "remove name from the body" in str(raised.value)


def test_concurrent_calls_are_all_recorded_and_state_stays_consistent(fake: DaprJobsFake) -> None:
    """Bad input and concurrency: the fake keeps serving and its state stays consistent."""

    def worker(n: int) -> None:
        with requests.Session() as session:
            for i in range(20):
                session.post(f"{fake.url}/v1.0/jobs/w{n}-{i}", json={"schedule": "@every 1s"})
                session.post(f"{fake.url}/v1.0/jobs/w{n}-{i}", data=b"{broken")
                session.delete(f"{fake.url}/v1.0/jobs/w{n}-{i - 1}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.calls) == 4 * 20 * 3
    assert sorted(fake.jobs) == sorted(f"w{n}-19" for n in range(4))
    assert [c.seq for c in fake.calls] == list(range(1, 241))
    assert len(fake.violations) == 80
