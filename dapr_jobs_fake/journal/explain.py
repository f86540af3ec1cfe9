"""How the journal's assertion failures read: near misses, rejected attempts, similar names, timelines.

Every `assert_*` helper builds its message here, so a change to how a failure reads is made once. The
rule for every message: say what was expected, what happened instead, and the closest things that did
happen (the same job with other fields, a rejected request, a similarly named job), never a line that
contradicts another.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..contract.model import JobSpec, spec_value
from .records import Call, TriggerRecord


def times(n: int | None) -> str:
    return "once" if n == 1 else f"{n} times"


def format_fields(fields: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in fields.items())


def near_misses(
    calls: Iterable[Call], fields: dict[str, Any], matches: Callable[[JobSpec, str], bool] | None = None
) -> list[str]:
    """One line per accepted call of the same job whose fields differ: which ones, and how.

    `matches(spec, key)` says whether a field matches (default: equality with the sent value)."""
    lines = []
    for call in calls:
        if call.spec is None:
            continue
        spec = call.spec
        diffs = [
            f"{k}={spec_value(spec, k)!r} (expected {v!r})"
            for k, v in fields.items()
            if not (matches(spec, k) if matches else spec_value(spec, k) == v)
        ]
        if diffs:
            lines.append(f"  near miss {call.describe()}: " + ", ".join(diffs))
    return lines


def rejected_and_similar(calls: Sequence[Call], name: str, operation: str, *, seen_name: bool) -> list[str]:
    """Rejected calls of `name`, similar names that succeeded, and where the calls did go.

    `seen_name`: the caller already listed accepted calls of `name` (so "no calls at all" would lie).
    """
    mine = [c for c in calls if c.operation == operation]
    lines = [
        f"  rejected {c.describe()}" + (f" (hint: {c.hint})" if c.hint else "")
        for c in mine
        if c.job_name == name and not c.ok
    ]
    others = sorted({c.job_name for c in mine if c.job_name and c.job_name != name and c.ok})
    similar = difflib.get_close_matches(name, others, n=3, cutoff=0.6)
    if similar:
        lines.append(f"  similar names: {', '.join(map(repr, similar))}")
    if others:
        shown = ", ".join(map(repr, others[:10])) + (" ..." if len(others) > 10 else "")
        lines.append(f"  {operation} calls for other jobs went to: {shown}")
    elif not lines and not seen_name:
        lines.append(f"  no {operation} calls were made at all")
    return lines


def format_timeline(records: Sequence[TriggerRecord], *, limit: int = 50) -> str:
    """The records as indented lines in the order they happened (the last `limit` ones)."""
    if not records:
        return "  (no job has fired)"
    shown = records[-limit:]
    skipped = f"  ... {len(records) - len(shown)} earlier record(s)\n" if len(records) > len(shown) else ""
    return skipped + "\n".join("  " + record.line() for record in shown)


def trigger_context(records: Sequence[TriggerRecord], name: str) -> list[str]:
    """What an `assert_triggered` failure adds: waits without an app, similar names, the timeline."""
    lines = []
    waiting = [r for r in records if r.name == name and r.kind == "no-target"]
    if waiting:
        lines.append(f"{name!r} fell due {len(waiting)} time(s) while no app was connected")
    fired = sorted({r.name for r in records if r.name != name})
    close = difflib.get_close_matches(name, fired, n=3, cutoff=0.6)
    if close:
        lines.append("similar job names that did fire: " + ", ".join(repr(c) for c in close))
    lines.append("timeline of trigger attempts:")
    lines.append(format_timeline(records))
    return lines
