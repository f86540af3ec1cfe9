"""`dapr-jobs-fake --clock auto` and the control API's fault routes, for suites in any language (issue 13).

The Node test drives the CLI as a Node suite would (fetch, an http server as the app, a 10 ms polling
loop as Awaitility has): it skips, saying why, when `node` is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_support import Served

NODE_CLIENT = Path(__file__).resolve().parent / "node" / "poll_client.mjs"
START = "2030-01-01T00:00:00Z"


def serve(*args: str) -> Iterator[Served]:
    process = subprocess.Popen(
        [sys.executable, "-m", "dapr_jobs_fake.cli", "--port", "0", "--grpc-port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    ports = json.loads(process.stdout.readline())  # with --quiet, the first line is the ports
    try:
        yield Served(process, f"http://127.0.0.1:{ports['http']}")
    finally:
        process.kill()
        process.wait(timeout=10)


@pytest.fixture
def auto() -> Iterator[Served]:
    yield from serve("--clock", "auto", "--start", START, "--quiet")


@pytest.fixture
def manual() -> Iterator[Served]:
    yield from serve("--clock", "manual", "--start", START, "--quiet")


@pytest.fixture(scope="module")
def manual_for_refusals() -> Iterator[Served]:
    """One CLI for the tests that only send refused requests (nothing changes state)."""
    yield from serve("--clock", "manual", "--start", START, "--quiet")


def test_node_client_polls_until_its_jobs_fired(auto: Served) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: the Node client of --clock auto cannot run")
    done = subprocess.run([node, str(NODE_CLIENT), auto.url], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert (out["start"], out["scheduled"]) == (START, 204)
    assert out["firstMs"] < 1000, out["firstMs"]  # a job due in a day, seen in well under a second
    assert [r["path"] for r in out["received"]] == [
        "/job/nightly",
        "/job/hourly",
        "/job/hourly",
        "/job/hourly",
    ]
    assert json.loads(out["received"][0]["body"]) == {"n": 1}
    assert [(t["job"], t["scheduledAt"]) for t in out["triggers"]] == [
        ("nightly", "2030-01-02T00:00:00Z"),
        ("hourly", "2030-01-02T01:00:00Z"),
        ("hourly", "2030-01-02T02:00:00Z"),
        ("hourly", "2030-01-02T03:00:00Z"),
    ]
    assert [j["to"] for j in out["jumps"]] == [t["scheduledAt"] for t in out["triggers"]]
    assert out["clock"] == {"now": "2030-01-02T03:00:00Z", "nextTriggerAt": None, "mode": "auto"}


def test_clock_mode_switches_between_manual_real_and_auto(manual: Served) -> None:
    assert manual.request("POST", "/_dapr-jobs-fake/clock/mode", {"mode": "auto"})[1]["mode"] == "auto"
    assert manual.request("POST", "/_dapr-jobs-fake/clock/mode", {"mode": "manual"})[1]["mode"] == "manual"
    status, error = manual.request("POST", "/_dapr-jobs-fake/clock/mode", {"mode": "fast"})
    assert status == 400 and '{"mode": "auto"}' in error["message"]


def test_fault_routes_install_list_and_clear_faults__s5_2(manual: Served) -> None:
    status, fault = manual.request(
        "POST", "/_dapr-jobs-fake/faults", {"operations": ["schedule"], "times": 1}
    )
    assert status == 200 and (fault["kind"], fault["condition"], fault["remaining"]) == (
        "api",
        "unreachable",
        1,
    )
    status, body = manual.request("POST", "/v1.0/jobs/x", {"dueTime": "1h"})
    assert status == 504 and "dial tcp 127.0.0.1:50006" in body["message"]
    assert manual.request("POST", "/v1.0/jobs/x", {"dueTime": "1h"})[0] == 204
    calls = manual.request("GET", "/_dapr-jobs-fake/calls")[1]
    assert [c["injected"] for c in calls] == ["the Scheduler is unreachable", None]

    error = {"httpStatus": 503, "grpcCode": "UNAVAILABLE", "errorCode": "ERR_X", "message": "nope"}
    manual.request("POST", "/_dapr-jobs-fake/faults", {"operations": "get", "error": error})
    assert manual.request("GET", "/v1.0/jobs/x") == (503, {"errorCode": "ERR_X", "message": "nope"})
    status, app_fault = manual.request("POST", "/_dapr-jobs-fake/faults/app", {"job": "x", "status": 502})
    assert status == 200 and app_fault["does"] == "the app answers 502"
    listed = manual.request("GET", "/_dapr-jobs-fake/faults")[1]
    assert [(f["kind"], f["hits"]) for f in listed] == [("api", 1), ("api", 1), ("app", 0)]
    assert manual.request("POST", "/_dapr-jobs-fake/faults/clear") == (200, [])
    assert manual.request("GET", "/_dapr-jobs-fake/faults") == (200, [])
    assert manual.request("GET", "/v1.0/jobs/x")[0] == 200


@pytest.mark.parametrize(
    ("route", "body", "message"),
    [
        ("/faults", {"condition": "flaky"}, "condition must be one of"),
        ("/faults", {"operations": 3}, "operations is"),
        ("/faults", {"delay": "1s"}, "delay is a number"),
        ("/faults", {"error": {"httpStatus": 99}}, "httpStatus must be"),
        ("/faults", {"nope": 1}, "unknown fault key"),
        ("/faults/app", {"status": 503, "drop": True}, "one way"),
    ],
)
def test_bad_fault_bodies_are_400_with_the_reason(
    manual_for_refusals: Served, route: str, body: Any, message: str
) -> None:
    manual = manual_for_refusals
    status, error = manual.request("POST", "/_dapr-jobs-fake" + route, body)
    assert status == 400 and message in error["message"], error
