"""The process clock following the virtual one: time-machine, frozen between moves (`travel=True`).

While a `ProcessClock` is started, `datetime.now()` and `time.time()` anywhere in the process read
the virtual time it was last moved to, so a job handler reads its trigger time. The monotonic clock
(which the fake's own timeouts use) is left alone by time-machine.
"""

from __future__ import annotations

from typing import Any

from ..golang.calendar import ns_to_datetime


class ProcessClock:
    """A time-machine travel that can be started at an instant, moved, and stopped."""

    def __init__(self) -> None:
        self._travel: Any = None
        self._traveller: Any = None

    @property
    def active(self) -> bool:
        return self._travel is not None

    def start(self, now_ns: int) -> None:
        import time_machine

        if self._travel is None:
            self._travel = time_machine.travel(ns_to_datetime(now_ns), tick=False)
            self._traveller = self._travel.start()

    def move_to(self, now_ns: int) -> None:
        if self._traveller is not None:
            self._traveller.move_to(ns_to_datetime(now_ns))

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = self._traveller = None
