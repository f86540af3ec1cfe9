"""The Scheduler's job store and trigger queue: lifecycle and failure policy, with no clock of its own.

The engine holds every job as a `JobPlan` plus its counter state and keeps one heap of pending
attempts for all jobs, so moving time costs O(log n) per trigger fired and nothing per idle job or
per second skipped. It never reads a clock, sleeps, delivers or starts a thread: the `VirtualClock`
asks it for the next due `Attempt` (`pop_due`), delivers it, and hands the outcome back (`report`).
Given the same calls it produces the same attempts in the same order; ties at one instant are broken
by the order the attempts were queued.

The rules mirror go-etcd-cron (contract §8, §10.3, §10.4):
- first tick: dueTime ⇒ at the dueTime; schedule only ⇒ `schedule.next(created)`, never at creation;
- next tick = `schedule.next(previous tick's scheduled time)`, so missed ticks catch up one by one;
- a tick after the expiration (ttl) ends the job, the first tick included; one exactly at it fires;
- `repeats` bounds the ticks consumed, failed-and-exhausted ticks included;
- a failed attempt is retried at its own scheduled time + interval while `max_retries` allows
  (`counter.go:policyTryAgain`); retries are not bounded by the ttl, as in the Scheduler;
- when no further tick exists the job is deleted (`counter.go:tickNext`).

All public methods take `engine.lock` (re-entrant), so the HTTP/gRPC threads and the clock can share
one engine; the lock is never held by the engine while anything outside it runs.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..contract.model import JobPlan
from .attempt import Attempt, Report, Step

#: Attempts of one job re-queued at the very same instant before the engine calls it a runaway
#: (a `constant` policy without interval and without max_retries, or an `@every 0s` schedule).
SPIN_LIMIT = 1000


_new_attempt = tuple.__new__  # skips NamedTuple's Python-level __new__ on the hot path


@dataclass(frozen=True)
class JobState:
    """A read-only snapshot of one stored job.

    `next_trigger_ns` is the scheduled time of the pending attempt (or of the one being delivered);
    `ticks` the ticks consumed so far (the Scheduler's counter); `attempt` the try number of the
    pending attempt; `delivered` the attempts delivered since the job was (re)defined; `parked` is
    true while the job is due but held back because no app is connected (§8 noapp).
    """

    name: str
    plan: JobPlan
    generation: int
    next_trigger_ns: int
    ticks: int
    attempt: int
    delivered: int
    in_flight: bool
    parked: bool


class _Job:
    """The engine's mutable record of one job; never leaves the engine."""

    __slots__ = (
        "attempt",
        "count",
        "delivered",
        "due_ns",
        "generation",
        "heap_seq",
        "in_flight",
        "name",
        "parked",
        "plan",
        "spin",
        "tick_ns",
    )

    def __init__(self, plan: JobPlan, generation: int) -> None:
        self.name = plan.spec.name
        self.plan = plan
        self.generation = generation
        self.count = 0
        self.tick_ns = 0
        self.due_ns = 0
        self.attempt = 1
        self.delivered = 0
        self.heap_seq = -1  # seq of the live heap entry; -1 when not queued
        self.in_flight: Attempt | None = None
        self.parked = False
        self.spin = 0

    def snapshot(self) -> JobState:
        # Every field set straight into the instance dict: the frozen dataclass's __init__ would pay one
        # object.__setattr__ per field, on every upsert and get.
        state = object.__new__(JobState)
        state.__dict__.update(
            name=self.name,
            plan=self.plan,
            generation=self.generation,
            next_trigger_ns=self.due_ns,
            ticks=self.count,
            attempt=self.attempt,
            delivered=self.delivered,
            in_flight=self.in_flight is not None,
            parked=self.parked,
        )
        return state


def next_tick_ns(plan: JobPlan, ticks_done: int, last_tick_ns: int | None) -> int | None:
    """The next tick of `plan` after `ticks_done` ticks, the last one scheduled at `last_tick_ns`.

    None when the job has no further tick: repeats reached, one-shot done, schedule exhausted or the
    tick falls after the expiration (`counter.go:updateNext`, `scheduler/{oneshot,repeats}.go`).
    """
    repeats = plan.spec.repeats
    if repeats is not None and ticks_done >= repeats:
        return None
    if last_tick_ns is None:
        if plan.begin_ns is not None:
            nxt: int | None = plan.begin_ns
        elif plan.schedule is not None:
            nxt = plan.schedule.next(plan.created_ns)
        else:  # the contract layer never builds this; a plan must have a schedule or a dueTime
            return None
    elif plan.schedule is None:
        return None
    else:
        nxt = plan.schedule.next(last_tick_ns)
    if nxt is None:
        return None
    if plan.expiration_ns is not None and nxt > plan.expiration_ns:
        return None
    return nxt


class Engine:
    """Jobs plus one heap of pending attempts. See the module docstring for the rules.

    `retries_enabled=False` emulates Dapr 1.14.x, where trigger results are never reported to the
    Scheduler: every attempt consumes its tick whatever the app answered (§10.3). It is the profile's
    `results_reported`, read at every report, so a reset to another version needs no new engine.
    """

    def __init__(self, *, retries_enabled: bool = True) -> None:
        self.retries_enabled = retries_enabled
        self.lock = threading.RLock()
        self._jobs: dict[str, _Job] = {}
        self._parked: dict[str, _Job] = {}
        self._heap: list[tuple[int, int, _Job]] = []
        self._seq = 0
        self._generation = 0
        self._stale = 0
        self.jobs: Mapping[str, JobState] = _JobsView(self)

    # -- store -------------------------------------------------------------------------------

    def clear(self) -> None:
        """Forget every job (a fake's reset); attempts in flight are then ignored when reported."""
        with self.lock:
            self._jobs.clear()
            self._parked.clear()
            self._heap.clear()
            self._stale = 0

    def upsert(self, plan: JobPlan) -> JobState | None:
        """Store `plan`, replacing any job of the same name (§8 overwrite: the count restarts).

        Returns the stored state, or None when the job has no tick at all (e.g. a ttl shorter than
        the first interval): the Scheduler deletes such a job at once without firing it.
        """
        with self.lock:
            name = plan.spec.name
            old = self._jobs.get(name)
            if old is not None:
                self._forget(old)
            self._generation += 1
            job = _Job(plan, self._generation)
            first = next_tick_ns(plan, 0, None)
            if first is None:
                if old is not None:
                    del self._jobs[name]
                return None
            self._jobs[name] = job
            job.tick_ns = first
            self._push(job, first)
            return job.snapshot()

    def delete(self, name: str) -> bool:
        """Delete the job `name`; False when there is none. An attempt in flight is then ignored."""
        with self.lock:
            job = self._jobs.pop(name, None)
            if job is None:
                return False
            self._forget(job)
            return True

    def delete_prefix(self, prefix: str) -> list[str]:
        """Delete every job whose name starts with `prefix` ("" deletes all); returns their names."""
        with self.lock:
            names = [name for name in self._jobs if name.startswith(prefix)]
            for name in names:
                self._forget(self._jobs.pop(name))
            return names

    def get(self, name: str) -> JobState | None:
        with self.lock:
            job = self._jobs.get(name)
            return None if job is None else job.snapshot()

    def has(self, name: str) -> bool:
        """Whether a job `name` is stored (`get(name) is not None` without building the snapshot)."""
        with self.lock:
            return name in self._jobs

    def names(self) -> list[str]:
        """Job names in creation order (an overwrite keeps its place)."""
        with self.lock:
            return list(self._jobs)

    def endless_jobs(self) -> list[str]:
        """Jobs that would fire forever: a schedule with neither repeats nor ttl, not parked."""
        with self.lock:
            return [
                job.name
                for job in self._jobs.values()
                if not job.parked
                and job.plan.schedule is not None
                and job.plan.spec.repeats is None
                and job.plan.expiration_ns is None
            ]

    # -- queue -------------------------------------------------------------------------------

    def next_due_ns(self) -> int | None:
        """When the earliest pending attempt is due (parked jobs excluded), or None."""
        with self.lock:
            heap = self._heap
            while heap:
                due, seq, job = heap[0]
                if job.heap_seq == seq:
                    return due
                heapq.heappop(heap)
                self._stale -= 1
            return None

    def pop_due(self, until_ns: int) -> Attempt | None:
        """Take the earliest attempt due at or before `until_ns`; the job is then in flight."""
        with self.lock:
            heap = self._heap
            while heap:
                due, seq, job = heap[0]
                if job.heap_seq != seq:
                    heapq.heappop(heap)
                    self._stale -= 1
                    continue
                if due > until_ns:
                    return None
                heapq.heappop(heap)
                job.heap_seq = -1
                attempt = _new_attempt(
                    Attempt,
                    (job.name, job.generation, job.plan, job.count + 1, job.attempt, job.tick_ns, due),
                )
                job.in_flight = attempt
                return attempt
            return None

    def report(self, attempt: Attempt, succeeded: bool) -> Step:
        """Apply the outcome of a delivered attempt (§10.3, §10.4) and queue what comes next."""
        with self.lock:
            job = self._jobs.get(attempt.name)
            if job is None or job.in_flight is not attempt:
                return Report.IGNORED
            job.in_flight = None
            job.delivered += 1
            if not succeeded and self.retries_enabled:
                policy = job.plan.failure_policy
                if policy.kind == "constant" and (
                    policy.max_retries is None or policy.max_retries >= attempt.attempt
                ):
                    job.attempt = attempt.attempt + 1
                    retry_ns = attempt.scheduled_ns + (policy.interval_ns or 0)
                    return self._requeue(job, retry_ns, Report.RETRY, endless=policy.max_retries is None)
            job.count += 1
            nxt = next_tick_ns(job.plan, job.count, attempt.tick_ns)
            if nxt is None:
                del self._jobs[job.name]
                return Report.FINISHED
            job.tick_ns = nxt
            job.attempt = 1
            return self._requeue(job, nxt, Report.NEXT, endless=job.plan.spec.repeats is None)

    def park(self, attempt: Attempt) -> None:
        """Hold back an attempt that is due while no app is connected (§8 noapp).

        The job keeps its pending attempt and tick count and stays gettable; `unpark_all` queues it
        again (due in the past, so it fires on the next clock move).
        """
        with self.lock:
            job = self._jobs.get(attempt.name)
            if job is None or job.in_flight is not attempt:
                return
            job.in_flight = None
            job.parked = True
            self._parked[job.name] = job

    def unpark_all(self) -> int:
        """Queue every parked job again (an app connected); returns how many."""
        with self.lock:
            parked = list(self._parked.values())
            self._parked.clear()
            for job in parked:
                job.parked = False
                self._push(job, job.due_ns)
            return len(parked)

    # -- internals ---------------------------------------------------------------------------

    def _push(self, job: _Job, due_ns: int) -> None:
        self._seq += 1
        job.due_ns = due_ns
        job.heap_seq = self._seq
        heapq.heappush(self._heap, (due_ns, self._seq, job))

    def _requeue(self, job: _Job, due_ns: int, result: Step, *, endless: bool) -> Step:
        """Queue the job's next attempt; count spins: an `endless` job (no repeats, or retries without
        max_retries) queued again at or before the attempt it just made (`@every 0s`, a zero or negative
        retry interval) is a runaway after SPIN_LIMIT spins. Bounded spins are left to the clock's limit.
        """
        if endless and due_ns <= job.due_ns:
            job.spin += 1
            if job.spin > SPIN_LIMIT:
                job.spin = 0
                self._push(job, due_ns)
                return Report.RUNAWAY
        else:
            job.spin = 0
        self._push(job, due_ns)
        return result

    def _forget(self, job: _Job) -> None:
        """Unlink a job being deleted or replaced; its heap entry goes stale (lazy deletion)."""
        if job.heap_seq != -1:
            job.heap_seq = -1
            self._stale += 1
            if self._stale > 64 and self._stale * 2 > len(self._heap):
                self._compact()
        job.in_flight = None
        if job.parked:
            job.parked = False
            self._parked.pop(job.name, None)

    def _compact(self) -> None:
        """Drop stale heap entries once they are the majority, so overwrites cannot grow the heap."""
        self._heap = [entry for entry in self._heap if entry[2].heap_seq == entry[1]]
        heapq.heapify(self._heap)
        self._stale = 0


class _JobsView(Mapping[str, JobState]):
    """`engine.jobs`: a read-only live mapping name -> JobState snapshot."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __getitem__(self, name: str) -> JobState:
        state = self._engine.get(name)
        if state is None:
            raise KeyError(name)
        return state

    def __iter__(self) -> Iterator[str]:
        return iter(self._engine.names())

    def __len__(self) -> int:
        return len(self._engine.names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._engine.has(name)
