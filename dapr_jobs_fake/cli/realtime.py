"""Real-time ticking for the standalone fake: the virtual clock follows the wall clock, as daprd's does.

The ticker moves the virtual clock forward by the real time elapsed since its last tick (measured on
the monotonic clock), so jobs fire when they are due. A manual move through the control API adds to
the virtual time for good: the clock then runs ahead of the wall clock by that much. Pausing
(`manual` mode) freezes the virtual clock until `resume()`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from ..engine.attempt import one_line
from ..engine.clock import VirtualClock


class RealTimeTicker:
    """Moves `clock` with real time every `interval` seconds while running and not paused."""

    def __init__(
        self, clock: VirtualClock, *, interval: float = 0.05, on_error: Callable[[str], None] | None = None
    ) -> None:
        self.clock = clock
        self.interval = interval
        #: Told about a move that failed, in one line (the CLI's log); the ticker keeps going.
        self.on_error = on_error
        self._paused = threading.Event()
        self._stopped = threading.Event()
        self._last = time.monotonic_ns()
        self._thread: threading.Thread | None = None

    @property
    def mode(self) -> str:
        return "manual" if self._paused.is_set() else "real"

    def set_mode(self, mode: str) -> None:
        if mode == "manual":
            self._paused.set()
        else:
            self._last = time.monotonic_ns()
            self._paused.clear()

    def start(self) -> None:
        self._last = time.monotonic_ns()
        self._thread = threading.Thread(target=self._run, daemon=True, name="dapr-jobs-fake-ticker")
        self._thread.start()

    def stop(self, wait: float = 5.0) -> None:
        """Stop ticking; wait up to `wait` seconds for a move in progress to end."""
        self._stopped.set()
        if self._thread is not None and wait > 0:
            self._thread.join(timeout=wait)

    def tick(self) -> None:
        """Move the clock by the real time elapsed since the last tick (no-op while paused)."""
        now = time.monotonic_ns()
        elapsed, self._last = now - self._last, now
        if self._paused.is_set() or elapsed <= 0:
            return
        self.clock.advance_ns(elapsed)

    def _run(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self.tick()
            except Exception as err:  # keep serving: a failed move must not stop the clock for good
                if self.on_error is not None and not self._stopped.is_set():
                    self.on_error(f"moving the clock in real time failed: {one_line(err)}")
