"""How fast the virtual clock fires triggers. A plain script: prints figures, asserts nothing.

    PYTHONPATH=. python benchmarks/bench_triggers.py [--jobs 10000] [--seconds 100] [--http 2000]

1. in-process: N jobs `@every 1s`, the clock advanced S seconds, every trigger delivered to a no-op
   handler and appended to a journal list -> triggers/s, against a bare heapq loop doing the same
   pops and pushes (the floor any Python scheduler pays);
1b. facade: the same through the public API: N jobs scheduled over HTTP on a `DaprJobsFake`, one
   `on_job` handler per job, `fake.clock.advance(...)`, everything journaled -> ratio to the same floor
   (goal: at most 8x);
2. idle: advancing 100 years with only far-future jobs -> cost per move (should not grow with the
   time skipped nor with the number of idle jobs);
3. HTTP: triggers POSTed to a local keep-alive app -> triggers/s, against bare http.client POSTs on
   one connection to the same app.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import http.client
import socket
import statistics
import threading
import time
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from dapr_jobs_fake.contract.model import DEFAULT_FAILURE_POLICY, JobPlan, JobSpec
from dapr_jobs_fake.delivery.handlers import JobEvent, JobHandlers
from dapr_jobs_fake.delivery.http_app import HttpAppTarget
from dapr_jobs_fake.engine.clock import VirtualClock
from dapr_jobs_fake.engine.engine import Engine
from dapr_jobs_fake.golang.calendar import datetime_to_ns
from dapr_jobs_fake.journal.records import TriggerRecord

S = 1_000_000_000
START = datetime(2024, 1, 1, tzinfo=timezone.utc)
T0 = datetime_to_ns(START)


def every_plan(name: str, schedule_text: str, created: int = T0, due: int | None = None) -> JobPlan:
    from dapr_jobs_fake.golang.cron import parse_schedule

    return JobPlan(
        spec=JobSpec(name=name, schedule=schedule_text),
        created_ns=created,
        begin_ns=due,
        expiration_ns=None,
        schedule=parse_schedule(schedule_text),
        failure_policy=DEFAULT_FAILURE_POLICY,
    )


def bench_in_process(jobs: int, seconds: int) -> None:
    engine = Engine()
    handlers = JobHandlers()
    journal: list[TriggerRecord] = []

    @handlers.on_job()
    def noop(event: JobEvent) -> None:
        pass

    clock = VirtualClock(engine, start=START, delivery=handlers.deliver, observer=journal.append)
    for i in range(jobs):
        engine.upsert(every_plan(f"job-{i}", "@every 1s"))
    gc.collect()
    t = time.perf_counter()
    clock.advance(seconds=seconds)
    fake_s = time.perf_counter() - t
    fired = len(journal)
    assert fired == jobs * seconds, fired

    # Baseline: the same number of heap pops and pushes, nothing else.
    heap = [(T0 + S, i, i) for i in range(jobs)]
    heapq.heapify(heap)
    until = T0 + seconds * S
    seq = jobs
    t = time.perf_counter()
    count = 0
    while heap[0][0] <= until:
        due, _, job = heapq.heappop(heap)
        count += 1
        seq += 1
        heapq.heappush(heap, (due + S, seq, job))
    base_s = time.perf_counter() - t
    print(f"in-process: {jobs} jobs @every 1s, advance {seconds} s -> {fired} triggers")
    print(f"  fake     {fired / fake_s:>12,.0f} triggers/s  ({fake_s * 1e6 / fired:.2f} us/trigger)")
    print(f"  heapq    {count / base_s:>12,.0f} pops+pushes/s ({base_s * 1e6 / count:.2f} us/op)")
    print(f"  ratio    fake is {fake_s / base_s:.1f}x the bare heap loop")


def heap_floor(jobs: int, seconds: int) -> float:
    """Seconds a bare heapq loop takes for the pops and pushes of `jobs` x `seconds` triggers."""
    heap = [(T0 + S, i, i) for i in range(jobs)]
    heapq.heapify(heap)
    until = T0 + seconds * S
    seq = jobs
    t = time.perf_counter()
    while heap[0][0] <= until:
        due, _, job = heapq.heappop(heap)
        seq += 1
        heapq.heappush(heap, (due + S, seq, job))
    return time.perf_counter() - t


def bench_facade(jobs: int, seconds: int) -> None:
    import requests

    from dapr_jobs_fake import DaprJobsFake

    with DaprJobsFake(start=START, grpc=False) as fake, requests.Session() as session:
        for i in range(jobs):
            fake.on_job(f"job-{i}")(lambda event: None)
            session.post(f"{fake.url}/v1.0/jobs/job-{i}", json={"schedule": "@every 1s"}).raise_for_status()
        gc.collect()
        t = time.perf_counter()
        records = fake.clock.advance(seconds=seconds)
        fake_s = time.perf_counter() - t
        fired = len(records)
        assert fired == jobs * seconds == len(fake.triggers), fired
    base_s = heap_floor(jobs, seconds)
    print(f"facade: {jobs} jobs scheduled over HTTP, one on_job handler each, advance {seconds} s")
    print(f"  fake     {fired / fake_s:>12,.0f} triggers/s  ({fake_s * 1e6 / fired:.2f} us/trigger)")
    print(f"  ratio    fake is {fake_s / base_s:.1f}x the bare heap loop (goal: <= 8x)")


def bench_idle(jobs: int) -> None:
    engine = Engine()
    clock = VirtualClock(engine, start=START, delivery=JobHandlers().deliver)
    far = T0 + 1000 * 365 * 86_400 * S  # ~year 3024: beyond the moves below
    for i in range(jobs):
        engine.upsert(
            JobPlan(JobSpec(name=f"idle-{i}", due_time="x"), T0, far + i, None, None, DEFAULT_FAILURE_POLICY)
        )
    samples = []
    for _ in range(5):
        t = time.perf_counter_ns()
        clock.advance(timedelta(days=36_525))  # 100 years
        samples.append(time.perf_counter_ns() - t)
    t = time.perf_counter_ns()
    for _ in range(1000):
        engine.next_due_ns()
    peek_ns = (time.perf_counter_ns() - t) / 1000
    median = statistics.median(samples)
    print(f"idle: {jobs} far-future jobs, advance 100 years (x5, now {clock.now().year})")
    print(f"  fake     median {median / 1e3:.1f} us per 100-year move (min {min(samples) / 1e3:.1f} us)")
    print(f"  baseline engine.next_due_ns() {peek_ns / 1e3:.2f} us; ratio {median / peek_ns:.1f}x")


class _App(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


def bench_http(triggers: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _App)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    target = HttpAppTarget(url)
    try:
        engine = Engine()
        clock = VirtualClock(engine, start=START, delivery=target.deliver)
        engine.upsert(every_plan("http-job", "@every 1s"))
        clock.advance(seconds=10)  # warm up: connect
        t = time.perf_counter()
        records = clock.advance(seconds=triggers)
        fake_s = time.perf_counter() - t
        assert all(r.status == 200 for r in records)

        conn = http.client.HTTPConnection("127.0.0.1", server.server_address[1])
        conn.connect()
        conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as HttpAppTarget does
        headers = {"Content-Type": "application/json", "Content-Length": "0"}
        conn.request("POST", "/job/http-job", body=b"", headers=headers)
        conn.getresponse().read()
        t = time.perf_counter()
        for _ in range(triggers):
            conn.request("POST", "/job/http-job", body=b"", headers=headers)
            conn.getresponse().read()
        base_s = time.perf_counter() - t
        conn.close()
    finally:
        target.close()
        server.shutdown()
        server.server_close()
    print(f"http: {triggers} triggers to a local keep-alive app (stdlib ThreadingHTTPServer)")
    print(f"  fake     {triggers / fake_s:>12,.0f} triggers/s")
    print(f"  client   {triggers / base_s:>12,.0f} bare http.client POSTs/s")
    print(f"  ratio    fake is {fake_s / base_s:.2f}x the bare client loop")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=100)
    parser.add_argument("--http", type=int, default=2_000)
    args = parser.parse_args()
    bench_in_process(args.jobs, args.seconds)
    bench_facade(args.jobs, args.seconds)
    bench_idle(args.jobs)
    bench_http(args.http)


if __name__ == "__main__":
    main()
