"""Every shipped recording, replayed against the fake: each case matches the recording but for the
declared differences (`differences.ACCEPTED`), no declaration is unused, and each recording was made
from the current case definitions (the hash), so CI fails when a case changed but was not re-recorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dapr_jobs_fake.conformance.compare import Report
from dapr_jobs_fake.conformance.recording import load, shipped
from dapr_jobs_fake.conformance.session import current_hash

VERSIONS = list(shipped())


def test_recordings_are_shipped() -> None:
    assert {"1.18.3", "1.17.5", "1.16.8", "1.15.4", "1.14.4"} <= set(VERSIONS)


@pytest.mark.parametrize("version", VERSIONS)
def test_replay_matches_the_recording(version: str, replayed: Callable[[str], Report]) -> None:
    report = replayed(version)
    problems = [f"{r.name} {d}" for r in report.results for d in r.mismatches]
    problems += [f"stale: {name} (re-record: its definition changed)" for name in report.stale]
    problems += [f"unused declared difference: {a.case} {a.path} ({a.reason})" for a in report.unused]
    assert not problems, f"{report.summary()}\n" + "\n".join(problems)
    assert report.ok


@pytest.mark.parametrize("version", VERSIONS)
def test_recording_is_of_the_current_cases(version: str, replayed: Callable[[str], Report]) -> None:
    recording = load(shipped()[version])
    assert not recording.partial, f"{version}.json was recorded with -k (a partial recording)"
    assert recording.cases_hash == current_hash(), (
        f"cases or transformers changed since {version} was recorded: run "
        f"`dapr-jobs-fake-conformance record --daprd ... --scheduler ... --out "
        f"dapr_jobs_fake/conformance/recordings` for {version} (stale cases: {replayed(version).stale})"
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_recording_says_what_daprd_reported(version: str) -> None:
    recording = load(shipped()[version])
    assert recording.meta["daprd_reported_version"] == version
    assert recording.meta["network"] == "private network namespace, loopback only"
