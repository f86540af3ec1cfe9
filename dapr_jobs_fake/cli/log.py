"""The CLI's log: one line per call and per trigger attempt, written without ever blocking the fake.

Journal listeners run on the fake's server and clock threads. Writing to a pipe nobody reads blocks
once its buffer is full, which would wedge every request; so lines go into a bounded queue that one
writer thread drains, and when the queue is full new lines are dropped and counted instead. Each
line shows the wall time it was logged and, for what happened on the virtual clock, the virtual time.
"""

from __future__ import annotations

import queue
import sys
import threading
from datetime import datetime, timezone
from typing import IO

from ..golang.rfc3339 import format_rfc3339
from ..journal.records import Call, ClockJump, Entry, TriggerRecord


class Log:
    """A non-blocking line writer to `stream` (stdout by default)."""

    def __init__(self, stream: IO[str] | None = None, *, capacity: int = 10_000) -> None:
        self._stream = stream if stream is not None else sys.stdout
        self._lines: queue.Queue[str | None] = queue.Queue(capacity)
        self.dropped = 0
        self._thread = threading.Thread(target=self._write, daemon=True, name="dapr-jobs-fake-log")
        self._thread.start()

    def line(self, text: str) -> None:
        try:
            self._lines.put_nowait(text)
        except queue.Full:
            self.dropped += 1

    def entry(self, entry: Entry) -> None:
        """The journal listener: a call with its findings, or a trigger attempt."""
        wall = f"{datetime.now(timezone.utc):%H:%M:%S}"
        if isinstance(entry, Call):
            outcome = f"{entry.status}" + (f" {entry.error_code}" if entry.error_code else "")
            injected = f" (injected: {entry.injected})" if entry.injected else ""
            self.line(f"{wall} {entry.protocol} {entry.request} -> {outcome}{injected}")
            for kind, findings in (("violation", entry.violations), ("warning", entry.warnings)):
                for finding in findings:
                    hint = f" (hint: {finding.hint})" if finding.hint else ""
                    self.line(f"    {kind} [{finding.rule}] {finding.message}{hint}")
        elif isinstance(entry, TriggerRecord):
            self.line(f"{wall} trigger at virtual {format_rfc3339(entry.scheduled_ns)}: {entry.line()}")
        elif isinstance(entry, ClockJump):
            self.line(f"{wall} {entry.line()}")

    def close(self, timeout: float = 0.3) -> None:
        """Write what is queued, waiting at most `timeout` seconds: the stream may be stuck, and a
        stopping CLI must not wait for it."""
        try:
            self._lines.put_nowait(None)
        except queue.Full:
            return
        self._thread.join(timeout)

    def _write(self) -> None:
        while True:
            text = self._lines.get()
            if text is None:
                break
            try:
                self._stream.write(text + "\n")
                self._stream.flush()
            except (OSError, ValueError):  # a closed or broken stream: keep serving, silently
                pass
        if self.dropped:
            try:
                self._stream.write(f"({self.dropped} log lines dropped: the log stream was not read)\n")
                self._stream.flush()
            except (OSError, ValueError):
                pass
