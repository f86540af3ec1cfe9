"""The contract of one Dapr version: requests in, validated `JobSpec`/`JobPlan` or Dapr's exact rejection out.

This is the only module that knows the order in which daprd and the Scheduler check a job (contract §3
"Processing order", go-etcd-cron `Builder.Parse`). Both adapters feed it the same protojson-named field
dict (`decode` builds it from an HTTP body, `sidecar.grpc_convert` from a proto), so one rule set checks
both protocols. Every refusal is a row of `rows.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..golang.calendar import NS_PER_SECOND
from ..golang.cron import CronError, parse_schedule
from ..golang.pointintime import PointInTimeError, parse_point_in_time
from ..golang.protoduration import parse_proto_duration
from . import rows, scheduler_size
from .decode import DecodeError, ValidBodies, decode_job_body
from .errors import ErrorCatalogue, Protocol, Rejected, SchedulerOp, Suspicion
from .model import KINDLESS_VALUE, VALUE_TYPE_URL, FailurePolicy, JobData, JobPlan, JobSpec
from .names import invalid_name_reason
from .profiles import Profile
from .proto_json import any_from_json
from .protojson import UnrenderableData, render_any, render_policy
from .schema import uint32_value


@dataclass(frozen=True)
class HttpSchedule:
    """A POST body daprd accepted for the Scheduler: the spec, the parsed body, and what looked wrong."""

    spec: JobSpec
    body: Any
    suspicions: list[Suspicion] = field(default_factory=list)


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Contract:
    """The Jobs API contract of one profile, for one app ID and namespace."""

    def __init__(self, profile: Profile, app_id: str, namespace: str) -> None:
        self.profile = profile
        self.errors = ErrorCatalogue(profile, app_id, namespace)
        self._valid_bodies = ValidBodies()

    # -- POST ---------------------------------------------------------------------------------
    def decode_http_schedule(self, url_name: str, raw: bytes) -> HttpSchedule:
        """Decode and check a POST body in daprd's order (§3), before the Scheduler sees it."""
        profile = self.profile
        try:
            decoded = decode_job_body(
                raw,
                profile.schema_file,
                wrapper=profile.body_wrapper,
                policy_fields=profile.failure_policy_exposed,
                valid_bodies=self._valid_bodies,
                field_names=profile.protojson_errors_name_the_field,
                data_is_value=profile.data_mode != "any",
            )
        except DecodeError as err:
            raise rows.BODY_MALFORMED.reject(
                self.errors, detail=err.detail, path=err.path, explanation=err.explanation
            ) from None
        suspicions = [
            Suspicion(rows.UNKNOWN_KEY, path, {"path": path, "version": profile.key})
            for path in decoded.dropped_keys
            if not (decoded.wrapper_seen and path == "$.job")
        ]
        name = url_name.strip()
        if (
            decoded.wrapper_seen
            and decoded.fields.get("schedule") is None
            and decoded.fields.get("dueTime") is None
        ):
            self._check_request_name(name, decoded.fields, "http")
            raise rows.SCHEDULE_EMPTY_WRAPPED.reject(self.errors, version=profile.key)
        if (
            profile.body_wrapper
            and not decoded.wrapper_seen
            and decoded.fields.get("schedule") is None
            and decoded.fields.get("dueTime") is None
            and any(path in ("$.schedule", "$.dueTime") for path in decoded.dropped_keys)
        ):  # the job's fields sent unwrapped to a profile that reads them inside the wrapper
            self._check_request_name(name, decoded.fields, "http")
            raise rows.SCHEDULE_EMPTY_UNWRAPPED.reject(
                self.errors, version=profile.key, wrapper=profile.body_wrapper
            )
        spec = self.spec_from_fields(name, decoded.fields, protocol="http")
        suspicions += self._suspicions(spec)
        return HttpSchedule(spec, decoded.body, suspicions)

    def spec_from_fields(self, name: str, fields: dict[str, Any], *, protocol: Protocol) -> JobSpec:
        """Build a spec from decoded fields (JSON names), applying daprd's pre-Scheduler checks."""
        self._check_request_name(name, fields, protocol)
        if fields.get("schedule") is None and fields.get("dueTime") is None:
            raise rows.SCHEDULE_EMPTY.reject(self.errors, protocol)
        repeats = fields.get("repeats")
        return JobSpec(
            name=name,
            schedule=fields.get("schedule"),
            repeats=None if repeats is None else uint32_value(repeats),
            due_time=fields.get("dueTime"),
            ttl=fields.get("ttl"),
            data=self._data(fields),
            failure_policy=self._policy(fields.get("failurePolicy")),
            overwrite=bool(fields.get("overwrite", False)),
        )

    def _check_request_name(self, name: str, fields: dict[str, Any], protocol: Protocol) -> None:
        if fields.get("name"):
            raise rows.NAME_IN_BODY.reject(self.errors, protocol)
        if not name:
            raise rows.NAME_EMPTY.reject(self.errors, protocol, why="the job name is empty")
        if self.profile.pipe_rejected and "|" in name:
            raise rows.NAME_EMPTY.reject(
                self.errors, protocol, why="the job name contains '|', which this version refuses"
            )

    def _data(self, fields: dict[str, Any]) -> JobData | None:
        if "data" not in fields:
            return None
        data = fields["data"]
        if isinstance(data, JobData):
            return data
        if self.profile.data_mode == "any":
            return any_from_json(data, self.errors)
        return JobData(type_url=VALUE_TYPE_URL, json_value=data)

    @staticmethod
    def _policy(raw: Any) -> FailurePolicy | None:
        if raw is None or isinstance(raw, FailurePolicy):
            return raw
        if raw.get("drop") is not None:
            return FailurePolicy("drop")
        constant = raw.get("constant")
        if constant is None:
            return FailurePolicy("unset")
        interval = constant.get("interval")
        retries = constant.get("maxRetries", constant.get("max_retries"))
        return FailurePolicy(
            "constant",
            interval_ns=None if interval is None else parse_proto_duration(interval),
            max_retries=None if retries is None else uint32_value(retries),
        )

    def _suspicions(self, spec: JobSpec) -> list[Suspicion]:
        """What an accepted HTTP body likely did not mean (warnings)."""
        data = spec.data
        if data is None:
            if self.profile.dataless_http_jobs_broken:
                return [Suspicion(rows.DATALESS_HTTP_JOB, "$.data", {"version": self.profile.key})]
            return []
        if (
            isinstance(data.json_value, dict)
            and "@type" in data.json_value
            and self.profile.data_mode == "value"
        ):
            return [Suspicion(rows.HAND_MADE_ANY, "$.data")]
        return []

    # -- Scheduler ----------------------------------------------------------------------------
    def check_name(self, name: str, operation: SchedulerOp, protocol: Protocol = "http") -> None:
        """The Scheduler's name validator (§6); GET and DELETE get it too, with their own prefix.

        A name with bytes that are not UTF-8 (`%FF` in the URL; kept as surrogate escapes by
        `golang.url`) never reaches the validator: daprd's gRPC client cannot marshal it into the
        Scheduler request, a proto3 string (inferred from grpc-go `encode`, protobuf-go `errInvalidUTF8`).
        """
        if not _is_utf8(name):
            raise rows.NAME_NOT_UTF8.reject(
                self.errors,
                protocol,
                op=operation,
                code="INTERNAL",
                reason="grpc: error while marshaling: string field contains invalid UTF-8",
            )
        reason = invalid_name_reason(name, self.errors.storage_key(name), self.profile.name_policy)
        if reason is not None:
            raise rows.NAME_INVALID.reject(
                self.errors,
                protocol,
                op=operation,
                reason=reason,
                name_hint=rows.name_hint(self.profile.name_policy),
            )

    def plan(self, spec: JobSpec, now_ns: int, protocol: Protocol = "http") -> JobPlan:
        """go-etcd-cron `Builder.Parse`: resolve times against the Scheduler clock, in its order (§8)."""
        self.check_name(spec.name, "schedule", protocol)
        errors = self.errors
        if spec.schedule is None and (spec.repeats or 0) > 1:
            raise rows.REPEATS_WITHOUT_SCHEDULE.reject(
                errors, protocol, reason="job must have a schedule to repeat"
            )
        if spec.repeats is not None and spec.repeats < 1:
            raise rows.REPEATS_ZERO.reject(errors, protocol, reason="defined repeats must be greater than 0")
        if spec.schedule is None and spec.ttl is not None:
            raise rows.TTL_WITHOUT_SCHEDULE.reject(
                errors, protocol, reason="job must have a schedule to have a ttl"
            )
        schedule = None
        if spec.schedule is not None:
            try:
                schedule = parse_schedule(
                    spec.schedule,
                    exact_every=self.profile.exact_every,
                    strict_tz_prefix=self.profile.strict_tz_prefix,
                    seconds_field=self.profile.cron_seconds,
                )
            except CronError as err:
                raise rows.SCHEDULE_INVALID.reject(errors, protocol, reason=str(err)) from None
        policy = spec.failure_policy
        if policy is None or policy.kind == "unset":  # `{}` is stored as the default policy (recorded on
            policy = self.profile.default_failure_policy  # 1.16.8-1.18.3: conformance */failure-policy-empty)
        created = now_ns - now_ns % NS_PER_SECOND if self.profile.truncate_creation else now_ns
        begin = None
        if spec.due_time is not None:
            try:
                begin = parse_point_in_time(spec.due_time, created)
            except PointInTimeError as err:
                raise rows.DUE_TIME_INVALID.reject(errors, protocol, reason=str(err)) from None
        expiration = None
        if spec.ttl is not None:
            try:
                expiration = parse_point_in_time(spec.ttl, begin if begin is not None else created)
            except PointInTimeError:
                raise rows.TTL_INVALID.reject(errors, protocol, reason="ttl format not recognized") from None
            if begin is not None and begin > expiration:
                raise rows.TTL_BEFORE_DUE_TIME.reject(
                    errors, protocol, reason="ttl must be greater than due time"
                )
        stored = spec.data
        if stored is None and protocol == "http" and self.profile.dataless_http_jobs_broken:
            stored = KINDLESS_VALUE  # `anypb.New` of a nil Value (1.14.3 to 1.18.2, §4)
        plan = JobPlan(
            spec=spec,
            created_ns=created,
            begin_ns=begin,
            expiration_ns=expiration,
            schedule=schedule,
            failure_policy=policy,
            stored_data=stored,
            kindless_value_fails=self.profile.dataless_http_jobs_broken,
            go_json_any_body=self.profile.data_mode == "any",
        )
        too_large = scheduler_size.refusal(plan, self.profile, self.errors.app_id, self.errors.namespace)
        if too_large is not None:
            code, desc = too_large
            raise rows.JOB_TOO_LARGE.reject(errors, protocol, code=code, desc=desc, reason=desc)
        return plan

    def already_exists(self, name: str, protocol: Protocol = "http") -> Rejected:
        return rows.JOB_EXISTS.reject(self.errors, protocol, name=name)

    def not_found(self, name: str, protocol: Protocol = "http") -> Rejected:
        return rows.JOB_NOT_FOUND.reject(self.errors, protocol, name=name)

    def check_renderable(self, plan: JobPlan) -> None:
        """daprd's `respondWithProto` on a job protojson cannot marshal (§4): 500 ERR_INTERNAL. Happens
        for the Python SDK's usual `Any` (empty type URL, JSON bytes), data nested deeper than the
        binary decoder allows, and a gRPC-sent interval that is not a valid Duration."""
        data = plan.stored_data
        try:
            if data is not None:
                render_any(data)
            if self.profile.failure_policy_exposed:
                render_policy(plan.failure_policy)
        except UnrenderableData as err:
            type_url = data.type_url if data is not None else ""
            raise rows.DATA_NOT_RENDERABLE.reject(self.errors, type_url=type_url, detail=str(err)) from None
