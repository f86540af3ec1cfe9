"""What moves between the engine, the clock and the delivery targets: attempts, outcomes and their records.

The engine hands out `Attempt`s (one delivery of one tick of one job); a delivery target answers each
with an `Outcome` (what the Scheduler is told, plus what the journal should show); the clock joins the
two into a `TriggerRecord`, which the journal keeps and `clock.advance()` returns. Defined here, at the
engine layer, so that the engine and clock never import the layers that implement delivery or keep
the journal.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, Literal, NamedTuple

from ..contract.errors import Suspicion
from ..golang.calendar import ns_to_datetime
from ..golang.rfc3339 import format_rfc3339

if TYPE_CHECKING:
    from ..contract.model import JobData, JobPlan


class Attempt(NamedTuple):
    """One delivery of one tick of one job: what the clock hands to a delivery target.

    `tick` is the 1-based tick number (the counter's count + 1), `attempt` the 1-based try of that
    tick, `tick_ns` the tick's original scheduled time and `scheduled_ns` this try's scheduled time
    (later than `tick_ns` for retries). `generation` identifies the job definition: an overwrite or a
    re-create gets a new one, and a report for an older generation is ignored.
    """

    name: str
    generation: int
    plan: JobPlan
    tick: int
    attempt: int
    tick_ns: int
    scheduled_ns: int


#: What `Engine.report` did with an outcome (plain strings: they go straight into the journal).
Step = Literal["retry", "next", "finished", "ignored", "runaway"]


class AttemptView:
    """Read-only access to one `Attempt`'s facts; the base of what handlers and the journal see."""

    __slots__ = ("source",)

    def __init__(self, source: Attempt) -> None:
        self.source = source

    @property
    def name(self) -> str:
        return self.source.name

    @property
    def attempt(self) -> int:
        """The 1-based try of this tick."""
        return self.source.attempt

    @property
    def tick(self) -> int:
        """The 1-based number of the tick this attempt belongs to."""
        return self.source.tick

    @property
    def scheduled_ns(self) -> int:
        """When this attempt was due (a retry's own time)."""
        return self.source.scheduled_ns

    @property
    def tick_ns(self) -> int:
        """The tick's original scheduled time."""
        return self.source.tick_ns

    @property
    def scheduled_at(self) -> datetime:
        return ns_to_datetime(self.source.scheduled_ns)

    @property
    def tick_at(self) -> datetime:
        return ns_to_datetime(self.source.tick_ns)


class Report:
    """The `Step` values by name."""

    RETRY: Final = "retry"  # the same tick is queued again per the failure policy
    NEXT: Final = "next"  # the tick is consumed and the next one is queued
    FINISHED: Final = "finished"  # the tick is consumed and there is no further tick: job deleted
    IGNORED: Final = "ignored"  # the job was overwritten or deleted while the attempt was delivered
    RUNAWAY: Final = "runaway"  # queued again at the same instant more than SPIN_LIMIT times


@dataclass(frozen=True)
class Outcome:
    """The app's answer to one attempt: `succeeded` is what the Scheduler is told (§10.3).

    `status` is the HTTP status (None when no answer came back), `error` the exception when the
    request or the in-process code failed, `raise_error` whether the clock should re-raise `error`
    to the test (true for app code run in process, false for e.g. a refused connection), and `body`
    the bytes sent on the wire (None for plain handlers).
    """

    target: str
    succeeded: bool
    status: int | None = None
    error: BaseException | None = None
    raise_error: bool = False
    body: bytes | None = None
    #: Why the attempt failed, in one line (for the journal and logs); derived from `error` when unset.
    reason: str | None = None
    #: How it was delivered, when the target can tell: "POST /job/x", "OnJobEvent", "OnJobEventAlpha1".
    via: str | None = None
    #: False when nothing reached an app (no app channel, a dropped trigger): journaled, not counted
    #: as a trigger by `assert_triggered`.
    delivered: bool = True
    #: The Scheduler keeps the trigger instead (it cannot deliver it now): the job is held, as while no
    #: sidecar is connected (§8 "Held triggers").
    held: bool = False
    #: A delivery that works but likely not as meant (no app; JSON data to a gRPC app): the journal
    #: records it as a contract warning, once per job and rule.
    warning: Suspicion | None = None
    #: Set when an injected app fault (`fake.faults.app`) made this outcome instead of the app: what
    #: it was ("the app answered 503", "trigger dropped"). The journal shows it as injected.
    injected: str | None = None


def one_line(error: BaseException) -> str:
    """An exception as one readable line: its type and the first line of its message."""
    text = str(error).strip().splitlines()
    details = getattr(error, "details", None)  # a grpc.RpcError: its status message
    if callable(details):
        with contextlib.suppress(Exception):
            text = [f"{error.code().name}: {details()}"]  # type: ignore[attr-defined]
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


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
    - `data`: the job's data; `body`: the bytes sent on the wire (HTTP, WSGI and ASGI targets);
      `reason`: why it failed or was held, in one line; `via`: the call made, where known.
    Built once per attempt on the clock's hot path, so it only stores references; fields are computed
    when read.
    """

    __slots__ = ("delivered_ns", "next_step", "outcome")

    def __init__(self, source: Attempt, delivered_ns: int, outcome: Outcome | None, next_step: str) -> None:
        self.source = source  # AttemptView.__init__, inlined: this runs once per trigger
        self.delivered_ns = delivered_ns
        self.outcome = outcome
        self.next_step = next_step

    @property
    def kind(self) -> RecordKind:
        outcome = self.outcome
        return "delivered" if outcome is not None and outcome.delivered else "no-target"

    @property
    def delivered(self) -> bool:
        """True when the attempt reached an app (whatever it answered)."""
        return self.outcome is not None and self.outcome.delivered

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
    def reason(self) -> str | None:
        """Why the attempt failed or was held, in one line (e.g. "RuntimeError: database down")."""
        return None if self.outcome is None else self.outcome.reason

    @property
    def via(self) -> str | None:
        """The call made ("POST /job/reminder", "OnJobEvent"), where the target reports it."""
        return None if self.outcome is None else self.outcome.via

    @property
    def injected(self) -> str | None:
        """What an injected app fault made of this attempt, or None when the app (or no app) answered."""
        return None if self.outcome is None else self.outcome.injected

    @property
    def delivered_at(self) -> datetime:
        return ns_to_datetime(self.delivered_ns)

    def outcome_text(self) -> str:
        if self.outcome is None:
            return "held: the app is not connected (delivered when it is)"
        if self.outcome.held:
            return f"{self.outcome.reason or 'not deliverable'} -> held"
        if self.outcome.reason is not None:
            answer = self.outcome.reason
        elif self.error is not None:
            answer = f"raised {one_line(self.error)}"
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
