"""Dapr versions as data (contract §1).

A `Profile` holds every way one Dapr release's Jobs API differs from another's. Everything
version-specific in the fake reads a profile field; supporting another row of the §1 matrix means
adding a `Profile` value here (and, if its body shape differs, a schema file), nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .model import DEFAULT_FAILURE_POLICY, FailurePolicy

NamePolicy = Literal["dns1123", "dns1123-space", "path-safe"]
DataMode = Literal["value", "verbatim"]


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
    #: JSON Schema file (in `schemas/`) for the POST body and the GET answer.
    schema_file: str
    #: Top-level key the job is wrapped in (`{"job": {...}}`, 1.14.0-rc only), or None (§3).
    body_wrapper: str | None = None
    #: "value": any JSON `data`, stored as google.protobuf.Value and GET-rendered Any-wrapped (1.14.3+);
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
    #: A job scheduled over HTTP without `data` cannot be rendered (GET 500 ERR_INTERNAL) nor
    #: delivered (Dapr 1.14.3 to 1.18.2; fixed in 1.18.3, §1 corrections, §4, §10.1).
    dataless_http_jobs_broken: bool = False
    #: Job-name rules (§6): "dns1123" (1.14), "dns1123-space" (1.15 to 1.18.1), "path-safe" (1.18.2+).
    name_policy: NamePolicy = "path-safe"
    #: daprd answers 400 "Name is empty" for a `|` in the name (old policy, §5.2).
    pipe_rejected: bool = False
    #: `@every` below a second is exact (1.16+), else rounded up to whole seconds (§7).
    exact_every: bool = True
    #: A `TZ=` prefix alone or with `@every` is an error (1.18.3+); earlier kit panicked / ignored it (§7).
    strict_tz_prefix: bool = True
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
    #: The app callback: stable `OnJobEvent` first, then `OnJobEventAlpha1` (1.18+, §10.2).
    app_stable_callback: bool = True

    def job_paths(self) -> tuple[str, ...]:
        return tuple(f"/{version}/jobs/" for version in self.api_versions)


DAPR_1_18 = Profile(
    key="1.18",
    runtime_version="1.18.3",
    summary="Dapr 1.18.3: stable /v1.0/jobs and alpha routes, overwrite, failure policies (default)",
    api_versions=("v1.0-alpha1", "v1.0"),
    schema_file="jobs-1.18.schema.json",
)

DOCS_1_14_ALPHA = Profile(
    key="docs-1.14-alpha",
    runtime_version="1.14.0-docs",
    summary='the v1.14 alpha reference document, literally: {"job": {...}} bodies, 202 answers, raw data',
    api_versions=("v1.0-alpha1",),
    schema_file="jobs-docs-1.14-alpha.schema.json",
    body_wrapper="job",
    data_mode="verbatim",
    error_code_prefix="",
    overwrite_supported=False,
    failure_policy_exposed=False,
    results_reported=False,
    name_policy="dns1123",
    pipe_rejected=True,
    exact_every=False,
    strict_tz_prefix=False,
    post_status_from_grpc_code=False,
    not_found_style="unknown-key",
    schedule_status=202,
    get_status=202,
    delete_status=202,
    grpc_stable_jobs=False,
    grpc_list_and_prefix=None,
    app_stable_callback=False,
)

PROFILES: dict[str, Profile] = {p.key: p for p in (DAPR_1_18, DOCS_1_14_ALPHA)}
DEFAULT_PROFILE = DAPR_1_18


def get_profile(key: str | Profile) -> Profile:
    """The profile named `key`; a clear error lists the known ones."""
    if isinstance(key, Profile):
        return key
    try:
        return PROFILES[key]
    except KeyError:
        known = ", ".join(sorted(PROFILES))
        raise ValueError(f"unknown Dapr version {key!r}; this fake emulates: {known}") from None
