"""Dapr's error answers as values (contract §5).

The contract and the engine raise `DaprError`; each adapter renders it in its protocol's real shape.
`ErrorCatalogue` builds every error of §5.2 for one profile, so status codes, error codes and
messages live in one place and a version difference is a profile field, not an `if` elsewhere.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .profiles import Profile

ErrorShape = Literal["kit", "api", "text", "bare"]

#: `google.rpc.ErrorInfo` type URL used in kit error details (§5.1).
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass(frozen=True)
class DaprError(Exception):
    """One error answer. `shape` picks the body: kit (with ErrorInfo details), api (code and message),
    text (Go's `http.Error` plain text, used for 401) or bare (net/http's own "400 Bad Request")."""

    http_status: int
    grpc_code: str
    error_code: str
    message: str
    shape: ErrorShape = "api"
    metadata: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.http_status} {self.error_code or 'error'}: {self.message}"

    def http_body(self) -> tuple[bytes, str]:
        """The HTTP body and its Content-Type, exactly as daprd writes them (§5.1)."""
        if self.shape == "text":
            return (self.message + "\n").encode(), "text/plain; charset=utf-8"
        if self.shape == "bare":  # net/http's own answer to a malformed request line
            return self.message.encode(), "text/plain; charset=utf-8"
        body: dict[str, object] = {"errorCode": self.error_code, "message": self.message}
        if self.shape == "kit":
            body["details"] = [
                {
                    "@type": ERROR_INFO_TYPE,
                    "domain": "dapr.io",
                    "metadata": dict(sorted(self.metadata)),
                    "reason": self.error_code,
                }
            ]
        return json.dumps(body, separators=(",", ":")).encode(), "application/json"


#: grpc-go's `HTTPStatusFromCode` for the codes the Scheduler returns (Unknown is mapped to Internal
#: first by daprd, §5.2).
_HTTP_STATUS_OF_GRPC_CODE = {"ALREADY_EXISTS": 409, "NOT_FOUND": 404, "INVALID_ARGUMENT": 400}

#: How grpc-go spells a code inside `rpc error: code = <Code> desc = ...`.
_GO_CODE_NAME = {
    "UNKNOWN": "Unknown",
    "ALREADY_EXISTS": "AlreadyExists",
    "NOT_FOUND": "NotFound",
    "INTERNAL": "Internal",
}


class ErrorCatalogue:
    """Builds the errors of contract §5.2 for one profile, app ID and namespace."""

    def __init__(self, profile: Profile, app_id: str, namespace: str) -> None:
        self.profile = profile
        self.app_id = app_id
        self.namespace = namespace

    # -- helpers --------------------------------------------------------------------------------
    def _code(self, suffix: str) -> str:
        return f"{self.profile.error_code_prefix}SCHEDULER_{suffix}"

    def _meta(self, *, with_namespace: bool = True) -> tuple[tuple[str, str], ...]:
        if with_namespace:
            return (("appID", self.app_id), ("namespace", self.namespace))
        return (("appID", self.app_id),)

    def storage_key(self, name: str) -> str:
        """The Scheduler's etcd key for a job (§6): `app||<namespace>||<appID>||<name>`."""
        return f"app||{self.namespace}||{self.app_id}||{name}"

    @staticmethod
    def rpc_error(code: str, desc: str) -> str:
        """`grpcErr.Error()` as Go prints it."""
        return f"rpc error: code = {_GO_CODE_NAME[code]} desc = {desc}"

    # -- daprd-side (before the Scheduler) ------------------------------------------------------
    def unauthorized(self) -> DaprError:
        return DaprError(401, "UNAUTHENTICATED", "", "invalid api token", shape="text")

    def body_read(self) -> DaprError:
        return DaprError(
            400, "INVALID_ARGUMENT", "ERR_BODY_READ", "failed to read request body: stream too large"
        )

    def malformed(self, detail: str) -> DaprError:
        return DaprError(
            400, "INVALID_ARGUMENT", "ERR_MALFORMED_REQUEST", f"failed deserializing HTTP body: {detail}"
        )

    def name_in_body(self) -> DaprError:
        return DaprError(
            400,
            "INVALID_ARGUMENT",
            self._code("JOB_NAME"),
            "Set the job name in the url only",
            shape="kit",
            metadata=self._meta(with_namespace=False),
        )

    def name_empty(self) -> DaprError:
        return DaprError(
            400,
            "INVALID_ARGUMENT",
            self._code("JOB_NAME_EMPTY"),
            "Name is empty",
            shape="kit",
            metadata=self._meta(),
        )

    def schedule_empty(self) -> DaprError:
        return DaprError(
            400,
            "INVALID_ARGUMENT",
            self._code("SCHEDULE_EMPTY"),
            "Schedule is empty",
            shape="kit",
            metadata=self._meta(),
        )

    def job_empty(self) -> DaprError:
        """gRPC only: a `ScheduleJobRequest` without a job (§5.2, gRPC equivalents)."""
        return DaprError(
            400, "INVALID_ARGUMENT", self._code("EMPTY"), "Job is empty", shape="kit", metadata=self._meta()
        )

    # -- Scheduler-originated -------------------------------------------------------------------
    def schedule_failed(self, desc: str, code: str = "UNKNOWN") -> DaprError:
        """A Scheduler rejection of ScheduleJob: `failed to schedule job due to: rpc error: ...`."""
        status = 500
        grpc_code = "INTERNAL"
        if self.profile.post_status_from_grpc_code and code in _HTTP_STATUS_OF_GRPC_CODE:
            status = _HTTP_STATUS_OF_GRPC_CODE[code]
            grpc_code = code
        return DaprError(
            status,
            grpc_code,
            self._code("SCHEDULE_JOB"),
            f"failed to schedule job due to: {self.rpc_error(code, desc)}",
            shape="kit",
            metadata=self._meta(),
        )

    def validation_failed(self, reason: str) -> DaprError:
        """`Builder.Parse` / cron parser rejections, wrapped as the Scheduler's handler does (§5.2)."""
        return self.schedule_failed(f"job failed validation: {reason}")

    def already_exists(self, name: str) -> DaprError:
        return self.schedule_failed(f"job already exists: '{self.storage_key(name)}'", code="ALREADY_EXISTS")

    def get_not_found(self, name: str) -> DaprError:
        if self.profile.not_found_style == "unknown-key":
            desc = self.rpc_error("UNKNOWN", f"job not found: {self.storage_key(name)}")
        else:
            desc = self.rpc_error("NOT_FOUND", f"job not found: {name}")
        return DaprError(
            500,
            "INTERNAL",
            self._code("GET_JOB"),
            f"failed to get job due to: {desc}",
            shape="kit",
            metadata=self._meta(),
        )

    def get_failed(self, desc: str, code: str = "UNKNOWN") -> DaprError:
        return DaprError(
            500,
            "INTERNAL",
            self._code("GET_JOB"),
            f"failed to get job due to: {self.rpc_error(code, desc)}",
            shape="kit",
            metadata=self._meta(),
        )

    def delete_failed(self, desc: str, code: str = "UNKNOWN") -> DaprError:
        return DaprError(
            500,
            "INTERNAL",
            self._code("DELETE_JOB"),
            f"failed to delete job due to: {self.rpc_error(code, desc)}",
            shape="kit",
            metadata=self._meta(),
        )

    def direct_invoke_not_found(self) -> DaprError:
        """daprd's service-invocation fallback for any unknown route (§2)."""
        return DaprError(
            404,
            "NOT_FOUND",
            "ERR_DIRECT_INVOKE",
            "failed getting app id either from the URL path or the header dapr-app-id",
        )
