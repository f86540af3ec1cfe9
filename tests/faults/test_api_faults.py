"""Fault injection on the Jobs API (issue 13): `fake.faults`, answered as real daprd answers outages.

The expected bodies are daprd's own, recorded with the Scheduler process stopped (conformance area
`outage`, /work/notes/real-runtime.md "Scheduler process stopped"; contract §5.2 "Scheduler unreachable"),
with two substitutions: the Scheduler's port (random in the recordings) is the fake's deterministic
50006, and the app ID is the recordings' "conformance".
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
import requests
from wire import send

from dapr_jobs_fake import DaprError, DaprJobsFake, Fault
from dapr_jobs_fake.sidecar.fault_specs import MAX_DELAY

ALPHA = "/v1.0-alpha1/jobs/"
DIAL = (
    'latest balancer error: connection error: desc = \\"transport: Error while dialing: dial tcp '
    '127.0.0.1:50006: connect: connection refused\\"'
)
DETAILS = (
    '"details":[{{"@type":"type.googleapis.com/google.rpc.ErrorInfo","domain":"dapr.io","metadata":'
    '{{"appID":"conformance","namespace":"default"}},"reason":"{code}"}}]}}'
)


def recorded(code: str, words: str) -> bytes:
    """A recorded body: `{"errorCode", "message": "failed to <words> due to: ... DeadlineExceeded ..."}`."""
    message = f"failed to {words} due to: rpc error: code = DeadlineExceeded desc = {DIAL}"
    return (f'{{"errorCode":"{code}","message":"{message}",' + DETAILS.format(code=code)).encode()


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    """Block until `predicate()` holds (a synchronisation point, not a timing assumption)."""
    done = threading.Event()
    for _ in range(int(timeout / 0.005)):
        if predicate():
            return
        done.wait(0.005)
    raise AssertionError("condition not reached within the timeout")


@pytest.fixture
def outage(fake: DaprJobsFake) -> Iterator[Callable[[str], DaprJobsFake]]:
    def at(version: str) -> DaprJobsFake:
        fake.reset(dapr_version=version, app_id="conformance")
        return fake

    yield at


# -- the recorded answers, per version ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "post_status", "prefix"),
    [("1.18.3", 504, "DAPR_"), ("1.17.5", 504, "DAPR_"), ("1.16.8", 504, "DAPR_"), ("1.14.4", 500, "")],
)
def test_scheduler_unreachable_answers_as_recorded_over_http__s5_2(
    outage: Callable[[str], DaprJobsFake], version: str, post_status: int, prefix: str
) -> None:
    fake = outage(version)
    fake.faults.scheduler_unreachable()
    posted = send(fake, "POST", ALPHA + "rec", {"dueTime": "1h", "data": {"a": 1}})
    got = send(fake, "GET", ALPHA + "rec")
    deleted = send(fake, "DELETE", ALPHA + "rec")
    assert (posted.status, got.status, deleted.status) == (post_status, 500, 500)
    assert {posted.content_type, got.content_type, deleted.content_type} == {"application/json"}
    assert posted.body == recorded(f"{prefix}SCHEDULER_SCHEDULE_JOB", "schedule job")
    assert got.body == recorded(f"{prefix}SCHEDULER_GET_JOB", "get job")
    assert deleted.body == recorded(f"{prefix}SCHEDULER_DELETE_JOB", "delete job")


def test_every_answer_is_journaled_as_injected_never_as_a_violation(fake: DaprJobsFake) -> None:
    fault = fake.faults.scheduler_unreachable()
    send(fake, "POST", ALPHA + "x", {"dueTime": "1h"})
    send(fake, "GET", ALPHA + "x")
    assert [c.injected for c in fake.calls] == ["the Scheduler is unreachable"] * 2
    assert fake.faults.injected == fake.calls and fault.hits == 2
    assert fake.violations == [] and fake.scheduled == []
    assert "(injected: the Scheduler is unreachable)" in fake.calls[0].describe()
    with pytest.raises(AssertionError, match="injected: the Scheduler is unreachable"):
        fake.assert_scheduled("x")


def test_daprd_refuses_what_it_checks_itself_before_the_scheduler__s3_s5_2(fake: DaprJobsFake) -> None:
    """An empty schedule is daprd's own 400; a bad cron would be the Scheduler's, which never gets it."""
    fake.faults.scheduler_unreachable()
    empty = send(fake, "POST", ALPHA + "x", {})
    assert (empty.status, empty.json()["errorCode"]) == (400, "DAPR_SCHEDULER_SCHEDULE_EMPTY")
    assert fake.calls[0].injected is None and [v.rule for v in fake.violations] == ["schedule.empty"]
    bad_cron = send(fake, "POST", ALPHA + "y", {"schedule": "not cron"})
    assert bad_cron.status == 504 and fake.calls[1].injected
    fake.journal.clear()  # the deliberate violation above is not this test's point


def test_times_counts_matching_calls_then_the_scheduler_is_back(fake: DaprJobsFake) -> None:
    fault = fake.faults.fail("schedule", times=2)
    statuses = [send(fake, "POST", ALPHA + f"j{i}", {"dueTime": "1h"}).status for i in range(3)]
    assert statuses == [504, 504, 204]
    assert send(fake, "GET", ALPHA + "j2").status == 200  # other operations were never hit
    assert (fault.hits, fault.remaining, fault.active) == (2, 0, False)


def test_a_window_in_seconds_ends_on_its_own(fake: DaprJobsFake, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(fake.faults, "_now", lambda: now[0])
    fault = fake.faults.fail("get", seconds=5)
    assert send(fake, "GET", ALPHA + "x").status == 500 and fault.active
    now[0] += 5
    assert not fault.active
    assert send(fake, "GET", ALPHA + "x").json()["message"].endswith("job not found: x")


def test_protocol_and_job_filters(fake: DaprJobsFake) -> None:
    fake.faults.fail("get", protocol="grpc")
    fake.faults.fail("delete", job="doomed")
    assert send(fake, "GET", ALPHA + "x").json()["message"].endswith("job not found: x")
    assert send(fake, "DELETE", ALPHA + "other").status == 204
    assert send(fake, "DELETE", ALPHA + "doomed").status == 500


def test_a_test_built_dapr_error_is_answered_as_built(fake: DaprJobsFake) -> None:
    error = DaprError(503, "UNAVAILABLE", "ERR_MAINTENANCE", "down for maintenance")
    fake.faults.error(error, "schedule")
    answer = send(fake, "POST", ALPHA + "x", {"dueTime": "1h"})
    assert (answer.status, answer.body) == (
        503,
        b'{"errorCode":"ERR_MAINTENANCE","message":"down for maintenance"}',
    )
    assert fake.calls[0].injected == "an injected error"


def test_timeout_says_context_deadline_exceeded_and_applied_writes_happen(fake: DaprJobsFake) -> None:
    """The Scheduler stored the job though daprd gave up: the client's retry then meets 409 (§5.2)."""
    fake.faults.timeout("schedule", applied=True, times=1)
    first = send(fake, "POST", ALPHA + "x", {"dueTime": "1h"})
    assert first.status == 504
    assert first.json()["message"] == (
        "failed to schedule job due to: rpc error: code = DeadlineExceeded desc = context deadline exceeded"
    )
    assert "x" in fake.jobs
    retry = send(fake, "POST", ALPHA + "x", {"dueTime": "1h"})
    assert (retry.status, retry.json()["errorCode"]) == (409, "DAPR_SCHEDULER_SCHEDULE_JOB")
    assert fake.calls[0].injected == "the Scheduler did not answer in time (applied)"
    fake.journal.clear()  # the 409 is a violation by design


def test_delay_waits_and_a_clear_meanwhile_serves_the_call(fake: DaprJobsFake) -> None:
    """daprd waits for the Scheduler (WaitForReady) and serves the call once it is back (§5.2)."""
    fault = fake.faults.scheduler_unreachable(delay=MAX_DELAY)
    answers: list[int] = []
    caller = threading.Thread(
        target=lambda: answers.append(send(fake, "POST", ALPHA + "x", {"dueTime": "1h"}).status)
    )
    caller.start()
    wait_until(lambda: fault.hits == 1)
    assert answers == [] and fake.calls == []
    fault.clear()
    caller.join(10)
    assert answers == [204] and fake.calls[0].injected is None and "x" in fake.jobs


def test_reset_clears_every_fault_and_ends_waits_unanswered(fake: DaprJobsFake) -> None:
    fault = fake.faults.scheduler_unreachable(delay=MAX_DELAY)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            send(fake, "GET", ALPHA + "x")
        except OSError as err:  # the fake hung up: no answer
            errors.append(err)

    caller = threading.Thread(target=call)
    caller.start()
    wait_until(lambda: fault.hits == 1)
    fake.reset()
    caller.join(10)
    assert errors and fake.faults.active == [] and fake.calls == []
    assert send(fake, "GET", ALPHA + "x").status == 500 and fake.calls[0].injected is None


def test_the_faults_option_installs_faults_and_reset_removes_them(fake: DaprJobsFake) -> None:
    fake.reset(faults=[Fault("list"), Fault("get", times=1)])
    assert [f.spec.operations for f in fake.faults.active] == [("list",), ("get",)]
    assert send(fake, "GET", ALPHA + "x").status == 500 and fake.calls[0].injected
    fake.configure(delivery_timeout=5.0)  # other options leave the installed faults alone
    assert len(fake.faults.installed) == 2 and fake.faults.installed[1].hits == 1
    fake.reset(faults=())
    assert fake.faults.installed == []


@pytest.mark.dapr_jobs(faults=[Fault("schedule", condition="timeout")])
def test_the_marker_takes_faults(dapr_jobs: DaprJobsFake) -> None:
    answer = requests.post(f"{dapr_jobs.url}/v1.0/jobs/x", json={"dueTime": "1h"}, timeout=5)
    assert answer.status_code == 504 and "context deadline exceeded" in answer.json()["message"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"operations": "wat"}, "unknown operation"),
        ({"condition": "flaky"}, "condition must be one of"),
        ({"protocol": "smtp"}, "protocol must be"),
        ({"times": 0}, "times must be a positive int"),
        ({"seconds": -1}, "seconds must be a positive number"),
        ({"delay": MAX_DELAY + 1}, "delay must be 0 to"),
        ({"applied": True}, "applied=True needs"),
        ({"error": DaprError(500, "NOPE", "", "")}, "grpc_code must be one of"),
    ],
)
def test_bad_fault_specs_say_what_is_wrong(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Fault(**spec)  # type: ignore[arg-type]


# -- Dapr 1.15.0 to 1.15.5: an unreachable Scheduler gets no answer at all ----------------------------
def test_1_15_4_never_answers_and_is_not_ready__s5_2_s12(outage: Callable[[str], DaprJobsFake]) -> None:
    """Recorded on 1.15.4: clients time out, /v1.0/healthz is 500 ERR_HEALTH_NOT_READY, no scheduler key."""
    fake = outage("1.15.4")
    fake.faults.scheduler_unreachable()
    health = send(fake, "GET", "/v1.0/healthz")
    assert (health.status, health.body) == (
        500,
        b'{"errorCode":"ERR_HEALTH_NOT_READY","message":"dapr is not ready"}',
    )
    assert "scheduler" not in send(fake, "GET", "/v1.0/metadata").json()
    gone = threading.Event()
    fake.journal.listeners.append(lambda entry: gone.set())
    with pytest.raises(requests.exceptions.ReadTimeout):
        requests.post(f"{fake.url}{ALPHA}x", json={"dueTime": "1h"}, timeout=0.3)
    assert gone.wait(5)  # the fake noticed the client left, and journaled that it never answered
    assert fake.calls[0].injected == "the Scheduler is unreachable: no answer"
    fake.faults.clear()
    assert send(fake, "GET", "/v1.0/healthz").status == 204
    assert "scheduler" in send(fake, "GET", "/v1.0/metadata").json()


def test_1_15_4_serves_a_waiting_call_once_the_scheduler_is_back(
    outage: Callable[[str], DaprJobsFake],
) -> None:
    fake = outage("1.15.4")
    fault = fake.faults.scheduler_unreachable()
    answers: list[int] = []
    caller = threading.Thread(target=lambda: answers.append(send(fake, "GET", ALPHA + "x").status))
    caller.start()
    wait_until(lambda: fault.hits == 1)
    fault.clear()
    caller.join(10)
    assert answers == [500] and "job not found: x" in json.dumps(fake.calls[0].response)


def test_1_15_6_answers_after_the_deadline_as_1_16_does_with_1_15s_500(
    outage: Callable[[str], DaprJobsFake],
) -> None:
    fake = outage("1.15.6")
    fake.faults.scheduler_unreachable()
    answer = send(fake, "POST", ALPHA + "x", {"dueTime": "1h"})
    assert answer.status == 500 and answer.body == recorded("DAPR_SCHEDULER_SCHEDULE_JOB", "schedule job")


def test_delays_are_bounded() -> None:
    assert timedelta(seconds=MAX_DELAY) >= timedelta(seconds=30)  # daprd's 30 s can be reproduced
    with pytest.raises(ValueError):
        Fault(delay=float("inf"))


def test_1_15_4_hangs_up_once_the_delay_bounds_the_wait(outage: Callable[[str], DaprJobsFake]) -> None:
    """A client without a timeout is not held for good: after `delay` the connection closes unanswered."""
    fake = outage("1.15.4")
    fake.faults.scheduler_unreachable(delay=0.1)
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(f"{fake.url}{ALPHA}x", timeout=10)
    assert fake.calls[0].injected == "the Scheduler is unreachable: no answer" and fake.calls[0].status == 0
    assert send(fake, "GET", "/v1.0/healthz").status == 500  # still down: only that call gave up


def test_clear_ends_the_options_faults_too_until_the_next_reset(fake: DaprJobsFake) -> None:
    fake.reset(faults=[Fault("get")])
    fake.faults.clear()
    fake.on_job("x")(lambda event: None)  # applies the options again: the cleared fault stays cleared
    assert fake.faults.installed == []
    fake.reset()
    assert len(fake.faults.active) == 1


def hung(code: str, words: str, desc: str) -> bytes:
    message = f"failed to {words} due to: rpc error: code = {desc}"
    return (f'{{"errorCode":"{code}","message":"{message}",' + DETAILS.format(code=code)).encode()


KEEPALIVE = "Unavailable desc = keepalive ping failed to receive ACK within timeout"
DEADLINE = "DeadlineExceeded desc = context deadline exceeded"


@pytest.mark.parametrize(
    ("version", "post_status", "prefix", "desc"),
    [
        ("1.18.3", 503, "DAPR_", KEEPALIVE),
        ("1.17.5", 503, "DAPR_", KEEPALIVE),
        ("1.16.8", 503, "DAPR_", KEEPALIVE),
        ("1.16.1", 504, "DAPR_", DEADLINE),  # no keepalive before 1.16.2: the 30 s deadline
        ("1.15.4", 500, "DAPR_", DEADLINE),
        ("1.14.4", 500, "", DEADLINE),
    ],
)
def test_a_hung_scheduler_answers_as_recorded__s5_2(
    outage: Callable[[str], DaprJobsFake], version: str, post_status: int, prefix: str, desc: str
) -> None:
    """Recorded with the Scheduler process paused (SIGSTOP): keepalive gives up after 15 s from 1.16.2,
    the 30 s deadline before; nothing is stored."""
    fake = outage(version)
    if version == "1.16.1":
        fake.reset(dapr_version="1.16.1", app_id="conformance")
    fake.faults.fail(condition="unresponsive")
    posted = send(fake, "POST", ALPHA + "p", {"dueTime": "1h"})
    got = send(fake, "GET", ALPHA + "p")
    assert (posted.status, got.status) == (post_status, 500)
    assert posted.body == hung(f"{prefix}SCHEDULER_SCHEDULE_JOB", "schedule job", desc)
    assert got.body == hung(f"{prefix}SCHEDULER_GET_JOB", "get job", desc)
    assert fake.jobs == {} and fake.calls[0].injected == "the Scheduler hangs"


def test_timeout_is_504_for_post_from_1_16_and_500_before__s5_2(
    outage: Callable[[str], DaprJobsFake],
) -> None:
    for version, status in (("1.16.8", 504), ("1.15.4", 500)):
        fake = outage(version)
        fake.faults.timeout("schedule")
        answer = send(fake, "POST", ALPHA + "x", {"dueTime": "1h"})
        assert answer.status == status
        assert answer.body == hung("DAPR_SCHEDULER_SCHEDULE_JOB", "schedule job", DEADLINE)
