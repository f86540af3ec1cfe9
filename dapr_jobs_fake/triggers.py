"""The journal record of one trigger attempt, and the `assert_triggered` check built on a list of them.

The clock creates one `TriggerRecord` per attempt it delivers, and one `kind="no-target"` record when a
job fell due while no app was connected (the job then waits, §8 noapp). The journal keeps them in the
order they happened; `assert_triggered` fails with a timeline of what did fire, so a test failure
says what happened instead of only what did not.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from .engine import AttemptView
from .timefmt import datetime_to_ns, format_rfc3339, ns_to_datetime

if TYPE_CHECKING:
    from .delivery import Outcome
    from .engine import Attempt
    from .model import JobData

RecordKind = Literal["delivered", "no-target"]


class TriggerRecord(AttemptView):
    """One attempt to deliver a trigger: a read-only view of the engine's `Attempt` and its `Outcome`.

    - `scheduled_ns`: when the attempt was due (a retry's own time); `delivered_ns`: the virtual time
      it was delivered at (later only when it had to wait, e.g. for an app to connect);
      `tick_ns`/`tick`: the tick it belongs to (its original time, its 1-based number);
      `attempt`: the 1-based try of that tick.
    - `target`: where it went ("handlers", "wsgi", "http://127.0.0.1:8000"), None without an app;
      `status`: the HTTP status (or gRPC code) answered; `error`: the exception raised or the transport
      error; `succeeded`: what the Scheduler was told (None when nothing was delivered).
    - `next_step`: what the engine did next: "retry", "next", "finished", "ignored" (the job was
      overwritten or deleted meanwhile), "runaway" or "waiting" (no app connected).
    - `data`: the job's data; `body`: the bytes sent on the wire (HTTP and WSGI targets).
    Built once per attempt on the clock's hot path, so it only stores references; fields are computed
    when read.
    """

    __slots__ = ("delivered_ns", "next_step", "outcome")

    def __init__(self, source: Attempt, delivered_ns: int, outcome: Outcome | None, next_step: str) -> None:
        super().__init__(source)
        self.delivered_ns = delivered_ns
        self.outcome = outcome
        self.next_step = next_step

    @property
    def kind(self) -> RecordKind:
        return "no-target" if self.outcome is None else "delivered"

    @property
    def delivered(self) -> bool:
        """True when the attempt reached a target (whatever it answered)."""
        return self.outcome is not None

    @property
    def data(self) -> JobData | None:
        return self.source.plan.spec.data

    @property
    def target(self) -> str | None:
        return None if self.outcome is None else self.outcome.target

    @property
    def status(self) -> int | None:
        return None if self.outcome is None else self.outcome.status

    @property
    def error(self) -> BaseException | None:
        return None if self.outcome is None else self.outcome.error

    @property
    def succeeded(self) -> bool | None:
        return None if self.outcome is None else self.outcome.succeeded

    @property
    def body(self) -> bytes | None:
        return None if self.outcome is None else self.outcome.body

    @property
    def delivered_at(self) -> datetime:
        return ns_to_datetime(self.delivered_ns)

    def outcome_text(self) -> str:
        if self.outcome is None:
            return "due, no app connected: waiting"
        if self.error is not None:
            answer = f"raised {type(self.error).__name__}: {self.error}"
        elif self.status is not None:
            answer = f"status {self.status}"
        else:
            answer = "no answer"
        verdict = "success" if self.succeeded else "failure"
        return f"{answer} -> {verdict}, {self.next_step}"

    def line(self) -> str:
        """One timeline line: time, name, tick/attempt, target, outcome."""
        late = ""
        if self.delivered_ns != self.scheduled_ns:
            late = f" (delivered {format_rfc3339(self.delivered_ns)})"
        return (
            f"{format_rfc3339(self.scheduled_ns)}{late}  {self.name}  tick {self.tick} attempt {self.attempt}"
            f"  -> {self.target or '-'}: {self.outcome_text()}"
        )

    def __repr__(self) -> str:
        return f"<TriggerRecord {self.line()}>"


def format_timeline(records: Sequence[TriggerRecord], *, limit: int = 50) -> str:
    """The records as indented lines in the order they happened (the last `limit` ones)."""
    if not records:
        return "  (no job has fired)"
    shown = records[-limit:]
    skipped = f"  ... {len(records) - len(shown)} earlier record(s)\n" if len(records) > len(shown) else ""
    return skipped + "\n".join("  " + record.line() for record in shown)


def triggers_of(records: Sequence[TriggerRecord], name: str) -> list[TriggerRecord]:
    """The attempts delivered to an app for job `name` (no-target records excluded)."""
    return [r for r in records if r.name == name and r.kind == "delivered"]


def assert_triggered(
    records: Sequence[TriggerRecord],
    name: str,
    times: int | None = None,
    at: datetime | Sequence[datetime] | None = None,
) -> list[TriggerRecord]:
    """Check that job `name` was delivered to the app; returns its attempts.

    - no `times`/`at`: at least one attempt;
    - `times=N`: exactly N attempts (every retry is an attempt; use 0 for "never");
    - `at=datetime`: one attempt was scheduled at that instant;
    - `at=[t1, t2, ...]`: the attempts' scheduled times are exactly these, in order.
    On failure the AssertionError shows every trigger that fired, and similar job names.
    """
    mine = triggers_of(records, name)
    problems: list[str] = []
    if times is not None and len(mine) != times:
        problems.append(f"expected {times} trigger(s) of {name!r}, got {len(mine)}")
    if times is None and at is None and not mine:
        problems.append(f"expected {name!r} to be triggered, it never was")
    if isinstance(at, datetime):
        wanted = datetime_to_ns(at)
        if not any(r.scheduled_ns == wanted for r in mine):
            problems.append(f"expected a trigger of {name!r} at {format_rfc3339(wanted)}, none was")
    elif at is not None:
        wanted_list = [datetime_to_ns(t) for t in at]
        got = [r.scheduled_ns for r in mine]
        if got != wanted_list:
            problems.append(
                f"expected {name!r} triggered at [{', '.join(format_rfc3339(t) for t in wanted_list)}], "
                f"got [{', '.join(format_rfc3339(t) for t in got)}]"
            )
    if problems:
        raise AssertionError(_explain(problems, records, name))
    return mine


def _explain(problems: list[str], records: Sequence[TriggerRecord], name: str) -> str:
    lines = [*problems]
    waiting = [r for r in records if r.name == name and r.kind == "no-target"]
    if waiting:
        lines.append(f"{name!r} fell due {len(waiting)} time(s) while no app was connected")
    fired = sorted({r.name for r in records if r.name != name})
    close = difflib.get_close_matches(name, fired, n=3, cutoff=0.6)
    if close:
        lines.append("similar job names that did fire: " + ", ".join(repr(c) for c in close))
    lines.append("timeline of trigger attempts:")
    lines.append(format_timeline(records))
    return "\n".join(lines)
