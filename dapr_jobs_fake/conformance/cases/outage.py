"""daprd running, the Scheduler process stopped (§5.2 "Scheduler unreachable"): each call that needs the
Scheduler waits for daprd's 30 s deadline, then POST answers 504 (1.16+; 500 before), GET and DELETE 500,
gRPC DEADLINE_EXCEEDED or INTERNAL. Checks daprd makes itself still answer at once. Dapr 1.15 holds
Scheduler calls until the Scheduler is back: those hang, and a hang is not recorded."""

from __future__ import annotations

from .dsl import DOWN, Grpc, Http, case, delete, delete_job, get, get_job, post, schedule

_HANGS = {
    "1.15": "Dapr 1.15 holds the call until the Scheduler is back (no answer within 90 s): not recorded"
}
_JOB = {"dueTime": "1h", "data": "o"}

CASES = [
    case("outage/http-post", "§5.2", post("ou-post", _JOB), sidecar=DOWN, not_recorded=_HANGS),
    case("outage/http-get", "§5.2", get("ou-get"), sidecar=DOWN, not_recorded=_HANGS),
    case("outage/http-delete", "§5.2", delete("ou-delete"), sidecar=DOWN, not_recorded=_HANGS),
    case(
        "outage/grpc-schedule",
        "§5.2",
        schedule("ou-g-schedule", dueTime="1h"),
        sidecar=DOWN,
        not_recorded=_HANGS,
    ),
    case("outage/grpc-get", "§5.2", get_job("ou-g-get"), sidecar=DOWN, not_recorded=_HANGS),
    case("outage/grpc-delete", "§5.2", delete_job("ou-g-delete"), sidecar=DOWN, not_recorded=_HANGS),
    case(
        "outage/grpc-stable-schedule",
        "§5.2",
        schedule("ou-g-stable", rpc="ScheduleJob", dueTime="1h"),
        sidecar=DOWN,
        not_recorded=_HANGS,
    ),
    case("outage/grpc-list", "§5.2", Grpc("ListJobsAlpha1", {}), sidecar=DOWN, not_recorded=_HANGS),
    case(
        "outage/http-refused-before-the-scheduler",
        "§5.2",
        post("ou-refused", {}),
        post("ou-refused-name", {"name": "x", "dueTime": "1h"}),
        post("ou-refused-json", raw="{"),
        sidecar=DOWN,
        about="daprd's own checks come first and need no Scheduler",
    ),
    case("outage/grpc-refused-before-the-scheduler", "§5.2", Grpc("ScheduleJobAlpha1", {}), sidecar=DOWN),
    case("outage/healthz", "§12", Http("GET", "/v1.0/healthz"), sidecar=DOWN),
]
