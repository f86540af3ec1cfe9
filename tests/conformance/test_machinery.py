"""The suite's own parts: diffs and declared differences, the transformers, placeholders, recordings on
disk, the console script's output and exit codes, and the network-namespace guard."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from dapr_jobs_fake.conformance import cli, netns
from dapr_jobs_fake.conformance.cases import all_cases
from dapr_jobs_fake.conformance.compare import Difference, compare, diff
from dapr_jobs_fake.conformance.differences import ACCEPTED, REASONS, Accepted
from dapr_jobs_fake.conformance.normalise import normalise
from dapr_jobs_fake.conformance.recording import Recording, load, save, shipped
from dapr_jobs_fake.conformance.runner import render_placeholders, run_cases
from dapr_jobs_fake.conformance.session import current_hash, select
from dapr_jobs_fake.conformance.target_fake import FakeSidecar


def test_diff_names_every_leaf_and_missing_keys() -> None:
    recorded = [{"status": 204, "headers": {"a": "1"}}, {"received": [1, 2]}]
    replayed = [{"status": 200, "headers": {}}, {"received": [1]}]
    assert diff(recorded, replayed) == [
        Difference("0/headers/a", "1", "<missing>"),
        Difference("0/status", 204, 200),
        Difference("1/received/1", 2, "<missing>"),
    ]
    assert diff([{"n": 1}], [{"n": 1.0}]) == [Difference("0/n", 1, 1.0)]  # 1 and 1.0 are other bytes
    assert diff([{"n": True}], [{"n": 1}]) != []


def test_a_declared_difference_is_accepted_only_for_its_case_path_and_versions() -> None:
    declared = [Accepted("c/*", "0/status", "net-http-400-framing", versions=("1.16",))]
    recorded = {"c/one": [{"status": 500}], "d/two": [{"status": 500}]}
    replayed = {"c/one": [{"status": 200}], "d/two": [{"status": 200}]}
    on_116 = compare("1.16.8", recorded, replayed, declared)
    assert [r.status for r in on_116.results] == ["documented", "mismatch"]
    assert on_116.documented == 1 and on_116.matched == 1 and not on_116.ok
    on_117 = compare("1.17.5", recorded, replayed, declared)
    assert [r.status for r in on_117.results] == ["mismatch", "mismatch"]
    assert on_117.unused == []  # not about 1.17


def test_an_unused_declaration_fails_the_replay() -> None:
    declared = [Accepted("c/one", "0/status", "net-http-400-framing")]
    report = compare("1.18.3", {"c/one": [{"status": 204}]}, {"c/one": [{"status": 204}]}, declared)
    assert report.matched == 1 and report.unused == declared and not report.ok
    assert report.summary() == "conformance 1.18.3: 1/1 cases match the recording (0 documented differences)"


def test_every_declared_difference_names_existing_cases() -> None:
    names = [case.name for case in all_cases()]
    from fnmatch import fnmatchcase

    for accepted in ACCEPTED:
        assert any(fnmatchcase(name, accepted.case) for name in names), accepted
        assert accepted.why in REASONS, accepted
    assert {a.why for a in ACCEPTED} == set(REASONS)  # no reason without a use


def test_transformers() -> None:
    observed = [
        {
            "http": "GET /{api}/jobs/x",
            "status": 200,
            "headers": [["Date", "now"], ["Content-Type", "application/json"], ["Content-Length", "9"]],
            "body": {"text": '{"a": 1,\n "t": "2026-01-01T00:00:02Z"}'},
        },
        {"grpc": "GetJobAlpha1", "code": "INTERNAL", "message": "dial tcp 127.0.0.1:4711: proto:\u00a0x"},
        {"grpc": "ScheduleJobAlpha1", "message": "message larger than max (2097460 vs. 2097152)"},
        {
            "received": [
                {
                    "headers": [["Host", "localhost:999"], ["Content-Length", "3"]],
                    "body": {"text": "[1]"},
                },
                {"metadata": [["user-agent", "grpc-go/1"], ["dapr-api-token", "t"]], "request": {}},
            ]
        },
    ]
    out = normalise(observed, {"2026-01-01T00:00:02Z": "{in:2s}"})
    assert out[0] == {
        "http": "GET /{api}/jobs/x",
        "status": 200,
        "headers": {"content-type": "application/json"},
        "json": {"a": 1, "t": "{in:2s}"},
    }
    assert out[1]["message"] == "dial tcp 127.0.0.1:<port>: proto: x"
    assert out[2]["message"] == "message larger than max (<size> vs. 2097152)"
    assert out[3]["received"][0] == {"headers": {"host": "127.0.0.1:<port>"}, "json": [1]}
    assert out[3]["received"][1]["metadata"] == {"dapr-api-token": "t"}


def test_placeholders_are_whole_seconds_in_utc() -> None:
    rendered: dict[str, str] = {}
    now = datetime(2026, 1, 1, 0, 0, 0, 400_000, tzinfo=timezone.utc)
    value = render_placeholders({"dueTime": "{in:2s}", "ttl": ["{in:-1h}"]}, now, rendered)
    assert value == {"dueTime": "2026-01-01T00:00:02Z", "ttl": ["2025-12-31T23:00:00Z"]}
    assert rendered == {"2026-01-01T00:00:02Z": "{in:2s}", "2025-12-31T23:00:00Z": "{in:-1h}"}


def test_recordings_round_trip(tmp_path: Path) -> None:
    recording = Recording(
        version="1.18.3",
        recorded="2026-12-01",
        cases_hash="h",
        cases={
            "a/b": {"hash": "x", "observations": [{"wait": 1.0}, {"é": "ü"}]},
            "a/c": {"hash": "y", "not_recorded": "why"},
        },
        meta={"daprd_reported_version": "1.18.3"},
    )
    path = save(recording, tmp_path)
    assert path.name == "1.18.3.json"
    json.loads(path.read_text())  # valid JSON
    again = load(path)
    assert again == recording
    assert again.recorded_cases() == {"a/b": [{"wait": 1.0}, {"é": "ü"}]}
    assert again.not_recorded() == {"a/c": "why"}
    assert list(shipped(tmp_path)) == ["1.18.3"]


def test_select_by_glob_or_word() -> None:
    assert {c.name for c in select("routes/healthz*")} == {"routes/healthz", "routes/healthz-outbound"}
    assert select("bad-escape") == [c for c in all_cases() if "bad-escape" in c.name]


def _tiny_recording(tmp_path: Path, *, status: int) -> Path:
    """A recording of routes/healthz holding what the fake answers, its status set to `status`."""
    case = next(c for c in all_cases() if c.name == "routes/healthz")
    target = FakeSidecar("1.18.3", case.sidecar)
    try:
        answer = run_cases([case], {case.sidecar.name: target}, "1.18.3")[case.name]
    finally:
        target.close()
    answer[0]["status"] = status
    recording = Recording(
        version="1.18.3",
        recorded="2026-12-01",
        cases_hash=current_hash(),
        cases={case.name: {"hash": case.digest(), "observations": answer}},
        meta={"daprd_reported_version": "1.18.3"},
    )
    return save(recording, tmp_path)


def test_replay_command_last_line_and_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tiny_recording(tmp_path, status=204)
    code = cli.main(["replay", "--recordings", str(tmp_path), "-k", "routes/health?"])
    lines = capsys.readouterr().out.strip().splitlines()
    assert code == 0
    assert lines[-1] == "conformance 1.18.3: 1/1 cases match the recording (0 documented differences)"


def test_replay_command_fails_on_a_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tiny_recording(tmp_path, status=500)
    code = cli.main(["replay", "--recordings", str(tmp_path), "-k", "routes/health?"])
    out = capsys.readouterr().out
    assert code == 1
    assert "MISMATCH routes/healthz 0/status: recorded 500, replayed 204" in out
    assert out.strip().splitlines()[-1].startswith("conformance 1.18.3: 0/1 cases match")


def test_compare_command_against_the_shipped_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shipped_path = shipped()["1.18.3"]
    (tmp_path / "1.18.3.json").write_text(shipped_path.read_text())
    assert cli.main(["compare", str(tmp_path)]) == 0
    assert "conformance 1.18.3:" in capsys.readouterr().out


def test_record_refuses_without_a_namespace(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(netns.MARKER, raising=False)
    monkeypatch.setattr(netns.shutil, "which", lambda name: None)
    code = cli.main(["record", "--daprd", "/nonexistent/daprd", "--scheduler", "/nonexistent/scheduler"])
    assert code == 2
    assert "private network namespace" in capsys.readouterr().err


def test_enter_refuses_outside_a_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(netns.MARKER, raising=False)
    with pytest.raises(netns.NamespaceUnavailable):
        netns.enter()
    assert not netns.inside()


def test_the_launcher_refuses_outside_a_namespace(monkeypatch: pytest.MonkeyPatch) -> None:
    from dapr_jobs_fake.conformance.real_runtime import RealDapr, RealDaprError

    monkeypatch.delenv(netns.MARKER, raising=False)
    with pytest.raises(RealDaprError, match="private network namespace"):
        RealDapr("/bin/true", "/bin/true", "1.18.3").start()


def test_pyproject_ships_the_recordings_and_the_console_script() -> None:
    text = (Path(__file__).resolve().parents[2] / "pyproject.toml").read_text()
    assert 'dapr-jobs-fake-conformance = "dapr_jobs_fake.conformance.cli:main"' in text
    assert '"dapr_jobs_fake.conformance.recordings" = ["*.json"]' in text
    assert '"dapr_jobs_fake.conformance.cases",' in text
