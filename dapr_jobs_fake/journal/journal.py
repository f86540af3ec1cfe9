"""The journal: one ordered record of everything the fake did, with the assertion helpers tests use.

Calls (answered requests) and trigger records (delivery attempts) land in one list under one lock, in
the order the engine applied them: the sidecar and the clock record while they hold the engine lock.
Listeners (the CLI's log) are told about each entry after that lock is released, in the same order,
by `flush()`. `clear()` forgets everything, listeners included, so nothing of one test reaches the next.

A `limit` (the CLI's `--journal-limit`) keeps only the newest entries and counts the dropped ones;
tests keep everything.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from ..contract.errors import Suspicion
from ..golang.rfc3339 import format_rfc3339
from .assertions import JobAssertions
from .findings import ContractWarning, Violation
from .records import Call, ClockJump, Entry, Operation, TriggerRecord

Listener = Callable[[Entry], None]


class Journal(JobAssertions):
    """Thread-safe, append-only record of calls and trigger attempts."""

    def __init__(self, *, limit: int | None = None) -> None:
        self._lock = threading.Lock()
        self._notify_lock = threading.Lock()
        self._entries: deque[Entry] = deque(maxlen=limit)
        self._calls = 0
        self._appended = 0
        self._pending: deque[Entry] = deque()
        self._warnings: list[ContractWarning] = []  # in the order they happened, calls' and triggers'
        self._warned: set[tuple[str, str]] = set()  # (rule, job) of the trigger warnings already made
        self._emitted = 0  # how many of _warnings `take_new_warnings` has handed out
        #: Told about every entry, in order, outside the fake's locks (`flush`). Cleared by `clear()`.
        self.listeners: list[Listener] = []

    @property
    def limit(self) -> int | None:
        return self._entries.maxlen

    def set_limit(self, limit: int | None) -> None:
        """Keep at most `limit` entries from now on (None: all); the newest are kept."""
        with self._lock:
            if limit != self._entries.maxlen:
                self._entries = deque(self._entries, maxlen=limit)  # what no longer fits counts as dropped

    @property
    def dropped(self) -> int:
        """Entries dropped because the journal is full (always 0 without a limit)."""
        return self._appended - len(self._entries)

    # -- recording ------------------------------------------------------------------------------
    def record_call(self, **fields: Any) -> Call:
        """Append one answered call (every `Call` field but `seq`); returns it."""
        with self._lock:
            self._calls += 1
            call = Call(seq=self._calls, **fields)
            self._append(call)
            if call.warnings:
                self._warnings.extend(call.warnings)
                self._bound_warnings()
        return call

    def record_jump(self, jump: ClockJump) -> None:
        """Append one jump of the auto clock (its observer), then tell the listeners."""
        with self._lock:
            self._append(jump)
        self.flush()

    def record_trigger(self, record: TriggerRecord) -> None:
        """Append one trigger attempt (the clock's observer)."""
        with self._lock:  # _append, inlined: this runs once per trigger
            self._entries.append(record)
            self._appended += 1
            if self.listeners:
                self._pending.append(record)
            outcome = record.outcome
            if outcome is not None and outcome.warning is not None:
                self._warn_about(record, outcome.warning)

    def _warn_about(self, record: TriggerRecord, suspicion: Suspicion) -> None:
        """Record a trigger's warning, once per job and rule (every attempt would repeat it)."""
        key = (suspicion.rule, record.name)
        if key in self._warned:
            return
        self._warned.add(key)
        request = f"trigger of {record.name!r} at {format_rfc3339(record.scheduled_ns)}"
        self._warnings.append(
            ContractWarning(
                request,
                suspicion.location,
                suspicion.rule,
                suspicion.message,
                suspicion.hint("http"),
                suspicion.row.section,
            )
        )

    def _bound_warnings(self) -> None:
        """With a limit, keep only the newest `limit` warnings too."""
        limit = self._entries.maxlen
        excess = len(self._warnings) - limit if limit is not None else 0
        if excess > 0:
            del self._warnings[:excess]
            self._emitted = max(0, self._emitted - excess)

    def take_new_warnings(self) -> list[ContractWarning]:
        """The warnings recorded since the last call (the plugin turns them into Python warnings)."""
        with self._lock:
            new = self._warnings[self._emitted :]
            self._emitted = len(self._warnings)
        return new

    def _append(self, entry: Entry) -> None:
        self._entries.append(entry)
        self._appended += 1
        if self.listeners:
            self._pending.append(entry)

    def flush(self) -> None:
        """Tell the listeners about the entries recorded since the last flush, in order."""
        if not self._pending:
            return
        with self._notify_lock:
            while True:
                try:
                    entry = self._pending.popleft()
                except IndexError:
                    return
                for listener in list(self.listeners):
                    listener(entry)

    def clear(self) -> None:
        """Forget every entry and every listener (a fake's reset)."""
        with self._lock:
            self._entries.clear()
            self._pending.clear()
            self._warnings.clear()
            self._warned.clear()
            self._emitted = 0
            self._calls = 0
            self._appended = 0
            self.listeners.clear()

    # -- views ----------------------------------------------------------------------------------
    @property
    def entries(self) -> list[Entry]:
        """Calls and trigger records, in the order they happened."""
        with self._lock:
            return list(self._entries)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return [e for e in self._entries if type(e) is Call]

    @property
    def triggers(self) -> list[TriggerRecord]:
        with self._lock:
            return [e for e in self._entries if type(e) is TriggerRecord]

    @property
    def jumps(self) -> list[ClockJump]:
        """The auto clock's jumps (`clock="auto"`), in order."""
        with self._lock:
            return [e for e in self._entries if type(e) is ClockJump]

    def _ok(self, operation: Operation) -> list[Call]:
        return [c for c in self.calls if c.operation == operation and c.ok]

    @property
    def scheduled(self) -> list[Call]:
        """Accepted schedule requests, in order."""
        return self._ok("schedule")

    @property
    def fetched(self) -> list[Call]:
        """Successful GETs, in order."""
        return self._ok("get")

    @property
    def deleted(self) -> list[Call]:
        """Accepted deletes (including deletes of jobs that did not exist, as Dapr answers 204)."""
        return self._ok("delete")

    @property
    def violations(self) -> list[Violation]:
        return [v for c in self.calls for v in c.violations]

    @property
    def warnings(self) -> list[ContractWarning]:
        """Every contract warning, requests' and triggers', in the order they happened."""
        with self._lock:
            return list(self._warnings)

    def __iter__(self) -> Iterator[Call]:
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self._entries)
