"""The `assert_*` helpers say one consistent thing (issue 12, items 4-6).

- `assert_scheduled` near misses never sit beside "no calls were made at all";
- `times=` counts triggers (ticks), `attempts=` delivery attempts; `assert_not_triggered`;
- `data=` matches the payload whatever the protocol sent it as (JSON over HTTP, JSON bytes over gRPC).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from dapr_jobs_fake import DaprJobsFake


def schedule(fake: DaprJobsFake, name: str, body: dict[str, Any]) -> None:
    response = requests.post(f"{fake.url}/v1.0/jobs/{name}", json=body, timeout=5)
    assert response.status_code == 204, response.text


def message_of(call: Any) -> str:
    with pytest.raises(AssertionError) as failure:
        call()
    return str(failure.value)


def test_a_near_miss_is_not_contradicted(fake: DaprJobsFake) -> None:
    schedule(fake, "a", {"dueTime": "10s"})
    text = message_of(lambda: fake.assert_scheduled("a", dueTime="11s"))
    assert text.splitlines() == [
        "expected 'a' with dueTime='11s' to be scheduled, but it was not",
        "  near miss #1 POST /v1.0/jobs/a -> 204: dueTime='10s' (expected '11s')",
    ]


@pytest.mark.parametrize(
    ("check", "expected"),
    [
        (lambda f: f.assert_scheduled("b"), "no schedule calls were made at all"),
        (lambda f: f.assert_fetched("a"), "no get calls were made at all"),
        (lambda f: f.assert_deleted("a", count=1), "no delete calls were made at all"),
    ],
)
def test_every_message_states_only_what_happened(fake: DaprJobsFake, check: Any, expected: str) -> None:
    if "schedule" not in expected:
        schedule(fake, "a", {"dueTime": "10s"})
    text = message_of(lambda: check(fake))
    assert expected in text
    if "schedule" not in expected:
        assert "near miss" not in text


def test_a_rejected_call_shows_with_its_hint(fake: DaprJobsFake) -> None:
    schedule(fake, "dup", {"dueTime": "10s"})
    requests.post(f"{fake.url}/v1.0/jobs/dup", json={"dueTime": "20s"}, timeout=5)
    text = message_of(lambda: fake.assert_scheduled("dup", due_time="20s"))
    assert "near miss #1" in text
    assert (
        'rejected #2 POST /v1.0/jobs/dup -> 409 DAPR_SCHEDULER_SCHEDULE_JOB (hint: send "overwrite": true'
        in text
    )


def test_times_counts_ticks_and_attempts_counts_tries_s10_4(fake: DaprJobsFake) -> None:
    answers = iter([500, 500])
    fake.on_job("flaky")(lambda event: next(answers, 200))
    schedule(
        fake, "flaky", {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "1s", "maxRetries": 5}}}
    )
    fake.clock.advance(seconds=10)
    records = fake.assert_triggered("flaky", times=1, attempts=3)
    assert [r.status for r in records] == [500, 500, 200]
    text = message_of(lambda: fake.assert_triggered("flaky", times=3))
    assert text.startswith("expected 3 trigger(s) of 'flaky', got 1 (3 attempt(s))")


def test_assert_not_triggered(fake: DaprJobsFake) -> None:
    fake.on_job()(lambda event: None)
    schedule(fake, "soon", {"dueTime": "10s"})
    fake.clock.advance(seconds=9)
    fake.assert_not_triggered("soon")
    fake.clock.advance(seconds=1)
    text = message_of(lambda: fake.assert_not_triggered("soon"))
    assert text.splitlines()[0] == "expected 'soon' not to be triggered, but it was delivered once:"
    assert "soon  tick 1 attempt 1" in text


def test_assert_not_triggered_ignores_attempts_without_an_app_s8(fake: DaprJobsFake) -> None:
    schedule(fake, "orphan", {"dueTime": "1s"})
    fake.clock.advance(seconds=5)
    fake.assert_not_triggered("orphan")  # it fell due, nothing received it


def test_data_matches_http_json(fake: DaprJobsFake) -> None:
    schedule(fake, "h", {"dueTime": "1s", "data": {"user": 7}})
    fake.assert_scheduled("h", data={"user": 7})
    fake.assert_scheduled("h", data=b'{"user": 7}')  # the same payload as JSON bytes
    text = message_of(lambda: fake.assert_scheduled("h", data={"user": 8}))
    assert "near miss" in text and "data={'user': 7} (expected {'user': 8})" in text


def test_data_matches_sdk_bytes_s10_2(dapr_jobs: DaprJobsFake) -> None:
    """The Python SDK sends `Any(value=b'...')`: `data=` given as the JSON it holds matches."""
    pytest.importorskip("dapr.clients")
    if dapr_jobs.grpc_server is None:
        pytest.skip("gRPC not served")
    from dapr.clients import DaprClient, Job
    from google.protobuf import any_pb2, json_format, struct_pb2

    with DaprClient() as client:
        client.schedule_job(
            Job(name="sdk", due_time="1s", data=any_pb2.Any(value=json.dumps({"user": 7}).encode()))
        )
        packed = any_pb2.Any()
        packed.Pack(json_format.ParseDict({"user": 7}, struct_pb2.Value()))
        client.schedule_job(Job(name="packed", due_time="1s", data=packed))
        client.schedule_job(Job(name="text", due_time="1s", data=any_pb2.Any(value=b"plain text")))
    dapr_jobs.assert_scheduled("sdk", data={"user": 7})
    dapr_jobs.assert_scheduled("sdk", data=b'{"user": 7}')
    dapr_jobs.assert_scheduled("packed", data={"user": 7})
    dapr_jobs.assert_scheduled("text", data="plain text")
    dapr_jobs.assert_scheduled("text", data=b"plain text")
    message_of(lambda: dapr_jobs.assert_scheduled("sdk", data={"user": 8}))
    message_of(lambda: dapr_jobs.assert_scheduled("text", data={"user": 7}))
