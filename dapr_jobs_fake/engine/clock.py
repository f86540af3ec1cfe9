"""The virtual clock: the only thing that moves time in the fake, and the loop that fires triggers.

Time stands still until the test moves it (`advance`, `advance_to`, `run_next`, `run_until_idle`,
or their awaitable twins `advance_async`, ... in async tests).
Every move fires the triggers that fall inside it synchronously, in time order, before returning;
while an attempt is delivered `now()` reads that attempt's time, so a handler that schedules a job
computes its times from the trigger time, and a new trigger that falls inside the move fires in the
same move. Nothing here sleeps or reads the wall clock after construction.

Threads: the engine's lock is taken only around engine calls and never while delivering, so a
handler may schedule, get or delete jobs from any thread (e.g. via the fake's HTTP server thread).
Moves are serialised; moving the clock from inside a handler is refused instead of deadlocking.

Errors raised by in-process app code fail the attempt (the failure policy applies), and the first
one is re-raised from the move once it is complete; all are kept in `handler_errors`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from ..golang.calendar import MAX_DATETIME_NS, datetime_to_ns, ns_to_datetime, timedelta_to_ns
from ..golang.rfc3339 import format_rfc3339
from .async_moves import AsyncMoves
from .attempt import Attempt, Outcome, TriggerRecord
from .engine import Engine
from .moves import ClockError, MoveLock, RunawayJobError, check_reachable, start_ns
from .travel import ProcessClock

__all__ = ["ClockError", "Deliver", "Observer", "RunawayJobError", "VirtualClock"]

#: Delivers one attempt to the app and says how it went (`Target.deliver`).
Deliver = Callable[[Attempt], Outcome]
#: Called once per trigger record under the engine lock, right after the engine applied its outcome,
#: so that the journal's order is the order the engine applied things in. It must not block.
Observer = Callable[[TriggerRecord], None]


class VirtualClock(AsyncMoves):
    """Virtual time for one fake; fires the engine's attempts through `delivery`.

    Every move has an awaitable twin for async tests (`advance_async`, ...: `AsyncMoves`).

    - `start`: the initial time (aware datetime); default: the current time, truncated to the second
      (the Scheduler truncates creation times to the second, so `now()` then lines up with them),
      read when the clock is first used (a time-machine travel begun after `reset` is honoured).
    - `delivery`: `attempt -> Outcome` (a target's `deliver`), or None: no app connected, due jobs
      wait without consuming ticks and fire once a delivery is set (§8 noapp).
    - `observer`: receives every `TriggerRecord` under the engine lock (the journal records it);
      `notify` is called after each record outside every lock (the journal tells its listeners).
    - `travel`: the process clock (time-machine) follows the virtual clock while this clock is open,
      so `datetime.now()`/`time.time()` inside a handler equal the trigger time. Call `close()`.
    - `raise_handler_errors`: re-raise app exceptions from the move (else only `pending_errors`).
    - `idle_trigger_limit`: most attempts one move (or `run_until_idle()` without a limit) makes
      before giving up with `ClockError`.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        start: datetime | None = None,
        delivery: Deliver | None = None,
        observer: Observer | None = None,
        notify: Callable[[], None] | None = None,
        travel: bool = False,
        raise_handler_errors: bool = True,
        idle_trigger_limit: int = 1_000_000,
    ) -> None:
        self.engine = engine
        self._now_ns = start_ns(start)
        #: Without a `start`, the time is read at first use (`_settle`), so a test's own
        #: time-machine travel that begins after the fixture set the clock up is honoured.
        self._start_pending = start is None
        self._delivery = delivery
        self.observer = observer
        self.notify = notify
        self.raise_handler_errors = raise_handler_errors
        self.idle_trigger_limit = idle_trigger_limit
        #: Every exception raised by app code, oldest first; `pending_errors` are the unreported ones.
        self.handler_errors: list[BaseException] = []
        self.pending_errors: list[BaseException] = []
        self._move_lock = MoveLock()
        self._interrupted = False
        self._delivering = False
        self._process = ProcessClock()
        if travel:
            self.start_travel()

    def reset(self, *, start: datetime | None = None, travel: bool = False) -> None:
        """Start again at `start` (default: now, truncated to the second), forgetting handler errors.

        The clock keeps its identity (a fake's reset swaps state, not wiring); the engine is cleared
        separately by its owner.
        """
        with self._moving():
            self.stop_travel()
            self._now_ns = start_ns(start)
            self._start_pending = start is None
            self.handler_errors.clear()
            self.pending_errors.clear()
            if travel:
                self.start_travel()

    # -- reading -----------------------------------------------------------------------------

    def now(self) -> datetime:
        """The virtual time (aware UTC; microsecond precision, see `now_ns`)."""
        if self._start_pending:
            self._settle()
        return ns_to_datetime(self._now_ns)

    def now_ns(self) -> int:
        """The virtual time in nanoseconds since the epoch (exact)."""
        if self._start_pending:
            self._settle()
        return self._now_ns

    def _settle(self) -> None:
        """Fix a default start now: the process's current time (time-machine's, while travelling)."""
        if self._start_pending:
            self._start_pending = False
            self._now_ns = start_ns(None)

    def next_trigger_ns(self) -> int | None:
        """When the next attempt is due (possibly already, if it waited for an app), or None."""
        return self.engine.next_due_ns()

    def next_trigger_at(self) -> datetime | None:
        """When the next attempt is due; None when nothing is, or when it lies past year 9999."""
        due = self.engine.next_due_ns()
        return None if due is None or due > MAX_DATETIME_NS else ns_to_datetime(due)

    @property
    def delivery(self) -> Deliver | None:
        return self._delivery

    @delivery.setter
    def delivery(self, deliver: Deliver | None) -> None:
        """Connect (or disconnect, with None) the app; jobs that waited become due again."""
        with self.engine.lock:
            self._delivery = deliver
            if deliver is not None:
                self.engine.unpark_all()

    def take_pending_errors(self) -> list[BaseException]:
        """The handler errors not yet raised to anybody, clearing them (the plugin's teardown hook)."""
        errors, self.pending_errors = self.pending_errors, []
        return errors

    # -- moving ------------------------------------------------------------------------------

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> list[TriggerRecord]:
        """Move forward by `delta` plus the given units, firing everything due on the way.

        `advance()` with nothing moves by zero: it fires what is already due (e.g. a job created with
        a dueTime in the past). Returns the records of the attempts made, in order.
        """
        step = (delta or timedelta(0)) + timedelta(seconds=seconds, minutes=minutes, hours=hours, days=days)
        return self.advance_ns(timedelta_to_ns(step))

    def advance_ns(self, delta_ns: int) -> list[TriggerRecord]:
        """`advance` by an exact number of nanoseconds (for sub-microsecond schedules)."""
        if delta_ns < 0:
            raise ClockError(f"cannot move the clock backwards (advance by {delta_ns} ns)")
        with self._moving():
            return self._move_to(self._now_ns + delta_ns)

    def advance_to(self, when: datetime) -> list[TriggerRecord]:
        """Move to `when` (aware datetime), firing everything due up to and including it."""
        target = datetime_to_ns(when)
        with self._moving():
            if target < self._now_ns:
                if when == self.now():  # now() dropped sub-microsecond digits: not a backwards move
                    target = self._now_ns
                else:
                    raise ClockError(
                        f"cannot move the clock backwards: it is {format_rfc3339(self._now_ns)}, "
                        f"asked for {format_rfc3339(target)}"
                    )
            return self._move_to(target)

    def run_next(self) -> TriggerRecord | None:
        """Jump to the next due attempt and make it (one attempt); None when nothing is pending."""
        with self._moving():
            due = self.engine.next_due_ns()
            if due is None:
                return None
            check_reachable(due, "the next trigger is due at")
            raised: list[BaseException] = []
            records = self._drain(max(due, self._now_ns), raised, limit=1)
            self._surface(raised)
            return records[0] if records else None

    def run_until_idle(self, limit: timedelta | None = None) -> list[TriggerRecord]:
        """Fire attempt after attempt until nothing is due within `limit` of now (or at all).

        The clock stops at the last attempt made, not at the end of `limit`. Without a limit, jobs
        that repeat forever (a schedule with neither repeats nor ttl) make this refuse up front, and
        more than `idle_trigger_limit` attempts (endless retries, handlers re-scheduling) stop it.
        """
        raised: list[BaseException] = []
        with self._moving():
            if limit is not None:
                until = min(self._now_ns + timedelta_to_ns(limit), MAX_DATETIME_NS)
                records = self._drain(until, raised)
                self._surface(raised)
                return records
            endless = self.engine.endless_jobs()
            if endless:
                shown = ", ".join(repr(name) for name in endless[:5]) + (" ..." if len(endless) > 5 else "")
                raise ClockError(
                    f"run_until_idle() without a limit would never return: {shown} repeat(s) forever "
                    "(a schedule with neither repeats nor ttl); pass limit=timedelta(...) or use advance()"
                )
            # Jobs due after year 9999 stay pending: the clock cannot show a time past it.
            records = self._drain(MAX_DATETIME_NS, raised, limit=self.idle_trigger_limit)
            self._surface(raised)
            due = self.engine.next_due_ns()
            if len(records) >= self.idle_trigger_limit and due is not None and due <= MAX_DATETIME_NS:
                raise ClockError(
                    f"run_until_idle() made {len(records)} attempts and jobs are still due "
                    f"(at {format_rfc3339(self._now_ns)}); endless retries or handlers re-scheduling? "
                    "pass limit=timedelta(...)"
                )
            return records

    # -- time-machine ------------------------------------------------------------------------

    def start_travel(self) -> None:
        """Make the process clock follow this clock (frozen between moves) until `stop_travel`."""
        self._settle()
        self._process.start(self._now_ns)

    @property
    def delivering(self) -> bool:
        """True while an attempt is being delivered (a handler is running)."""
        return self._delivering

    @property
    def travelling(self) -> bool:
        """True while the process clock follows this clock."""
        return self._process.active

    def stop_travel(self) -> None:
        """Let the process clock run on its own again (see `start_travel`)."""
        self._process.stop()

    def close(self) -> None:
        """Stop following the process clock, and end a move in progress after its current attempt
        (a stopping fake does not wait for every due trigger)."""
        self._interrupted = True
        self.stop_travel()

    def __enter__(self) -> VirtualClock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- internals ---------------------------------------------------------------------------

    def _moving(self) -> MoveLock:
        if self._start_pending:
            self._settle()
        if self._delivering:
            raise ClockError(
                "cannot move the clock from inside a job handler (a delivery is in progress); "
                "schedule a job instead, it fires in the same move when due"
            )
        return self._move_lock

    def _move_to(self, target_ns: int) -> list[TriggerRecord]:
        check_reachable(target_ns, "cannot move the clock to")
        raised: list[BaseException] = []
        records = self._drain(target_ns, raised, limit=self.idle_trigger_limit)
        due = self.engine.next_due_ns()
        if len(records) >= self.idle_trigger_limit and due is not None and due <= target_ns:
            self._surface(raised)
            raise ClockError(
                f"one clock move made {len(records)} attempts and more are due before "
                f"{format_rfc3339(target_ns)} (a schedule catching up on years of missed ticks?); the "
                f"clock stopped at {format_rfc3339(self._now_ns)}; raise clock.idle_trigger_limit or "
                "move in smaller steps"
            )
        self._set_now(max(self._now_ns, target_ns))
        self._surface(raised)
        return records

    def _set_now(self, ns: int) -> None:
        self._now_ns = ns
        self._process.move_to(ns)

    def _drain(
        self, until_ns: int, raised: list[BaseException], limit: int | None = None
    ) -> list[TriggerRecord]:
        """Make every attempt due at or before `until_ns` (at most `limit`), in time order.

        App exceptions are appended to `raised`; the caller surfaces them once the move is complete.
        """
        engine = self.engine
        lock, pop_due, report = engine.lock, engine.pop_due, engine.report
        observer, notify = self.observer, self.notify
        records: list[TriggerRecord] = []
        keep = records.append
        runaway: Attempt | None = None
        self._interrupted = False
        while limit is None or len(records) < limit:
            if self._interrupted:
                break
            deliver = self._delivery
            attempt = pop_due(until_ns)
            if attempt is None:
                break
            if deliver is None:
                with lock:  # the delivery setter unparks under this lock: no lost wake-up
                    deliver = self._delivery
                    if deliver is None:
                        engine.park(attempt)
            scheduled = attempt.scheduled_ns
            now = scheduled if scheduled > self._now_ns else self._now_ns
            if self._process.active:
                self._set_now(now)
            else:
                self._now_ns = now
            if deliver is None:
                record = TriggerRecord(attempt, now, None, "waiting")
                if observer is not None:
                    with lock:
                        observer(record)
            else:
                self._delivering = True
                try:
                    outcome = deliver(attempt)
                except Exception as exc:  # a target should report failures, but app code may escape it
                    outcome = Outcome(
                        getattr(deliver, "__qualname__", "app"), False, error=exc, raise_error=True
                    )
                except BaseException:
                    report(attempt, False)  # KeyboardInterrupt etc.: keep the job alive, then stop
                    raise
                finally:
                    self._delivering = False
                with lock:
                    if outcome.held:
                        engine.park(attempt)
                        step = "waiting"
                    else:
                        step = report(attempt, outcome.succeeded)
                    record = TriggerRecord(attempt, now, outcome, step)
                    if observer is not None:
                        observer(record)
                if outcome.raise_error and outcome.error is not None:
                    self._annotate(outcome.error, attempt)
                    raised.append(outcome.error)
                if step == "runaway":
                    runaway = attempt
            keep(record)
            if notify is not None:
                notify()
            if runaway is not None:
                break
        if runaway is not None:
            self._surface(raised)
            raise RunawayJobError(
                f"job {runaway.name!r} re-fires at {format_rfc3339(runaway.scheduled_ns)} without end "
                "(a constant failure policy with neither interval nor max_retries, or an @every 0s "
                "schedule, while the app keeps failing); stopped the clock there"
            )
        return records

    @staticmethod
    def _annotate(error: BaseException, attempt: Attempt) -> None:
        """Say which trigger raised it, in the traceback the test shows (Python 3.11+)."""
        if hasattr(error, "add_note"):
            error.add_note(
                f"raised while delivering job {attempt.name!r} scheduled at "
                f"{format_rfc3339(attempt.scheduled_ns)} (tick {attempt.tick}, attempt {attempt.attempt})"
            )

    def _surface(self, raised: list[BaseException]) -> None:
        if not raised:
            return
        self.handler_errors.extend(raised)
        if not self.raise_handler_errors:
            self.pending_errors.extend(raised)
            return
        first = raised[0]
        if len(raised) > 1 and hasattr(first, "add_note"):
            first.add_note(f"({len(raised) - 1} more job handler error(s) in clock.handler_errors)")
        raise first
