"""Automatic time skipping against the real clock. A plain script: prints figures, asserts nothing.

    PYTHONPATH=. python benchmarks/bench_autoclock.py [--runs 5] [--real-interval 0.2]

1. auto: a polling client (a GET every 5 ms, as Awaitility's default poll loop does at 100 ms, only
   faster) waits for the 10th trigger of an `@every 1h` job on `DaprJobsFake(clock="auto")`; wall time,
   median of the runs;
2. real (the baseline, measured in the same run): the same client and job shape on the CLI's real-time
   clock (`RealTimeTicker`). Ten hours cannot be measured, so the job runs `@every <real-interval>` and
   the figure for `@every 1h` is 10 h plus the overhead measured beyond 10 intervals; both are printed
   with their ratio to auto;
3. cost of counting requests in flight: `Activity.request()` around nothing, against one HTTP GET to
   the fake (what every request pays for the auto clock's bookkeeping).
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import threading
import time
from datetime import datetime, timezone

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.cli.realtime import RealTimeTicker

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
TRIGGERS = 10


def poll_until_tenth(fake: DaprJobsFake, schedule: str, ticker: RealTimeTicker | None = None) -> float:
    """Wall seconds from scheduling the job until the polling client has seen its 10th trigger."""
    seen = [0]
    fake.on_job("hourly")(lambda event: seen.__setitem__(0, seen[0] + 1))
    conn = http.client.HTTPConnection("127.0.0.1", fake.http_port, timeout=10)
    began = time.perf_counter()
    conn.request("POST", "/v1.0/jobs/hourly", body=f'{{"schedule": "{schedule}", "repeats": {TRIGGERS}}}')
    assert conn.getresponse().read() == b""
    if ticker is not None:
        ticker.start()
    pause = threading.Event()
    while seen[0] < TRIGGERS:
        conn.request("GET", "/v1.0/jobs/hourly")
        conn.getresponse().read()
        pause.wait(0.005)
    took = time.perf_counter() - began
    conn.close()
    return took


def bench_auto(runs: int) -> float:
    times = []
    with DaprJobsFake(start=START, clock="auto") as fake:
        for _ in range(runs):
            fake.reset(start=START)
            times.append(poll_until_tenth(fake, "@every 1h"))
    return statistics.median(times)


def bench_real(runs: int, interval: float) -> float:
    times = []
    with DaprJobsFake(start=START) as fake:
        for _ in range(runs):
            fake.reset(start=START)
            ticker = RealTimeTicker(fake.clock, interval=0.01)
            try:
                times.append(poll_until_tenth(fake, f"@every {int(interval * 1000)}ms", ticker))
            finally:
                ticker.stop()
    return statistics.median(times)


def bench_counting(requests: int) -> tuple[float, float]:
    with DaprJobsFake() as fake:
        activity = fake.activity
        began = time.perf_counter()
        for _ in range(requests):
            with activity.request(write=False):
                pass
        counted = (time.perf_counter() - began) / requests
        conn = http.client.HTTPConnection("127.0.0.1", fake.http_port, timeout=10)
        began = time.perf_counter()
        for _ in range(requests // 10):
            conn.request("GET", "/v1.0/jobs/missing")
            conn.getresponse().read()
        get = (time.perf_counter() - began) / (requests // 10)
        conn.close()
    return counted, get


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--real-interval", type=float, default=0.2, metavar="SECONDS")
    args = parser.parse_args()

    auto = bench_auto(args.runs)
    real = bench_real(max(1, args.runs // 2), args.real_interval)
    overhead = max(0.0, real - TRIGGERS * args.real_interval)
    real_hourly = TRIGGERS * 3600 + overhead
    print(f"10th trigger of @every 1h, polling client (median of {args.runs} runs):")
    print(f"  auto clock:                        {auto * 1000:8.1f} ms")
    print(
        f"  real clock, @every {args.real_interval:g}s (measured): {real * 1000:8.1f} ms"
        f"  -> auto is {real / auto:,.1f}x faster than even this"
    )
    print(
        f"  real clock, @every 1h (10 h + the measured overhead): {real_hourly:,.0f} s"
        f"  -> ratio real/auto {real_hourly / auto:,.0f}x"
    )
    counted, get = bench_counting(20_000)
    print(
        f"in-flight counting per request: {counted * 1e6:.2f} us, one HTTP GET: {get * 1e6:.0f} us "
        f"(ratio {counted / get:.4f})"
    )


if __name__ == "__main__":
    main()
