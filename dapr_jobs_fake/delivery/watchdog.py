"""One thread per target that enforces a delivery's deadline by shutting its socket down.

A socket timeout bounds each read, not the attempt: an app that drips a byte every second would hold a
delivery for ever. The watchdog is armed with the socket and the deadline before the request is sent
and disarmed when the answer is read; if the deadline passes first it shuts the socket down, and the
blocked read fails at once. The thread starts on first use and sleeps between deliveries.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time


class Watchdog:
    """Shuts down an armed socket when its deadline passes; `disarm()` says whether that happened."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._sock: socket.socket | None = None
        self._deadline = 0.0
        self._expired = False
        self._thread: threading.Thread | None = None
        self._stopped = False

    def arm(self, sock: socket.socket, deadline: float) -> None:
        with self._cond:
            self._sock, self._deadline, self._expired = sock, deadline, False
            if self._thread is None or not self._thread.is_alive():
                self._stopped = False
                self._thread = threading.Thread(target=self._run, daemon=True, name="dapr-jobs-fake-deadline")
                self._thread.start()
            self._cond.notify()

    def disarm(self) -> bool:
        """Stop watching; True when the deadline had passed and the socket was shut down."""
        with self._cond:
            self._sock = None
            return self._expired

    def stop(self) -> None:
        """End the thread (a closed target); the next `arm` starts a new one."""
        with self._cond:
            self._stopped = True
            self._sock = None
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._stopped:
                if self._sock is None:
                    self._cond.wait()
                    continue
                left = self._deadline - time.monotonic()
                if left > 0:
                    self._cond.wait(left)
                    continue
                with contextlib.suppress(OSError):
                    self._sock.shutdown(socket.SHUT_RDWR)
                self._expired, self._sock = True, None
