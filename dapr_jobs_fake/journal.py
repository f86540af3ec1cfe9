"""The journal: every call the fake answered and every finding, with the assertion helpers tests use.

Records are immutable and appended under a lock, so a test thread can read while the server thread
writes. Assertion failures explain themselves: they list near misses (the same job with other
fields, similar names, rejected attempts) rather than only saying "not found".
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal

from .model import JobSpec
from .violations import ContractWarning, Violation

Protocol = Literal["http", "grpc"]
Operation = Literal["schedule", "get", "delete", "list", "delete_prefix", "other"]


@dataclass(frozen=True)
class Call:
    """One request the fake answered."""

    seq: int
    protocol: Protocol
    operation: Operation
    job_name: str | None
    request: str
    body: Any
    spec: JobSpec | None
    status: int
    response: Any
    at: datetime
    error_code: str | None = None
    violations: tuple[Violation, ...] = ()
    warnings: tuple[ContractWarning, ...] = ()

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def describe(self) -> str:
        outcome = f"{self.status}" + (f" {self.error_code}" if self.error_code else "")
        return f"#{self.seq} {self.request} -> {outcome}"


#: Every `Call` field but `seq`: a `record` that passes them all takes the fast path (see there).
_CALL_FIELDS = frozenset(f.name for f in fields(Call)) - {"seq"}

# Field names users may pass to assert_scheduled, in Python or JSON spelling.
_SPEC_FIELDS = {
    "schedule": "schedule",
    "repeats": "repeats",
    "due_time": "due_time",
    "dueTime": "due_time",
    "ttl": "ttl",
    "data": "data",
    "failure_policy": "failure_policy",
    "failurePolicy": "failure_policy",
    "overwrite": "overwrite",
}


def spec_value(spec: JobSpec, name: str) -> Any:
    """A spec field as a test compares it: `data` as the JSON value (or raw bytes) that was sent."""
    value = getattr(spec, _SPEC_FIELDS[name])
    if name == "data" and value is not None:
        return value.json_value if value.raw is None else value.raw
    return value


@dataclass
class Journal:
    """Thread-safe, append-only record of calls and findings."""

    _calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Called with each new call after it is recorded, outside the lock (the CLI's request log).
    listeners: list[Callable[[Call], None]] = field(default_factory=list)

    def record(self, **fields: Any) -> Call:
        if fields.keys() == _CALL_FIELDS:
            # Every field given (the adapters always do): fill the instance dict directly instead of the
            # frozen dataclass's __init__, which pays one object.__setattr__ per field. Same object.
            call = object.__new__(Call)
            attrs = call.__dict__
            with self._lock:
                attrs["seq"] = len(self._calls) + 1
                attrs.update(fields)
                self._calls.append(call)
        else:
            with self._lock:
                call = Call(seq=len(self._calls) + 1, **fields)
                self._calls.append(call)
        for listener in self.listeners:
            listener(call)
        return call

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()

    # -- views ----------------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._calls)

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

    # -- assertions -----------------------------------------------------------------------------
    def assert_scheduled(self, name: str, count: int | None = None, **fields: Any) -> list[Call]:
        """Assert `name` was scheduled (with these field values; `count` times if given)."""
        unknown = sorted(set(fields) - set(_SPEC_FIELDS))
        if unknown:
            raise TypeError(
                f"assert_scheduled() got unknown job field(s) {unknown}; known: {sorted(_SPEC_FIELDS)}"
            )
        same_name = [c for c in self.scheduled if c.job_name == name]
        matching = [
            c for c in same_name if c.spec and all(spec_value(c.spec, k) == v for k, v in fields.items())
        ]
        if (count is None and matching) or (count is not None and len(matching) == count):
            return matching
        wanted = f"{name!r}" + (f" with {_format_fields(fields)}" if fields else "")
        head = (
            f"expected {wanted} to be scheduled {_times(count)}, but it was scheduled {_times(len(matching))}"
            if count is not None
            else f"expected {wanted} to be scheduled, but it was not"
        )
        lines = [head]
        for call in same_name:
            if call in matching or call.spec is None:
                continue
            diffs = [
                f"{k}={spec_value(call.spec, k)!r} (expected {v!r})"
                for k, v in fields.items()
                if spec_value(call.spec, k) != v
            ]
            lines.append(f"  near miss {call.describe()}: " + ", ".join(diffs))
        lines += self._rejected_and_similar(name, "schedule")
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
            from .violations import explain_all

            raise AssertionError(
                f"{len(violations)} Dapr Jobs contract violation(s):\n{explain_all(violations)}"
            )

    def _assert_operation(self, name: str, operation: Operation, verb: str, count: int | None) -> list[Call]:
        matching = [c for c in self._ok(operation) if c.job_name == name]
        if (count is None and matching) or (count is not None and len(matching) == count):
            return matching
        head = (
            f"expected {name!r} to be {verb} {_times(count)}, but it was {verb} {_times(len(matching))}"
            if count is not None
            else f"expected {name!r} to be {verb}, but it was not"
        )
        raise AssertionError("\n".join([head, *self._rejected_and_similar(name, operation)]))

    def _rejected_and_similar(self, name: str, operation: Operation) -> list[str]:
        calls = [c for c in self.calls if c.operation == operation]
        lines = [f"  rejected {c.describe()}" for c in calls if c.job_name == name and not c.ok]
        others = sorted({c.job_name for c in calls if c.job_name and c.job_name != name and c.ok})
        similar = difflib.get_close_matches(name, others, n=3, cutoff=0.6)
        if similar:
            lines.append(f"  similar names: {', '.join(map(repr, similar))}")
        if others:
            shown = ", ".join(map(repr, others[:10])) + (" ..." if len(others) > 10 else "")
            lines.append(f"  {operation} calls went to: {shown}")
        elif not lines:
            lines.append(f"  no {operation} calls were made at all")
        return lines


def _times(n: int | None) -> str:
    return "once" if n == 1 else f"{n} times"


def _format_fields(fields: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in fields.items())
