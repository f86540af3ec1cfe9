"""The CLI under bad conditions: one-line errors instead of tracebacks, a log that cannot wedge it, and a
stop within a second even while an app hangs (issue 8 items 11 and 15)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

CLI = [sys.executable, "-m", "dapr_jobs_fake.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def served(*args: str, stdout: int = subprocess.PIPE) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """The CLI on free ports, ready; yields the process and its base URL."""
    ready = Path(os.environ.get("TMPDIR", "/tmp")) / f"dapr-jobs-fake-ready-{os.getpid()}-{free_port()}"
    process = subprocess.Popen(
        [*CLI, "--port", "0", "--grpc-port", "0", "--ready-file", str(ready), *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while not ready.exists():
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "the CLI did not become ready"
            time.sleep(0.02)
        ports = json.loads(ready.read_text())
        yield process, f"http://127.0.0.1:{ports['http']}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(5)
        ready.unlink(missing_ok=True)


def test_a_busy_grpc_port_is_named_once() -> None:
    with socket.create_server(("127.0.0.1", 0)) as busy:
        port = busy.getsockname()[1]
        result = subprocess.run(
            [*CLI, "--port", "0", "--grpc-port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"cannot listen on 127.0.0.1:{port} for gRPC" in lines[0]
    assert lines[0].count("cannot listen") == 1


def test_app_grpc_address_without_the_extra_is_one_line() -> None:
    code = (
        "import sys; sys.modules['grpc'] = None\n"
        "from dapr_jobs_fake.cli import main\n"
        "sys.exit(main(['--port', '0', '--no-grpc', '--app-grpc-address', '127.0.0.1:1']))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert 'pip install "dapr-jobs-fake[grpc]"' in result.stderr
    assert "Traceback" not in result.stderr


def test_quiet_prints_the_ports_line_and_no_tracebacks() -> None:
    dead = free_port()
    with served("--quiet", "--clock", "manual", "--app-url", f"http://127.0.0.1:{dead}") as (process, url):
        assert requests.post(f"{url}/v1.0/jobs/j", json={"dueTime": "1s"}, timeout=10).status_code == 204
        assert requests.post(f"{url}/_dapr-jobs-fake/clock/advance", json={"seconds": 10}, timeout=10).ok
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    assert out.decode().strip().splitlines() == [out.decode().strip().splitlines()[0]]
    assert set(json.loads(out.decode().splitlines()[0])) == {"http", "grpc"}
    assert b"Traceback" not in err and err.strip() == b""


#: A valid job name of 240 characters (DNS-1123 allows 253): each GET of it logs a ~300-byte line, so
#: `UNREAD_REQUESTS` calls log ~96 kB, half again what a pipe holds (64 KiB), in a quarter of the calls
#: the 72-byte lines of short names needed.
LONG_NAME = "missing-" + "x" * 228
UNREAD_REQUESTS = 320


def test_an_unread_stdout_pipe_never_wedges_the_fake() -> None:
    """Before: with a pipe nobody read, logging blocked once the pipe was full, every request hung,
    and SIGTERM was ignored."""
    with served("--clock", "manual") as (process, url), requests.Session() as session:
        started = time.monotonic()
        for n in range(UNREAD_REQUESTS):
            assert session.get(f"{url}/v1.0/jobs/{LONG_NAME}-{n}", timeout=10).status_code == 500
        assert time.monotonic() - started < 30
        process.send_signal(signal.SIGTERM)
        stopped = time.monotonic()
        process.wait(5)
        assert time.monotonic() - stopped < 2.5
        assert process.stdout is not None
        logged = process.stdout.read()
    # The pipe did fill up: what it holds stops short of the last requests' lines.
    assert f"{LONG_NAME}-0 ".encode() in logged
    assert f"{LONG_NAME}-{UNREAD_REQUESTS - 1} ".encode() not in logged


@pytest.mark.parametrize("clock", ["manual", "real"])
def test_sigterm_stops_within_a_second_while_an_app_hangs(clock: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as app:  # accepts, never answers
        app_url = f"http://127.0.0.1:{app.getsockname()[1]}"
        with served("--clock", clock, "--app-url", app_url, "--delivery-timeout", "60") as (process, url):
            assert requests.post(f"{url}/v1.0/jobs/j", json={"dueTime": "0s"}, timeout=10).status_code == 204
            if clock == "manual":
                # The move blocks on the hanging app: give it a moment, then stop the CLI.
                with contextlib.suppress(requests.Timeout):
                    requests.post(f"{url}/_dapr-jobs-fake/clock/advance", json={"seconds": 1}, timeout=0.5)
            else:
                conn, _ = app.accept()  # the ticker's delivery is in progress
                conn.close()
            process.send_signal(signal.SIGTERM)
            stopped = time.monotonic()
            process.wait(10)
            assert time.monotonic() - stopped < 1.5
            assert process.returncode == 0
