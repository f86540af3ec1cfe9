"""Automatic time skipping (issue 13): `clock="auto"` jumps to the next due trigger whenever the fake is idle.

Positive waits use events with timeouts. The two "it does not jump while busy" tests must let real time
pass to show that nothing happens: they wait ten quiet periods, an upper bound on how long a jump takes
to start once the fake is idle, not a guess at how long something takes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests
from pytester_support import run_pytest
from wire import send

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.sidecar.fault_specs import MAX_DELAY

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
QUIET = 0.02
ALPHA = "/v1.0-alpha1/jobs/"


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    pause = threading.Event()
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached within the timeout")
        pause.wait(0.002)


def timeline(fake: DaprJobsFake) -> list[tuple[str, int, int, int, str]]:
    return [(r.name, r.scheduled_ns, r.tick, r.attempt, r.next_step) for r in fake.triggers]


def test_a_polling_client_sees_a_job_due_in_a_day_in_well_under_a_second(fake: DaprJobsFake) -> None:
    """The code under test polls GET until its one-shot job has fired (and is gone): it waits a day."""
    fake.reset(start=START, clock="auto")
    fake.on_job("report")(lambda event: None)
    began = time.monotonic()
    assert (
        requests.post(f"{fake.url}/v1.0/jobs/report", json={"dueTime": "24h"}, timeout=5).status_code == 204
    )
    while requests.get(f"{fake.url}/v1.0/jobs/report", timeout=5).status_code == 200:
        pass  # a busy poller: reads do not hold the clock back
    took = time.monotonic() - began
    assert took < 1.0, took
    fake.assert_triggered("report", at=START + timedelta(hours=24))
    assert [(j.from_at, j.to_at) for j in fake.jumps] == [(START, START + timedelta(hours=24))]


SCENARIO = [
    ("every", {"schedule": "@every 90m", "repeats": 3}),
    ("retried", {"dueTime": "2h", "failurePolicy": {"constant": {"interval": "7s", "maxRetries": 2}}}),
    ("cron", {"schedule": "0 30 * * * *", "repeats": 2}),
    ("same-time", {"dueTime": "2h"}),
]


def run_scenario(fake: DaprJobsFake, move: Callable[[], None]) -> list[tuple[str, int, int, int, str]]:
    fake.on_job()(lambda event: 503 if event.name == "retried" and event.attempt < 3 else 200)
    for name, body in SCENARIO:
        assert send(fake, "POST", ALPHA + name, body).status == 204
    move()
    return timeline(fake)


def test_order_and_failure_policy_timing_equal_manual_moves__s8_s10_4(fake: DaprJobsFake) -> None:
    fake.reset(start=START)
    manual = run_scenario(fake, lambda: fake.clock.run_until_idle())
    fake.reset(start=START)  # scheduled before skipping starts: an idle gap between POSTs would jump

    def skip() -> None:
        fake.configure(clock="auto")
        wait_until(lambda: fake.clock.next_trigger_ns() is None)

    auto = run_scenario(fake, skip)
    assert auto == manual and len(auto) == 3 + 3 + 2 + 1
    assert fake.clock.now() == START + timedelta(hours=4, minutes=30)  # the last attempt, not beyond
    assert len(fake.jumps) == len({r.scheduled_ns for r in fake.triggers})


def test_no_jump_while_a_request_is_in_flight(fake: DaprJobsFake) -> None:
    fake.reset(start=START)
    fired = threading.Event()
    fake.on_job("x")(lambda event: fired.set())
    send(fake, "POST", ALPHA + "x", {"dueTime": "1h"})
    slow = fake.faults.fail("get", delay=MAX_DELAY)  # a GET that stays in flight until cleared
    caller = threading.Thread(target=lambda: send(fake, "GET", ALPHA + "x"))
    caller.start()
    wait_until(lambda: slow.hits == 1)
    fake.configure(clock="auto", auto_quiet=QUIET)
    assert not fired.wait(10 * QUIET)
    assert fake.clock.now() == START and fake.activity.busy == 1
    slow.clear()
    caller.join(10)
    assert fired.wait(5) and fake.clock.now() == START + timedelta(hours=1)


def test_no_jump_while_a_delivery_is_in_flight(fake: DaprJobsFake) -> None:
    fake.reset(start=START)
    release, b_fired = threading.Event(), threading.Event()
    fake.on_job("a")(lambda event: release.wait(10))
    fake.on_job("b")(lambda event: b_fired.set())
    send(fake, "POST", ALPHA + "b", {"dueTime": "2h"})
    send(fake, "POST", ALPHA + "a", {"dueTime": "1h"})
    fake.configure(clock="auto", auto_quiet=QUIET)
    wait_until(lambda: fake.clock.delivering)
    assert not b_fired.wait(10 * QUIET)
    assert fake.clock.now() == START + timedelta(hours=1)
    release.set()
    assert b_fired.wait(5) and fake.clock.now() == START + timedelta(hours=2)


def test_a_horizon_bounds_the_skipping_and_hand_moves_still_work(fake: DaprJobsFake) -> None:
    fake.reset(start=START)
    fired: list[str] = []
    first = threading.Event()
    fake.on_job()(lambda event: (fired.append(event.name), first.set()))
    send(fake, "POST", ALPHA + "soon", {"dueTime": "1h"})
    send(fake, "POST", ALPHA + "later", {"dueTime": "3h"})
    fake.configure(clock="auto", auto_horizon=timedelta(hours=2))
    assert first.wait(5) and fired == ["soon"]
    wait_until(lambda: not fake.clock.delivering and fake.activity.busy == 0)
    assert fake.clock.now() == START + timedelta(hours=1)
    fake.clock.advance(hours=3)  # by hand, past the horizon
    assert fired == ["soon", "later"]


def test_jumps_are_journaled_before_their_triggers(fake: DaprJobsFake) -> None:
    fake.reset(start=START, clock="auto")
    done = threading.Event()
    fake.on_job()(lambda event: done.set())
    send(fake, "POST", ALPHA + "x", {"dueTime": "30m"})
    assert done.wait(5)
    wait_until(lambda: len(fake.triggers) == 1)
    kinds = [type(e).__name__ for e in fake.journal.entries]
    assert kinds == ["Call", "ClockJump", "TriggerRecord"]
    assert fake.jumps[0].skipped == timedelta(minutes=30)
    assert "auto clock: 2030-01-01T00:00:00Z -> 2030-01-01T00:30:00Z" in fake.jumps[0].line()


def test_reset_and_stop_end_the_auto_clock(fake: DaprJobsFake) -> None:
    fake.reset(clock="auto")
    assert fake.auto_clock.running
    fake.reset(clock="manual")
    assert not fake.auto_clock.running
    with DaprJobsFake(clock="auto") as other:
        assert other.auto_clock.running
    assert not other.auto_clock.running


def test_an_app_error_during_a_jump_reaches_the_test(fake: DaprJobsFake) -> None:
    fake.reset(start=START, clock="auto")
    raised = threading.Event()

    def handler(event: Any) -> None:
        raised.set()
        raise RuntimeError("database down")

    fake.on_job("x")(handler)
    send(fake, "POST", ALPHA + "x", {"dueTime": "1h", "failurePolicy": {"drop": {}}})
    assert raised.wait(5)
    wait_until(lambda: bool(fake.clock.pending_errors))
    errors = fake.clock.take_pending_errors()
    assert [str(e) for e in errors] == ["database down"]


def test_bad_clock_modes_are_refused(fake: DaprJobsFake) -> None:
    with pytest.raises(ValueError, match="clock must be 'manual' or 'auto'"):
        fake.configure(clock="fast")
    fake.configure(clock="manual")


@pytest.mark.dapr_jobs(clock="auto", travel=True, start=START)
def test_the_process_clock_follows_the_jumps_with_travel(dapr_jobs: DaprJobsFake) -> None:
    seen: list[datetime] = []
    done = threading.Event()
    dapr_jobs.on_job("x")(lambda event: (seen.append(datetime.now(timezone.utc)), done.set()))
    requests.post(f"{dapr_jobs.url}/v1.0/jobs/x", json={"dueTime": "48h"}, timeout=5)
    assert done.wait(5)  # Event.wait runs on the monotonic clock, which time-machine leaves alone
    assert seen == [START + timedelta(hours=48)]
    assert abs(time.time() - (START + timedelta(hours=48)).timestamp()) < 1


def test_the_ini_option_turns_it_on_for_a_run(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ndapr_jobs_clock = auto\ndapr_jobs_auto_quiet = 0.01\n")
    pytester.makepyfile(
        """
        import threading

        import requests


        def test_it(dapr_jobs):
            fired = threading.Event()
            dapr_jobs.on_job("x")(lambda event: fired.set())
            requests.post(f"{dapr_jobs.url}/v1.0/jobs/x", json={"dueTime": "8760h"}, timeout=5)
            assert fired.wait(5)
            assert dapr_jobs.auto_clock.quiet == 0.01
        """
    )
    run_pytest(pytester).assert_outcomes(passed=1)


def test_paused_waits_for_a_jump_in_progress_then_resumes(fake: DaprJobsFake) -> None:
    fake.reset(start=START)
    release = threading.Event()
    fake.on_job("slow")(lambda event: release.wait(10))
    send(fake, "POST", ALPHA + "slow", {"dueTime": "1h"})
    send(fake, "POST", ALPHA + "next", {"dueTime": "3h"})
    fake.configure(clock="auto")
    wait_until(lambda: fake.clock.delivering)
    threading.Timer(10 * QUIET, release.set).start()
    with fake.auto_clock.paused():  # returns once the slow delivery is done
        assert not fake.clock.delivering
        fake.clock.advance(hours=1)  # by hand: 02:00, "next" still ahead
    assert fake.clock.now() >= START + timedelta(hours=2) and fake.auto_clock.running
    wait_until(lambda: fake.clock.now() == START + timedelta(hours=3))
