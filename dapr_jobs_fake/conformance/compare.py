"""Comparing a replay with a recording, case by case and value by value.

Two observations differ at a path (`<step>/<key>/.../<index>`, e.g. `2/json/message`); a difference is
accepted only when `differences.ACCEPTED` declares it for that case, path and version, with its reason
(LocalStack's `skip_snapshot_verify`). Everything else is a mismatch. A declaration that accepted
nothing on a version it applies to is reported as unused, so the list stays true as the fake improves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

from .differences import ACCEPTED, Accepted

__all__ = ["CaseResult", "Difference", "Report", "compare", "diff"]

MISSING = "<missing>"


@dataclass(frozen=True)
class Difference:
    path: str
    recorded: Any
    replayed: Any

    def __str__(self) -> str:
        return f"{self.path}: recorded {_short(self.recorded)}, replayed {_short(self.replayed)}"


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def diff(recorded: Any, replayed: Any, path: str = "") -> list[Difference]:
    """Every leaf where the two differ; a key or list item only one side has is a difference too."""
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        found = []
        for key in sorted(set(recorded) | set(replayed), key=str):
            where = f"{path}/{key}" if path else str(key)
            found += diff(recorded.get(key, MISSING), replayed.get(key, MISSING), where)
        return found
    if isinstance(recorded, list) and isinstance(replayed, list):
        found = []
        for index in range(max(len(recorded), len(replayed))):
            left = recorded[index] if index < len(recorded) else MISSING
            right = replayed[index] if index < len(replayed) else MISSING
            found += diff(left, right, f"{path}/{index}" if path else str(index))
        return found
    if recorded == replayed and type(recorded) is type(replayed):
        return []
    return [Difference(path or "/", recorded, replayed)]


Status = Literal["match", "documented", "mismatch"]


@dataclass
class CaseResult:
    name: str
    documented: list[tuple[Difference, Accepted]] = field(default_factory=list)
    mismatches: list[Difference] = field(default_factory=list)

    def documented_groups(self) -> list[tuple[Accepted, list[Difference]]]:
        """The documented differences grouped by the declaration that accepts them."""
        groups: dict[int, tuple[Accepted, list[Difference]]] = {}
        for difference, accepted in self.documented:
            groups.setdefault(id(accepted), (accepted, []))[1].append(difference)
        return list(groups.values())

    @property
    def status(self) -> Status:
        if self.mismatches:
            return "mismatch"
        return "documented" if self.documented else "match"


def applies(accepted: Accepted, case: str, version: str) -> bool:
    """Whether a declaration covers `case` on `version`."""
    versions_ok = not accepted.versions or any(
        version == prefix or version.startswith(prefix + ".") for prefix in accepted.versions
    )
    return versions_ok and fnmatchcase(case, accepted.case)


@dataclass
class Report:
    """A replay of one recording."""

    version: str
    results: list[CaseResult]
    #: Cases whose definition changed since the recording, or that it does not have.
    stale: list[str] = field(default_factory=list)
    unused: list[Accepted] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return sum(result.status != "mismatch" for result in self.results)

    @property
    def documented(self) -> int:
        """How many declared differences (a case and a path pattern each) this replay needed."""
        return sum(len(result.documented_groups()) for result in self.results)

    @property
    def ok(self) -> bool:
        return self.matched == len(self.results) and not self.stale and not self.unused

    def summary(self) -> str:
        return (
            f"conformance {self.version}: {self.matched}/{len(self.results)} cases match the recording "
            f"({self.documented} documented differences)"
        )


def compare(
    version: str,
    recorded: dict[str, list[dict[str, Any]]],
    replayed: dict[str, list[dict[str, Any]]],
    accepted: list[Accepted] | None = None,
) -> Report:
    """Each recorded case against its replay; `accepted` defaults to `differences.ACCEPTED`."""
    declared = ACCEPTED if accepted is None else accepted
    used: set[int] = set()
    results = []
    for name in sorted(recorded):
        result = CaseResult(name)
        mine = [(index, a) for index, a in enumerate(declared) if applies(a, name, version)]
        for difference in diff(recorded[name], replayed.get(name, [])):
            match = next(((i, a) for i, a in mine if fnmatchcase(difference.path, a.path)), None)
            if match is None:
                result.mismatches.append(difference)
            else:
                used.add(match[0])
                result.documented.append((difference, match[1]))
        results.append(result)
    unused = [
        a
        for index, a in enumerate(declared)
        if index not in used and any(applies(a, name, version) for name in recorded)
    ]
    return Report(version, results, unused=unused)
