"""The gRPC Jobs API (§14, §5.2): the Alpha1 and stable RPCs per version, their refusals as gRPC
statuses with daprd's ErrorInfo, `data` as an Any, overwrite, failure policies, List and
DeleteByPrefix (on their own sidecar: they see every job of the app, so those cases run one by one)."""

from __future__ import annotations

from .dsl import LISTING, Grpc, case, delete_job, get_job, schedule

_STRING = {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "hello"}
_VALUE = {"@type": "type.googleapis.com/google.protobuf.Value", "value": {"a": [1, "b"]}}
_EMPTY = {"@type": "type.googleapis.com/google.protobuf.Empty"}


def _list(rpc: str) -> Grpc:
    return Grpc(rpc, {})


def _prefix(rpc: str, prefix: str | None) -> Grpc:
    return Grpc(rpc, {} if prefix is None else {"namePrefix": prefix})


CASES = [
    case(
        "grpc/alpha1-schedule-get-delete",
        "§14",
        schedule("gr-alpha", dueTime="1h", data=_STRING),
        get_job("gr-alpha"),
        delete_job("gr-alpha"),
        get_job("gr-alpha"),
        delete_job("gr-alpha"),
    ),
    case(
        "grpc/stable-schedule-get-delete",
        "§14",
        schedule("gr-stable", rpc="ScheduleJob", dueTime="1h", data=_STRING),
        get_job("gr-stable", rpc="GetJob"),
        delete_job("gr-stable", rpc="DeleteJob"),
        get_job("gr-stable", rpc="GetJob"),
        about="the stable RPCs exist from 1.18; before, daprd's service-invocation proxy answers UNKNOWN",
    ),
    case("grpc/job-missing", "§5.2", Grpc("ScheduleJobAlpha1", {})),
    case("grpc/schedule-empty", "§5.2", schedule("gr-no-schedule", data=_STRING)),
    case("grpc/schedule-invalid", "§5.2", schedule("gr-bad-schedule", schedule="x")),
    case("grpc/due-time-invalid", "§5.2", schedule("gr-bad-due", dueTime="x")),
    case("grpc/ttl-invalid", "§5.2", schedule("gr-bad-ttl", schedule="@daily", ttl="x")),
    case("grpc/repeats-zero", "§5.2", schedule("gr-repeats-zero", schedule="@daily", repeats=0)),
    case("grpc/get-missing", "§5.2", get_job("gr-never")),
    case("grpc/delete-missing", "§5.2", delete_job("gr-never-2")),
    case("grpc/get-empty-name", "§5.2", get_job("")),
    case("grpc/delete-empty-name", "§5.2", delete_job("")),
    case(
        "grpc/exists",
        "§5.2",
        schedule("gr-dup", dueTime="1h", data=_STRING),
        schedule("gr-dup", dueTime="2h", data=_STRING),
        get_job("gr-dup"),
        schedule("gr-dup", dueTime="3h", data=_STRING, overwrite=True),
        get_job("gr-dup"),
        schedule("gr-dup", dueTime="4h", data=_STRING, overwrite=False),
        delete_job("gr-dup"),
        about="AlreadyExists from 1.16 unless overwrite; an upsert before",
    ),
    case(
        "grpc/data-value",
        "§14",
        schedule("gr-value", dueTime="1h", data=_VALUE),
        get_job("gr-value"),
        delete_job("gr-value"),
    ),
    case(
        "grpc/data-empty-message",
        "§14",
        schedule("gr-empty-any", dueTime="1h", data=_EMPTY),
        get_job("gr-empty-any"),
        delete_job("gr-empty-any"),
    ),
    case(
        "grpc/data-absent",
        "§14",
        schedule("gr-no-data", dueTime="1h"),
        get_job("gr-no-data"),
        delete_job("gr-no-data"),
    ),
    case(
        "grpc/every-field",
        "§14",
        schedule("gr-fields", schedule="@every 1h", repeats=3, dueTime="10s", ttl="2h", data=_STRING),
        get_job("gr-fields"),
        delete_job("gr-fields"),
    ),
    case(
        "grpc/failure-policy-drop",
        "§10.4",
        schedule("gr-drop", dueTime="1h", data=_STRING, failurePolicy={"drop": {}}),
        get_job("gr-drop"),
        delete_job("gr-drop"),
    ),
    case(
        "grpc/failure-policy-constant",
        "§10.4",
        schedule(
            "gr-constant",
            dueTime="1h",
            data=_STRING,
            failurePolicy={"constant": {"interval": "0.250s", "maxRetries": 2}},
        ),
        get_job("gr-constant"),
        delete_job("gr-constant"),
    ),
    case(
        "grpc/failure-policy-constant-empty",
        "§10.4",
        schedule("gr-constant-empty", dueTime="1h", data=_STRING, failurePolicy={"constant": {}}),
        get_job("gr-constant-empty"),
        delete_job("gr-constant-empty"),
    ),
    case(
        "grpc/failure-policy-empty",
        "§10.4",
        schedule("gr-policy-empty", dueTime="1h", data=_STRING, failurePolicy={}),
        get_job("gr-policy-empty"),
        delete_job("gr-policy-empty"),
    ),
    case("grpc/unknown-method", "§14", Grpc("NoSuchJobRpc", {})),
    case(
        "grpc/list-alpha1",
        "§14",
        schedule("gr-list-a", dueTime="1h", data=_STRING),
        schedule("gr-list-b", schedule="@daily", repeats=2),
        _list("ListJobsAlpha1"),
        delete_job("gr-list-a"),
        delete_job("gr-list-b"),
        _list("ListJobsAlpha1"),
        sidecar=LISTING,
        about="ListJobsAlpha1 from 1.17 (the proxy's UNKNOWN before); only this app's jobs",
    ),
    case(
        "grpc/list-stable",
        "§14",
        schedule("gr-list-c", dueTime="1h", data=_STRING),
        _list("ListJobs"),
        delete_job("gr-list-c"),
        sidecar=LISTING,
    ),
    case(
        "grpc/delete-by-prefix-alpha1",
        "§14",
        schedule("gr-prefix-1", dueTime="1h", data=_STRING),
        schedule("gr-prefix-2", dueTime="1h", data=_STRING),
        schedule("gr-other", dueTime="1h", data=_STRING),
        _prefix("DeleteJobsByPrefixAlpha1", "gr-prefix-"),
        _list("ListJobsAlpha1"),
        get_job("gr-prefix-1"),
        get_job("gr-other"),
        delete_job("gr-other"),
        sidecar=LISTING,
    ),
    case(
        "grpc/delete-by-prefix-stable-unset",
        "§14",
        schedule("gr-all-1", dueTime="1h", data=_STRING),
        schedule("gr-all-2", dueTime="1h", data=_STRING),
        _prefix("DeleteJobsByPrefix", None),
        _list("ListJobsAlpha1"),
        get_job("gr-all-1"),
        delete_job("gr-all-1"),
        delete_job("gr-all-2"),
        sidecar=LISTING,
        about="an unset prefix deletes every job of the app",
    ),
    case(
        "grpc/delete-by-prefix-empty",
        "§14",
        schedule("gr-empty-prefix", dueTime="1h", data=_STRING),
        _prefix("DeleteJobsByPrefixAlpha1", ""),
        get_job("gr-empty-prefix"),
        delete_job("gr-empty-prefix"),
        sidecar=LISTING,
    ),
]
