"""The rules every move of the virtual clock obeys: one move at a time, never past year 9999.

`MoveLock` serialises moves across threads and refuses a nested move on the same thread (a handler
moving the clock) instead of deadlocking; `check_reachable` is the one bound on targets. The errors a
move raises live here too.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime

from ..golang.calendar import MAX_DATETIME_NS, NS_PER_SECOND, datetime_to_ns
from ..golang.rfc3339 import format_rfc3339


class ClockError(RuntimeError):
    """A clock move that cannot be done (backwards, from inside a handler, never ending)."""


class RunawayJobError(ClockError):
    """A job re-fires at the same virtual instant without end (no retry interval, no max_retries)."""


def check_reachable(target_ns: int, what: str) -> None:
    """Every move obeys one bound: the clock cannot pass the last instant a `datetime` holds."""
    if target_ns > MAX_DATETIME_NS:
        raise ClockError(f"{what} {format_rfc3339(target_ns)}: past year 9999, which datetime cannot hold")


def start_ns(start: datetime | None) -> int:
    if start is None:
        return time.time_ns() // NS_PER_SECOND * NS_PER_SECOND
    return datetime_to_ns(start)


class MoveLock:
    """Serialises clock moves; refuses a nested move on the same thread instead of deadlocking."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._mover: int | None = None
        #: Told True when a move begins and False when it ends, on the mover's thread (the auto
        #: clock's `Activity.moving`).
        self.listener: Callable[[bool], None] | None = None

    @property
    def held(self) -> bool:
        return self._mover is not None

    def __enter__(self) -> None:
        if not self._lock.acquire(blocking=False):
            if self._mover == threading.get_ident():
                raise ClockError("cannot move the clock while it is already moving on this thread")
            self._lock.acquire()
        self._mover = threading.get_ident()
        listener = self.listener
        if listener is not None:
            listener(True)

    def __exit__(self, *exc_info: object) -> None:
        self._mover = None
        self._lock.release()
        listener = self.listener
        if listener is not None:
            listener(False)
