"""The contract layer: requests in, validated `JobSpec`/`JobPlan` or Dapr's exact rejection out.

This is the only module that knows request shapes and the order in which daprd and the Scheduler
check them (contract §3 "Processing order", go-etcd-cron `Builder.Parse`). Both adapters (HTTP and
gRPC) feed it the same JSON-like field dict, so one schema and one rule set check both protocols.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .cron import CronError, parse_schedule
from .decode import DecodeError, decode_job_body
from .errors import DaprError, ErrorCatalogue
from .model import NS_PER_SECOND, VALUE_TYPE_URL, FailurePolicy, JobData, JobPlan, JobSpec
from .names import invalid_name_reason
from .profiles import Profile
from .render import UnrenderableData, render_any, render_data, render_policy
from .schema import uint32_value
from .timefmt import PointInTimeError, parse_point_in_time, parse_proto_duration


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class Rejected(Exception):
    """A request the emulated version refuses: the answer to send and the finding to record."""

    def __init__(
        self,
        error: DaprError,
        location: str,
        rule: str,
        explanation: str,
        hint: str | None = None,
        section: str | None = None,
        *,
        violation: bool = True,
    ) -> None:
        super().__init__(error.message)
        self.error = error
        self.location = location
        self.rule = rule
        self.explanation = explanation
        self.hint = hint
        self.section = section
        #: False for refusals caused by state rather than by the request (a GET of a missing job).
        self.violation = violation


@dataclass(frozen=True)
class Suspicion:
    """An accepted request that looks wrong (becomes a ContractWarning)."""

    location: str
    rule: str
    message: str
    hint: str | None = None


_WRAPPER_HINT = (
    'the {"job": {...}} wrapper was accepted only by Dapr v1.14.0-rc.1/rc.2 and appears in the v1.14 alpha '
    "reference document (profile docs-1.14-alpha); Dapr 1.14.0 and later read the job fields at the top "
    'level: send {"dueTime": "30s", "data": ...} instead'
)


class Contract:
    """The Jobs API contract of one profile, for one app ID and namespace."""

    def __init__(self, profile: Profile, app_id: str, namespace: str) -> None:
        self.profile = profile
        self.errors = ErrorCatalogue(profile, app_id, namespace)

    # -- POST ---------------------------------------------------------------------------------
    def parse_http_schedule(self, url_name: str, raw: bytes) -> tuple[JobSpec, list[Suspicion]]:
        """Decode and check a POST body in daprd's order (§3), before the Scheduler sees it."""
        try:
            decoded = decode_job_body(
                raw,
                self.profile.schema_file,
                wrapper=self.profile.body_wrapper,
                policy_fields=self.profile.failure_policy_exposed,
            )
        except DecodeError as err:
            raise Rejected(
                self.errors.malformed(err.detail), err.path, "body.malformed", err.explanation, section="§3"
            ) from None
        suspicions = [
            Suspicion(
                path,
                "body.unknown-key",
                f"{path} is not a field of the Dapr {self.profile.key} job body; Dapr drops it silently",
            )
            for path in decoded.dropped_keys
        ]
        if decoded.wrapper_seen:
            suspicions = [s for s in suspicions if s.location != "$.job"]
        try:
            spec = self.spec_from_fields(url_name.strip(), decoded.fields, protocol="http")
        except Rejected as rejected:
            if decoded.wrapper_seen and rejected.rule == "schedule.empty":
                rejected.hint = _WRAPPER_HINT
                rejected.location = "$.job"
                rejected.explanation = (
                    f'the body wraps the job in {{"job": ...}}, which Dapr {self.profile.key} does not read, '
                    "so it "
                    "sees neither schedule nor dueTime"
                )
            raise
        suspicions += self._suspicions(spec)
        return spec, suspicions

    def spec_from_fields(self, name: str, fields: dict[str, Any], *, protocol: str) -> JobSpec:
        """Build a spec from decoded fields (JSON names), applying daprd's pre-Scheduler checks."""
        if fields.get("name"):
            raise Rejected(
                self.errors.name_in_body(),
                "$.name",
                "name.in-body",
                "the body sets name; daprd takes the name from the URL only",
                hint="remove name from the body",
                section="§3, §5.2",
            )
        if not name or (self.profile.pipe_rejected and "|" in name):
            why = (
                "the job name is empty"
                if not name
                else "the job name contains '|', which this version refuses"
            )
            raise Rejected(
                self.errors.name_empty(),
                "url" if protocol == "http" else "job.name",
                "name.empty",
                why,
                section="§5.2, §6",
            )
        if fields.get("schedule") is None and fields.get("dueTime") is None:
            raise Rejected(
                self.errors.schedule_empty(),
                "$",
                "schedule.empty",
                "the job has neither schedule nor dueTime, so it would never run",
                hint='add "schedule" (e.g. "@every 1m") or "dueTime" (e.g. "30s")',
                section="§3, §5.2",
            )
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

    def _data(self, fields: dict[str, Any]) -> JobData | None:
        if "data" not in fields:
            return None
        if isinstance(fields["data"], JobData):
            return fields["data"]
        return JobData(type_url=VALUE_TYPE_URL, json_value=fields["data"])

    @staticmethod
    def _policy(raw: Any) -> FailurePolicy | None:
        if raw is None:
            return None
        if isinstance(raw, FailurePolicy):
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
        found = []
        data = spec.data
        if (
            data is not None
            and isinstance(data.json_value, dict)
            and "@type" in data.json_value
            and self.profile.data_mode == "value"
        ):
            found.append(
                Suspicion(
                    "$.data",
                    "data.hand-made-any",
                    'data is an object with "@type": since Dapr 1.14.3 HTTP data is any JSON value and '
                    "is not "
                    "interpreted as a protobuf Any; the app will receive this object verbatim",
                    hint="send the payload itself as data (a string, number or object)",
                )
            )
        return found

    # -- Scheduler ----------------------------------------------------------------------------
    def check_name(self, name: str, operation: str) -> None:
        """The Scheduler's name validator (§6); GET and DELETE get it too, with their own prefix.

        A name with bytes that are not UTF-8 (`%FF` in the URL; kept as surrogate escapes by `gourl`)
        never reaches the validator: daprd's gRPC client cannot marshal it into the Scheduler request,
        a proto3 string (inferred from grpc-go `encode` and protobuf-go `errInvalidUTF8`).
        """
        code, section = "UNKNOWN", "§6"
        if not _is_utf8(name):
            code, reason = "INTERNAL", "grpc: error while marshaling: string field contains invalid UTF-8"
            hint, section = "job names must be valid UTF-8 once percent-decoded", "§2, §6"
        else:
            found = invalid_name_reason(name, self.errors.storage_key(name), self.profile.name_policy)
            if found is None:
                return
            reason, hint = found, self._name_hint()
        error = {
            "schedule": lambda: self.errors.schedule_failed(reason, code),
            "get": lambda: self.errors.get_failed(reason, code),
            "delete": lambda: self.errors.delete_failed(reason, code),
        }[operation]()
        raise Rejected(error, "url", "name.invalid", reason, section=section, hint=hint)

    def _name_hint(self) -> str:
        if self.profile.name_policy == "path-safe":
            return "job names may not contain / \\ # ? or control characters, nor be '.' or '..'"
        return (
            "use letters, digits, '.', '-', '_' and ':' only, starting and ending with a letter or digit "
            "(Dapr before 1.18.2 validates names as DNS-1123 subdomains)"
        )

    def plan(self, spec: JobSpec, now_ns: int) -> JobPlan:
        """go-etcd-cron `Builder.Parse`: resolve times against the Scheduler clock, in its order (§8)."""
        self.check_name(spec.name, "schedule")

        def fail(reason: str, location: str, rule: str, hint: str | None = None) -> Rejected:
            return Rejected(
                self.errors.validation_failed(reason),
                location,
                rule,
                reason,
                hint=hint,
                section="§5.2, §7, §8",
            )

        if spec.schedule is None and (spec.repeats or 0) > 1:
            raise fail(
                "job must have a schedule to repeat",
                "$.repeats",
                "repeats.without-schedule",
                "add a schedule, or drop repeats",
            )
        if spec.repeats is not None and spec.repeats < 1:
            raise fail(
                "defined repeats must be greater than 0",
                "$.repeats",
                "repeats.zero",
                "leave repeats out for an unbounded job",
            )
        if spec.schedule is None and spec.ttl is not None:
            raise fail("job must have a schedule to have a ttl", "$.ttl", "ttl.without-schedule")
        schedule = None
        if spec.schedule is not None:
            try:
                schedule = parse_schedule(
                    spec.schedule,
                    exact_every=self.profile.exact_every,
                    strict_tz_prefix=self.profile.strict_tz_prefix,
                )
            except CronError as err:
                raise fail(
                    str(err),
                    "$.schedule",
                    "schedule.invalid",
                    'a schedule is 6 cron fields with seconds ("0 30 * * * *"), a descriptor such as '
                    '"@daily", or "@every <Go duration>"',
                ) from None
        policy = spec.failure_policy or self.profile.default_failure_policy or FailurePolicy("drop")
        created = now_ns - now_ns % NS_PER_SECOND
        begin = None
        if spec.due_time is not None:
            try:
                begin = parse_point_in_time(spec.due_time, created)
            except PointInTimeError as err:
                raise fail(
                    str(err),
                    "$.dueTime",
                    "dueTime.invalid",
                    'dueTime is an RFC3339 time ("2030-01-01T00:00:00Z"), a Go duration ("30s", "1h30m") '
                    'or an ISO 8601 duration ("PT30S")',
                ) from None
        expiration = None
        if spec.ttl is not None:
            try:
                expiration = parse_point_in_time(spec.ttl, begin if begin is not None else created)
            except PointInTimeError:
                raise fail(
                    "ttl format not recognized",
                    "$.ttl",
                    "ttl.invalid",
                    "ttl takes the same formats as dueTime",
                ) from None
            if begin is not None and begin > expiration:
                raise fail(
                    "ttl must be greater than due time",
                    "$.ttl",
                    "ttl.before-dueTime",
                    "a relative ttl counts from dueTime, not from creation",
                )
        return JobPlan(
            spec=spec,
            created_ns=created,
            begin_ns=begin,
            expiration_ns=expiration,
            schedule=schedule,
            failure_policy=policy,
        )

    def already_exists(self, name: str) -> Rejected:
        return Rejected(
            self.errors.already_exists(name),
            "url",
            "job.exists",
            f"a job named {name!r} already exists and the request does not set overwrite",
            hint='send "overwrite": true to replace it, or delete it first',
            section="§1, §5.2",
        )

    def not_found(self, name: str) -> Rejected:
        return Rejected(
            self.errors.get_not_found(name),
            "url",
            "job.not-found",
            f"no job named {name!r} (never scheduled, deleted, or finished)",
            section="§5.2, §8",
            violation=False,
        )

    def check_renderable(self, data: JobData) -> None:
        """daprd's `respondWithProto` on a job whose `data` protojson cannot marshal (§4): 500
        ERR_INTERNAL. Happens for the Python SDK's usual `Any` (empty type URL, JSON bytes)."""
        try:
            render_any(data)
        except UnrenderableData as err:
            raise Rejected(
                DaprError(500, "INTERNAL", "ERR_INTERNAL", f"failed to encode response as JSON: {err}"),
                "data",
                "data.not-json-renderable",
                f"the job was created over gRPC with data of type {data.type_url!r}, which daprd's HTTP "
                f"GET cannot render as JSON ({err})",
                hint="read jobs created over gRPC over gRPC, or give the Any a type URL daprd knows "
                "(e.g. pack a google.protobuf.Value)",
                section="§4",
                violation=False,
            ) from None

    # -- GET rendering ------------------------------------------------------------------------
    def render_job(self, spec: JobSpec, effective_policy: FailurePolicy | None) -> dict[str, Any]:
        """The GET body, fields in proto order, echoed as submitted (§4)."""
        body: dict[str, Any] = {"name": spec.name}
        for key, value in (
            ("schedule", spec.schedule),
            ("repeats", spec.repeats),
            ("dueTime", spec.due_time),
            ("ttl", spec.ttl),
        ):
            if value is not None:
                body[key] = value
        if spec.data is not None:
            body["data"] = render_data(spec.data, self.profile)
        if self.profile.failure_policy_exposed and effective_policy is not None:
            body["failurePolicy"] = render_policy(effective_policy)
        return body
