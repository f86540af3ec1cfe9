"""Slow and idle clients cannot starve a fake, and running out of file descriptors does not spin it.

- 500 idle connections (some with half a request line, some with a header block never finished, some
  with nothing) each hold a server thread; a fresh client is still answered at once, and the threads
  drain once the idle clients close, or once the fake stops with them still open.
- In a child process whose fd limit is lowered until `accept()` fails with EMFILE while connections
  wait in the backlog, the server backs off instead of busy-looping (the child's CPU time over ~1 s
  stays low; a control child without the back-off spins), and serves again once connections close.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from dapr_jobs_fake import DaprJobsFake

IDLE_CONNECTIONS = 200  # a server thread each; the point is many at once, not the count
FRESH_REQUESTS = 50
#: A fresh client's request must be answered within this, with 500 idle connections open.
MAX_LATENCY_SECONDS = 0.5
#: The server's own fds in the fd-limited child: it may accept this many connections, then EMFILE.
FD_HEADROOM = 6
HELD_CONNECTIONS = FD_HEADROOM + 24
MEASURE_SECONDS = 0.5
#: CPU seconds the fd-limited child may use over MEASURE_SECONDS (a busy loop uses all of it).
MAX_CPU_SECONDS = 0.1


def poll(condition: Callable[[], bool], timeout: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.005)


def _idle_prefix(i: int) -> bytes:
    kind = i % 3
    if kind == 0:
        return b""  # nothing at all
    if kind == 1:
        return b"GET /v1.0/jobs/slow HT"  # half a request line
    return b"POST /v1.0/jobs/slow HTTP/1.1\r\nHost: x\r\nContent-Type: appl"  # headers never finished


@contextmanager
def idle_clients(port: int, count: int) -> Iterator[list[socket.socket]]:
    clients: list[socket.socket] = []
    try:
        for i in range(count):
            client = socket.create_connection(("127.0.0.1", port), timeout=10)
            clients.append(client)
            prefix = _idle_prefix(i)
            if prefix:
                client.sendall(prefix)
        yield clients
    finally:
        for client in clients:
            client.close()


def fresh_request(port: int, k: int) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", f"/v1.0/jobs/fresh-{k}", body=b'{"dueTime":"1h"}')
        response = connection.getresponse()
        response.read()
        assert response.status == 204
    finally:
        connection.close()
    return time.perf_counter() - started


def _new_threads(baseline: set[threading.Thread]) -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t not in baseline]


def test_idle_connections_do_not_delay_a_fresh_client_and_their_threads_drain() -> None:
    with DaprJobsFake(grpc=False) as fake:
        baseline = set(threading.enumerate())
        with idle_clients(fake.http_port, IDLE_CONNECTIONS):
            poll(
                lambda: len(_new_threads(baseline)) >= IDLE_CONNECTIONS,
                what=f"a server thread per idle connection (have {len(_new_threads(baseline))})",
            )
            latencies = sorted(fresh_request(fake.http_port, k) for k in range(FRESH_REQUESTS))
            held = len(_new_threads(baseline))
        poll(lambda: not _new_threads(baseline), what="the idle connections' threads to end")
        assert len(fake.jobs) == FRESH_REQUESTS
        calls = fake.calls
    median, worst = latencies[len(latencies) // 2], latencies[-1]
    print(
        f"\n{IDLE_CONNECTIONS} idle connections ({held} server threads): fresh requests median "
        f"{median * 1e3:.1f} ms, max {worst * 1e3:.1f} ms"
    )
    assert worst < MAX_LATENCY_SECONDS
    # No partial request of an idle client was taken for a call (each was refused or never read).
    assert all(c.job_name is not None and c.job_name.startswith("fresh-") for c in calls if c.ok)


def test_stop_with_idle_connections_open_ends_their_threads_and_closes_them() -> None:
    fake = DaprJobsFake(grpc=False).start()
    baseline = set(threading.enumerate())
    try:
        with idle_clients(fake.http_port, IDLE_CONNECTIONS) as clients:
            poll(lambda: len(_new_threads(baseline)) >= IDLE_CONNECTIONS, what="a thread per connection")
            fake.stop()
            poll(lambda: not _new_threads(baseline), what="the threads to end with the clients still open")
            for client in clients:  # each client sees its connection closed, without waiting
                client.settimeout(5)
                try:
                    rest = client.recv(4096)
                except ConnectionResetError:
                    rest = b""
                assert rest == b"" or rest.startswith(b"HTTP/1.1 400"), rest[:40]
    finally:
        fake.stop()


# -- at the fd limit ---------------------------------------------------------------------------------

CHILD = textwrap.dedent(
    """
    import os, resource, sys
    if sys.argv[1] == "no-backoff":  # the control: socketserver's plain accept loop
        from dapr_jobs_fake.sidecar import http_server
        http_server._backing_off = lambda accept: accept
    from dapr_jobs_fake import DaprJobsFake

    fake = DaprJobsFake(grpc=False).start()
    used = len(os.listdir("/proc/self/fd")) - 1  # without the listing's own fd
    limit = used + int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    print(fake.http_port, limit, flush=True)
    sys.stdin.readline()
    fake.stop()
    """
)


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _runnable_seconds(pid: int) -> float:
    """Time the child's threads spent running or waiting for a CPU (schedstat), whatever the load."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as stat:
                running, waiting, _ = stat.read().split()
        except OSError:  # the thread ended meanwhile
            continue
        total += int(running) + int(waiting)
    return total / 1e9


def _fd_count(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _accept_backlog(port: int) -> int:
    """Connections waiting to be accepted on the listening socket at `port` (LISTEN's rx_queue)."""
    with open("/proc/self/net/tcp") as lines:
        next(lines)
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port:
                return int(fields[4].split(":")[1], 16)
    raise AssertionError(f"nothing listens on port {port}")


@dataclass
class AtLimit:
    cpu: float  # CPU seconds (utime + stime) over the window
    runnable: float  # seconds running or waiting to run over the window (a busy loop: ~the window)
    backlog: int  # connections waiting to be accepted at the end of the window
    recovery: float  # seconds from closing the held connections to a fresh request answered


def _at_fd_limit(mode: str, tmp_path: Path) -> AtLimit:
    """Hold the child at its fd limit for MEASURE_SECONDS and measure it, then let it recover."""
    stderr = (tmp_path / f"child-{mode}.err").open("w")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode, str(FD_HEADROOM)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
    )
    held: list[socket.socket] = []
    try:
        assert child.stdout is not None and child.stdin is not None
        port_text, limit_text = child.stdout.readline().split()
        port, limit = int(port_text), int(limit_text)
        for _ in range(HELD_CONNECTIONS):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        poll(lambda: _fd_count(child.pid) >= limit, what="the child to reach its fd limit")
        poll(lambda: _accept_backlog(port) > 0, what="connections waiting in the accept backlog")
        cpu, runnable = _cpu_seconds(child.pid), _runnable_seconds(child.pid)
        window_end = time.monotonic() + MEASURE_SECONDS
        while time.monotonic() < window_end:  # the measurement window (not a synchronisation)
            time.sleep(0.05)
        cpu = _cpu_seconds(child.pid) - cpu
        runnable = _runnable_seconds(child.pid) - runnable
        backlog = _accept_backlog(port)
        assert _fd_count(child.pid) >= limit, "the child left its fd limit during the measurement"
        for connection in held:
            connection.close()
        held.clear()
        closed = time.monotonic()
        poll(lambda: _accept_backlog(port) == 0, what="the backlog to be accepted")
        fresh_request(port, 0)
        recovery = time.monotonic() - closed
        child.stdin.write("quit\n")
        child.stdin.flush()
        assert child.wait(10) == 0
        return AtLimit(cpu, runnable, backlog, recovery)
    finally:
        for connection in held:
            connection.close()
        if child.poll() is None:
            child.kill()
            child.wait(10)
        stderr.close()


def test_at_the_fd_limit_the_server_backs_off_instead_of_spinning_and_recovers(tmp_path: Path) -> None:
    at = _at_fd_limit("backoff", tmp_path)
    print(
        f"\nat the fd limit ({at.backlog} connections waiting): {at.cpu:.2f} CPU s, {at.runnable:.2f} s "
        f"runnable over {MEASURE_SECONDS} s; served again {at.recovery * 1e3:.0f} ms after the held "
        "connections closed"
    )
    assert at.backlog > 0
    assert at.cpu <= MAX_CPU_SECONDS
    assert at.runnable <= MAX_CPU_SECONDS
    assert at.recovery < 5.0


def test_control_without_the_back_off_the_same_child_spins(tmp_path: Path) -> None:
    """The measurement above can see a busy loop: socketserver's own accept loop is always runnable
    (its CPU share depends on the machine's load, its runnable time does not)."""
    at = _at_fd_limit("no-backoff", tmp_path)
    print(
        f"\ncontrol without back-off ({at.backlog} waiting): {at.cpu:.2f} CPU s, "
        f"{at.runnable:.2f} s runnable over {MEASURE_SECONDS} s"
    )
    assert at.backlog > 0
    assert at.runnable > 0.6 * MEASURE_SECONDS


@pytest.fixture(autouse=True)
def _no_fd_shortage() -> None:
    """1,000 sockets (both ends) must fit under this process's own limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < 4 * IDLE_CONNECTIONS:
        wanted = 4 * IDLE_CONNECTIONS if hard == resource.RLIM_INFINITY else min(hard, 4 * IDLE_CONNECTIONS)
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
