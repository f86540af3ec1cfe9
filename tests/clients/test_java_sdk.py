"""The real Dapr Java SDK (`io.dapr:dapr-sdk`) against the fake CLI.

`java/` is a small Maven project (`JobsClient`) that builds its client with `new DaprClientBuilder()`
(the address comes from `DAPR_SIDECAR_IP`, `DAPR_GRPC_PORT`, `DAPR_HTTP_PORT`), waits for the sidecar
(`GET /v1.0/healthz/outbound`), calls `DaprClient.scheduleJob`/`getJob`/`deleteJob` and writes what the
SDK saw as JSON; these tests judge it, and the fake's journal shows which RPCs the SDK really sent.

SDK versions are tried newest first (`$DAPR_JOBS_FAKE_JAVA_SDK_VERSIONS`, default "1.18.1,1.17.1"); the
first that resolves from Maven Central is used, and a warning names the ones that did not. 1.18.x
calls the stable RPCs with an Alpha1 fallback on UNIMPLEMENTED (which daprd never answers); 1.17.x
calls only the Alpha1 RPCs (`sdk/src/main/java/io/dapr/client/DaprClientImpl.java`). Skipped when
`mvn` or `java` is missing or no version's dependencies can be downloaded.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from clients_harness import FakeCli, cache_dir, clean_env, journal, run_json

JAVA_DIR = Path(__file__).resolve().parent / "java"
MAIN_CLASS = "dev.daprjobsfake.clients.JobsClient"
_VERSIONS = os.environ.get("DAPR_JOBS_FAKE_JAVA_SDK_VERSIONS", "1.18.1,1.17.1")
SDK_VERSIONS = tuple(v.strip() for v in _VERSIONS.split(",") if v.strip())
#: Maven's words for "could not download": such a version is passed over, not a failure.
_RESOLUTION_ERRORS = (
    "Could not resolve dependencies",
    "Failed to read artifact descriptor",
    "Could not find artifact",
    "Could not transfer artifact",
    "Non-resolvable",
    "could not be resolved",
    "Unknown host",
    "Network is unreachable",
    "Connection refused",
)


@dataclass(frozen=True)
class JavaClient:
    """A built `JobsClient`: the SDK version it was built with and its class path."""

    sdk_version: str
    classpath: str

    @property
    def stable_rpcs(self) -> bool:
        """Java SDK 1.18+ calls ScheduleJob/GetJob/DeleteJob (falling back to Alpha1); 1.17 only Alpha1."""
        major, minor = (int(part) for part in self.sdk_version.split(".")[:2])
        return (major, minor) >= (1, 18)


def _digest() -> str:
    files = [JAVA_DIR / "pom.xml", *sorted((JAVA_DIR / "src").rglob("*.java"))]
    return hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()


def _build(mvn: str, version: str, digest: str) -> JavaClient | str:
    """Build with SDK `version` in its own cache folder; the client, or why it could not be downloaded."""
    project = cache_dir("java", f"sdk-{version}")
    stamp = project / "build.json"
    if stamp.exists():
        built = json.loads(stamp.read_text())
        if built.get("digest") == digest and (project / "target" / "classes").is_dir():
            return JavaClient(version, built["classpath"])
    shutil.rmtree(project / "src", ignore_errors=True)
    shutil.copytree(JAVA_DIR / "src", project / "src")
    shutil.copy2(JAVA_DIR / "pom.xml", project / "pom.xml")
    command = [
        mvn, "-B", "-q", "-Dstyle.color=never", f"-Ddapr.sdk.version={version}",
        "package", "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=project, env=clean_env(), capture_output=True, text=True, timeout=1800)
    output = re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)  # Maven colours even with -B
    if done.returncode != 0:
        reasons = [line for line in output.splitlines() if any(h in line for h in _RESOLUTION_ERRORS)]
        if reasons:
            return reasons[0][:600]
        pytest.fail(f"the Maven build of tests/clients/java (dapr-sdk {version}) failed:\n{output[-4000:]}")
    dependencies = (project / "classpath.txt").read_text().strip()
    classpath = f"{project / 'target' / 'classes'}{os.pathsep}{dependencies}"
    stamp.write_text(json.dumps({"digest": digest, "classpath": classpath}))
    return JavaClient(version, classpath)


@pytest.fixture(scope="session")
def java_client() -> JavaClient:
    """`JobsClient` built with the newest SDK version that resolves, once per session (then cached)."""
    mvn, java = shutil.which("mvn"), shutil.which("java")
    if mvn is None or java is None:
        missing = " and ".join(name for name, path in (("mvn", mvn), ("java", java)) if path is None)
        pytest.skip(f"{missing} not on PATH: the Java SDK tests need Maven and a JDK 17+")
    digest = _digest()
    passed_over: dict[str, str] = {}
    for version in SDK_VERSIONS:
        built = _build(mvn, version, digest)
        if isinstance(built, JavaClient):
            if passed_over:
                warnings.warn(f"Java SDK versions passed over (not resolvable): {passed_over}", stacklevel=1)
            return built
        passed_over[version] = built
    pytest.skip(f"no Dapr Java SDK version could be downloaded from Maven Central: {passed_over}")


@dataclass
class JavaRun:
    """One `JobsClient` run against one fake: its JSON and the fake's journal."""

    result: dict[str, Any]
    journal: list[tuple[str, str | None, int]]
    calls: list[dict[str, Any]]


def _run(client: JavaClient, workdir: Path, mode: str, *fake_args: str, token: str | None = None) -> JavaRun:
    """Run `JobsClient <mode>` against a fresh fake started with `fake_args`; `token` is the client's
    DAPR_API_TOKEN. The SDK finds the fake through DAPR_SIDECAR_IP, DAPR_GRPC_PORT, DAPR_HTTP_PORT."""
    out = workdir / "result.json"
    with FakeCli(workdir, *fake_args) as fake:
        ports = {"DAPR_GRPC_PORT": str(fake.grpc_port), "DAPR_HTTP_PORT": str(fake.http_port)}
        if token:
            ports["DAPR_API_TOKEN"] = token
        env = clean_env(DAPR_SIDECAR_IP="127.0.0.1", **ports)
        command = ["java", "-cp", client.classpath, MAIN_CLASS, mode, str(out)]
        result = run_json(command, out=out, env=env, cwd=workdir, fake=fake, timeout=180)
        return JavaRun(result, journal(fake), fake.calls())


@pytest.fixture(scope="module")
def full(java_client: JavaClient, tmp_path_factory: pytest.TempPathFactory) -> JavaRun:
    """Every case against the default emulation (Dapr 1.18: stable and Alpha1 job RPCs)."""
    return _run(java_client, tmp_path_factory.mktemp("java-full"), "full")


def _job(case: dict[str, Any]) -> dict[str, Any]:
    assert case["schedule"]["error"] is None
    assert case["get"]["error"] is None
    job: dict[str, Any] = case["get"]["job"]
    return job


def _dapr_error(value: dict[str, Any]) -> dict[str, Any]:
    error = value["error"]
    assert error is not None and error["type"] == "io.dapr.exceptions.DaprException", value
    assert error["domain"] == "dapr.io"
    return dict(error)


# -- schedule and read back -----------------------------------------------------------------------------


def test_schedule_then_get_echoes_every_field(full: JavaRun) -> None:
    job = _job(full.result["scheduleGet"])
    assert job == {
        "name": "java-echo",
        "schedule": "@every 1h",
        "dueTime": "2030-01-01T00:10:00Z",  # sent as "2030-01-01T00:10:00.000Z", parsed back by the SDK
        "ttl": "2030-01-02T00:00:00Z",
        "repeats": 3,
        "data": "hello from java",
        # The SDK sends only Duration.getNano() of the 2.5 s interval (FailurePolicyUtils), so 0.5 s.
        "failurePolicy": {"type": "CONSTANT", "maxRetries": 2, "interval": "PT0.5S"},
    }


def test_due_time_only_job_with_raw_data_and_drop_policy(full: JavaRun) -> None:
    job = _job(full.result["dueTimeOnly"])
    assert job == {
        "name": "java-once",
        "schedule": None,
        "dueTime": "2030-01-01T00:10:00Z",
        "ttl": None,
        "repeats": None,
        "data": '{"k":"v"}',
        "failurePolicy": {"type": "DROP"},
    }


@pytest.mark.parametrize(("case", "schedule"), [("period", "@every 1h30m0s0ms"), ("daily", "0 0 0 * * *")])
def test_sdk_schedule_helpers_are_accepted(full: JavaRun, case: str, schedule: str) -> None:
    job = _job(full.result[case])
    assert job["schedule"] == schedule
    # No policy sent: the fake reports the Scheduler's default, constant 3 retries every 1 s; the SDK
    # reads only the interval's nanos, so it shows PT0S.
    assert job["failurePolicy"] == {"type": "CONSTANT", "maxRetries": 3, "interval": "PT0S"}


# -- delete ---------------------------------------------------------------------------------------------


def test_delete_then_get_is_an_error(full: JavaRun) -> None:
    case = full.result["deleteThenGet"]
    assert case["delete"]["error"] is None
    assert case["deleteAgain"]["error"] is None
    error = _dapr_error(case["getAfterDelete"])
    assert (error["errorCode"], error["reason"]) == ("INTERNAL", "DAPR_SCHEDULER_GET_JOB")
    assert error["message"] == (
        "INTERNAL: failed to get job due to: rpc error: code = NotFound desc = job not found: java-echo"
    )


def test_get_of_a_missing_job_is_an_error(full: JavaRun) -> None:
    error = _dapr_error(full.result["getMissing"])
    assert (error["errorCode"], error["reason"]) == ("INTERNAL", "DAPR_SCHEDULER_GET_JOB")
    assert error["message"].endswith("job not found: java-never-existed")


# -- duplicates and overwrite ---------------------------------------------------------------------------


def test_duplicate_name_is_already_exists_and_overwrite_replaces(full: JavaRun) -> None:
    case = full.result["duplicate"]
    assert case["first"]["error"] is None
    error = _dapr_error(case["second"])
    assert (error["errorCode"], error["reason"]) == ("ALREADY_EXISTS", "DAPR_SCHEDULER_SCHEDULE_JOB")
    assert error["message"] == (
        "ALREADY_EXISTS: failed to schedule job due to: rpc error: code = AlreadyExists desc = "
        "job already exists: 'app||default||app||java-dup'"
    )
    assert case["overwrite"]["error"] is None
    job = case["get"]["job"]
    assert (job["schedule"], job["repeats"]) == ("0 0 0 * * 0", 7)


# -- invalid requests -----------------------------------------------------------------------------------


def test_no_schedule_nor_due_time_is_refused_by_the_sdk(full: JavaRun) -> None:
    error = full.result["noScheduleClientSide"]["error"]
    assert error == {
        "type": "java.lang.IllegalArgumentException",
        "message": "At least one of schedule or dueTime must be provided",
    }


@pytest.mark.parametrize(
    ("case", "reason"),
    [("emptySchedule", "empty spec string"), ("badCron", "expected exactly 6 fields, found 3: [not a cron]")],
    ids=["empty", "cron"],
)
def test_unparsable_schedule_fails_validation(full: JavaRun, case: str, reason: str) -> None:
    error = _dapr_error(full.result[case])
    assert (error["errorCode"], error["reason"]) == ("INTERNAL", "DAPR_SCHEDULER_SCHEDULE_JOB")
    assert error["message"] == (
        "INTERNAL: failed to schedule job due to: rpc error: code = Unknown desc = "
        f"job failed validation: {reason}"
    )


# -- the journal: what the SDK sent ---------------------------------------------------------------------


def test_journal_shows_the_rpcs_the_sdk_called(full: JavaRun, java_client: JavaClient) -> None:
    suffix = "" if java_client.stable_rpcs else "Alpha1"
    expected = [
        ("ScheduleJob", "java-echo", 200),
        ("GetJob", "java-echo", 200),
        ("ScheduleJob", "java-once", 200),
        ("GetJob", "java-once", 200),
        ("ScheduleJob", "java-period", 200),
        ("GetJob", "java-period", 200),
        ("ScheduleJob", "java-daily", 200),
        ("GetJob", "java-daily", 200),
        ("DeleteJob", "java-echo", 200),
        ("GetJob", "java-echo", 500),
        ("DeleteJob", "java-echo", 200),
        ("GetJob", "java-never-existed", 500),
        ("ScheduleJob", "java-dup", 200),
        ("ScheduleJob", "java-dup", 409),
        ("ScheduleJob", "java-dup", 200),
        ("GetJob", "java-dup", 200),
        ("ScheduleJob", "java-empty", 500),
        ("ScheduleJob", "java-bad-cron", 500),
    ]
    assert full.journal == [(method + suffix, job, status) for method, job, status in expected]
    assert all(call["protocol"] == "grpc" for call in full.calls)
    clean = [call for call in full.calls if call["status"] == 200]
    assert all(not call["violations"] and not call["warnings"] for call in clean)


# -- a sidecar without the stable RPCs; API tokens ------------------------------------------------------


def test_round_trip_on_a_sidecar_without_stable_rpcs(
    java_client: JavaClient, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`--dapr-version docs-1.14-alpha` has only the Alpha1 RPCs: the Java SDK 1.17 calls them; 1.18+
    calls the stable RPCs and falls back only on UNIMPLEMENTED, while daprd (and the fake) answer a
    method it lacks with its proxy's UNKNOWN (recorded 1.14.4-1.17.5), so 1.18+ fails there."""
    workdir = tmp_path_factory.mktemp("java-fallback")
    run = _run(java_client, workdir, "roundtrip", "--dapr-version", "docs-1.14-alpha")
    trip = run.result["roundTrip"]
    if java_client.stable_rpcs:
        assert run.journal[0] == ("ScheduleJob", None, 500)
        assert not any(method.endswith("Alpha1") for method, _, _ in run.journal)
        return
    assert trip["schedule"]["error"] is None
    assert trip["get"]["job"]["data"] == '{"roundTrip":true}'
    assert trip["get"]["job"]["dueTime"] == "2030-01-01T00:10:00Z"
    assert trip["delete"]["error"] is None
    assert _dapr_error(trip["getAfterDelete"])["errorCode"] == "INTERNAL"
    assert run.journal == [
        ("ScheduleJobAlpha1", "java-roundtrip", 200),
        ("GetJobAlpha1", "java-roundtrip", 200),
        ("DeleteJobAlpha1", "java-roundtrip", 200),
        ("GetJobAlpha1", "java-roundtrip", 500),
    ]


def test_sdk_sends_dapr_api_token(java_client: JavaClient, tmp_path_factory: pytest.TempPathFactory) -> None:
    """With `--api-token`, the health check still answers and every RPC carries the token."""
    workdir = tmp_path_factory.mktemp("java-token")
    run = _run(java_client, workdir, "roundtrip", "--api-token", "s3cret", token="s3cret")
    trip = run.result["roundTrip"]
    assert (trip["schedule"]["error"], trip["delete"]["error"]) == (None, None)
    assert [status for _, _, status in run.journal] == [200, 200, 200, 500]
