"""The `dapr-jobs-fake` command: serves the fake, logs requests, obeys the control API, stops on Ctrl-C."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest
from cli_support import Served

from dapr_jobs_fake.cli import build_parser, main


def _serve(*args: str) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, "-m", "dapr_jobs_fake.cli", "--port", "0", "--grpc-port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    banner = process.stdout.readline()
    match = re.search(r"on (http://127\.0\.0\.1:\d+)", banner)
    assert match, banner
    try:
        yield Served(process, match.group(1))
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture
def served() -> Iterator[Served]:
    yield from _serve("--clock", "manual", "--start", "2030-01-01T00:00:00Z")


def test_serves_jobs_and_logs_each_request_with_its_violation(served: Served) -> None:
    """Contract §2 and §5.2 over the CLI; one log line per request, violations explained."""
    assert served.request("POST", "/v1.0/jobs/a", {"dueTime": "10s", "data": "hi"}) == (204, None)
    status, body = served.request("GET", "/v1.0/jobs/a")
    assert (status, body["dueTime"]) == (200, "10s")
    status, body = served.request("POST", "/v1.0/jobs/b", {"job": {"dueTime": "10s"}})
    assert (status, body["errorCode"]) == (400, "DAPR_SCHEDULER_SCHEDULE_EMPTY")
    served.process.send_signal(signal.SIGINT)
    out, _ = served.process.communicate(timeout=10)
    assert served.process.returncode == 0
    assert "POST /v1.0/jobs/a -> 204" in out
    assert "POST /v1.0/jobs/b -> 400 DAPR_SCHEDULER_SCHEDULE_EMPTY" in out
    assert "violation [schedule.empty]" in out and "wrapper" in out
    assert "stopped" in out


def test_control_api_moves_a_frozen_clock_and_fires_due_jobs(served: Served) -> None:
    """Issue 3 CLI: `--clock manual` stands still until moved; moves report the attempts made."""
    assert served.request("GET", "/_dapr-jobs-fake/clock")[1]["now"] == "2030-01-01T00:00:00Z"
    served.request("POST", "/v1.0/jobs/tick", {"schedule": "@every 1m", "repeats": 2})
    status, moved = served.request("POST", "/_dapr-jobs-fake/clock/advance", {"duration": "5m"})
    assert status == 200 and moved["now"] == "2030-01-01T00:05:00Z"
    # no app configured: each attempt fails as daprd's do, and the default policy applies (§8, corrected)
    assert [(t["kind"], t["tick"], t["attempt"]) for t in moved["triggers"]] == [
        ("no-target", tick, attempt) for tick in (1, 2) for attempt in (1, 2, 3, 4)
    ]
    assert moved["triggers"][0]["error"] == "received job, but app channel not initialized"
    status, jobs = served.request("GET", "/_dapr-jobs-fake/jobs")
    assert jobs == []  # both ticks consumed: finished
    served.request("POST", "/v1.0/jobs/other", {"dueTime": "1h"})
    status, error = served.request(
        "POST", "/_dapr-jobs-fake/clock/advance-to", {"time": "2029-01-01T00:00:00Z"}
    )
    assert status == 400 and "backwards" in error["error"]
    assert served.request("POST", "/_dapr-jobs-fake/reset")[0] == 200
    assert served.request("GET", "/_dapr-jobs-fake/jobs") == (200, [])


def test_api_token_from_option() -> None:
    """Contract §11: every route but the health checks needs the token."""
    for served in _serve("--api-token", "s3cret"):
        assert served.request("GET", "/v1.0/healthz")[0] == 204
        status, body = served.request("GET", "/v1.0/metadata")
        assert (status, body) == (401, "invalid api token\n")
        status, body = served.request("GET", "/v1.0/metadata", headers={"dapr-api-token": "s3cret"})
        assert status == 200 and body["runtimeVersion"] == "1.18.3"


def test_help_explains_each_option(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for option in (
        "--host",
        "--port",
        "--dapr-version",
        "--api-token",
        "--app-url",
        "--app-api-token",
        "--clock",
        "--start",
    ):
        assert option in out
    assert build_parser().get_default("port") == 3500
    assert build_parser().get_default("host") == "127.0.0.1"


def test_port_in_use_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        assert main(["--port", str(port), "--no-grpc"]) == 2
    assert "cannot listen on 127.0.0.1" in capsys.readouterr().err


def test_bad_start_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--start", "tomorrow"]) == 2
    assert "--start" in capsys.readouterr().err
