"""Every answer the fake gives instead of success, declared once: wire answer, rule, explanation, hint.

One `Row` per case of contract §5.2 (and the daprd, net/http and gRPC answers around it). Rule ids are
stable: tests name them in `expect_violations`, and docs/contract.md has a section for each. Warnings
(requests Dapr accepts though they likely do not mean what they say) are rows too, without an answer.
"""

from __future__ import annotations

from typing import cast

from .errors import DaprError, ErrorCatalogue, Protocol, Row, SchedulerOp

_NAME_RULES_OLD = (
    "use letters, digits, '.', '-', '_' and ':' only, starting and ending with a letter or digit "
    "(Dapr before 1.18.2 validates names as DNS-1123 subdomains)"
)
_NAME_RULES_NEW = "job names may not contain / \\ # ? or control characters, nor be '.' or '..'"


def _validation(errors: ErrorCatalogue, _: Protocol, params: dict[str, str]) -> DaprError:
    """`Builder.Parse` / cron parser rejections, wrapped as the Scheduler's handler does (§5.2)."""
    return errors.scheduler("schedule", f"job failed validation: {params['reason']}")


def _invalid_name(errors: ErrorCatalogue, _: Protocol, params: dict[str, str]) -> DaprError:
    return errors.scheduler(cast(SchedulerOp, params["op"]), params["reason"], params.get("code", "UNKNOWN"))


def _unauthorized(_: ErrorCatalogue, protocol: Protocol, params: dict[str, str]) -> DaprError:
    return DaprError(
        401, "UNAUTHENTICATED", "", params.get("detail", "invalid api token"), shape="unauthorized"
    )


# -- daprd and net/http, before any Jobs code --------------------------------------------------------
AUTH_TOKEN = Row(
    "auth.token",
    "§11",
    "token",
    "the dapr-api-token {carrier} is {problem}",
    _unauthorized,
    hint={
        "http": "send the sidecar's API token (DAPR_API_TOKEN) in the dapr-api-token header",
        "grpc": "send the sidecar's API token (DAPR_API_TOKEN) as dapr-api-token gRPC metadata",
    },
)
URL_BAD_ESCAPE = Row(
    "url.bad-escape",
    "§2",
    "url",
    "the URL path has a bad escape: {detail}",
    lambda errors, protocol, params: DaprError(400, "INVALID_ARGUMENT", "", "400 Bad Request", shape="bare"),
    hint="percent-encode '%' as %25 in URLs",
)
NAME_BAD_ESCAPE = Row(
    "url.bad-escape",
    "§2",
    "url",
    "the job name in the URL has a bad escape: {detail}",
    # daprd's unescapeRequestParametersHandler: http.Error(w, err.Error(), 400) (pkg/api/http/server.go)
    lambda errors, protocol, params: DaprError(
        400,
        "INVALID_ARGUMENT",
        "",
        f'failed to unescape request parameter "name". Error: {params["detail"]}',
        shape="text",
    ),
    hint="percent-encode special characters in the job name",
)
ROUTE_UNKNOWN = Row(
    "route.unknown",
    "§2",
    "url",
    "daprd has no route {method} {path} (Dapr {version} serves jobs under {paths})",
    lambda errors, protocol, params: DaprError(
        404,
        "NOT_FOUND",
        "ERR_DIRECT_INVOKE",
        "failed getting app id either from the URL path or the header dapr-app-id",
    ),
    hint="{route_hint}",
)
RPC_UNIMPLEMENTED = Row(
    "rpc.unimplemented",
    "§1, §14",
    "method",
    "Dapr {version} has no RPC {rpc}: daprd hands a method it does not serve to its service-invocation "
    "proxy, which finds no dapr-app-id to route it to",
    lambda errors, protocol, params: DaprError(
        500, "UNKNOWN", "", f"failed to proxy request: required metadata {params['metadata']} not found"
    ),
    hint={
        "grpc": "{alternative}",
        "grpc:python": "{alternative}{python_note}",
        "grpc:java": "{alternative}{java_note}",
    },
    # Clients that probe for a method key on this answer (the .NET and JavaScript SDKs fall back on
    # UNKNOWN with this text): a state answer, not a bad request.
    kind="state",
)
BODY_TOO_LARGE = Row(
    "body.too-large",
    "§13",
    "$",
    "the body is larger than daprd's default --max-body-size ({limit} bytes)",
    lambda errors, protocol, params: DaprError(
        400, "INVALID_ARGUMENT", "ERR_BODY_READ", "failed to read request body: stream too large"
    ),
)
JOB_TOO_LARGE = Row(
    "job.too-large",
    "§13",
    "data",
    "the job is too large for the Scheduler: {reason}",
    lambda errors, protocol, params: errors.scheduler("schedule", params["desc"], params["code"]),
    hint="keep job data small (it lives in the Scheduler's etcd): about 2 MiB stored is the most any "
    "Dapr version takes (1.5 MiB on 1.14); store a large payload elsewhere and put its key in data",
)
BODY_UNREADABLE = Row(
    "body.unreadable",
    "§3, §13",
    "$",
    "Go's HTTP server could not read the body: {detail}",
    # daprd's UniversalHTTPHandler: io.ReadAll(r.Body) fails (pkg/api/http/universal.go)
    lambda errors, protocol, params: DaprError(
        400, "INVALID_ARGUMENT", "ERR_BODY_READ", f"failed to read request body: {params['detail']}"
    ),
    hint="send the whole body: as many bytes as Content-Length says, or valid chunked framing",
)
BODY_MALFORMED = Row(
    "body.malformed",
    "§3",
    "{path}",
    "{explanation}",
    lambda errors, protocol, params: DaprError(
        400,
        "INVALID_ARGUMENT",
        "ERR_MALFORMED_REQUEST",
        f"failed deserializing HTTP body: {params['detail']}",
    ),
)

REQUEST_UNDECODABLE = Row(
    "request.undecodable",
    "§14",
    "$",
    "the {message} message is not valid protobuf: {detail}",
    # grpc-go decodes before any interceptor or handler (server.go processUnaryRPC)
    lambda errors, protocol, params: DaprError(
        500, "INTERNAL", "", f"grpc: error unmarshalling request: {params['detail']}"
    ),
    hint="send the request message the RPC takes, serialized with protobuf",
)

# -- daprd's checks before the Scheduler (§3 processing order) ---------------------------------------
NAME_IN_BODY = Row(
    "name.in-body",
    "§3, §5.2",
    "$.name",
    "the body sets name; daprd takes the name from the URL only",
    lambda errors, protocol, params: errors.kit(
        400, "INVALID_ARGUMENT", "JOB_NAME", "Set the job name in the url only", namespace=False
    ),
    hint="remove name from the body",
)
NAME_EMPTY = Row(
    "name.empty",
    "§5.2, §6",
    "name",
    "{why}",
    lambda errors, protocol, params: errors.kit(400, "INVALID_ARGUMENT", "JOB_NAME_EMPTY", "Name is empty"),
)
SCHEDULE_EMPTY = Row(
    "schedule.empty",
    "§3, §5.2",
    "$",
    "the job has neither schedule nor dueTime, so it would never run",
    lambda errors, protocol, params: errors.kit(
        400, "INVALID_ARGUMENT", "SCHEDULE_EMPTY", "Schedule is empty"
    ),
    hint='add "schedule" (e.g. "@every 1m") or "dueTime" (e.g. "30s")',
)
SCHEDULE_EMPTY_WRAPPED = Row(
    "schedule.empty",
    "§3, §5.2",
    "$.job",
    'the body wraps the job in {{"job": ...}}, which Dapr {version} does not read, so it sees neither '
    "schedule nor dueTime",
    SCHEDULE_EMPTY.answer,
    hint='the {{"job": {{...}}}} wrapper was accepted only by Dapr v1.14.0-rc.1/rc.2 and appears in the '
    "v1.14 alpha reference document (profile docs-1.14-alpha); Dapr 1.14.0 and later read the job fields "
    'at the top level: send {{"dueTime": "30s", "data": ...}} instead',
)
SCHEDULE_EMPTY_UNWRAPPED = Row(
    "schedule.empty",
    "§3, §5.2",
    "$",
    'the body is not wrapped: {version} reads the job from {{"{wrapper}": {{...}}}}, and this body sends '
    "schedule/dueTime at the top level, so the job it reads has neither schedule nor dueTime",
    SCHEDULE_EMPTY.answer,
    hint='wrap the job: {{"{wrapper}": {{"dueTime": "30s", "data": ...}}}} (or emulate a released Dapr, e.g. '
    "dapr_version='1.18', which reads the fields at the top level)",
)
JOB_EMPTY = Row(
    "job.empty",
    "§5.2",
    "job",
    "the ScheduleJobRequest carries no job",
    lambda errors, protocol, params: errors.kit(400, "INVALID_ARGUMENT", "EMPTY", "Job is empty"),
    hint="set ScheduleJobRequest.job",
)

# -- the Scheduler ---------------------------------------------------------------------------------
NAME_INVALID = Row("name.invalid", "§6", "name", "{reason}", _invalid_name, hint="{name_hint}")
NAME_NOT_UTF8 = Row(
    "name.invalid",
    "§2, §6",
    "name",
    "{reason}",
    _invalid_name,
    hint="job names must be valid UTF-8 once percent-decoded",
)
REPEATS_WITHOUT_SCHEDULE = Row(
    "repeats.without-schedule",
    "§5.2, §8",
    "$.repeats",
    "{reason}",
    _validation,
    hint="add a schedule, or drop repeats",
)
REPEATS_ZERO = Row(
    "repeats.zero",
    "§5.2, §8",
    "$.repeats",
    "{reason}",
    _validation,
    hint="leave repeats out for an unbounded job",
)
TTL_WITHOUT_SCHEDULE = Row("ttl.without-schedule", "§5.2, §8", "$.ttl", "{reason}", _validation)
SCHEDULE_INVALID = Row(
    "schedule.invalid",
    "§5.2, §7",
    "$.schedule",
    "{reason}",
    _validation,
    hint='a schedule is 6 cron fields with seconds ("0 30 * * * *"), a descriptor such as "@daily", or '
    '"@every <Go duration>"',
)
DUE_TIME_INVALID = Row(
    "dueTime.invalid",
    "§5.2, §8",
    "$.dueTime",
    "{reason}",
    _validation,
    hint='dueTime is an RFC3339 time ("2030-01-01T00:00:00Z"), a Go duration ("30s", "1h30m") or an ISO 8601 '
    'duration ("PT30S")',
)
TTL_INVALID = Row(
    "ttl.invalid", "§5.2, §8", "$.ttl", "{reason}", _validation, hint="ttl takes the same formats as dueTime"
)
TTL_BEFORE_DUE_TIME = Row(
    "ttl.before-dueTime",
    "§5.2, §8",
    "$.ttl",
    "{reason}",
    _validation,
    hint="a relative ttl counts from dueTime, not from creation",
)
JOB_EXISTS = Row(
    "job.exists",
    "§1, §5.2",
    "name",
    "a job named {name!r} already exists and the request does not set overwrite",
    lambda errors, protocol, params: errors.scheduler(
        "schedule", f"job already exists: '{errors.storage_key(params['name'])}'", "ALREADY_EXISTS"
    ),
    hint={
        "http": 'send "overwrite": true to replace it, or delete it first',
        "grpc": "set overwrite in the ScheduleJobRequest to replace it (Python SDK: "
        "schedule_job(job, overwrite=True); Go SDK: Job{{Overwrite: true}}; Java SDK: "
        "new ScheduleJobRequest(...).setOverwrite(true)), or delete it first",
        "grpc:python": "call schedule_job(job, overwrite=True) to replace it, or delete it first",
        "grpc:go": "set Overwrite: true on the *client.Job to replace it, or delete it first",
        "grpc:java": "call setOverwrite(true) on the ScheduleJobRequest to replace it, or delete it first",
    },
    # Create-if-absent code expects this answer and handles it: a state answer, not a bad request.
    kind="state",
)
JOB_NOT_FOUND = Row(
    "job.not-found",
    "§5.2, §8",
    "name",
    "no job named {name!r} (never scheduled, deleted, or finished)",
    lambda errors, protocol, params: _not_found(errors, params["name"]),
    kind="state",
)
DATA_NOT_RENDERABLE = Row(
    "data.not-json-renderable",
    "§4",
    "data",
    "daprd's HTTP GET cannot render this job as JSON ({detail})",
    lambda errors, protocol, params: DaprError(
        500, "INTERNAL", "ERR_INTERNAL", f"failed to encode response as JSON: {params['detail']}"
    ),
    hint="read such jobs over gRPC (GetJob returns them as stored); data sent over gRPC renders when its Any "
    "has a type URL daprd knows (e.g. a packed google.protobuf.Value)",
    kind="state",
)

# -- warnings ----------------------------------------------------------------------------------------
UNKNOWN_KEY = Row(
    "body.unknown-key",
    "§3",
    "{path}",
    "{path} is not a field of the Dapr {version} job body; Dapr drops it silently",
    kind="warning",
)
HAND_MADE_ANY = Row(
    "data.hand-made-any",
    "§3, §4",
    "$.data",
    'data is an object with "@type": since Dapr 1.14.3 HTTP data is any JSON value and is not interpreted '
    "as a protobuf Any; the app will receive this object verbatim",
    hint="send the payload itself as data (a string, number or object)",
    kind="warning",
)

DATALESS_HTTP_JOB = Row(
    "data.none-over-http",
    "§4, §10.1",
    "$.data",
    "Dapr {version} stores a job scheduled over HTTP without data as a google.protobuf.Value with no kind: "
    "its GET answers 500 and every trigger to an HTTP app fails (fixed in Dapr 1.18.3)",
    hint='send some data (e.g. "data": {{}}) or schedule the job over gRPC',
    kind="warning",
)
TRIGGER_WITHOUT_APP = Row(
    "trigger.no-app",
    "§8",
    "trigger",
    "job {name!r} fell due, but nothing receives triggers: no on_job handler for it and no app target; "
    'daprd fails the attempt ("received job, but app channel not initialized") and the failure policy '
    "applies",
    hint="register @fake.on_job({name!r}) or set one of wsgi_app, asgi_app, app_grpc_address, app_url "
    "(the CLI: --app-url or --app-grpc-address, or POST /_dapr-jobs-fake/app)",
    kind="warning",
)
TRIGGER_JSON_TO_GRPC_APP = Row(
    "trigger.json-data-to-grpc-app",
    "§10.2",
    "trigger",
    "job {name!r} was scheduled over HTTP with JSON data, and daprd delivers it to a gRPC app as a packed "
    "google.protobuf.Value: the app's event.data holds protobuf bytes, not JSON text",
    hint="decode it with struct_pb2.Value.FromString(event.data) (then json_format.MessageToDict), or "
    "schedule the job over gRPC with the JSON bytes as data",
    kind="warning",
)


def _not_found(errors: ErrorCatalogue, name: str) -> DaprError:
    """GET of a missing job: 1.15+ NotFound with the name, 1.14 Unknown with the storage key (§5.2)."""
    if errors.profile.not_found_style == "unknown-key":
        return errors.scheduler("get", f"job not found: {errors.storage_key(name)}", "UNKNOWN")
    return errors.scheduler("get", f"job not found: {name}", "NOT_FOUND")


#: Every row, for docs and tests (docs/contract.md has one section per rule id).
ALL_ROWS: tuple[Row, ...] = tuple(value for value in list(globals().values()) if isinstance(value, Row))


def name_hint(policy: str) -> str:
    """What names the profile's validator accepts, for the `name.invalid` hint (§6)."""
    return _NAME_RULES_NEW if policy.startswith("path-safe") else _NAME_RULES_OLD
