"""Start/stop cycles of `DaprJobsFake`, sequential and at full count: time per cycle and leaks.

Each cycle starts a fake, makes one HTTP request on a kept-alive connection (and one gRPC call on a
channel for gRPC fakes), stops the fake with the connection still open, then closes the client.
Before and after: Python threads, open file descriptors, listening TCP sockets of this process, RSS.
`tests/reliability/test_leaks.py` runs the same cycles in the suite, in concurrent lanes to stay fast;
its `cycle` and its socket and RSS probes are the ones used here.

Run: python benchmarks/leaks.py [cycles]   (default 500 of each kind)
"""

from __future__ import annotations

import gc
import http.client
import os

os.environ.setdefault("GRPC_VERBOSITY", "ERROR")  # not one "Got goaway" line per stopped fake
import sys
import threading
import time
from pathlib import Path

# The suite's start/stop cycle and process probes, not copies (test_leaks.py: definitions only).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "reliability"))

from test_leaks import cycle, listening_sockets, rss_kib

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.fake import grpc_available


def fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def snapshot() -> tuple[int, int, int, int]:
    gc.collect()
    return threading.active_count(), fd_count(), len(listening_sockets()), rss_kib()


def settle(baseline: tuple[int, int, int, int], timeout: float = 10.0) -> tuple[int, int, int, int]:
    """The figures once threads and fds are back to `baseline` (or after `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        now = snapshot()
        if (now[0] <= baseline[0] and now[1] <= baseline[1]) or time.monotonic() > deadline:
            return now
        time.sleep(0.01)


def run(with_grpc: bool, cycles: int) -> None:
    for _ in range(10):  # warm-up: imports, grpc's process-wide threads and fds, allocator pools
        cycle(with_grpc)
    before = settle(snapshot())
    started = time.perf_counter()
    for _ in range(cycles):
        cycle(with_grpc)
    elapsed = time.perf_counter() - started
    after = settle(before)
    kind = "gRPC" if with_grpc else "HTTP"
    print(
        f"{kind}: {cycles} cycles in {elapsed:.2f} s ({elapsed / cycles * 1e3:.1f} ms/cycle); "
        f"threads {before[0]} -> {after[0]}, fds {before[1]} -> {after[1]}, "
        f"listening {before[2]} -> {after[2]}, RSS {before[3] / 1024:.1f} -> {after[3] / 1024:.1f} MiB "
        f"({(after[3] - before[3]) / cycles:+.2f} KiB/cycle)"
    )


def time_stop(samples: int = 50) -> None:
    """Where a cycle's time goes: `stop()` of an HTTP-only fake after one kept-alive request."""
    times = []
    for _ in range(samples):
        fake = DaprJobsFake(grpc=False).start()
        connection = http.client.HTTPConnection("127.0.0.1", fake.http_port, timeout=10)
        connection.request("GET", "/v1.0/healthz")
        connection.getresponse().read()
        started = time.perf_counter()
        fake.stop()
        times.append(time.perf_counter() - started)
        connection.close()
    times.sort()
    print(
        f"stop() of an HTTP fake: median {times[len(times) // 2] * 1e3:.1f} ms, max {times[-1] * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    run(False, count)
    if grpc_available():
        run(True, count)
    time_stop()
