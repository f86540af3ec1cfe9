"""The engine alone: lifecycle (§8) and failure policy (§10.3, §10.4), driven by hand, no clock.

Schedules are a local fixed-delay double (`Every`), so these tests pin the engine's rules and not
the cron parser's.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from dapr_jobs_fake.contract.model import DEFAULT_FAILURE_POLICY, FailurePolicy, JobPlan, JobSpec
from dapr_jobs_fake.engine.attempt import Attempt, Report
from dapr_jobs_fake.engine.engine import SPIN_LIMIT, Engine, next_tick_ns

S = 1_000_000_000
T0 = 1_704_067_200 * S  # 2024-01-01T00:00:00Z
DROP = FailurePolicy("drop")


@dataclass(frozen=True)
class Every:
    """Test double of `cron.Schedule`: a fixed delay, like `@every <delay>`."""

    delay_ns: int

    def next(self, after_ns: int) -> int | None:
        return after_ns + self.delay_ns


def plan(
    name: str = "job",
    *,
    every: float | None = None,
    due: int | None = None,
    expiration: int | None = None,
    repeats: int | None = None,
    policy: FailurePolicy = DEFAULT_FAILURE_POLICY,
    created: int = T0,
) -> JobPlan:
    """A JobPlan as the contract layer builds it: `due`/`expiration` are absolute ns."""
    return JobPlan(
        spec=JobSpec(name=name, schedule=None if every is None else f"@every {every}s", repeats=repeats),
        created_ns=created,
        begin_ns=due,
        expiration_ns=expiration,
        schedule=None if every is None else Every(int(every * S)),
        failure_policy=policy,
    )


def fire(engine: Engine, until: int, fails: set[str] | None = None) -> list[tuple[str, int, int]]:
    """Pop and report every attempt due by `until`; jobs in `fails` fail. -> (name, time, attempt)."""
    fired = []
    while (attempt := engine.pop_due(until)) is not None:
        fired.append((attempt.name, attempt.scheduled_ns, attempt.attempt))
        engine.report(attempt, attempt.name not in (fails or set()))
    return fired


# -- §8 first trigger and lifecycle -----------------------------------------------------------------


def test_due_time_only_fires_once_at_due_time_then_job_deleted__s8() -> None:
    engine = Engine()
    engine.upsert(plan(due=T0 + 10 * S))
    assert engine.next_due_ns() == T0 + 10 * S
    assert fire(engine, T0 + 9 * S) == []
    assert fire(engine, T0 + 100 * S) == [("job", T0 + 10 * S, 1)]
    assert engine.get("job") is None
    assert engine.next_due_ns() is None


def test_schedule_only_first_trigger_is_next_strictly_after_creation__s8() -> None:
    engine = Engine()
    engine.upsert(plan(every=10))
    assert engine.pop_due(T0) is None  # never *at* creation
    assert fire(engine, T0 + 25 * S) == [("job", T0 + 10 * S, 1), ("job", T0 + 20 * S, 1)]


def test_schedule_and_due_time_first_at_due_time_then_from_previous__s8() -> None:
    engine = Engine()
    engine.upsert(plan(every=10, due=T0 + 3 * S))
    times = [t for _, t, _ in fire(engine, T0 + 30 * S)]
    assert times == [T0 + 3 * S, T0 + 13 * S, T0 + 23 * S]  # not aligned to creation + 10 s


def test_repeats_bounds_ticks_then_job_deleted__s8() -> None:
    engine = Engine()
    engine.upsert(plan(every=1, repeats=2))
    assert [t for _, t, _ in fire(engine, T0 + 60 * S)] == [T0 + 1 * S, T0 + 2 * S]
    assert engine.get("job") is None


def test_ttl_tick_exactly_at_expiration_fires__s8() -> None:
    """`@every 1s` + ttl 3s ⇒ 3 triggers (daprd `jobs/repeats.go`): the one at expiration fires."""
    engine = Engine()
    engine.upsert(plan(every=1, expiration=T0 + 3 * S))
    assert [t for _, t, _ in fire(engine, T0 + 60 * S)] == [T0 + S, T0 + 2 * S, T0 + 3 * S]
    assert engine.get("job") is None


def test_ttl_relative_to_due_time_counts_from_due_time__s8() -> None:
    """The contract layer resolves ttl from the dueTime (builder.Parse): dueTime 10s + ttl 2s ⇒ 3 ticks."""
    engine = Engine()
    due = T0 + 10 * S
    engine.upsert(plan(every=1, due=due, expiration=due + 2 * S))
    assert [t for _, t, _ in fire(engine, T0 + 60 * S)] == [due, due + S, due + 2 * S]


def test_ttl_shorter_than_first_interval_deletes_without_firing__s8() -> None:
    engine = Engine()
    assert engine.upsert(plan(every=10, expiration=T0 + 5 * S)) is None
    assert engine.get("job") is None
    assert engine.next_due_ns() is None


def test_job_deleted_after_last_tick_and_not_before__s8() -> None:
    engine = Engine()
    engine.upsert(plan(every=1, repeats=2))
    fire(engine, T0 + S)
    state = engine.get("job")
    assert state is not None and state.ticks == 1 and state.next_trigger_ns == T0 + 2 * S
    fire(engine, T0 + 2 * S)
    assert engine.get("job") is None
    assert "job" not in engine.jobs


def test_overwrite_resets_count_and_ignores_old_in_flight_report__s8() -> None:
    engine = Engine()
    engine.upsert(plan(every=1, repeats=2))
    fire(engine, T0 + S)
    in_flight = engine.pop_due(T0 + 2 * S)
    assert in_flight is not None
    state = engine.upsert(plan(every=1, repeats=2, created=T0 + 2 * S))
    assert state is not None and state.ticks == 0 and state.generation > in_flight.generation
    assert engine.report(in_flight, True) is Report.IGNORED
    assert [t for _, t, _ in fire(engine, T0 + 60 * S)] == [T0 + 3 * S, T0 + 4 * S]  # two fresh ticks


def test_missed_ticks_catch_up_one_by_one__s8() -> None:
    """A dueTime in the past: each missed tick fires, in order, at its own scheduled time."""
    engine = Engine()
    engine.upsert(plan(every=10, due=T0 - 30 * S))
    assert [t for _, t, _ in fire(engine, T0)] == [T0 - 30 * S, T0 - 20 * S, T0 - 10 * S, T0]


def test_ties_broken_by_scheduling_order__design() -> None:
    engine = Engine()
    for name in ("b", "a", "c"):
        engine.upsert(plan(name, due=T0 + S))
    assert [n for n, _, _ in fire(engine, T0 + S)] == ["b", "a", "c"]


def test_delete_and_delete_prefix__s14() -> None:
    engine = Engine()
    for name in ("app-1", "app-2", "other"):
        engine.upsert(plan(name, every=1))
    assert engine.delete("other") is True
    assert engine.delete("other") is False
    assert engine.delete_prefix("app-") == ["app-1", "app-2"]
    assert engine.next_due_ns() is None
    assert len(engine.jobs) == 0


def test_report_after_delete_is_ignored__s8() -> None:
    engine = Engine()
    engine.upsert(plan(due=T0))
    attempt = engine.pop_due(T0)
    assert attempt is not None
    engine.delete("job")
    assert engine.report(attempt, False) is Report.IGNORED
    assert engine.get("job") is None


def test_overwrites_do_not_grow_the_heap__perf() -> None:
    engine = Engine()
    for i in range(10_000):
        engine.upsert(plan(due=T0 + 10**6 * S + i))
    assert len(engine._heap) < 200


# -- §10.4 failure policy ---------------------------------------------------------------------------


def test_default_policy_is_1s_times_3_so_4_attempts__s10_4() -> None:
    engine = Engine()
    engine.upsert(plan(due=T0))
    fired = fire(engine, T0 + 60 * S, fails={"job"})
    assert fired == [("job", T0, 1), ("job", T0 + S, 2), ("job", T0 + 2 * S, 3), ("job", T0 + 3 * S, 4)]
    assert engine.get("job") is None  # one-shot: exhausted ⇒ deleted


def test_constant_max_retries_n_gives_n_plus_1_attempts__s10_4() -> None:
    engine = Engine()
    engine.upsert(plan(due=T0, policy=FailurePolicy("constant", interval_ns=5 * S, max_retries=4)))
    fired = fire(engine, T0 + 60 * S, fails={"job"})
    assert [(t - T0) // S for _, t, _ in fired] == [0, 5, 10, 15, 20]


def test_constant_retry_succeeds_then_next_tick_from_original_tick_time__s10_4() -> None:
    engine = Engine()
    policy = FailurePolicy("constant", interval_ns=3 * S, max_retries=None)
    engine.upsert(plan(every=10, repeats=2, policy=policy))
    first = engine.pop_due(T0 + 10 * S)
    assert first is not None and engine.report(first, False) is Report.RETRY
    retry = engine.pop_due(T0 + 13 * S)
    assert retry is not None and (retry.scheduled_ns, retry.tick_ns, retry.attempt) == (
        T0 + 13 * S,
        T0 + 10 * S,
        2,
    )
    assert engine.report(retry, True) is Report.NEXT
    assert engine.next_due_ns() == T0 + 20 * S  # schedule.next(10 s), not of the retry's 13 s


def test_constant_without_interval_retries_immediately__s10_4() -> None:
    engine = Engine()
    engine.upsert(plan(due=T0, policy=FailurePolicy("constant", max_retries=2)))
    assert fire(engine, T0, fails={"job"}) == [("job", T0, 1), ("job", T0, 2), ("job", T0, 3)]


def test_drop_consumes_tick_and_schedule_continues__s10_4() -> None:
    engine = Engine()
    engine.upsert(plan(every=1, repeats=3, policy=DROP))
    fired = fire(engine, T0 + 60 * S, fails={"job"})
    assert fired == [("job", T0 + S, 1), ("job", T0 + 2 * S, 1), ("job", T0 + 3 * S, 1)]


def test_exhausted_tick_counts_toward_repeats__s10_4() -> None:
    engine = Engine()
    engine.upsert(plan(every=10, repeats=2, policy=FailurePolicy("constant", interval_ns=S, max_retries=1)))
    fired = fire(engine, T0 + 600 * S, fails={"job"})
    assert [((t - T0) // S, a) for _, t, a in fired] == [(10, 1), (11, 2), (20, 1), (21, 2)]
    assert engine.get("job") is None


def test_retries_are_not_bounded_by_ttl__s10_4() -> None:
    """counter.go only checks the expiration when computing a new tick, never for a retry."""
    engine = Engine()
    policy = FailurePolicy("constant", interval_ns=S, max_retries=2)
    engine.upsert(plan(every=10, expiration=T0 + 10 * S, policy=policy))
    fired = fire(engine, T0 + 600 * S, fails={"job"})
    assert [(t - T0) // S for _, t, _ in fired] == [10, 11, 12]


def test_retries_disabled_profile_counts_every_trigger_as_done__s10_3() -> None:
    """Dapr 1.14.x never reports results to the Scheduler: no retries, whatever the policy."""
    engine = Engine(retries_enabled=False)
    engine.upsert(plan(every=1, repeats=2))
    fired = fire(engine, T0 + 60 * S, fails={"job"})
    assert fired == [("job", T0 + S, 1), ("job", T0 + 2 * S, 1)]


def test_endless_retry_at_one_instant_is_reported_as_runaway__s10_4() -> None:
    engine = Engine()
    engine.upsert(plan(due=T0, policy=FailurePolicy("constant")))
    results = []
    for _ in range(SPIN_LIMIT + 2):
        attempt = engine.pop_due(T0)
        assert attempt is not None
        results.append(engine.report(attempt, False))
    assert Report.RUNAWAY in results


# -- read model -------------------------------------------------------------------------------------


def test_job_state_snapshot_and_in_flight__s8() -> None:
    engine = Engine()
    engine.upsert(plan(every=5))
    attempt = engine.pop_due(T0 + 5 * S)
    assert isinstance(attempt, Attempt) and (attempt.tick, attempt.attempt) == (1, 1)
    state = engine.jobs["job"]
    assert state.in_flight and state.next_trigger_ns == T0 + 5 * S and state.ticks == 0
    engine.report(attempt, True)
    state = engine.jobs["job"]
    assert not state.in_flight and state.ticks == 1 and state.delivered == 1
    with pytest.raises(KeyError):
        engine.jobs["nope"]
    assert list(engine.jobs) == ["job"]


def test_next_tick_of_plan_without_schedule_is_none_after_first__s8() -> None:
    one_shot = plan(due=T0)
    assert next_tick_ns(one_shot, 0, None) == T0
    assert next_tick_ns(one_shot, 1, T0) is None
