"""What the control API shows: calls, trigger attempts and jobs as JSON, for suites in any language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..contract.model import ECHOED_FIELDS
from ..contract.profiles import Profile
from ..contract.protojson import plain, render_data
from ..engine.engine import JobState
from ..golang.rfc3339 import format_rfc3339
from ..journal.findings import Finding
from ..journal.records import Call, TriggerRecord


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat().replace("+00:00", "Z")


def trigger_json(record: TriggerRecord) -> dict[str, Any]:
    """One delivery attempt; times are virtual (RFC 3339), `error` is a one-line reason."""
    outcome = record.outcome
    return {
        "job": record.name,
        "kind": record.kind,
        "scheduledAt": format_rfc3339(record.scheduled_ns),
        "deliveredAt": format_rfc3339(record.delivered_ns),
        "tick": record.tick,
        "attempt": record.attempt,
        "target": record.target,
        "via": None if outcome is None else outcome.via,
        "status": record.status,
        "succeeded": record.succeeded,
        "nextStep": record.next_step,
        "error": None
        if outcome is None
        else outcome.reason or (None if record.error is None else record.line()),
        "injected": record.injected,
    }


def call_json(call: Call) -> dict[str, Any]:
    """One answered request, with what was sent (`body`) and the findings' rule ids."""
    return {
        "seq": call.seq,
        "protocol": call.protocol,
        "operation": call.operation,
        "job": call.job_name,
        "request": call.request,
        "body": body_json(call.body),
        "status": call.status,
        "errorCode": call.error_code,
        "at": iso(call.at),
        "violations": [v.rule for v in call.violations],
        "warnings": [w.rule for w in call.warnings],
        "injected": call.injected,
    }


def body_json(body: Any) -> Any:
    """A journaled body as JSON: parsed JSON as is, bytes as text (undecodable bytes replaced)."""
    if isinstance(body, (bytes, bytearray)):
        return bytes(body).decode("utf-8", "replace")
    if isinstance(body, dict):
        return {k: body_json(v) if isinstance(v, (bytes, bytearray)) else v for k, v in body.items()}
    return body


def finding_json(finding: Finding) -> dict[str, Any]:
    return dict(finding.__dict__)


def job_json(state: JobState, profile: Profile) -> dict[str, Any]:
    """A stored job as the control API lists it; `nextTriggerAt` may lie beyond year 9999."""
    spec = state.plan.spec
    data = state.plan.stored_data
    return {
        "name": state.name,
        **{f.json_name: getattr(spec, f.attr) for f in ECHOED_FIELDS},
        "data": None if data is None else plain(render_data(data, profile)),
        "nextTriggerAt": format_rfc3339(state.next_trigger_ns),
        "triggers": state.delivered,
        "ticks": state.ticks,
    }
