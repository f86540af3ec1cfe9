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
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import Any

from ..contract.model import FIELD_BY_NAME, spec_value
from ..golang.calendar import datetime_to_ns
from ..golang.rfc3339 import format_rfc3339
from . import explain
from .findings import ContractWarning, Violation, explain_all
from .records import Call, Entry, Operation, TriggerRecord

Listener = Callable[[Entry], None]


class Journal:
    """Thread-safe, append-only record of calls and trigger attempts."""

    def __init__(self, *, limit: int | None = None) -> None:
        self._lock = threading.Lock()
        self._notify_lock = threading.Lock()
        self._entries: deque[Entry] = deque(maxlen=limit)
        self._calls = 0
        self._appended = 0
        self._pending: deque[Entry] = deque()
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
        return call

    def record_trigger(self, record: TriggerRecord) -> None:
        """Append one trigger attempt (the clock's observer)."""
        with self._lock:  # _append, inlined: this runs once per trigger
            self._entries.append(record)
            self._appended += 1
            if self.listeners:
                self._pending.append(record)

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
        return [w for c in self.calls for w in c.warnings]

    def __iter__(self) -> Iterator[Call]:
        return iter(self.calls)

    def __len__(self) -> int:
        return len(self._entries)

    # -- assertions -----------------------------------------------------------------------------
    def assert_scheduled(self, name: str, count: int | None = None, **fields: Any) -> list[Call]:
        """Assert `name` was scheduled (with these field values; `count` times if given)."""
        unknown = sorted(set(fields) - set(FIELD_BY_NAME))
        if unknown:
            raise TypeError(
                f"assert_scheduled() got unknown job field(s) {unknown}; known: {sorted(FIELD_BY_NAME)}"
            )
        calls = self.calls
        same_name = [c for c in calls if c.operation == "schedule" and c.ok and c.job_name == name]
        matching = [
            c for c in same_name if c.spec and all(spec_value(c.spec, k) == v for k, v in fields.items())
        ]
        if (count is None and matching) or (count is not None and len(matching) == count):
            return matching
        wanted = f"{name!r}" + (f" with {explain.format_fields(fields)}" if fields else "")
        head = (
            f"expected {wanted} to be scheduled {explain.times(count)}, "
            f"but it was scheduled {explain.times(len(matching))}"
            if count is not None
            else f"expected {wanted} to be scheduled, but it was not"
        )
        lines = [head, *explain.near_misses([c for c in same_name if c not in matching], fields)]
        lines += explain.rejected_and_similar(calls, name, "schedule", seen_name=bool(same_name))
        raise AssertionError("\n".join(lines))

    def assert_fetched(self, name: str, count: int | None = None) -> list[Call]:
        """Assert a GET of `name` succeeded (`count` times if given)."""
        return self._assert_operation(name, "get", "fetched", count)

    def assert_deleted(self, name: str, count: int | None = None) -> list[Call]:
        """Assert a DELETE of `name` was accepted (`count` times if given)."""
        return self._assert_operation(name, "delete", "deleted", count)

    def assert_no_violations(self) -> None:
        """Assert no request broke the contract; the message explains each one that did."""
        violations = self.violations
        if violations:
            raise AssertionError(
                f"{len(violations)} Dapr Jobs contract violation(s):\n{explain_all(violations)}"
            )

    def _assert_operation(self, name: str, operation: Operation, verb: str, count: int | None) -> list[Call]:
        calls = self.calls
        matching = [c for c in calls if c.operation == operation and c.ok and c.job_name == name]
        if (count is None and matching) or (count is not None and len(matching) == count):
            return matching
        head = (
            f"expected {name!r} to be {verb} {explain.times(count)}, "
            f"but it was {verb} {explain.times(len(matching))}"
            if count is not None
            else f"expected {name!r} to be {verb}, but it was not"
        )
        lines = [head, *explain.rejected_and_similar(calls, name, operation, seen_name=bool(matching))]
        raise AssertionError("\n".join(lines))

    def assert_triggered(
        self, name: str, times: int | None = None, at: datetime | Sequence[datetime] | None = None
    ) -> list[TriggerRecord]:
        """Check that job `name` was delivered to the app; returns its attempts.

        - no `times`/`at`: at least one attempt;
        - `times=N`: exactly N attempts (every retry is an attempt; use 0 for "never");
        - `at=datetime`: one attempt was scheduled at that instant;
        - `at=[t1, t2, ...]`: the attempts' scheduled times are exactly these, in order.
        On failure the AssertionError shows every trigger that fired, and similar job names.
        """
        return check_triggered(self.triggers, name, times=times, at=at)


def check_triggered(
    records: Sequence[TriggerRecord],
    name: str,
    times: int | None = None,
    at: datetime | Sequence[datetime] | None = None,
) -> list[TriggerRecord]:
    """`Journal.assert_triggered` over any list of trigger records (e.g. what one move returned)."""
    mine = [r for r in records if r.name == name and r.kind == "delivered"]
    problems: list[str] = []
    if times is not None and len(mine) != times:
        problems.append(f"expected {times} trigger(s) of {name!r}, got {len(mine)}")
    if times is None and at is None and not mine:
        problems.append(f"expected {name!r} to be triggered, it never was")
    if isinstance(at, datetime):
        wanted = datetime_to_ns(at)
        if not any(r.scheduled_ns == wanted for r in mine):
            problems.append(f"expected a trigger of {name!r} at {format_rfc3339(wanted)}, none was")
    elif at is not None:
        wanted_list = [datetime_to_ns(t) for t in at]
        got = [r.scheduled_ns for r in mine]
        if got != wanted_list:
            problems.append(
                f"expected {name!r} triggered at [{', '.join(format_rfc3339(t) for t in wanted_list)}], "
                f"got [{', '.join(format_rfc3339(t) for t in got)}]"
            )
    if problems:
        raise AssertionError("\n".join([*problems, *explain.trigger_context(records, name)]))
    return mine
