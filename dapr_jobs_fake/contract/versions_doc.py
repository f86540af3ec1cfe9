"""docs/versions.md, generated from the profiles so that it cannot drift from what the fake does.

    python -m dapr_jobs_fake.contract.versions_doc > docs/versions.md

One column per range of patches that behave alike (from the patch boundaries in `profiles`), one row
per `Profile` field that differs between any two of them. `tests/test_versions_doc.py` checks that the
committed page equals this output and that every field has a label here.
"""

from __future__ import annotations

import dataclasses

from ..golang.duration import format_go_duration
from .model import FailurePolicy
from .profiles import _LATEST, _PATCHES, DOCS_1_14_ALPHA, PROFILES, Profile, get_profile

#: What each field means, as a table row says it.
LABELS: dict[str, str] = {
    "key": "profile key",
    "runtime_version": "runtime version in /v1.0/metadata",
    "summary": "summary",
    "api_versions": "HTTP routes /<v>/jobs/<name> (§2)",
    "schema_file": "JSON Schema in schemas/",
    "body_wrapper": 'body wrapped in {"job": ...} (§3)',
    "data_mode": "HTTP `data` (§3): value = any JSON, any = a protojson Any, verbatim = as sent",
    "error_code_prefix": "errorCode prefix (§1)",
    "overwrite_supported": "duplicate name is 409 unless overwrite (§1); else every POST upserts",
    "failure_policy_exposed": "failure_policy in the body and on GET (§3, §4)",
    "default_failure_policy": "failure policy when none is given (§10.4)",
    "results_reported": "trigger results reported, so failures are retried (§10.3)",
    "dataless_http_jobs_broken": "data-less HTTP job: GET 500 and HTTP delivery fails (§4)",
    "name_policy": "job-name validator (§6)",
    "pipe_rejected": "`|` in a name is 400 Name is empty (§5.2)",
    "cron_seconds": "cron specs have a seconds field (6 fields) (§7)",
    "exact_every": "@every below a second is exact, not rounded to 1 s (§7)",
    "strict_tz_prefix": "bare TZ= prefix and TZ= with @every are errors, not a crash / ignored (§7)",
    "truncate_creation": "creation time truncated to the second (§1, §8)",
    "post_status_from_grpc_code": "POST errors take the status of the Scheduler's gRPC code; else 500 (§5.2)",
    "not_found_style": "GET of a missing job: NotFound with the name, or Unknown with the key (§5.2)",
    "schedule_status": "POST success status",
    "get_status": "GET success status",
    "delete_status": "DELETE success status",
    "grpc_stable_jobs": "gRPC ScheduleJob/GetJob/DeleteJob (stable) (§14)",
    "grpc_list_and_prefix": "gRPC ListJobs / DeleteJobsByPrefix (§14)",
    "scheduler_receive_limit": "the Scheduler's gRPC server takes at most (bytes) (§13)",
    "etcd_request_limit": "embedded etcd's request limit (bytes) (§13)",
    "scheduler_stores_policy": "the Scheduler stores the failure policy (§13 sizes)",
    "scheduler_partition_id_bytes": "stored partition id, bytes (most likely width) (§13 sizes)",
    "grpc_proxy_metadata": "metadata named in the proxy's answer to a method daprd lacks (§14)",
    "app_stable_callback": "app callback OnJobEvent first (else OnJobEventAlpha1 only) (§10.2)",
    "grpc_callback_token": "gRPC callbacks carry dapr-api-token (§10.2)",
    "hold_when_disconnected": "triggers held while no sidecar is connected; else dropped (§8)",
    "metadata_scheduler_key": "/v1.0/metadata has a scheduler key (§12)",
    "callback_name_after_last_pipes": "a job `x||y` reaches the app as `y` (§6)",
    "scheduler_outage": "with the Scheduler unreachable: answer after 30 s (deadline) or never (hang) (§5.2)",
    "scheduler_keepalive": "a hung Scheduler is given up on after 15 s (keepalive), else after 30 s (§5.2)",
    "max_header_bytes": "daprd's MaxHeaderBytes: a request head over it + 4 KiB is 431 (§13)",
    "go_chunk_lines_crlf_only": "chunk lines must end in CRLF (Go 1.23.8+/1.24.2+), else a bare LF is read",
    "go_content_length_checked_when_chunked": "a bad Content-Length beside chunked is a 400 (Go 1.23+)",
    "go_empty_header_name_skipped": "a header line `: v` is skipped (Go 1.22), not a 400",
    "protojson_errors_name_the_field": 'protojson type errors name the field ("string field schedule")',
}
_HIDDEN = ("key", "summary")


def columns() -> list[tuple[str, Profile]]:
    """(heading, profile) for every range of patches that behave alike, oldest first, then the docs."""
    found: list[tuple[str, Profile]] = []
    for line, latest in _LATEST.items():
        starts = sorted({0, *(boundary for boundary, _ in _PATCHES.get(line, []))})
        for start, end in zip(starts, [*starts[1:], latest + 1], strict=True):
            heading = f"{line}.{start}" if start == end - 1 else f"{line}.{start} to {line}.{end - 1}"
            profile = get_profile(line) if end - 1 == latest else get_profile(f"{line}.{start}")
            found.append((heading, profile))
    found.append(("docs-1.14-alpha", DOCS_1_14_ALPHA))
    return found


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, FailurePolicy):
        interval = "no interval" if value.interval_ns is None else format_go_duration(value.interval_ns)
        retries = "retries forever" if value.max_retries is None else f"{value.max_retries} retries"
        return f"{value.kind}, {interval}, {retries}" if value.kind == "constant" else value.kind
    if value is None or value == "":
        return "none" if value is None else '""'
    return str(value).replace("|", "\\|")


def render() -> str:
    cols = columns()
    lines = [
        "# Dapr versions",
        "",
        "Generated from `dapr_jobs_fake/contract/profiles.py` by",
        "`python -m dapr_jobs_fake.contract.versions_doc` (CI checks it is current). Pick a version with",
        "`--dapr-version`, `dapr_version=`, the `dapr_jobs` marker or ini `dapr_jobs_version`: a line",
        f"({', '.join(k for k in PROFILES if k != DOCS_1_14_ALPHA.key)}) means its latest patch; a full",
        "version (`1.16.17`) picks its patch's behaviour. Sections (§) are those of the wire contract",
        "(docs/contract.md).",
        "",
        "| | " + " | ".join(heading for heading, _ in cols) + " |",
        "|---|" + "---|" * len(cols),
    ]
    for field in dataclasses.fields(Profile):
        if field.name in _HIDDEN:
            continue
        values = [_cell(getattr(profile, field.name)) for _, profile in cols]
        lines.append(f"| {LABELS[field.name]} | " + " | ".join(values) + " |")
    lines += ["", "## Profiles", ""]
    lines += [f"- `{key}`: {profile.summary}" for key, profile in PROFILES.items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(render(), end="")
