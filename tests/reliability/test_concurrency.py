"""Many clients, a moving clock and re-scheduling handlers at once: the journal tells one consistent story.

16 threads make mixed Jobs calls over keep-alive connections on a small set of shared names
(schedule with and without overwrite, get, delete) while another thread moves the virtual clock in
small steps, one step per call, the clients at most one call each ahead of it (`Pace`), and an
`on_job` handler schedules further jobs over HTTP, with a tiny switch interval.
Then the journal is replayed sequentially through a model of the Scheduler (accepted schedule =
upsert, accepted delete = delete, a trigger whose `next_step` is "finished" = gone), which must never
contradict an answer journaled under the engine lock (a GET 200 for a job the model says is gone, a
create without overwrite of a job it has, a trigger of a job it does not know or with another
definition's data) and must end with exactly `fake.jobs`. Refusals that depend on the jobs (409, GET
not found) are journaled under the engine lock too (a bug found here and fixed: they used to be
journaled after it, pinned by the test at the end), so none may come after a later change. Calls are
counted against the requests made (none lost, none duplicated, seq 1..N) and
against what each client saw, answer for answer.

The suite runs 16 x `SUITE_OPS` operations: ~2 s on this (shared) 2-core machine, with ~500 triggers
and ~120 handler calls among them; `benchmarks/concurrency.py` runs the full 16 x 1,000 with the same
code.
"""

from __future__ import annotations

import json
import random
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
from concurrency_support import Connection, Pace

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.journal.records import Call, TriggerRecord
from dapr_jobs_fake.sidecar.service import JobsService

THREADS = 16
SUITE_OPS = 60  # 16 threads x 60 mixed calls; benchmarks/concurrency.py runs FULL_OPS
FULL_OPS = 1000
NAMES = [f"job-{k}" for k in range(6)]
#: Names only handlers schedule, and two of the shared ones: handlers and clients overlap too.
HANDLER_NAMES = ["chain-0", "chain-1", "job-0", "job-1"]
CLOCK_STEP_SECONDS = 0.25
SWITCH_INTERVAL = 1e-5
#: What the clients saw, per request: (operation, name, status, the job's data for a GET 200).
Seen = tuple[str, str, int, str | None]


@dataclass
class Run:
    fake: DaprJobsFake
    seen: list[list[Seen]]  # per client, in order; the last list is the handler's
    errors: list[BaseException]
    clock_moves: int
    elapsed: float
    entries: list[Call | TriggerRecord] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(len(s) for s in self.seen)


def _body(rng: random.Random, worker: int, k: int, overwrite: bool) -> dict[str, Any]:
    shape = rng.randrange(4)
    if shape == 0:
        body: dict[str, Any] = {"dueTime": "0.5s"}
    elif shape == 1:
        body = {"dueTime": "2s"}
    elif shape == 2:
        body = {"schedule": "@every 1s", "repeats": 2}
    else:
        body = {"schedule": "@every 500ms", "repeats": 3}
    # `fail`: the handler fails the first attempt (a retry follows); `spawn`: it schedules another job.
    body["data"] = {"w": worker, "k": k, "fail": rng.random() < 0.1, "spawn": rng.random() < 0.3}
    if overwrite:
        body["overwrite"] = True
    return body


def _data_key(data: Any) -> str:
    return json.dumps(data, sort_keys=True)


def _client(
    fake: DaprJobsFake,
    worker: int,
    ops: int,
    seen: list[Seen],
    start: threading.Barrier,
    pace: Pace,
) -> None:
    rng = random.Random(worker)
    connection = Connection(fake)
    try:
        start.wait()
        for k in range(ops):
            pace.before_operation()
            name = rng.choice(NAMES)
            roll = rng.random()
            if roll < 0.5:
                overwrite = roll < 0.2
                status, _ = connection.call("POST", name, _body(rng, worker, k, overwrite))
                seen.append(("schedule", name, status, None))
            elif roll < 0.8:
                status, answer = connection.call("GET", name)
                data = _data_key(json.loads(answer)["data"]["value"]) if status == 200 else None
                seen.append(("get", name, status, data))
            else:
                status, _ = connection.call("DELETE", name)
                seen.append(("delete", name, status, None))
            pace.after_operation()
    finally:
        connection.close()


def run_concurrently(threads: int = THREADS, ops: int = SUITE_OPS) -> Run:
    """Run the workload on a fresh fake; returns it (stopped) with what every client saw."""
    fake = DaprJobsFake(grpc=False).start()
    seen: list[list[Seen]] = [[] for _ in range(threads + 1)]
    handler_seen = seen[threads]
    errors: list[BaseException] = []
    handler_connection = Connection(fake)  # the handler runs on the clock thread only
    spawned = [0]

    @fake.on_job()
    def handle(event: Any) -> bool:
        data = event.data
        if isinstance(data, dict) and data.get("spawn") and event.attempt == 1:
            spawned[0] += 1
            name = HANDLER_NAMES[spawned[0] % len(HANDLER_NAMES)]
            body = {"dueTime": "1s", "overwrite": True, "data": {"w": "handler", "k": spawned[0]}}
            status, _ = handler_connection.call("POST", name, body)
            handler_seen.append(("schedule", name, status, None))
        return not (isinstance(data, dict) and data.get("fail") and event.attempt == 1)

    start = threading.Barrier(threads + 1)
    done = threading.Event()
    pace = Pace(ahead=threads)  # a clock that spun freely would mostly compete for the GIL
    moves = [0]

    def client(worker: int) -> None:
        try:
            _client(fake, worker, ops, seen[worker], start, pace)
        except BaseException as exc:
            errors.append(exc)
            start.abort()

    def clock() -> None:
        try:
            start.wait()
            while not done.is_set():
                if pace.next_move(timeout=0.05):
                    fake.clock.advance(seconds=CLOCK_STEP_SECONDS)
                    moves[0] += 1
                    pace.moved()
        except BaseException as exc:
            errors.append(exc)
            pace.release_all()

    workers = [threading.Thread(target=client, args=(w,), name=f"client-{w}") for w in range(threads)]
    mover = threading.Thread(target=clock, name="clock")
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        started = time.perf_counter()
        for thread in [*workers, mover]:
            thread.start()
        for thread in workers:
            thread.join(300)
        done.set()
        mover.join(300)
        elapsed = time.perf_counter() - started
    finally:
        sys.setswitchinterval(previous)
        done.set()
        fake.stop()
        handler_connection.close()
    assert not any(t.is_alive() for t in [*workers, mover]), "a thread is stuck"
    return Run(fake, seen, errors, moves[0], elapsed, fake.journal.entries)


@dataclass
class Replay:
    model: dict[str, str] = field(default_factory=dict)  # job name -> its data (as _data_key)
    #: Answers the model contradicts at the point the journal holds them.
    contradictions: list[str] = field(default_factory=list)
    #: The same for refusals that depend on the jobs (409 already exists, GET not found) found after a
    #: call that changed the job: there must be none, as they are journaled under the engine lock.
    late_refusals: list[str] = field(default_factory=list)
    late_refusals_unexplained: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)


def _is_state_refusal(call: Call) -> bool:
    return (call.operation == "schedule" and call.status == 409) or (
        call.operation == "get" and call.status == 500 and "NotFound" in call.response["message"]
    )


def replay(entries: list[Call | TriggerRecord]) -> Replay:
    """Apply the journal, in order, to a model of the Scheduler, noting every answer it contradicts."""
    result = Replay()
    model = result.model
    #: Positions at which each name was present in the model (for the refusals' windows).
    present_at: dict[str, list[int]] = {}
    #: Each client's previous schedule call (its position), a lower bound for when its next call ran.
    last_schedule: dict[Any, int] = {}

    def contradiction(entry: Call | TriggerRecord, why: str) -> None:
        what = entry.describe() if isinstance(entry, Call) else entry.line()
        if isinstance(entry, Call) and _is_state_refusal(entry):
            result.late_refusals.append(f"{what}: {why}")
        else:
            result.contradictions.append(f"{what}: {why}")

    for position, entry in enumerate(entries):
        for name in model:
            present_at.setdefault(name, []).append(position)
        if isinstance(entry, TriggerRecord):
            step = entry.next_step
            result.counts[f"trigger {step}"] += 1
            if step == "ignored":  # overwritten or deleted while it was delivered: nothing to apply
                continue
            if step not in ("next", "retry", "finished"):
                contradiction(entry, f"unexpected next_step {step!r}")
            if entry.name not in model:
                contradiction(entry, "a trigger of a job the model does not have")
            elif model[entry.name] != _data_key(entry.data.json_value if entry.data else None):
                contradiction(entry, "a trigger with another job definition's data")
            if step == "finished":
                model.pop(entry.name, None)
            continue
        name, status = entry.job_name or "", entry.status
        result.counts[f"{entry.operation} {status}"] += 1
        if entry.operation == "schedule":
            assert entry.spec is not None
            client = _client_of(entry)
            since = last_schedule.get(client, -1)
            last_schedule[client] = position
            if entry.ok:
                if not entry.spec.overwrite and name in model:
                    contradiction(entry, "created without overwrite, but the model has the job")
                data = entry.spec.data
                model[name] = _data_key(data.json_value if data else None)
            elif status == 409:
                if name not in model:
                    contradiction(entry, "409 already exists, but the model has no such job")
                    if not any(since < p <= position for p in present_at.get(name, ())):
                        result.late_refusals_unexplained.append(
                            f"{entry.describe()}: no such job since the client's previous schedule"
                        )
            else:
                contradiction(entry, "unexpected status")
        elif entry.operation == "get":
            if entry.ok:
                if name not in model:
                    contradiction(entry, "GET 200 of a job the model says is gone")
                elif _data_key(entry.response["data"]["value"]) != model[name]:
                    contradiction(entry, "GET answered another job definition's data")
            elif _is_state_refusal(entry):
                if name in model:
                    contradiction(entry, "GET not found, but the model has the job")
            else:
                contradiction(entry, "unexpected status")
        elif entry.operation == "delete":
            if not entry.ok:
                contradiction(entry, "unexpected status")
            model.pop(name, None)
        else:
            contradiction(entry, "unexpected operation")
    return result


def _client_of(call: Call) -> Any:
    data = call.spec.data if call.spec else None
    value = data.json_value if data else None
    return value.get("w") if isinstance(value, dict) else None


def check(run: Run) -> Replay:
    assert run.errors == []
    calls = [e for e in run.entries if isinstance(e, Call)]
    # No call lost, none duplicated, journaled in the order applied.
    assert len(calls) == run.requests
    assert [c.seq for c in calls] == list(range(1, len(calls) + 1))
    # What the clients saw is what the journal holds, answer for answer.
    journaled = Counter(
        (
            c.operation,
            c.job_name,
            c.status,
            _data_key(c.response["data"]["value"]) if c.operation == "get" and c.ok else None,
        )
        for c in calls
    )
    assert journaled == Counter(s for per_client in run.seen for s in per_client)
    # Each client's schedules appear in the order it sent them.
    for worker in range(len(run.seen) - 1):
        ks = [
            c.spec.data.json_value["k"]
            for c in calls
            if c.operation == "schedule" and _client_of(c) == worker
        ]
        assert ks == sorted(ks) and len(ks) == sum(1 for s in run.seen[worker] if s[0] == "schedule")
    result = replay(run.entries)
    assert result.contradictions == []
    assert result.late_refusals_unexplained == []
    assert result.late_refusals == []  # journaled under the engine lock, in its order
    assert set(result.model) == set(run.fake.jobs)
    for name, job in run.fake.jobs.items():
        data = job.plan.spec.data
        assert result.model[name] == _data_key(data.json_value if data else None)
    return result


def describe(run: Run, result: Replay) -> str:
    triggers = sum(1 for e in run.entries if isinstance(e, TriggerRecord))
    counts = ", ".join(f"{k} x{v}" for k, v in sorted(result.counts.items()))
    return (
        f"{len(run.seen) - 1} clients: {run.requests} calls ({len(run.seen[-1])} from handlers), "
        f"{triggers} triggers, {run.clock_moves} clock moves in {run.elapsed:.2f} s; replay: "
        f"{len(result.model)} jobs left, matching fake.jobs, no contradiction "
        f"({len(result.late_refusals)} refusals journaled after a later change)\n  {counts}"
    )


def test_concurrent_clients_clock_and_handlers_leave_a_consistent_journal() -> None:
    previous = sys.getswitchinterval()
    run = run_concurrently(THREADS, SUITE_OPS)
    assert sys.getswitchinterval() == previous  # restored
    result = check(run)
    print("\n" + describe(run, result))
    # The run exercised what it is meant to: every kind of answer and trigger step happened.
    for kind in ("schedule 204", "schedule 409", "get 200", "get 500", "delete 204"):
        assert result.counts[kind] > 0, kind
    for step in ("next", "retry", "finished"):
        assert result.counts[f"trigger {step}"] > 0, step
    assert len(run.seen[-1]) > 0  # handlers scheduled over HTTP


def test_a_refusal_is_journaled_in_the_order_the_engine_decided_it(monkeypatch: pytest.MonkeyPatch) -> None:
    refused, release = threading.Event(), threading.Event()
    journal_refusal = JobsService._reject

    def descheduled_reject(self: JobsService, *args: Any, **kwargs: Any) -> Any:
        if not refused.is_set():
            refused.set()  # decided (and the engine lock released), not yet journaled
            # Journaled under the engine lock, the DELETE below waits for the lock until this times
            # out; journaled after it, the DELETE (a loopback request, milliseconds) is answered and
            # journaled within this window first. Half a second tells the two apart.
            release.wait(0.5)
        return journal_refusal(self, *args, **kwargs)

    with DaprJobsFake(grpc=False) as fake:
        url = f"{fake.url}/v1.0/jobs/x"
        assert requests.post(url, json={"dueTime": "1h"}, timeout=10).status_code == 204
        monkeypatch.setattr(JobsService, "_reject", descheduled_reject)
        statuses: list[int] = []
        create = threading.Thread(
            target=lambda: statuses.append(requests.post(url, json={"dueTime": "2h"}, timeout=10).status_code)
        )
        create.start()
        refused.wait(2)
        assert requests.delete(url, timeout=10).status_code == 204
        release.set()
        create.join(10)
        assert statuses == [409]
        order = [c.describe() for c in fake.calls]
    assert order[1:] == [
        "#2 POST /v1.0/jobs/x -> 409 DAPR_SCHEDULER_SCHEDULE_JOB",
        "#3 DELETE /v1.0/jobs/x -> 204",
    ]
