"""The real Dapr Python SDK (`dapr` on PyPI) of each release line against the fake CLI of each Dapr line.

Which job RPCs a Python application sends depends on its SDK release, and whether they work depends on
the daprd it talks to; this module shows both with the SDKs themselves, not with stubs:

- `dapr` 1.16 and 1.17 have only `schedule_job_alpha1`/`get_job_alpha1`/`delete_job_alpha1`, which call
  `ScheduleJobAlpha1`/`GetJobAlpha1`/`DeleteJobAlpha1` (`dapr/clients/grpc/client.py` of those releases).
- `dapr` 1.18+ calls the stable `ScheduleJob`/`GetJob`/`DeleteJob` (its `..._alpha1` methods forward
  there) and retries with Alpha1 only on gRPC UNIMPLEMENTED. daprd before 1.18 never answers that: a
  method it lacks goes to its service-invocation proxy, which answers UNKNOWN "failed to proxy request:
  required metadata ... not found" (recorded on daprd 1.14.4-1.17.5; the fake's `unserved` in
  `dapr_jobs_fake/sidecar/grpc_api.py`). So the newest SDK needs Dapr 1.18 for jobs, and the fake says so
  as daprd does.

`python/jobs_client.py` runs one job's round trip (schedule, get, delete, get again) with one SDK and
writes what the SDK saw as JSON; the fake's journal (`GET /_dapr-jobs-fake/calls`) shows which RPCs the
SDK really sent. SDK 1.16 and 1.17 each get a venv of their own, built once under the clients' cache
(`$DAPR_JOBS_FAKE_CLIENTS_CACHE/python/dapr-<version>`, default `~/.cache/dapr-jobs-fake/clients`) with
`python -m venv` and `pip install dapr==<version>`, and are skipped, quoting pip, when PyPI cannot serve
them. The newest SDK is the one this project's venv runs (`pip install -e .[grpc]`), in that interpreter.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import pytest
from clients_harness import FakeCli, cache_dir, clean_env, journal, run_json

CLIENT = Path(__file__).resolve().parent / "python" / "jobs_client.py"
#: The latest patch of each line on PyPI when this was written (`pip index versions dapr`).
SDK_1_16 = "1.16.3"
SDK_1_17 = "1.17.5"
RPC_PATH = "/dapr.proto.runtime.v1.Dapr/"
ALPHA1_TRIP = ("ScheduleJobAlpha1", "GetJobAlpha1", "DeleteJobAlpha1", "GetJobAlpha1")
STABLE_TRIP = ("ScheduleJob", "GetJob", "DeleteJob", "GetJob")
#: What every round trip ends with: the deleted job's GET fails (500 in the journal, INTERNAL in the SDK).
TRIP_STATUSES = (200, 200, 200, 500)
PROXY_1_16_PLUS = "failed to proxy request: required metadata dapr-callee-app-id or dapr-app-id not found"


def _trip(
    methods: tuple[str, ...], job: str | None, statuses: tuple[int, ...]
) -> list[tuple[str, str | None, int]]:
    """The journal a round trip should leave: (method, job, status) for each of the four calls."""
    return [(method, job, status) for method, status in zip(methods, statuses, strict=True)]


def _sdk_venv(version: str) -> Path:
    """The interpreter of a venv with `dapr==version` only, built once in the cache and reused while its
    stamp names that version; skipped with pip's words when the venv or the SDK cannot be installed."""
    venv = cache_dir("python", f"dapr-{version}")
    python = venv / "bin" / "python"
    stamp = venv / "dapr-jobs-fake.json"
    if python.exists() and stamp.exists() and json.loads(stamp.read_text()).get("dapr") == version:
        return python
    shutil.rmtree(venv)
    made = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300
    )
    if made.returncode != 0:
        pytest.skip(f"`python -m venv` failed, so SDK {version} cannot be installed: {made.stderr[-1500:]}")
    command = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", f"dapr=={version}"]
    pip = subprocess.run(command, env=clean_env(), capture_output=True, text=True, timeout=900)
    if pip.returncode != 0:
        shutil.rmtree(venv, ignore_errors=True)  # no half-built venv is reused next time
        pytest.skip(f"PyPI did not serve dapr=={version} (`pip install`): {pip.stderr[-1500:]}")
    stamp.write_text(json.dumps({"dapr": version}))
    return python


@pytest.fixture(scope="session")
def sdk_1_16() -> Path:
    return _sdk_venv(SDK_1_16)


@pytest.fixture(scope="session")
def sdk_1_17() -> Path:
    return _sdk_venv(SDK_1_17)


@pytest.fixture(scope="session")
def newest_sdk() -> Path:
    """This interpreter, whose `dapr` is the newest SDK (the project's `grpc` extra asks for it)."""
    major, minor = (int(part) for part in installed_version("dapr").split(".")[:2])
    if (major, minor) < (1, 18):
        pytest.skip(f"this venv has dapr {installed_version('dapr')}: the stable-RPC SDK is 1.18+")
    return Path(sys.executable)


@dataclass(frozen=True)
class SdkRun:
    """One `jobs_client.py` run against one fake: what the SDK saw, and what the fake journaled."""

    result: dict[str, Any]
    journal: list[tuple[str, str | None, int]]
    calls: list[dict[str, Any]]

    def error(self, step: str) -> tuple[str, str]:
        outcome = self.result[step]
        assert "error" in outcome, f"{step} did not fail: {outcome!r}"
        return outcome["error"]["code"], outcome["error"]["message"]


def _run(python: Path, workdir: Path, profile: str, job: str) -> SdkRun:
    """Run the client with `python` (isolated: `-I`, no PYTHONPATH nor user site) against a fresh fake
    emulating Dapr `profile`; the SDK finds the fake's HTTP port for its health check in DAPR_HTTP_PORT."""
    out = workdir / "result.json"
    with FakeCli(workdir, "--dapr-version", profile) as fake:
        env = clean_env(
            DAPR_HTTP_PORT=str(fake.http_port), DAPR_GRPC_PORT=str(fake.grpc_port), DAPR_HEALTH_TIMEOUT="30"
        )
        command = [str(python), "-I", str(CLIENT), "--grpc-port", str(fake.grpc_port)]
        command += ["--job", job, "--out", str(out)]
        result = run_json(command, out=out, env=env, cwd=workdir, fake=fake, timeout=120)
        return SdkRun(result, journal(fake), fake.calls())


def _assert_round_trip_worked(run: SdkRun, job: str, sdk: str) -> None:
    """Scheduled, read back field by field, deleted, and then not found."""
    result = run.result
    assert result["sdk"] == sdk
    assert result["schedule"]["ok"] is None, result["schedule"]
    assert result["get"]["ok"] == {
        "name": job,
        "schedule": "@every 1h",
        "repeats": 3,
        "dueTime": None,
        "ttl": "2h",
        "typeUrl": "type.googleapis.com/google.protobuf.StringValue",
        "stringValue": f"hello from dapr {sdk}",
    }
    assert result["delete"]["ok"] is None, result["delete"]
    code, message = run.error("getAfterDelete")
    assert code == "INTERNAL"
    assert message == f"failed to get job due to: rpc error: code = NotFound desc = job not found: {job}"


def _assert_clean_grpc_calls(run: SdkRun) -> None:
    """Every journaled call is gRPC on the Dapr service, and the answered ones broke no rule."""
    assert all(call["request"].startswith(RPC_PATH) and call["protocol"] == "grpc" for call in run.calls)
    ok = [call for call in run.calls if call["status"] == 200]
    assert all(not call["violations"] and not call["warnings"] for call in ok), ok


# -- each SDK against its own Dapr line -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("sdk_fixture", "sdk", "profile"),
    [("sdk_1_16", SDK_1_16, "1.16"), ("sdk_1_17", SDK_1_17, "1.17")],
    ids=["sdk-1.16-on-dapr-1.16", "sdk-1.17-on-dapr-1.17"],
)
def test_pre_118_sdk_round_trips_with_alpha1_rpcs_on_its_own_dapr_line(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sdk_fixture: str,
    sdk: str,
    profile: str,
) -> None:
    """SDK 1.16/1.17 against Dapr 1.16/1.17: `schedule_job_alpha1`, `get_job_alpha1`, `delete_job_alpha1`
    of `dapr/clients/grpc/client.py` (1.16.3, 1.17.5) call the Alpha1 RPCs and nothing else, each
    warning that the Jobs API is alpha. They are what those daprd lines serve, so the trip works."""
    python = request.getfixturevalue(sdk_fixture)
    job = f"py-{sdk}-on-{profile}"
    run = _run(python, tmp_path_factory.mktemp(f"py-{sdk}"), profile, job)
    assert run.result["methods"] == ["schedule_job_alpha1", "get_job_alpha1", "delete_job_alpha1"]
    _assert_round_trip_worked(run, job, sdk)
    alpha = "UserWarning: The Jobs API is an Alpha version and is subject to change."
    assert all(run.result[step]["warnings"] == [alpha] for step in ("schedule", "get", "delete"))
    assert run.journal == _trip(ALPHA1_TRIP, job, TRIP_STATUSES)
    _assert_clean_grpc_calls(run)


# -- the newest SDK: stable RPCs, Alpha1 only on UNIMPLEMENTED ------------------------------------------


def test_newest_sdk_fails_on_dapr_117_with_the_proxy_unknown_and_never_falls_back(
    newest_sdk: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The newest SDK against Dapr 1.17: `schedule_job`/`get_job`/`delete_job` of
    `dapr/clients/grpc/client.py` (1.19.0) call ScheduleJob/GetJob/DeleteJob and retry with Alpha1 only
    when `err.code() == StatusCode.UNIMPLEMENTED`. Dapr 1.17 lacks the stable RPCs and its proxy answers
    UNKNOWN, as recorded on daprd 1.17.5, so every call fails and no Alpha1 RPC is ever sent."""
    job = "py-newest-on-1.17"
    run = _run(newest_sdk, tmp_path_factory.mktemp("py-newest-117"), "1.17", job)
    assert run.result["sdk"] == installed_version("dapr")
    assert run.result["methods"] == ["schedule_job", "get_job", "delete_job"]
    for step in ("schedule", "get", "delete", "getAfterDelete"):
        assert run.error(step) == ("UNKNOWN", PROXY_1_16_PLUS), step
    # The proxy refuses before any job is read from the request, so the journal names none.
    assert run.journal == _trip(STABLE_TRIP, None, (500,) * 4)
    assert not any(method.endswith("Alpha1") for method, _, _ in run.journal)
    assert all(call["request"].startswith(RPC_PATH) for call in run.calls)


def test_newest_sdk_round_trips_with_the_stable_rpcs_on_dapr_118(
    newest_sdk: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The newest SDK against Dapr 1.18, which serves ScheduleJob/GetJob/DeleteJob: the stable RPCs of
    `schedule_job`/`get_job`/`delete_job` (`dapr/clients/grpc/client.py`, 1.19.0) work at once, without
    the alpha warning of older SDKs, and the fallback to Alpha1 is never needed."""
    job = "py-newest-on-1.18"
    run = _run(newest_sdk, tmp_path_factory.mktemp("py-newest-118"), "1.18", job)
    assert run.result["methods"] == ["schedule_job", "get_job", "delete_job"]
    _assert_round_trip_worked(run, job, installed_version("dapr"))
    assert all(run.result[step]["warnings"] == [] for step in ("schedule", "get", "delete"))
    assert run.journal == _trip(STABLE_TRIP, job, TRIP_STATUSES)
    _assert_clean_grpc_calls(run)


# -- an older SDK against a newer Dapr ------------------------------------------------------------------


def test_sdk_117_still_round_trips_on_dapr_118_through_the_alpha1_rpcs(
    sdk_1_17: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """SDK 1.17 against Dapr 1.18: its `..._alpha1` methods (`dapr/clients/grpc/client.py`, 1.17.5)
    still call the Alpha1 RPCs, which Dapr 1.18 serves beside the stable ones, so upgrading daprd
    before the SDK keeps an application's jobs working."""
    job = "py-1.17-on-1.18"
    run = _run(sdk_1_17, tmp_path_factory.mktemp("py-117-118"), "1.18", job)
    assert run.result["methods"] == ["schedule_job_alpha1", "get_job_alpha1", "delete_job_alpha1"]
    _assert_round_trip_worked(run, job, SDK_1_17)
    assert run.journal == _trip(ALPHA1_TRIP, job, TRIP_STATUSES)
    _assert_clean_grpc_calls(run)
