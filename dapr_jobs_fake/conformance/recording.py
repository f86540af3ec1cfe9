"""Recordings: what real daprd + Scheduler answered to every case, one JSON file per Dapr version.

The shipped ones are package data (`dapr_jobs_fake/conformance/recordings/<version>.json`). A recording
holds its metadata (the version daprd reported, the date, the hash of the case definitions and
transformers, how the binaries were built, how long it took) and, per case, the case's own hash and
either its normalised observations or why it is not recorded on that version.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["FORMAT", "RECORDINGS", "Recording", "load", "save", "shipped", "version_key"]

FORMAT = 1
RECORDINGS = Path(__file__).resolve().parent / "recordings"


@dataclass
class Recording:
    """One version's recording (see the module docstring for the fields)."""

    version: str
    recorded: str
    cases_hash: str
    cases: dict[str, dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
    #: Made with `record -k`: only some cases; never shipped (the hash test refuses it).
    partial: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "dapr_version": self.version,
            "recorded": self.recorded,
            "cases_hash": self.cases_hash,
            "partial": self.partial,
            "meta": self.meta,
            "cases": self.cases,
        }

    def recorded_cases(self) -> dict[str, list[dict[str, Any]]]:
        """Observations by case name, for the cases recorded on this version."""
        return {name: c["observations"] for name, c in self.cases.items() if "observations" in c}

    def not_recorded(self) -> dict[str, str]:
        """Why each case that is not recorded on this version is not."""
        return {name: c["not_recorded"] for name, c in self.cases.items() if "not_recorded" in c}


def load(path: Path) -> Recording:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format") != FORMAT:
        raise ValueError(f"{path}: recording format {data.get('format')!r}, this version reads {FORMAT}")
    return Recording(
        version=data["dapr_version"],
        recorded=data["recorded"],
        cases_hash=data["cases_hash"],
        cases=data["cases"],
        meta=data.get("meta", {}),
        partial=bool(data.get("partial")),
    )


def save(recording: Recording, directory: Path) -> Path:
    """Write `<directory>/<version>.json` (one step per line, keys sorted: small, reviewable diffs)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{recording.version}.json"
    data = recording.to_json()
    lines = ["{"]
    head = {key: value for key, value in data.items() if key != "cases"}
    for key, value in head.items():
        lines.append(f"{json.dumps(key)}: {json.dumps(value, sort_keys=True, ensure_ascii=False)},")
    lines.append('"cases": {')
    names = sorted(data["cases"])
    for index, name in enumerate(names):
        case = data["cases"][name]
        lines.append(f"{json.dumps(name, ensure_ascii=False)}: {{")
        lines.append(f'  "hash": {json.dumps(case["hash"])},')
        if "observations" in case:
            steps = [json.dumps(step, sort_keys=True, ensure_ascii=False) for step in case["observations"]]
            lines.append('  "observations": [')
            lines += [f"    {step}," for step in steps[:-1]] + ([f"    {steps[-1]}"] if steps else [])
            lines.append("  ]")
        else:
            lines.append(f'  "not_recorded": {json.dumps(case["not_recorded"], ensure_ascii=False)}')
        lines.append("}," if index < len(names) - 1 else "}")
    lines += ["}", "}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of "1.18.3" (newest last); anything unparsable sorts first."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return ()


def shipped(directory: Path = RECORDINGS) -> dict[str, Path]:
    """The recordings in `directory` by version, newest first."""
    paths = {path.stem: path for path in directory.glob("*.json")}
    return {version: paths[version] for version in sorted(paths, key=version_key, reverse=True)}
