"""The two things the console script does, as functions: `record` (cases against real daprd + Scheduler,
into a recording) and `replay` (a recording's cases against the fake, compared)."""

from __future__ import annotations

import datetime
import json
import sys
import time
from collections.abc import Callable
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from .._version import __version__
from ..contract.profiles import get_profile
from .cases import all_cases
from .compare import Report, compare
from .model import Case, cases_hash
from .normalise import transformer_names
from .processes import daprd_version
from .recording import Recording
from .runner import run_cases

__all__ = ["current_hash", "record", "replay", "select"]


def current_hash() -> str:
    """The hash of the current case definitions and transformers."""
    return cases_hash(all_cases(), transformer_names())


def select(pattern: str | None) -> list[Case]:
    """All cases, or those whose name matches the glob `pattern` (a plain word matches as `*word*`)."""
    cases = all_cases()
    if not pattern:
        return cases
    glob = pattern if any(c in pattern for c in "*?[") else f"*{pattern}*"
    return [case for case in cases if fnmatchcase(case.name, glob)]


def record(
    daprd: Path,
    scheduler: Path,
    *,
    version: str | None = None,
    pattern: str | None = None,
    log_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> Recording:
    """Run the cases on real daprd + Scheduler (call inside `netns`) and return the recording."""
    from .target_real import start_sidecars  # the real runtime, only when recording

    reported = daprd_version(daprd)
    version = version or reported
    get_profile(version)  # a version the fake emulates, or a ValueError saying which are
    cases = select(pattern)
    skipped = {case.name: case.skipped_on(version) for case in cases}
    runnable = [case for case in cases if skipped[case.name] is None]
    sidecars = list({case.sidecar.name: case.sidecar for case in runnable}.values())
    started = time.monotonic()
    targets = start_sidecars(daprd, scheduler, version, sidecars, log_dir)
    try:
        observed = run_cases(runnable, targets, version, progress=progress)
    finally:
        for target in targets.values():
            target.close()
    entries: dict[str, dict[str, Any]] = {}
    for case in cases:
        reason = skipped[case.name]
        body: dict[str, Any] = (
            {"observations": observed[case.name]} if reason is None else {"not_recorded": reason}
        )
        entries[case.name] = {"hash": case.digest(), **body}
    build_info = daprd.parent / "build-info.json"
    meta: dict[str, Any] = {
        "daprd_reported_version": reported,
        "wall_seconds": round(time.monotonic() - started),
        "recorder": f"dapr-jobs-fake {__version__}",
        "sidecars": [sidecar.describe() for sidecar in sidecars],
        "network": "private network namespace, loopback only",
    }
    if build_info.is_file():
        info = json.loads(build_info.read_text())
        meta["build"] = {k: info.get(k) for k in ("daprd_main", "scheduler_main", "substitutions", "go")}
    return Recording(
        version=version,
        recorded=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        cases_hash=current_hash(),
        cases=entries,
        meta=meta,
        partial=bool(pattern),
    )


def replay(recording: Recording, pattern: str | None = None) -> Report:
    """The recording's cases against the fake emulating its version, compared with it. Cases whose
    definition changed since the recording, or that it lacks, are reported `stale`, not run."""
    from .target_fake import FakeSidecar

    current = {case.name: case for case in select(pattern)}
    recorded = recording.recorded_cases()
    stale = sorted(
        name
        for name, case in current.items()
        if name not in recording.cases or recording.cases[name]["hash"] != case.digest()
    )
    if not pattern:
        stale += sorted(name for name in recording.cases if name not in current)
    runnable = [case for name, case in current.items() if name in recorded and name not in stale]
    sidecars = {case.sidecar.name: case.sidecar for case in runnable}
    targets = {name: FakeSidecar(recording.version, sidecar) for name, sidecar in sidecars.items()}
    try:
        replayed = run_cases(runnable, targets, recording.version)
    finally:
        for target in targets.values():
            target.close()
    report = compare(recording.version, {case.name: recorded[case.name] for case in runnable}, replayed)
    report.stale = stale
    return report


def print_report(report: Report, verbose: bool = False, out: Any = None) -> None:
    """Mismatches and documented differences (each with its reason's key, the reasons once after
    them), then the summary line last."""
    from .differences import REASONS

    out = out or sys.stdout
    for name in report.stale:
        print(f"STALE {name}: its definition changed since the recording (re-record)", file=out)
    for accepted in report.unused:
        print(f"UNUSED difference {accepted.case} {accepted.path} ({accepted.why}): remove it", file=out)
    used: dict[str, str] = {}
    for result in report.results:
        for difference in result.mismatches:
            print(f"MISMATCH {result.name} {difference}", file=out)
        for accepted, differences in result.documented_groups():
            shown = "; ".join(str(d) if verbose else d.path for d in differences)
            print(f"documented {result.name} {shown} [{accepted.why}]", file=out)
            used[accepted.why] = REASONS[accepted.why]
    for key, reason in used.items():
        print(f"  [{key}] {reason}", file=out)
    print(report.summary(), file=out)
