"""Dapr versions as data (contract §1, and /work notes read from each release tag).

A `Profile` holds every way one Dapr release's Jobs API differs from another's; everything version-
specific in the fake reads a profile field. `PROFILES` has one profile per release line, each the
line's latest patch (`1.18` is 1.18.3), plus the v1.14 alpha reference document. `get_profile` also
takes a full version (`1.16.17`): a patch that changed wire behaviour inside its line gets that
behaviour (`_PATCHES`), any other patch its line's profile under its own version number.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from typing import Any, Literal

from .model import DEFAULT_FAILURE_POLICY, FailurePolicy

NamePolicy = Literal["dns1123", "dns1123-space", "path-safe-byte", "path-safe-unicode"]
DataMode = Literal["value", "verbatim", "any"]


@dataclass(frozen=True)
class Profile:
    """What one Dapr version does. Field comments name the contract section they come from."""

    #: The name users pick it by (`--dapr-version`, `dapr_version=`).
    key: str
    #: The runtime version the fake reports in `/v1.0/metadata` (§12).
    runtime_version: str
    #: One line for `--help` and docs.
    summary: str
    #: API versions that serve `/<v>/jobs/<name>` (§2).
    api_versions: tuple[str, ...]
    #: JSON Schema file (in `schemas/`) for the POST body and the GET answer: one per body shape.
    schema_file: str
    #: Top-level key the job is wrapped in (`{"job": {...}}`, 1.14.0-rc only), or None (§3).
    body_wrapper: str | None = None
    #: "value": any JSON `data`, stored as google.protobuf.Value and GET-rendered Any-wrapped (1.14.3+);
    #: "any": `data` is a protojson `google.protobuf.Any` with `@type` (1.14.0-1.14.2);
    #: "verbatim": stored and rendered back as sent (the docs-1.14-alpha document's GET shape).
    data_mode: DataMode = "value"
    #: errorCode prefix, `DAPR_` since 1.15 (§1).
    error_code_prefix: str = "DAPR_"
    #: Duplicate names answer 409 unless `overwrite` (1.16+, §1); before that every POST upserts.
    overwrite_supported: bool = True
    #: Body accepts `failure_policy`, GET shows it (1.16+).
    failure_policy_exposed: bool = True
    #: The policy the Scheduler applies when a job has none (§10.4).
    default_failure_policy: FailurePolicy = DEFAULT_FAILURE_POLICY
    #: daprd reports trigger results to the Scheduler, so failures are retried per policy (1.15+);
    #: 1.14.x never reports them: every attempt consumes its tick (§10.3).
    results_reported: bool = True
    #: A job scheduled over HTTP without `data` is stored as a Value with no kind: GET answers 500
    #: ERR_INTERNAL and delivery to an HTTP app fails (Dapr 1.14.3 to 1.18.2; fixed in 1.18.3, §1, §4).
    dataless_http_jobs_broken: bool = False
    #: Job-name validator (§6): "dns1123" (1.14: strip `_:-`, the message quotes the raw key),
    #: "dns1123-space" (1.15 to 1.18.1 unless patched: strip `_:- `, quotes the stripped key),
    #: "path-safe-byte" (1.16.17+, 1.17.11+, 1.18.2) and "path-safe-unicode" (1.18.3): the key of at
    #: most 512 bytes without `/ \\ # ?` or control characters.
    name_policy: NamePolicy = "path-safe-unicode"
    #: daprd answers 400 "Name is empty" for a `|` in the name (old policy, §5.2).
    pipe_rejected: bool = False
    #: Cron specs have a seconds field (6 fields, 1.15+); 1.14 parses 5 fields (`ParseStandard`, §7).
    cron_seconds: bool = True
    #: `@every` below a second is exact (1.16+), else rounded up to whole seconds (§7).
    exact_every: bool = True
    #: A `TZ=` prefix alone or with `@every` is an error (1.18.3+); earlier kit panicked / ignored it (§7).
    strict_tz_prefix: bool = True
    #: The Scheduler truncates the creation time to the second (go-etcd-cron < v0.9.0: 1.14.x and
    #: 1.15.0-1.15.11, §1): `dueTime: "10s"` at 00:00:00.5 fires at 10.0 there, at 10.5 later.
    truncate_creation: bool = False
    #: POST errors map the Scheduler's gRPC code to an HTTP status (1.16+); before, always 500 (§5.2).
    post_status_from_grpc_code: bool = True
    #: GET of a missing job: "not-found" (1.15+) or "unknown-key" (1.14, §5.2).
    not_found_style: Literal["not-found", "unknown-key"] = "not-found"
    #: Success statuses of POST, GET, DELETE (§2; the docs-1.14-alpha document says 202 for all).
    schedule_status: int = 204
    get_status: int = 200
    delete_status: int = 204
    #: gRPC: which job RPCs exist (§14): stable ScheduleJob/GetJob/DeleteJob (1.18+),
    #: List/DeleteByPrefix: None, "alpha1" (1.17) or "stable" (1.18+, alpha1 kept).
    grpc_stable_jobs: bool = True
    grpc_list_and_prefix: Literal["alpha1", "stable"] | None = "stable"
    #: What stands between daprd and etcd for a large job (§13, `contract.scheduler_size`): the 1.14
    #: Scheduler's gRPC server takes at most 4 MiB (1.15+: MaxInt32), 1.14's embedded etcd refuses a
    #: request over 1.5 MiB (1.15+: MaxInt32); go-etcd-cron stores the failure policy (v0.4+, 1.15+) and
    #: a random partition id, uint32 in 1.14 (5 bytes in the most likely case) and uint64 after (10).
    scheduler_receive_limit: int | None = None
    etcd_request_limit: int | None = None
    scheduler_stores_policy: bool = True
    scheduler_partition_id_bytes: int = 10
    #: A gRPC method daprd does not serve goes to its service-invocation proxy, which answers UNKNOWN
    #: "failed to proxy request: required metadata <these> not found" (`pkg/api/grpc/proxy`; recorded
    #: 1.14.4-1.18.3): `dapr-callee-app-id or dapr-app-id` from 1.16 (multi-app), `dapr-app-id` before.
    grpc_proxy_metadata: str = "dapr-callee-app-id or dapr-app-id"
    #: The app callback: stable `OnJobEvent` first, then `OnJobEventAlpha1` (1.18+, §10.2).
    app_stable_callback: bool = True
    #: gRPC job callbacks carry `dapr-api-token` (1.15.13+, 1.16.2+; never in 1.14, §10.2).
    grpc_callback_token: bool = True
    #: Triggers are held while no sidecar is connected or the app is unhealthy, and delivered when it
    #: is back (1.15+); 1.14 drops them, consuming the tick (§8 "Held triggers").
    hold_when_disconnected: bool = True
    #: `/v1.0/metadata` has a `scheduler` key (1.15+, §12).
    metadata_scheduler_key: bool = True
    #: A job named `x||y` reaches the app as `y`, and one ending in `||` never fires (1.16.17-1.16.19,
    #: 1.17.11-1.17.13; fixed in 1.18.2).
    callback_name_after_last_pipes: bool = False
    #: With the Scheduler unreachable, job calls answer after daprd's 30 s deadline ("deadline": 1.14,
    #: 1.15.6+), or never, until it is back ("hang": 1.15.0 to 1.15.5, recorded on 1.15.4; §5.2,
    #: `contract.outages`).
    scheduler_outage: Literal["deadline", "hang"] = "deadline"
    #: daprd's Scheduler client sends keepalive pings (1.16.2+), so a Scheduler process that hangs is
    #: given up on after 15 s with `Unavailable`; before, calls wait out the 30 s deadline (§5.2,
    #: recorded with a paused Scheduler; `contract.outages`).
    scheduler_keepalive: bool = True
    #: How daprd's HTTP server (Go's net/http, at the Go of each dapr/dapr go.mod) frames requests, §2,
    #: §13: the request head may use `MaxHeaderBytes` + 4 KiB (daprd sets `--read-buffer-size`, 4 KiB
    #: by default in 1.14 to 1.18, `pkg/api/http/server.go`), else 431.
    max_header_bytes: int = 4096
    #: Chunk-size and chunk-end lines must end in CRLF (Go 1.23.8+/1.24.2+, CVE-2025-22871: Dapr
    #: 1.15.5+); Dapr 1.14 (Go 1.22.6) and 1.15.0-1.15.4 (Go 1.23.6) also take a bare LF.
    go_chunk_lines_crlf_only: bool = True
    #: A bad Content-Length is refused beside `Transfer-Encoding: chunked` too (Go 1.23+); Go 1.22
    #: (Dapr 1.14) drops it unread.
    go_content_length_checked_when_chunked: bool = True
    #: A header line with an empty name (`: v`) is skipped (Go 1.22, Dapr 1.14); Go 1.23+ refuse it.
    go_empty_header_name_skipped: bool = False
    #: protojson names the field in type errors ("invalid value for string field schedule: {",
    #: protobuf-go 1.36, Dapr 1.15+); protobuf-go 1.34.2 (Dapr 1.14) says "invalid value for string type: {".
    protojson_errors_name_the_field: bool = True

    def job_paths(self) -> tuple[str, ...]:
        return tuple(f"/{version}/jobs/" for version in self.api_versions)

    def callback_name(self, name: str) -> str | None:
        """The name the app is called with for job `name`; None when the Scheduler cannot deliver it."""
        if not self.callback_name_after_last_pipes or "||" not in name:
            return name
        tail = name[name.rindex("||") + 2 :]
        return tail or None


_ALPHA = ("v1.0-alpha1",)
_BOTH = ("v1.0-alpha1", "v1.0")

DAPR_1_18 = Profile(
    key="1.18",
    runtime_version="1.18.3",
    summary="Dapr 1.18.3: stable /v1.0/jobs and alpha routes, overwrite, failure policies (default)",
    api_versions=_BOTH,
    schema_file="jobs-1.18.schema.json",
)
DAPR_1_17 = dataclasses.replace(
    DAPR_1_18,
    key="1.17",
    runtime_version="1.17.13",
    summary="Dapr 1.17.13: alpha routes only, List/DeleteByPrefix Alpha1 RPCs, OnJobEventAlpha1",
    api_versions=_ALPHA,
    schema_file="jobs-1.16.schema.json",  # the 1.18 body, schedules with the lenient TZ= rule
    dataless_http_jobs_broken=True,
    name_policy="path-safe-byte",
    strict_tz_prefix=False,
    grpc_stable_jobs=False,
    grpc_list_and_prefix="alpha1",
    app_stable_callback=False,
    callback_name_after_last_pipes=True,
)
DAPR_1_16 = dataclasses.replace(
    DAPR_1_17,
    key="1.16",
    runtime_version="1.16.19",
    summary="Dapr 1.16.19: overwrite (409 otherwise) and failure policies arrive; Alpha1 RPCs only",
    grpc_list_and_prefix=None,
)
DAPR_1_15 = dataclasses.replace(
    DAPR_1_16,
    key="1.15",
    runtime_version="1.15.14",
    summary="Dapr 1.15.14: every POST upserts, the default failure policy only, POST errors are 500",
    schema_file="jobs-1.15.schema.json",
    overwrite_supported=False,
    failure_policy_exposed=False,
    name_policy="dns1123-space",
    pipe_rejected=True,
    exact_every=False,
    post_status_from_grpc_code=False,
    scheduler_keepalive=False,
    callback_name_after_last_pipes=False,
    grpc_proxy_metadata="dapr-app-id",
)
DAPR_1_14 = dataclasses.replace(
    DAPR_1_15,
    key="1.14",
    runtime_version="1.14.5",
    summary="Dapr 1.14.5: SCHEDULER_ error codes, 5-field cron, no retries, dropped triggers when detached",
    schema_file="jobs-1.14.schema.json",
    error_code_prefix="",
    results_reported=False,
    name_policy="dns1123",
    cron_seconds=False,
    truncate_creation=True,
    not_found_style="unknown-key",
    grpc_callback_token=False,
    hold_when_disconnected=False,
    metadata_scheduler_key=False,
    go_chunk_lines_crlf_only=False,
    go_content_length_checked_when_chunked=False,
    go_empty_header_name_skipped=True,
    protojson_errors_name_the_field=False,
    scheduler_receive_limit=4 * 1024 * 1024,
    etcd_request_limit=1536 * 1024,
    scheduler_stores_policy=False,
    scheduler_partition_id_bytes=5,
)
DOCS_1_14_ALPHA = dataclasses.replace(
    DAPR_1_14,
    key="docs-1.14-alpha",
    runtime_version="1.14.0-docs",
    summary='the v1.14 alpha reference document, literally: {"job": {...}} bodies, 202 answers, raw data',
    schema_file="jobs-docs-1.14-alpha.schema.json",
    body_wrapper="job",
    data_mode="verbatim",
    dataless_http_jobs_broken=False,
    cron_seconds=True,
    grpc_callback_token=True,
    hold_when_disconnected=True,
    metadata_scheduler_key=True,
    schedule_status=202,
    get_status=202,
    delete_status=202,
)

PROFILES: dict[str, Profile] = {
    p.key: p for p in (DAPR_1_18, DAPR_1_17, DAPR_1_16, DAPR_1_15, DAPR_1_14, DOCS_1_14_ALPHA)
}
DEFAULT_PROFILE = DAPR_1_18

#: The patches of each line (0 to the latest), and what the patches below a boundary do differently:
#: (boundary, changes) pairs, newest first, applied cumulatively to the line's latest profile.
_LATEST = {"1.14": 5, "1.15": 14, "1.16": 19, "1.17": 13, "1.18": 3}
#: Dapr 1.14.0 to 1.14.2: the body is a runtime.v1.Job, `data` a protojson Any (§3 "Legacy bodies").
_ANY_DATA = {"data_mode": "any", "schema_file": "jobs-1.14.0.schema.json", "dataless_http_jobs_broken": False}
_OLD_NAMES = {"name_policy": "dns1123-space", "pipe_rejected": True, "callback_name_after_last_pipes": False}
_PATCHES: dict[str, list[tuple[int, dict[str, Any]]]] = {
    "1.18": [
        (
            3,
            {
                "dataless_http_jobs_broken": True,
                "strict_tz_prefix": False,
                "name_policy": "path-safe-byte",
                "schema_file": "jobs-1.16.schema.json",
            },
        ),
        (2, {"name_policy": "dns1123-space", "pipe_rejected": True}),
    ],
    "1.17": [
        (11, {"name_policy": "dns1123-space", "pipe_rejected": True, "callback_name_after_last_pipes": False})
    ],
    "1.16": [
        (
            17,
            {"name_policy": "dns1123-space", "pipe_rejected": True, "callback_name_after_last_pipes": False},
        ),
        (2, {"grpc_callback_token": False, "scheduler_keepalive": False}),
    ],
    "1.15": [
        (13, {"grpc_callback_token": False}),
        (12, {"truncate_creation": True}),
        (6, {"scheduler_outage": "hang"}),
        (5, {"go_chunk_lines_crlf_only": False}),  # Go 1.23.6 before 1.15.5 (Go 1.24.2)
    ],
    "1.14": [
        (
            3,
            {
                "data_mode": "any",
                "schema_file": "jobs-1.14.0.schema.json",
                "dataless_http_jobs_broken": False,
            },
        ),
    ],
}
_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?")


def get_profile(key: str | Profile) -> Profile:
    """The profile for a line (`"1.16"`), a full version (`"1.16.17"`), `"docs-1.14-alpha"` or a
    `Profile`; anything else is a ValueError listing what is known."""
    if isinstance(key, Profile):
        return key
    if key in PROFILES:
        return PROFILES[key]
    match = _VERSION.fullmatch(str(key).strip())
    if match is not None:
        line = f"{match[1]}.{match[2]}"
        patch = None if match[3] is None else int(match[3])
        if line in _LATEST and (patch is None or patch <= _LATEST[line]):
            return _patched(line, _LATEST[line] if patch is None else patch)
    lines = ", ".join(
        f"{line} (= {line}.{latest}, or any {line}.0-{line}.{latest})" for line, latest in _LATEST.items()
    )
    raise ValueError(
        f"unknown Dapr version {key!r}; this fake emulates {lines}, and docs-1.14-alpha (the v1.14 alpha "
        "reference document)"
    )


@functools.cache  # profiles are frozen values: one per patch, built once
def _patched(line: str, patch: int) -> Profile:
    profile = PROFILES[line]
    if patch == _LATEST[line]:
        return profile
    for boundary, changes in _PATCHES[line]:
        if patch < boundary:
            profile = dataclasses.replace(profile, **changes)
    version = f"{line}.{patch}"
    return dataclasses.replace(profile, key=version, runtime_version=version, summary=f"Dapr {version}")


def known_versions() -> list[str]:
    """Every version `get_profile` accepts, lines first (for `--help` and docs/versions.md)."""
    return [*PROFILES, *(f"{line}.{p}" for line, latest in _LATEST.items() for p in range(latest + 1))]
