"""Nothing outlives a fake: threads, file descriptors, listening sockets, memory, connections, state.

- Start/stop cycles of HTTP-only and gRPC fakes, each making a request on a connection that is still
  open when the fake stops: afterwards the process is back to its baseline (threads, fds, listening
  sockets; RSS within `RSS_SLACK_KIB`) and every stopped fake has been garbage collected.
  The cycles run in `LANES` concurrent lanes: each `stop()` waits out one 20 ms poll of the server
  loop, so 500 sequential cycles take ~10 s (HTTP) and ~14 s (gRPC) on 2 cores; `benchmarks/leaks.py`
  runs them sequentially at full count and prints the figures.
- A stopped fake answers nothing on a connection (or gRPC channel) kept alive from before `stop()`.
- The plugin's session fake, reset per test, lets no job, call, handler, listener or trigger of one
  test reach the next, over 1,000 generated tests run with pytester.
"""

from __future__ import annotations

import gc
import http.client
import os
import socket
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.fake import grpc_available

#: The suite's counts; `benchmarks/leaks.py` runs 500 cycles (and prints the figures) for the full soak.
#: Thread, fd, socket and weak-reference checks are exact per cycle, so fewer cycles still catch a leak.
HTTP_CYCLES = 150
GRPC_CYCLES = 120
LANES = 4
#: RSS may grow by this much over all cycles: allocator pools and fragmentation, not objects (a leaked
#: stopped fake costs ~12 KiB, which the weak references below catch exactly). Measured: +1.4 MiB
#: (HTTP) and +2.9 MiB (gRPC) over 500 cycles in 4 lanes, after a concurrent warm-up.
RSS_SLACK_KIB = 8 * 1024
PLUGIN_TESTS = 200
SETTLE_SECONDS = 15.0

needs_grpc = pytest.mark.skipif(not grpc_available(), reason="the grpc extra is not installed")


# -- process figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    threads: frozenset[threading.Thread]
    fds: int
    listening: frozenset[int]
    rss_kib: int

    def __str__(self) -> str:
        return (
            f"threads {len(self.threads)}, fds {self.fds}, listening sockets {len(self.listening)}, "
            f"RSS {self.rss_kib / 1024:.1f} MiB"
        )


def _socket_inodes() -> set[int]:
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # closed meanwhile (or the listing's own fd)
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def listening_sockets() -> frozenset[int]:
    """Inodes of this process's TCP sockets in LISTEN state (IPv4 and IPv6)."""
    ours = _socket_inodes()
    found = set()
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        with open(table) as lines:
            next(lines)  # header
            for line in lines:
                fields = line.split()
                if fields[3] == "0A" and int(fields[9]) in ours:  # st 0A: TCP_LISTEN
                    found.add(int(fields[9]))
    return frozenset(found)


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc/self/status")


def figures() -> Figures:
    threads = frozenset(threading.enumerate())
    gc.collect()  # after listing the threads: what a thread ending meanwhile let go is collected too
    return Figures(threads, len(os.listdir("/proc/self/fd")), listening_sockets(), rss_kib())


def back_to(baseline: Figures, timeout: float = SETTLE_SECONDS) -> Figures:
    """Poll until no thread started since `baseline` is alive, fds are at most the baseline's and no
    new socket listens; return the figures then (or at the deadline, for the assertion to explain)."""
    deadline = time.monotonic() + timeout
    while True:
        now = figures()
        settled = (
            not (now.threads - baseline.threads)
            and now.fds <= baseline.fds
            and now.listening <= baseline.listening
        )
        if settled or time.monotonic() > deadline:
            return now
        time.sleep(0.01)


def assert_back_to(baseline: Figures, after: Figures, rss_slack_kib: int) -> None:
    assert [t.name for t in after.threads - baseline.threads] == []
    assert after.fds <= baseline.fds, f"{after.fds - baseline.fds} file descriptor(s) leaked"
    assert after.listening <= baseline.listening, "a socket still listens"
    grown = after.rss_kib - baseline.rss_kib
    assert grown <= rss_slack_kib, f"RSS grew by {grown} KiB (slack {rss_slack_kib} KiB)"


# -- start/stop cycles -----------------------------------------------------------------------------


def cycle(with_grpc: bool) -> weakref.ref[DaprJobsFake]:
    """Start a fake, make one request on a kept-alive connection (and one gRPC call), stop the fake with
    the client still connected, then close the client. Returns a weak reference to the fake."""
    fake = DaprJobsFake(grpc=with_grpc).start()
    connection = http.client.HTTPConnection("127.0.0.1", fake.http_port, timeout=10)
    channel = None
    try:
        connection.request("POST", "/v1.0/jobs/leak", body=b'{"dueTime":"1h"}')
        response = connection.getresponse()
        response.read()
        assert response.status == 204
        assert not response.will_close  # kept alive
        if with_grpc:
            import grpc
            from dapr.proto import api_service_v1, api_v1

            channel = grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}")
            answer = api_service_v1.DaprStub(channel).GetJob(api_v1.GetJobRequest(name="leak"), timeout=10)
            assert answer.job.name == "leak"
    finally:
        fake.stop()
        connection.close()
        if channel is not None:
            channel.close()
    return weakref.ref(fake)


def run_cycles(with_grpc: bool, count: int) -> tuple[Figures, Figures, float]:
    with ThreadPoolExecutor(LANES) as lanes:  # warm-up: imports, grpc's process-wide state, allocator
        list(lanes.map(lambda _: cycle(with_grpc), range(8 * LANES)))
    baseline = back_to(figures())
    started = time.perf_counter()
    with ThreadPoolExecutor(LANES) as lanes:
        refs = list(lanes.map(lambda _: cycle(with_grpc), range(count)))
    elapsed = time.perf_counter() - started
    after = back_to(baseline)
    kind = "gRPC" if with_grpc else "HTTP"
    print(
        f"\n{kind} {count} cycles in {LANES} lanes: {elapsed:.2f} s\n  before: {baseline}\n  after:  {after}"
    )
    gc.collect()
    assert sum(ref() is not None for ref in refs) == 0, "stopped fakes are still referenced"
    return baseline, after, elapsed


def test_http_start_stop_cycles_leave_no_threads_fds_sockets_or_memory() -> None:
    baseline, after, _ = run_cycles(False, HTTP_CYCLES)
    assert_back_to(baseline, after, RSS_SLACK_KIB)


@needs_grpc
def test_grpc_start_stop_cycles_leave_no_threads_fds_sockets_or_memory() -> None:
    baseline, after, _ = run_cycles(True, GRPC_CYCLES)
    assert_back_to(baseline, after, RSS_SLACK_KIB)


# -- a stopped fake answers nothing ---------------------------------------------------------------


def test_a_stopped_fake_answers_nothing_on_a_connection_kept_alive_before_stop() -> None:
    fake = DaprJobsFake(grpc=False).start()
    connection = http.client.HTTPConnection("127.0.0.1", fake.http_port, timeout=5)
    raw = socket.create_connection(("127.0.0.1", fake.http_port), timeout=5)
    try:
        for _ in range(2):
            connection.request("GET", "/v1.0/healthz")
            response = connection.getresponse()
            response.read()
            assert response.status == 204 and not response.will_close
        raw.sendall(b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 204")

        fake.stop()
        started = time.monotonic()
        assert raw.recv(4096) == b""  # the server closed its end: end of stream, not a timeout
        with pytest.raises(OSError) as failed:
            connection.request("GET", "/v1.0/healthz")
            connection.getresponse()
        elapsed = time.monotonic() - started
        assert not isinstance(failed.value, TimeoutError)
        assert elapsed < 1.0
    finally:
        connection.close()
        raw.close()
        fake.stop()


def _read_or_reset(sock: socket.socket) -> bytes:
    """What the peer sends next: b"" for an orderly close or a reset (a timeout propagates)."""
    try:
        return sock.recv(4096)
    except ConnectionResetError:
        return b""


def test_a_connection_accepted_just_before_stop_is_not_served_after_stop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from dapr_jobs_fake.sidecar import http_server

    accepted, release = threading.Event(), threading.Event()
    setup = http_server.GoFramingHandler.setup

    def descheduled_setup(self: http_server.GoFramingHandler) -> None:
        accepted.set()  # the connection is accepted and its thread started, not yet registered
        release.wait(5)
        setup(self)

    monkeypatch.setattr(http_server.GoFramingHandler, "setup", descheduled_setup)
    fake = DaprJobsFake(grpc=False).start()
    client = socket.create_connection(("127.0.0.1", fake.http_port), timeout=2)
    try:
        assert accepted.wait(5)
        stopping = threading.Thread(target=fake.stop)
        stopping.start()
        stopping.join(1)  # stop() returns (a stop() that waits for the handler thread is fine too)
        release.set()
        stopping.join(10)
        assert not stopping.is_alive()
        client.sendall(b"GET /v1.0/healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = _read_or_reset(client)
        assert answer == b"", f"a stopped fake answered: {answer[:40]!r}"
    finally:
        release.set()
        client.close()
        fake.stop()


@needs_grpc
def test_a_stopped_fake_answers_nothing_on_a_grpc_channel_opened_before_stop() -> None:
    import grpc
    from dapr.proto import api_service_v1, api_v1

    fake = DaprJobsFake(grpc=True).start()
    channel = grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}")
    try:
        stub = api_service_v1.DaprStub(channel)
        stub.ScheduleJob(api_v1.ScheduleJobRequest(job=api_v1.Job(name="kept", due_time="1h")), timeout=5)
        fake.stop()
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as failed:
            stub.GetJob(api_v1.GetJobRequest(name="kept"), timeout=5)
        assert failed.value.code() == grpc.StatusCode.UNAVAILABLE
        assert time.monotonic() - started < 1.0
    finally:
        channel.close()
        fake.stop()


# -- the plugin: one session fake, nothing crosses from one test to the next ----------------------

GENERATED_TESTS = """
import http.client
import json

import pytest

HANDLED = []  # (test index, job name) of every handler call, whichever test registered the handler
HEARD = []  # (test index, entry) of every listener call


@pytest.mark.parametrize("i", range({count}))
def test_sees_nothing_of_earlier_tests(dapr_jobs, i):
    fake = dapr_jobs
    assert dict(fake.jobs) == {{}}
    assert fake.journal.entries == [] and fake.calls == [] and fake.triggers == []
    assert not fake.handlers and fake.journal.listeners == []
    assert fake.clock.next_trigger_ns() is None
    handled, heard = len(HANDLED), len(HEARD)
    mine, previous = f"job-{{i}}", f"job-{{i - 1}}"  # a handler left over from test i-1 would take `previous`

    @fake.on_job(mine)
    def handle(event):
        assert event.data == {{"test": i}}
        HANDLED.append((i, event.name))

    fake.journal.listeners.append(lambda entry: HEARD.append((i, entry)))
    connection = http.client.HTTPConnection("127.0.0.1", fake.http_port, timeout=10)
    try:
        for name in (mine, previous):
            body = json.dumps({{"dueTime": "1s", "data": {{"test": i}}}})
            connection.request("POST", f"/v1.0/jobs/{{name}}", body=body)
            response = connection.getresponse()
            response.read()
            assert response.status == 204
    finally:
        connection.close()
    records = fake.clock.advance(seconds=2)

    assert sorted((r.name, r.status, r.next_step) for r in records) == sorted(
        [(mine, 200, "finished"), (previous, 404, "finished")]
    )
    assert HANDLED[handled:] == [(i, mine)]
    assert [owner for owner, _ in HEARD[heard:]] == [i] * 4
    assert [entry for _, entry in HEARD[heard:]] == fake.journal.entries
    calls = [(c.seq, c.job_name, c.body["data"]["test"]) for c in fake.calls]
    assert calls == [(1, mine, i), (2, previous, i)]
    assert fake.triggers == records
    assert dict(fake.jobs) == {{}}
"""


def test_plugin_session_fake_isolates_hundreds_of_tests(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    if grpc_available():
        # Import the generated protobuf modules here, once: pytester's in-process runs drop what they
        # imported, and importing protobuf descriptors a second time crashes upb (a segfault).
        import dapr_jobs_fake.sidecar.grpc_api  # noqa: F401
    pytester.makepyfile(
        test_generated_warm_up=GENERATED_TESTS.format(count=5),
        test_generated_isolation=GENERATED_TESTS.format(count=PLUGIN_TESTS),
    )
    # Only the fake's plugin in the inner runs, as in tests/pytester_support.py: the other installed
    # plugins' hooks (hypothesis, xdist, asyncio, anyio...) ran for every generated test, and took
    # most of the time.
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    quiet = ("-p", "no:cacheprovider", "-p", "dapr_jobs_fake.plugin", "-q")
    warm_up = pytester.runpytest_inprocess(*quiet, "test_generated_warm_up.py")
    warm_up.assert_outcomes(passed=5)  # imports, grpc's process-wide state
    baseline = back_to(figures())
    started = time.perf_counter()
    result = pytester.runpytest_inprocess(*quiet, "test_generated_isolation.py")
    elapsed = time.perf_counter() - started
    result.assert_outcomes(passed=PLUGIN_TESTS)
    after = back_to(baseline)
    print(f"\nplugin: {PLUGIN_TESTS} tests in {elapsed:.2f} s\n  before: {baseline}\n  after:  {after}")
    assert [t.name for t in after.threads - baseline.threads] == []
    assert after.fds <= baseline.fds
    assert after.listening <= baseline.listening
