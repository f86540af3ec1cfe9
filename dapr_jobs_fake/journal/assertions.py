"""The `assert_*` helpers tests use, shared by `Journal` and `DaprJobsFake` (one definition, one doc).

Each returns what it matched, so a test can look closer, and fails with an `AssertionError` whose
message says what was expected, what happened instead and the closest things that did happen
(`explain`). Calls are matched on accepted requests only; triggers on deliveries that reached an app.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from ..contract.model import FIELD_BY_NAME, VALUE_TYPE_URL, JobData, JobSpec
from ..contract.valuewire import NO_KIND, ValueWireError, decode_value
from ..golang.calendar import datetime_to_ns
from ..golang.rfc3339 import format_rfc3339
from . import explain
from .findings import explain_all
from .records import Call, Operation, TriggerRecord


class JobAssertions:
    """Assertion helpers over `calls`, `triggers` and `violations` (provided by the class using it)."""

    @property
    def calls(self) -> list[Call]:
        raise NotImplementedError

    @property
    def triggers(self) -> list[TriggerRecord]:
        raise NotImplementedError

    def assert_scheduled(self, name: str, count: int | None = None, **fields: Any) -> list[Call]:
        """Assert job `name` was scheduled (accepted), with these field values, `count` times if given.

        Fields are the job's, by JSON or Python name (`due_time` or `dueTime`, `schedule`, `repeats`,
        `ttl`, `data`, `failure_policy`, `overwrite`), compared with what the client sent. `data=`
        matches the payload whatever the protocol: JSON sent over HTTP, and bytes sent over gRPC
        (the Python SDK's `Any.value`) when those bytes are that JSON (or a packed
        `google.protobuf.Value` of it). Returns the matching calls, oldest first.

            dapr_jobs.assert_scheduled("reminder", due_time="10s", data={"user": 7})
            dapr_jobs.assert_scheduled("reminder", count=2)  # scheduled twice (e.g. overwritten)
        """
        unknown = sorted(set(fields) - set(FIELD_BY_NAME))
        if unknown:
            raise TypeError(
                f"assert_scheduled() got unknown job field(s) {unknown}; known: {sorted(FIELD_BY_NAME)}"
            )
        calls = self.calls
        same_name = [c for c in calls if c.operation == "schedule" and c.ok and c.job_name == name]
        matching = [
            c for c in same_name if c.spec and all(field_matches(c.spec, k, v) for k, v in fields.items())
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
        misses = [c for c in same_name if c not in matching]
        lines = [
            head,
            *explain.near_misses(misses, fields, lambda spec, key: field_matches(spec, key, fields[key])),
        ]
        lines += explain.rejected_and_similar(calls, name, "schedule", seen_name=bool(same_name))
        raise AssertionError("\n".join(lines))

    def assert_fetched(self, name: str, count: int | None = None) -> list[Call]:
        """Assert a GET of `name` succeeded (`count` times if given); returns those calls.

        dapr_jobs.assert_fetched("reminder")
        """
        return self._assert_operation(name, "get", "fetched", count)

    def assert_deleted(self, name: str, count: int | None = None) -> list[Call]:
        """Assert a DELETE of `name` was accepted (`count` times if given); returns those calls.

        daprd accepts deleting a job that does not exist, so this checks the call, not the job.

            dapr_jobs.assert_deleted("reminder", count=1)
        """
        return self._assert_operation(name, "delete", "deleted", count)

    def assert_no_violations(self) -> None:
        """Assert no request broke the contract; the message explains each one that did.

        dapr_jobs.assert_no_violations()
        """
        violations = [v for c in self.calls for v in c.violations]
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
        self,
        name: str,
        times: int | None = None,
        at: datetime | Sequence[datetime] | None = None,
        *,
        attempts: int | None = None,
    ) -> list[TriggerRecord]:
        """Assert job `name` was delivered to the app; returns its delivery attempts, in order.

        - nothing else given: it was delivered at least once;
        - `times=N`: exactly N triggers (ticks of its schedule) were delivered, however many attempts
          each took: a job that succeeds on its third attempt was triggered once;
        - `attempts=N`: exactly N delivery attempts were made (retries count);
        - `at=datetime`: a trigger was due at that instant; `at=[t1, t2, ...]`: the triggers' due
          times are exactly these, in order (a retry's own time does not count).

        Attempts that reached no app (no app connected, no target) are not deliveries.

            dapr_jobs.clock.advance(hours=48)
            dapr_jobs.assert_triggered("reminder-7", times=2)
            dapr_jobs.assert_triggered("flaky", times=1, attempts=3)  # succeeded on the 3rd try
        """
        return check_triggered(self.triggers, name, times=times, at=at, attempts=attempts)

    def assert_not_triggered(self, name: str) -> None:
        """Assert job `name` was never delivered to the app (so far).

        dapr_jobs.clock.advance(seconds=9)
        dapr_jobs.assert_not_triggered("reminder")  # due at 10s
        """
        records = self.triggers
        mine = [r for r in records if r.name == name and r.kind == "delivered"]
        if mine:
            raise AssertionError(
                "\n".join(
                    [
                        f"expected {name!r} not to be triggered, "
                        f"but it was delivered {explain.times(len(mine))}:"
                    ]
                    + ["  " + r.line() for r in mine[:20]]
                )
            )


def check_triggered(
    records: Sequence[TriggerRecord],
    name: str,
    times: int | None = None,
    at: datetime | Sequence[datetime] | None = None,
    *,
    attempts: int | None = None,
) -> list[TriggerRecord]:
    """`assert_triggered` over any list of trigger records (e.g. what one clock move returned)."""
    mine = [r for r in records if r.name == name and r.kind == "delivered"]
    ticks = sorted({r.tick_ns for r in mine})
    problems: list[str] = []
    if times is not None and len(ticks) != times:
        extra = f" ({len(mine)} attempt(s))" if len(mine) != len(ticks) else ""
        problems.append(f"expected {times} trigger(s) of {name!r}, got {len(ticks)}{extra}")
    if attempts is not None and len(mine) != attempts:
        problems.append(
            f"expected {attempts} delivery attempt(s) of {name!r}, "
            f"got {len(mine)} (over {len(ticks)} trigger(s))"
        )
    if times is None and attempts is None and at is None and not mine:
        problems.append(f"expected {name!r} to be triggered, it never was")
    if isinstance(at, datetime):
        wanted = datetime_to_ns(at)
        if wanted not in ticks:
            problems.append(f"expected a trigger of {name!r} at {format_rfc3339(wanted)}, none was")
    elif at is not None:
        wanted_list = [datetime_to_ns(t) for t in at]
        if ticks != wanted_list:
            problems.append(
                f"expected {name!r} triggered at [{', '.join(format_rfc3339(t) for t in wanted_list)}], "
                f"got [{', '.join(format_rfc3339(t) for t in ticks)}]"
            )
    if problems:
        raise AssertionError("\n".join([*problems, *explain.trigger_context(records, name)]))
    return mine


def field_matches(spec: JobSpec, key: str, expected: object) -> bool:
    """Whether the spec's field `key` is `expected` (`data` by payload, whatever the protocol)."""
    value = getattr(spec, FIELD_BY_NAME[key].attr)
    if isinstance(value, JobData):
        return data_matches(value, expected)
    return bool(value == expected)


def data_matches(data: JobData, expected: object) -> bool:
    """`data=` of `assert_scheduled`: the sent payload equals `expected`, where JSON sent over HTTP
    and bytes sent over gRPC that hold that JSON (or a packed `google.protobuf.Value` of it) are the
    same payload. Bytes expected from a JSON payload compare as JSON too."""
    sent = data.as_sent
    if sent == expected:
        return True
    if data.raw is not None:  # sent over gRPC: bytes
        if isinstance(expected, str) and data.raw == expected.encode():
            return True
        payload, wanted = _payload_of(data), _json_or_missing(expected)
        return payload is not _MISSING and wanted is not _MISSING and payload == wanted
    if isinstance(expected, (bytes, str)):
        wanted = _json_or_missing(expected)
        return wanted is not _MISSING and wanted == sent
    return False


_MISSING = object()


def _payload_of(data: JobData) -> object:
    """The JSON a gRPC `Any` holds: a packed Value decoded, else its bytes parsed as JSON."""
    raw = data.raw or b""
    if data.type_url == VALUE_TYPE_URL:
        try:
            value = decode_value(raw)
        except ValueWireError:
            return _MISSING
        return _MISSING if value is NO_KIND else value
    return _json_or_missing(raw)


def _json_or_missing(value: object) -> object:
    if isinstance(value, (bytes, str)):
        try:
            return json.loads(value)
        except ValueError:
            return _MISSING
    return value
