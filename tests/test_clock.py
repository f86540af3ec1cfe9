"""The virtual clock: moving time fires triggers in order, synchronously, through a delivery target."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from dapr_jobs_fake.contract.model import DEFAULT_FAILURE_POLICY, FailurePolicy, JobPlan, JobSpec
from dapr_jobs_fake.delivery.handlers import JobEvent, JobHandlers
from dapr_jobs_fake.engine.clock import ClockError, RunawayJobError, VirtualClock
from dapr_jobs_fake.engine.engine import Engine
from dapr_jobs_fake.golang.calendar import datetime_to_ns
from dapr_jobs_fake.journal.assertions import check_triggered as assert_triggered
from dapr_jobs_fake.journal.records import TriggerRecord

S = 1_000_000_000
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
T0 = datetime_to_ns(START)


@dataclass(frozen=True)
class Every:
    """Test double of `cron.Schedule`: a fixed delay, like `@every <delay>`."""

    delay_ns: int

    def next(self, after_ns: int) -> int | None:
        return after_ns + self.delay_ns


def plan(
    name: str,
    *,
    every: float | None = None,
    due: int | None = None,
    repeats: int | None = None,
    expiration: int | None = None,
    policy: FailurePolicy = DEFAULT_FAILURE_POLICY,
    created: int = T0,
) -> JobPlan:
    return JobPlan(
        spec=JobSpec(name=name, schedule=None if every is None else f"@every {every}s", repeats=repeats),
        created_ns=created,
        begin_ns=due,
        expiration_ns=expiration,
        schedule=None if every is None else Every(int(every * S)),
        failure_policy=policy,
    )


class Rig:
    """An engine, handlers and a clock wired as the facade does, plus the journal's list."""

    def __init__(self, **clock_options: object) -> None:
        self.engine = Engine()
        self.handlers = JobHandlers()
        self.records: list[TriggerRecord] = []
        self.clock = VirtualClock(
            self.engine,
            start=START,
            delivery=self.handlers.deliver,
            observer=self.records.append,
            **clock_options,  # type: ignore[arg-type]
        )

    def seen(self) -> list[tuple[str, int, int]]:
        """(name, seconds after T0, attempt) of every delivered record."""
        return [(r.name, (r.scheduled_ns - T0) // S, r.attempt) for r in self.records if r.delivered]


@pytest.fixture
def rig() -> Rig:
    return Rig()


def test_advance_fires_in_time_order_and_now_reads_trigger_time__design(rig: Rig) -> None:
    seen_now: list[datetime] = []
    rig.handlers.on_job()(lambda event: seen_now.append(rig.clock.now()))
    rig.engine.upsert(plan("slow", every=3))
    rig.engine.upsert(plan("fast", every=2))
    rig.clock.advance(seconds=6)
    assert rig.seen() == [("fast", 2, 1), ("slow", 3, 1), ("fast", 4, 1), ("slow", 6, 1), ("fast", 6, 1)]
    assert [int((t - START).total_seconds()) for t in seen_now] == [2, 3, 4, 6, 6]
    assert rig.clock.now() == START + timedelta(seconds=6)


def test_retries_interleave_with_other_jobs_at_virtual_times__s10_4(rig: Rig) -> None:
    @rig.handlers.on_job("flaky")
    def flaky(event: JobEvent) -> int:
        return 500

    rig.handlers.on_job("steady")(lambda event: None)
    rig.engine.upsert(
        plan("flaky", due=T0 + 1 * S, policy=FailurePolicy("constant", interval_ns=2 * S, max_retries=2))
    )
    rig.engine.upsert(plan("steady", every=2, repeats=3))
    rig.clock.advance(seconds=10)
    assert rig.seen() == [
        ("flaky", 1, 1),
        ("steady", 2, 1),
        ("flaky", 3, 2),
        ("steady", 4, 1),
        ("flaky", 5, 3),
        ("steady", 6, 1),
    ]
    assert [r.next_step for r in rig.records if r.name == "flaky"] == ["retry", "retry", "finished"]


def test_infinite_retries_are_bounded_by_the_clock_move__s10_4(rig: Rig) -> None:
    rig.handlers.on_job("job")(lambda event: 503)
    rig.engine.upsert(plan("job", due=T0, policy=FailurePolicy("constant", interval_ns=S)))
    rig.clock.advance(seconds=9)
    assert len(rig.records) == 10
    state = rig.engine.get("job")
    assert state is not None and state.attempt == 11 and state.next_trigger_ns == T0 + 10 * S


def test_404_is_success_without_retry__s10_3(rig: Rig) -> None:
    rig.handlers.on_job("job")(lambda event: 404)
    rig.engine.upsert(plan("job", every=1, repeats=2))
    rig.clock.advance(seconds=5)
    assert rig.seen() == [("job", 1, 1), ("job", 2, 1)]
    assert all(r.succeeded and r.status == 404 for r in rig.records)


def test_handler_exception_fails_attempt_and_is_raised_after_the_move__s10_3(rig: Rig) -> None:
    calls: list[int] = []

    @rig.handlers.on_job("job")
    def boom(event: JobEvent) -> None:
        calls.append(event.attempt)
        raise ValueError(f"attempt {event.attempt}")

    rig.engine.upsert(plan("job", due=T0 + S))
    with pytest.raises(ValueError, match="attempt 1"):
        rig.clock.advance(seconds=10)
    assert calls == [1, 2, 3, 4]  # retried per the default policy within the same move
    assert rig.clock.now() == START + timedelta(seconds=10)  # the move completed before raising
    assert len(rig.clock.handler_errors) == 4
    assert rig.records[0].error is rig.clock.handler_errors[0] and rig.records[0].succeeded is False


def test_handler_errors_kept_pending_when_not_raised__s10_3() -> None:
    rig = Rig(raise_handler_errors=False)
    rig.handlers.on_job("job")(lambda event: 1 / 0)
    rig.engine.upsert(plan("job", due=T0, policy=FailurePolicy("drop")))
    rig.clock.advance()
    errors = rig.clock.take_pending_errors()
    assert [type(e) for e in errors] == [ZeroDivisionError]
    assert rig.clock.pending_errors == []


def test_handler_scheduling_a_job_fires_it_in_the_same_move__design(rig: Rig) -> None:
    @rig.handlers.on_job("parent")
    def parent(event: JobEvent) -> None:
        rig.engine.upsert(plan("child", due=rig.clock.now_ns() + 2 * S, created=rig.clock.now_ns()))

    rig.handlers.on_job("child")(lambda event: None)
    rig.engine.upsert(plan("parent", due=T0 + S))
    rig.clock.advance(seconds=5)
    assert rig.seen() == [("parent", 1, 1), ("child", 3, 1)]


def test_handler_scheduling_from_another_thread_fires_in_the_same_move__design(rig: Rig) -> None:
    """The engine lock is not held while delivering, so e.g. the HTTP server thread can schedule."""

    @rig.handlers.on_job("parent")
    def parent(event: JobEvent) -> None:
        now = rig.clock.now_ns()  # another thread reads the trigger time too
        worker = threading.Thread(target=lambda: rig.engine.upsert(plan("child", due=now + S, created=now)))
        worker.start()
        worker.join(timeout=5)
        assert not worker.is_alive(), "engine lock held during delivery"

    rig.handlers.on_job("child")(lambda event: None)
    rig.engine.upsert(plan("parent", due=T0 + S))
    rig.clock.advance(seconds=5)
    assert rig.seen() == [("parent", 1, 1), ("child", 2, 1)]


def test_moving_the_clock_from_a_handler_is_refused__design(rig: Rig) -> None:
    rig.handlers.on_job("job")(lambda event: rig.clock.advance(seconds=1))
    rig.engine.upsert(plan("job", due=T0, policy=FailurePolicy("drop")))
    with pytest.raises(ClockError, match="inside a job handler"):
        rig.clock.advance()


def test_no_target_means_no_fire_and_no_tick_consumed__s8() -> None:
    """§8 noapp: without an app the job is not triggered and stays; it fires once an app connects."""
    rig = Rig()
    rig.clock.delivery = None
    rig.handlers.on_job()(lambda event: None)
    rig.engine.upsert(plan("job", every=10, repeats=1))
    rig.clock.advance(seconds=30)
    assert rig.seen() == []
    assert [(r.kind, r.next_step) for r in rig.records] == [("no-target", "waiting")]  # once, no spin
    state = rig.engine.get("job")
    assert state is not None and state.ticks == 0 and state.parked and state.next_trigger_ns == T0 + 10 * S
    assert rig.clock.next_trigger_at() is None  # waiting jobs are not pending for the clock
    rig.clock.delivery = rig.handlers.deliver
    rig.clock.advance()
    assert rig.seen() == [("job", 10, 1)]
    assert rig.records[-1].delivered_ns == T0 + 30 * S  # delivered late, now never goes backwards
    assert rig.engine.get("job") is None


def test_backwards_move_is_an_error__design(rig: Rig) -> None:
    rig.clock.advance(hours=1)
    with pytest.raises(ClockError, match="backwards"):
        rig.clock.advance_to(START)
    with pytest.raises(ClockError, match="backwards"):
        rig.clock.advance(timedelta(seconds=-1))
    rig.clock.advance_to(rig.clock.now())  # standing still is fine
    assert rig.clock.now() == START + timedelta(hours=1)


def test_advance_to_and_units__design(rig: Rig) -> None:
    rig.clock.advance(timedelta(minutes=1), seconds=1, minutes=1, hours=1, days=1)
    assert rig.clock.now() == START + timedelta(days=1, hours=1, minutes=2, seconds=1)
    rig.clock.advance_to(datetime(2030, 1, 1, tzinfo=timezone.utc))
    assert rig.clock.now_ns() == datetime_to_ns(datetime(2030, 1, 1, tzinfo=timezone.utc))


def test_run_until_idle_refuses_endless_schedules__design(rig: Rig) -> None:
    rig.handlers.on_job()(lambda event: None)
    rig.engine.upsert(plan("forever", every=60))
    with pytest.raises(ClockError, match="'forever' repeat"):
        rig.clock.run_until_idle()
    fired = rig.clock.run_until_idle(limit=timedelta(minutes=5))
    assert len(fired) == 5 and rig.clock.now() == START + timedelta(minutes=5)


def test_run_until_idle_stops_at_last_trigger__design(rig: Rig) -> None:
    rig.handlers.on_job()(lambda event: None)
    rig.engine.upsert(plan("a", every=60, repeats=3))
    rig.engine.upsert(plan("b", due=T0 + 3600 * S))
    fired = rig.clock.run_until_idle()
    assert [r.name for r in fired] == ["a", "a", "a", "b"]
    assert rig.clock.now() == START + timedelta(hours=1)
    assert rig.clock.next_trigger_at() is None


def test_run_until_idle_gives_up_on_endless_retries__s10_4() -> None:
    rig = Rig(idle_trigger_limit=50)
    rig.handlers.on_job()(lambda event: 500)
    rig.engine.upsert(plan("job", due=T0, policy=FailurePolicy("constant", interval_ns=S)))
    with pytest.raises(ClockError, match="still due"):
        rig.clock.run_until_idle()


def test_run_next_jumps_to_the_next_attempt__design(rig: Rig) -> None:
    rig.handlers.on_job()(lambda event: None)
    rig.engine.upsert(plan("job", every=3600, repeats=2))
    first = rig.clock.run_next()
    assert first is not None and first.scheduled_ns == T0 + 3600 * S
    assert rig.clock.now() == START + timedelta(hours=1)
    assert rig.clock.next_trigger_at() == START + timedelta(hours=2)
    assert rig.clock.run_next() is not None
    assert rig.clock.run_next() is None


def test_past_due_job_fires_on_a_zero_move__s8(rig: Rig) -> None:
    rig.handlers.on_job()(lambda event: None)
    rig.engine.upsert(plan("late", due=T0 - 60 * S))
    assert [r.scheduled_ns for r in rig.clock.advance()] == [T0 - 60 * S]
    assert rig.clock.now() == START  # delivered at now, never backwards


def test_runaway_job_stops_the_clock_with_a_clear_error__s10_4(rig: Rig) -> None:
    rig.handlers.on_job()(lambda event: 500)
    rig.engine.upsert(plan("spin", due=T0 + S, policy=FailurePolicy("constant")))
    with pytest.raises(RunawayJobError, match="'spin'"):
        rig.clock.advance(hours=1)
    assert rig.clock.now() == START + timedelta(seconds=1)


def test_default_start_is_now_truncated_to_the_second__s8() -> None:
    before = time.time_ns() // S * S
    clock = VirtualClock(Engine())
    assert before <= clock.now_ns() <= time.time_ns() and clock.now_ns() % S == 0


def test_travel_makes_process_time_equal_trigger_time__design() -> None:
    rig = Rig(travel=True)
    try:
        seen: list[tuple[datetime, float]] = []
        rig.handlers.on_job()(lambda event: seen.append((datetime.now(timezone.utc), time.time())))
        rig.engine.upsert(plan("job", every=90, repeats=2))
        assert datetime.now(timezone.utc) == START
        rig.clock.advance(minutes=10)
        assert seen == [
            (START + timedelta(seconds=90), (T0 + 90 * S) / S),
            (START + timedelta(seconds=180), (T0 + 180 * S) / S),
        ]
        assert datetime.now(timezone.utc) == START + timedelta(minutes=10)
    finally:
        rig.clock.close()
    assert datetime.now(timezone.utc).year >= 2025


# -- the journal records and assert_triggered -------------------------------------------------------


def test_assert_triggered_counts_ticks_attempts_and_checks_times__design(rig: Rig) -> None:
    """`times=` counts triggers (ticks), `attempts=` delivery attempts, `at=` the ticks' due times."""
    answers = iter([500])  # the very first attempt fails, every later one succeeds
    rig.handlers.on_job("reminder-7")(lambda event: next(answers, None))
    rig.engine.upsert(plan("reminder-7", every=60, repeats=2))
    rig.clock.advance(minutes=5)
    minute = timedelta(minutes=1)
    records = assert_triggered(rig.records, "reminder-7", times=2, attempts=3)
    assert [(r.tick, r.attempt, r.next_step) for r in records] == [
        (1, 1, "retry"),
        (1, 2, "next"),
        (2, 1, "finished"),
    ]
    assert_triggered(rig.records, "reminder-7", at=START + 2 * minute)
    assert_triggered(rig.records, "reminder-7", at=[START + minute, START + 2 * minute])
    with pytest.raises(AssertionError, match=r"expected 3 trigger\(s\) of 'reminder-7', got 2 \(3 attempt"):
        assert_triggered(rig.records, "reminder-7", times=3)
    with pytest.raises(AssertionError, match=r"expected 2 delivery attempt\(s\) of 'reminder-7', got 3"):
        assert_triggered(rig.records, "reminder-7", attempts=2)
    with pytest.raises(AssertionError, match="none was"):  # a retry's own time is not a trigger time
        assert_triggered(rig.records, "reminder-7", at=START + minute + timedelta(seconds=1))
    assert_triggered(rig.records, "never", times=0)


def test_assert_triggered_failure_shows_timeline_and_similar_names__design(rig: Rig) -> None:
    rig.handlers.on_job()(lambda event: None)
    rig.engine.upsert(plan("reminder-8", due=T0 + S))
    rig.clock.advance(seconds=2)
    with pytest.raises(AssertionError) as failure:
        assert_triggered(rig.records, "reminder-7", times=1)
    message = str(failure.value)
    assert "expected 1 trigger(s) of 'reminder-7', got 0" in message
    assert "similar job names that did fire: 'reminder-8'" in message
    assert (
        "2024-01-01T00:00:01Z  reminder-8  tick 1 attempt 1  -> handlers: status 200 -> success, finished"
        in message
    )
    with pytest.raises(AssertionError, match=r"expected 'reminder-8' triggered at \[2024-01-01T00:00:05Z\]"):
        assert_triggered(rig.records, "reminder-8", at=[START + timedelta(seconds=5)])


def test_assert_triggered_mentions_jobs_waiting_for_an_app__s8() -> None:
    rig = Rig()
    rig.clock.delivery = None
    rig.engine.upsert(plan("job", due=T0 + S))
    rig.clock.advance(seconds=2)
    with pytest.raises(AssertionError, match="fell due 1 time\\(s\\) while no app was connected"):
        assert_triggered(rig.records, "job")
    assert "held: the app is not connected" in repr(rig.records[0])
