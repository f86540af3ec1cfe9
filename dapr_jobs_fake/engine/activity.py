"""What the fake is busy with right now, for the auto clock (`autoclock`) to wait for quiet.

`Activity` counts what is in flight (Jobs API requests, clock moves; a delivery always runs inside a
move) and remembers when the fake last changed something: a write request ended, a move ended, or its
owner said so (`touch`). Reads (GET, list) count as in flight but do not restart the quiet period, so
a client polling faster than the quiet period still sees time move. Every change bumps `epoch` and
wakes the waiters on `cond`. Cheap enough for every request: one lock, two integers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Activity:
    """In-flight counter and last-change time, guarded by `cond`."""

    def __init__(self, now: Callable[[], float] = time.monotonic) -> None:
        self.cond = threading.Condition()
        self._now = now
        self._busy = 0
        self._epoch = 0
        self._changed_at = now()

    @property
    def busy(self) -> int:
        """How many requests and moves are in flight."""
        return self._busy

    @property
    def epoch(self) -> int:
        """Bumped on every begin, end and touch."""
        return self._epoch

    def idle_for(self) -> float:
        """Seconds since the last change (call with `cond` held for a consistent reading)."""
        return self._now() - self._changed_at

    def begin(self) -> None:
        with self.cond:
            self._busy += 1
            self._epoch += 1
            self.cond.notify_all()

    def end(self, *, changed: bool = True) -> None:
        """One request or move is done; `changed` False for reads (they keep the quiet period)."""
        with self.cond:
            self._busy = max(0, self._busy - 1)
            self._epoch += 1
            if changed:
                self._changed_at = self._now()
            self.cond.notify_all()

    def touch(self) -> None:
        """Something changed outside a request (an option, a handler): restart the quiet period."""
        with self.cond:
            self._epoch += 1
            self._changed_at = self._now()
            self.cond.notify_all()

    @contextmanager
    def request(self, *, write: bool = True) -> Iterator[None]:
        self.begin()
        try:
            yield
        finally:
            self.end(changed=write)

    def moving(self, started: bool) -> None:
        """The clock's move listener: a move began (True) or ended (False)."""
        if started:
            self.begin()
        else:
            self.end()
