"""The real Dapr Go SDK (`github.com/dapr/go-sdk`, pinned in `go/go.mod`) against the fake CLI.

`go/` is a small Go program (`jobsclient`) that calls `ScheduleJob`/`GetJob`/`DeleteJob` and their
deprecated `...Alpha1` names through `client.NewClientWithAddressContext`, and serves a Go app with
`service/grpc` (`NewService` + `AddJobEventHandler`) that the fake delivers triggers to. It writes what
the SDK saw as JSON; these tests judge it, and the fake's journal shows which RPCs the SDK really sent.

The Go SDK v1.15.0 calls the stable RPCs and falls back to Alpha1 only on UNIMPLEMENTED (`client/jobs.go`),
even from the `...Alpha1` methods; daprd before 1.18 answers its proxy's UNKNOWN instead, so this SDK
needs daprd 1.18 for jobs, here as there. Skipped when `go` is missing or the modules cannot be downloaded.
`go.sum` was made from the module proxy (sum.golang.org is out of reach here), so builds need no
checksum database: every module is in `go.sum` and the build runs with `-mod=readonly`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from clients_harness import FakeCli, cache_dir, clean_env, free_port, journal, run_json

GO_DIR = Path(__file__).resolve().parent / "go"
STABLE = "/dapr.proto.runtime.v1.Dapr/"


def _go_env() -> dict[str, str]:
    """The environment for go: the user's GOFLAGS without any -mod, plus -mod=readonly."""
    flags = [f for f in os.environ.get("GOFLAGS", "").split() if not f.startswith(("-mod=", "-buildvcs"))]
    return clean_env(GOFLAGS=" ".join([*flags, "-mod=readonly", "-buildvcs=false"]))


@pytest.fixture(scope="session")
def go_client() -> Path:
    """`jobsclient`, built once per session into the cache (Go's build cache makes rebuilds quick)."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("`go` is not on PATH: the Go SDK tests need a Go toolchain (go.mod asks for 1.26.4+)")
    env = _go_env()
    download = subprocess.run(
        [go, "mod", "download"], cwd=GO_DIR, env=env, capture_output=True, text=True, timeout=900
    )
    if download.returncode != 0:
        pytest.skip(f"Go SDK modules could not be downloaded (`go mod download`): {download.stderr[-1500:]}")
    binary = cache_dir("go") / "jobsclient"
    command = [go, "build", "-o", str(binary), "."]
    build = subprocess.run(command, cwd=GO_DIR, env=env, capture_output=True, text=True, timeout=1800)
    if build.returncode != 0:
        pytest.fail(f"`go build` of tests/clients/go failed:\n{build.stderr[-4000:]}")
    return binary


class GoRun:
    """One `jobsclient` run against one fake: its JSON, the fake's journal and trigger records."""

    def __init__(self, result: dict[str, Any], fake: FakeCli, app_port: int) -> None:
        self.result = result
        self.journal = journal(fake)
        self.calls = fake.calls()
        self.triggers = fake.triggers()
        self.app_target = f"grpc://127.0.0.1:{app_port}"


def _run(
    go_client: Path, workdir: Path, mode: str, *fake_args: str, app: bool = True, token: str | None = None
) -> GoRun:
    """Run `jobsclient -mode <mode>` against a fresh fake started with `fake_args` (and the app's
    address with `app`); `token` is the client's DAPR_API_TOKEN."""
    app_port = free_port()
    out = workdir / "result.json"
    app_args = ["--app-grpc-address", f"127.0.0.1:{app_port}"] if app else []
    with FakeCli(workdir, *app_args, *fake_args) as fake:
        command = [
            str(go_client), "-dapr", fake.grpc_address, "-control", fake.base_url,
            "-mode", mode, "-out", str(out),
        ]  # fmt: skip
        if app:
            command += ["-app", f"127.0.0.1:{app_port}"]
        env = clean_env(DAPR_API_TOKEN=token) if token else clean_env()
        result = run_json(command, out=out, env=env, cwd=workdir, fake=fake, timeout=120)
        return GoRun(result, fake, app_port)


@pytest.fixture(scope="module")
def full(go_client: Path, tmp_path_factory: pytest.TempPathFactory) -> GoRun:
    """Every case against the default emulation (Dapr 1.18: stable and Alpha1 job RPCs)."""
    return _run(go_client, tmp_path_factory.mktemp("go-full"), "full")


def _error(value: Any) -> dict[str, Any]:
    assert isinstance(value, dict), f"expected an error, got {value!r}"
    return value


def _reasons(error: dict[str, Any]) -> list[str]:
    return [detail["reason"] for detail in error.get("details", [])]


# -- schedule and read back -----------------------------------------------------------------------------


def test_schedule_then_get_echoes_every_field(full: GoRun) -> None:
    case = full.result["scheduleGetAlpha1"]
    assert case["schedule"] is None
    job = case["get"]["job"]
    assert {k: job[k] for k in ("name", "schedule", "repeats", "dueTime", "ttl")} == {
        "name": "go-echo",
        "schedule": "@every 1h",
        "repeats": 3,
        "dueTime": "30s",
        "ttl": "2h",
    }
    assert job["data"]["typeUrl"] == "type.googleapis.com/google.protobuf.StringValue"
    assert job["data"]["stringValue"] == "hello from go"
    assert job["failurePolicy"] == {"kind": "constant", "maxRetries": 2, "intervalSeconds": 5}


def test_raw_any_data_and_drop_policy_read_back_verbatim(full: GoRun) -> None:
    case = full.result["scheduleGetStable"]
    assert case["schedule"] is None
    job = case["get"]["job"]
    # The SDK turns unset optionals into pointers to zero values ("" and 0).
    unset = ("", 0, "")
    assert (job["schedule"], job["repeats"], job["ttl"]) == unset
    assert job["dueTime"] == "2030-01-01T01:00:00Z"
    assert job["data"] == {"typeUrl": "", "value": "eyJrIjoidiJ9", "text": '{"k":"v"}'}
    assert job["failurePolicy"] == {"kind": "drop"}


# -- delete ---------------------------------------------------------------------------------------------


def test_delete_then_get_is_an_error(full: GoRun) -> None:
    case = full.result["deleteThenGet"]
    assert (case["deleteAlpha1"], case["deleteStable"], case["deleteAgainStable"]) == (None, None, None)
    for key, name in (("getAlpha1AfterDel", "go-echo"), ("getStableAfterDel", "go-raw")):
        error = _error(case[key]["error"])
        assert error["code"] == "Internal"
        assert error["message"] == (
            f"failed to get job due to: rpc error: code = NotFound desc = job not found: {name}"
        )
        assert _reasons(error) == ["DAPR_SCHEDULER_GET_JOB"]


def test_missing_jobs_delete_quietly_and_get_fails(full: GoRun) -> None:
    assert full.result["deleteMissing"]["delete"] is None
    error = _error(full.result["getMissing"]["error"])
    assert (error["code"], _reasons(error)) == ("Internal", ["DAPR_SCHEDULER_GET_JOB"])
    assert "job not found: go-never-existed" in error["message"]


# -- duplicates and overwrite ---------------------------------------------------------------------------


def test_duplicate_name_is_already_exists_and_overwrite_replaces(full: GoRun) -> None:
    case = full.result["duplicate"]
    assert case["first"] is None
    error = _error(case["second"])
    assert error["code"] == "AlreadyExists"
    assert error["message"] == (
        "failed to schedule job due to: rpc error: code = AlreadyExists desc = job already exists: "
        "'app||default||app||go-dup'"
    )
    assert _reasons(error) == ["DAPR_SCHEDULER_SCHEDULE_JOB"]
    assert case["overwrite"] is None
    job = case["get"]["job"]
    assert (job["schedule"], job["repeats"]) == ("@every 3m", 7)


# -- invalid requests -----------------------------------------------------------------------------------


def test_no_schedule_nor_due_time_is_invalid_argument(full: GoRun) -> None:
    error = _error(full.result["emptySchedule"]["error"])
    assert (error["code"], error["message"]) == ("InvalidArgument", "Schedule is empty")
    assert _reasons(error) == ["DAPR_SCHEDULER_SCHEDULE_EMPTY"]


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("badCron", "expected exactly 6 fields, found 3: [not a cron]"),
        ("badDueTime", "due time format not recognized"),
    ],
    ids=["cron", "dueTime"],
)
def test_unparsable_schedule_or_due_time_fails_validation(full: GoRun, case: str, reason: str) -> None:
    error = _error(full.result[case]["error"])
    assert error["code"] == "Internal"
    assert error["message"] == (
        f"failed to schedule job due to: rpc error: code = Unknown desc = job failed validation: {reason}"
    )
    assert _reasons(error) == ["DAPR_SCHEDULER_SCHEDULE_JOB"]


def test_empty_name_is_refused_by_the_sdk_before_any_rpc(full: GoRun) -> None:
    assert full.result["emptyName"]["error"]["message"] == "job name is required"
    assert all(job for _, job, _ in full.journal), full.journal


# -- triggers into a Go app -----------------------------------------------------------------------------


def test_trigger_reaches_the_go_app_with_name_and_data(full: GoRun) -> None:
    case = full.result["trigger"]
    assert case["scheduled"] == {"go-trigger": None, "go-trigger-typed": None}
    assert case["timedOut"] is False
    received = sorted(case["received"], key=lambda event: event["jobType"])
    assert received[0] == {"jobType": "go-trigger", "data": '{"hello":"go"}'}
    assert received[1]["jobType"] == "go-trigger-typed"
    assert received[1]["stringValue"] == "typed payload"  # the Any's bytes, as the app gets them
    delivered = [(t["job"], t["target"], t["succeeded"], t["status"]) for t in full.triggers]
    assert delivered == [
        ("go-trigger", full.app_target, True, 0),
        ("go-trigger-typed", full.app_target, True, 0),
    ]


# -- the journal: what the SDK sent ---------------------------------------------------------------------


def test_journal_shows_the_stable_rpcs_the_sdk_called(full: GoRun) -> None:
    assert full.journal == [
        ("ScheduleJob", "go-echo", 200),
        ("GetJob", "go-echo", 200),
        ("ScheduleJob", "go-raw", 200),
        ("GetJob", "go-raw", 200),
        ("DeleteJob", "go-echo", 200),
        ("GetJob", "go-echo", 500),
        ("DeleteJob", "go-raw", 200),
        ("GetJob", "go-raw", 500),
        ("DeleteJob", "go-raw", 200),
        ("GetJob", "go-raw", 500),
        ("DeleteJob", "go-never-existed", 200),
        ("GetJob", "go-never-existed", 500),
        ("ScheduleJob", "go-dup", 200),
        ("ScheduleJob", "go-dup", 409),
        ("ScheduleJob", "go-dup", 200),
        ("GetJob", "go-dup", 200),
        ("ScheduleJob", "go-empty", 400),
        ("ScheduleJob", "go-bad-cron", 500),
        ("ScheduleJob", "go-bad-due", 500),
        ("ScheduleJob", "go-trigger", 200),
        ("ScheduleJob", "go-trigger-typed", 200),
    ]
    assert all(call["request"].startswith(STABLE) and call["protocol"] == "grpc" for call in full.calls)
    clean = [call for call in full.calls if call["status"] == 200]
    assert all(not call["violations"] and not call["warnings"] for call in clean)


# -- a sidecar without the stable RPCs; API tokens ------------------------------------------------------


def test_sdk_fails_against_a_sidecar_without_stable_rpcs_as_against_real_daprd(
    go_client: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """`--dapr-version docs-1.14-alpha` has only the Alpha1 RPCs. Real daprd answers a method it lacks
    with its service-invocation proxy's UNKNOWN (recorded on 1.14.4-1.17.5, conformance
    `grpc/stable-schedule-get-delete`), and the Go SDK v1.15.0 falls back to Alpha1 only on
    UNIMPLEMENTED (`client/jobs.go`), so every job call fails, on the fake as against daprd 1.17."""
    workdir = tmp_path_factory.mktemp("go-no-stable")
    run = _run(go_client, workdir, "roundtrip", "--dapr-version", "docs-1.14-alpha")
    trip = run.result["roundTrip"]
    error = _error(trip["schedule"])
    proxy = "failed to proxy request: required metadata dapr-app-id not found"
    assert (error["code"], error["message"]) == ("Unknown", proxy)
    assert run.journal[:4] == [
        ("ScheduleJob", None, 500),
        ("GetJob", None, 500),
        ("DeleteJob", None, 500),
        ("GetJob", None, 500),
    ]
    assert not any(method.endswith("Alpha1") for method, _, _ in run.journal)  # no fallback happens
    assert all(status == 500 for _, _, status in run.journal)


def test_sdk_sends_dapr_api_token(go_client: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    workdir = tmp_path_factory.mktemp("go-token")
    run = _run(go_client, workdir, "roundtrip", "--api-token", "s3cret", app=False, token="s3cret")
    trip = run.result["roundTrip"]
    assert (trip["schedule"], trip["delete"]) == (None, None)
    assert [status for _, _, status in run.journal] == [200, 200, 200, 500]


def test_missing_api_token_is_unauthenticated(
    go_client: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    workdir = tmp_path_factory.mktemp("go-no-token")
    run = _run(go_client, workdir, "roundtrip", "--api-token", "s3cret", app=False)
    error = _error(run.result["roundTrip"]["schedule"])
    assert (error["code"], error["message"]) == ("Unauthenticated", "Unauthorized")
    assert [(method, status) for method, _, status in run.journal] == [
        ("ScheduleJob", 401),
        ("GetJob", 401),
        ("DeleteJob", 401),
        ("GetJob", 401),
    ]
