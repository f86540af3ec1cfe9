"""App-side fault injection: deliveries that fail as a broken app makes them fail, with any app.

An `AppFault` makes the next N deliveries of a job (or of every job), or all of them for a while or
until cleared, fail with a status, hang until the delivery timeout, or be dropped, without touching
the app: failure policies can be tested against an app that always works. `DeliveryFaults.wrap` puts
the faults in front of whatever the clock delivers to (the router, the handlers); attempts no fault
matches go through unchanged. Each injected outcome says what it was (`Outcome.injected`), so the
journal tells it from a real answer of the app.

- status: the Scheduler sees what daprd reads from that answer (§10.3): 2xx and 404 succeed, anything
  else fails and the failure policy applies;
- hang: the attempt waits the fake's `delivery_timeout` in real time (as an app that never answers)
  and fails; `clear()` ends the wait at once, still a failure;
- drop: the trigger never reaches the app and its tick is consumed without a retry (a lost trigger).

`InjectedFault` is the handle every installed fault (app-side or API) is given: its counts, whether it
is still active, and `clear()`.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..engine.attempt import Attempt, Outcome, one_line
from .wire import outcome_for_status

Deliver = Callable[[Attempt], Outcome]
#: The target an injected outcome names (`TriggerRecord.target`): no app was called.
INJECTED = "injected"
_ids = itertools.count(1)


def check_window(times: int | None, seconds: float | None) -> None:
    """`times` (the next N matching calls) and `seconds` (a wall-clock window) are positive or None."""
    if times is not None and (not isinstance(times, int) or isinstance(times, bool) or times < 1):
        raise ValueError(f"times must be a positive int or None, not {times!r}")
    if seconds is not None and (isinstance(seconds, bool) or not 0 < float(seconds) < float("inf")):
        raise ValueError(f"seconds must be a positive number or None, not {seconds!r}")


@dataclass(frozen=True)
class AppFault:
    """Make deliveries fail: of job `job` (every job when None), the next `times` ones, or for `seconds`
    of wall time, or until cleared (neither). Exactly one way: `status` (default 500), `hang` or `drop`."""

    job: str | None = None
    times: int | None = None
    seconds: float | None = None
    status: int | None = None
    hang: bool = False
    drop: bool = False

    def __post_init__(self) -> None:
        check_window(self.times, self.seconds)
        ways = sum((self.status is not None, bool(self.hang), bool(self.drop)))
        if ways > 1:
            raise ValueError("an AppFault fails one way: status=..., hang=True or drop=True")
        if self.status is not None and (
            not isinstance(self.status, int) or isinstance(self.status, bool) or not 100 <= self.status <= 599
        ):
            raise ValueError(f"status must be an HTTP status (100 to 599), not {self.status!r}")
        if self.job is not None and not isinstance(self.job, str):
            raise ValueError(f"job must be a job name or None, not {self.job!r}")

    def describe(self) -> str:
        if self.hang:
            return "the app hangs until the delivery timeout"
        if self.drop:
            return "the trigger is dropped before it reaches the app"
        return f"the app answers {500 if self.status is None else self.status}"


class InjectedFault:
    """One installed fault: `spec` (a `Fault` or an `AppFault`), how often it hit, and `clear()`.

    Active until cleared, until its `times` are used up, or until its `seconds` have passed (measured
    on the monotonic clock from installation).
    """

    def __init__(self, spec: Any, *, now: Callable[[], float], on_clear: Callable[[InjectedFault], None]):
        self.spec = spec
        self.id = next(_ids)
        #: How many calls or deliveries it answered so far.
        self.hits = 0
        self._now = now
        self._until = None if spec.seconds is None else now() + float(spec.seconds)
        self._cleared = False
        self._on_clear = on_clear

    @property
    def remaining(self) -> int | None:
        """How many more calls it answers (None: no count)."""
        return None if self.spec.times is None else max(0, self.spec.times - self.hits)

    @property
    def cleared(self) -> bool:
        return self._cleared

    @property
    def expired(self) -> bool:
        """True once its `seconds` have passed."""
        return self._until is not None and self._now() >= self._until

    @property
    def active(self) -> bool:
        return not (self._cleared or self.remaining == 0 or self.expired)

    def take(self) -> bool:
        """Count one hit if active (the caller holds the owner's lock)."""
        if not self.active:
            return False
        self.hits += 1
        return True

    def clear(self) -> None:
        """End the fault now (calls waiting out its delay are then served, a hang ends)."""
        if not self._cleared:
            self._cleared = True
            self._on_clear(self)

    def mark_cleared(self) -> None:
        self._cleared = True

    def __repr__(self) -> str:
        state = "active" if self.active else "cleared" if self._cleared else "spent"
        return f"<InjectedFault #{self.id} {state} hits={self.hits} {self.spec!r}>"


class DeliveryFaults:
    """The installed app faults; `wrap(deliver)` applies them to a delivery.

    `timeout()` is the fake's delivery timeout (how long a hang lasts); `on_clear` is told when a fault
    is cleared by hand.
    """

    def __init__(
        self,
        timeout: Callable[[], float],
        *,
        now: Callable[[], float] = time.monotonic,
        on_clear: Callable[[InjectedFault], None] | None = None,
    ) -> None:
        self._timeout = timeout
        self._now = now
        self._cond = threading.Condition()
        self._faults: list[InjectedFault] = []
        self._generation = 0
        self._on_clear = on_clear

    @property
    def faults(self) -> list[InjectedFault]:
        with self._cond:
            return list(self._faults)

    def add(self, spec: AppFault) -> InjectedFault:
        fault = InjectedFault(spec, now=self._now, on_clear=self._cleared)
        with self._cond:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every app fault and end the hangs in progress."""
        with self._cond:
            for fault in self._faults:
                fault.mark_cleared()
            self._faults.clear()
            self._generation += 1
            self._cond.notify_all()

    def remove(self, fault: InjectedFault) -> None:
        """Take `fault` out without telling anybody (a hang on it ends)."""
        with self._cond:
            if fault in self._faults:
                self._faults.remove(fault)
            self._cond.notify_all()

    def _cleared(self, fault: InjectedFault) -> None:
        self.remove(fault)
        if self._on_clear is not None:
            self._on_clear(fault)

    def wrap(self, deliver: Deliver | None) -> Deliver | None:
        """`deliver` behind the faults (unchanged while none is installed: nothing on the hot path)."""
        if deliver is None or not self._faults:
            return deliver

        def faulty(attempt: Attempt) -> Outcome:
            fault = self._match(attempt.name)
            if fault is None:
                return deliver(attempt)
            return self._inject(fault)

        faulty.__qualname__ = getattr(deliver, "__qualname__", "deliver")
        return faulty

    def _match(self, name: str) -> InjectedFault | None:
        with self._cond:
            for fault in self._faults:
                if fault.spec.job in (None, name) and fault.take():
                    return fault
        return None

    def _inject(self, fault: InjectedFault) -> Outcome:
        spec: AppFault = fault.spec
        label = spec.describe()
        if spec.drop:
            return Outcome(INJECTED, True, reason=label, delivered=False, injected=label)
        if spec.hang:
            timeout = self._timeout()
            self._hang(fault, timeout)
            error = TimeoutError(f"no answer within {timeout:g} s (delivery_timeout)")
            return Outcome(INJECTED, False, error=error, reason=one_line(error), injected=label)
        status = 500 if spec.status is None else spec.status
        succeeded = outcome_for_status(status, INJECTED).succeeded
        return Outcome(INJECTED, succeeded, status=status, reason=label, injected=label)

    def _hang(self, fault: InjectedFault, seconds: float) -> None:
        """Wait `seconds`, or until the fault is cleared or every fault is (a reset, a stop)."""
        deadline = self._now() + seconds
        with self._cond:
            generation = self._generation
            while not fault.cleared and generation == self._generation:
                left = deadline - self._now()
                if left <= 0:
                    return
                self._cond.wait(left)
