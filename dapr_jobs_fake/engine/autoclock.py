"""Automatic time skipping (the `clock="auto"` option): Temporal's time-skipping test server, for jobs.

Code under test often waits for a trigger in real time (it polls, or awaits an event). With a manual
clock that wait never ends; with the real clock it lasts as long as the schedule says. `AutoClock`
watches the fake's `Activity`: whenever nothing is in flight (no request, no clock move, hence no
delivery) and nothing has changed for `quiet` seconds, it jumps the virtual clock to the next due
attempt and makes it (`VirtualClock.run_next`), so every attempt happens at exactly its scheduled
virtual time, in the order manual moves give. It never jumps past `horizon_ns`. Each jump is reported
to `observer` as a `ClockJump` (the journal records it) before the attempt is made. The test may still
move the clock by hand: moves are serialised, a hand move restarts the quiet period, and `paused()`
makes sure no jump is delivering meanwhile (a move during a delivery is refused, as always).

App exceptions raised during a jump go to `clock.pending_errors` (the plugin fails the test with them
at teardown); a `ClockError` (a runaway job) is reported to `on_error` and the clock waits for the
next change before it tries again. One daemon thread per running auto clock; `stop()` ends it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..golang.calendar import MAX_DATETIME_NS, datetime_to_ns, ns_to_datetime, timedelta_to_ns
from ..golang.rfc3339 import format_rfc3339
from .activity import Activity
from .attempt import one_line
from .clock import VirtualClock
from .moves import ClockError

#: The default quiet period, in seconds.
DEFAULT_QUIET = 0.02
#: Longest wait between looks at the engine when nothing wakes the clock (a missed wake-up costs this).
_RECHECK_SECONDS = 1.0


@dataclass(frozen=True)
class ClockJump:
    """One jump of the auto clock, from `from_ns` to `to_ns` (the next due attempt's time)."""

    from_ns: int
    to_ns: int

    @property
    def from_at(self) -> datetime:
        return ns_to_datetime(self.from_ns)

    @property
    def to_at(self) -> datetime:
        return ns_to_datetime(self.to_ns)

    @property
    def skipped(self) -> timedelta:
        return timedelta(microseconds=(self.to_ns - self.from_ns) / 1000)

    def line(self) -> str:
        return f"auto clock: {format_rfc3339(self.from_ns)} -> {format_rfc3339(self.to_ns)}"


class AutoClock:
    """Jumps `clock` to the next due attempt whenever `activity` has been quiet for `quiet` seconds."""

    def __init__(
        self,
        clock: VirtualClock,
        activity: Activity,
        *,
        observer: Callable[[ClockJump], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> None:
        self.clock = clock
        self.activity = activity
        self.observer = observer
        self.on_error = on_error
        self.quiet = DEFAULT_QUIET
        #: The auto clock never jumps past this instant (None: no bound).
        self.horizon_ns: int | None = None
        self._horizon_option: datetime | timedelta | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._enabled = False
        clock._move_lock.listener = activity.moving  # every move counts as activity, hand moves too

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive() and not self._stop.is_set()

    def apply(self, enabled: bool, quiet: float, horizon: datetime | timedelta | None) -> None:
        """Follow the options: run (or not), with this quiet period and horizon. A `timedelta` horizon
        counts from the virtual time when it is first applied after `stop()`."""
        if quiet < 0:
            raise ValueError(f"auto_quiet must be >= 0 seconds, not {quiet!r}")
        self.quiet = float(quiet)
        if horizon != self._horizon_option or (horizon is not None and self.horizon_ns is None):
            self._horizon_option = horizon
            if isinstance(horizon, timedelta):
                self.horizon_ns = self.clock.now_ns() + timedelta_to_ns(horizon)
            elif isinstance(horizon, datetime):
                self.horizon_ns = datetime_to_ns(horizon)
            else:
                self.horizon_ns = None
        self._enabled = enabled
        if enabled:
            self._start()
        else:
            self._signal_stop()
        self.activity.touch()

    def stop(self, wait: float = 5.0) -> None:
        """Stop jumping; wait up to `wait` seconds for a jump in progress (not from the clock's own
        thread). A relative horizon is resolved again at the next `apply`."""
        self._enabled = False
        thread = self._signal_stop()
        self.horizon_ns = None
        if thread is not None and thread is not threading.current_thread() and wait > 0:
            thread.join(timeout=wait)

    @contextmanager
    def paused(self, wait: float = 10.0) -> Iterator[None]:
        """No jumps inside: waits for a jump in progress to end (a hand move during a jump's delivery
        is refused, as any move during a delivery is), then resumes if it was running."""
        thread = self._signal_stop()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=wait)
        try:
            yield
        finally:
            if self._enabled:  # unless the mode changed meanwhile
                self._start()

    def _start(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive() and not self._stop.is_set():
                return
            self._stop = stop = threading.Event()
            self._thread = threading.Thread(
                target=self._run, args=(stop,), daemon=True, name="dapr-jobs-fake-auto-clock"
            )
            self._thread.start()

    def _signal_stop(self) -> threading.Thread | None:
        with self._lock:
            self._stop.set()
            thread = self._thread
        with self.activity.cond:
            self.activity.cond.notify_all()
        return thread

    # -- the thread ---------------------------------------------------------------------------
    def _run(self, stop: threading.Event) -> None:
        while True:
            due = self._wait_for_quiet(stop)
            if due is None:
                return
            self._jump(due)

    def _wait_for_quiet(self, stop: threading.Event) -> int | None:
        """The next due attempt's time once nothing is in flight and the quiet period has passed, or
        None when stopped."""
        activity = self.activity
        cond = activity.cond
        while True:
            with cond:
                while activity.busy and not stop.is_set():
                    cond.wait(_RECHECK_SECONDS)
                if stop.is_set():
                    return None
                epoch, idle_for = activity.epoch, activity.idle_for()
            due = self.clock.next_trigger_ns()  # the engine's lock, never under `cond`
            horizon = self.horizon_ns
            if due is None or due > MAX_DATETIME_NS or (horizon is not None and due > horizon):
                wait = _RECHECK_SECONDS  # until something changes
            elif idle_for < self.quiet:
                wait = self.quiet - idle_for
            else:
                with cond:
                    if activity.epoch == epoch and not activity.busy and not stop.is_set():
                        return due
                continue
            with cond:
                if activity.epoch == epoch and not stop.is_set():
                    cond.wait(wait)

    def _jump(self, due: int) -> None:
        clock = self.clock
        now = clock.now_ns()
        if due > now and self.observer is not None:
            self.observer(ClockJump(now, due))
        try:
            clock.run_next()
        except ClockError as err:  # e.g. a runaway job: say so, then wait for the next change
            if self.on_error is not None:
                self.on_error(f"the auto clock stopped at {format_rfc3339(clock.now_ns())}: {one_line(err)}")
            self._wait_for_change()
        except Exception as err:  # app code raised: the test sees it at teardown
            clock.pending_errors.append(err)

    def _wait_for_change(self) -> None:
        activity = self.activity
        with activity.cond:
            epoch = activity.epoch
            while activity.epoch == epoch and not self._stop.is_set():
                activity.cond.wait(_RECHECK_SECONDS)
