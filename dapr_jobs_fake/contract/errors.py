"""Dapr's error answers as values (contract §5), each row declared once with its finding.

`DaprError` is one wire answer; each adapter renders it in its protocol's shape. `ErrorCatalogue`
builds them for one profile, app ID and namespace, so status codes, error codes and messages live in
one place and a version difference is a profile field, not an `if` elsewhere.

A `Row` (in `rows.py`) pairs one answer with what the fake tells the test about it: its rule id, the
JSON path or request part at fault, the explanation, the hint and the contract section. Raising
`row.reject(...)` gives a `Rejected`, which is never edited after it is raised: anything that depends on
the protocol (where the job name sits, how to phrase a hint) is resolved when the call is journaled.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .profiles import Profile

ErrorShape = Literal["kit", "api", "text", "bare", "unauthorized"]
Protocol = Literal["http", "grpc"]

#: `google.rpc.ErrorInfo` type URL used in kit error details (§5.1).
ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass(frozen=True)
class DaprError(Exception):
    """One error answer. `shape` picks the body: kit (with ErrorInfo details), api (code and message),
    text (Go's `http.Error` plain text), bare (net/http's own "400 Bad Request") or unauthorized (401
    plain text over HTTP; over gRPC "Unauthorized" with `message` in the ErrorInfo, §11)."""

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
        if self.shape == "unauthorized":
            return b"invalid api token\n", "text/plain; charset=utf-8"
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
_HTTP_STATUS_OF_GRPC_CODE = {
    "ALREADY_EXISTS": 409,
    "NOT_FOUND": 404,
    "INVALID_ARGUMENT": 400,
    "RESOURCE_EXHAUSTED": 429,  # a job past the Scheduler's message limits (recorded 1.16.8+)
}

#: How grpc-go spells a code inside `rpc error: code = <Code> desc = ...`.
_GO_CODE_NAME = {
    "UNKNOWN": "Unknown",
    "ALREADY_EXISTS": "AlreadyExists",
    "NOT_FOUND": "NotFound",
    "INTERNAL": "Internal",
    "UNAVAILABLE": "Unavailable",
    "DEADLINE_EXCEEDED": "DeadlineExceeded",
    "RESOURCE_EXHAUSTED": "ResourceExhausted",
}

#: The operation a Scheduler error answers for, and the words daprd puts before `due to:` (§5.2).
SchedulerOp = Literal["schedule", "get", "delete"]
_FAILED_TO = {"schedule": "schedule job", "get": "get job", "delete": "delete job"}
_CODE_SUFFIX = {"schedule": "SCHEDULE_JOB", "get": "GET_JOB", "delete": "DELETE_JOB"}


class ErrorCatalogue:
    """Builds the wire answers of contract §5.2 for one profile, app ID and namespace."""

    def __init__(self, profile: Profile, app_id: str, namespace: str) -> None:
        self.profile = profile
        self.app_id = app_id
        self.namespace = namespace

    def code(self, suffix: str) -> str:
        """A Scheduler errorCode with this version's prefix (`DAPR_` from 1.15, §1)."""
        return f"{self.profile.error_code_prefix}SCHEDULER_{suffix}"

    def metadata(self, *, with_namespace: bool = True) -> tuple[tuple[str, str], ...]:
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

    def kit(
        self, status: int, grpc_code: str, suffix: str, message: str, *, namespace: bool = True
    ) -> DaprError:
        """A `DAPR_SCHEDULER_*` kit error with its ErrorInfo details (§5.1)."""
        return DaprError(
            status,
            grpc_code,
            self.code(suffix),
            message,
            shape="kit",
            metadata=self.metadata(with_namespace=namespace),
        )

    def scheduler(self, op: SchedulerOp, desc: str, code: str = "UNKNOWN") -> DaprError:
        """The Scheduler refused `op`: `failed to <op> due to: rpc error: code = <code> desc = <desc>`.

        POST maps the gRPC code to an HTTP status (1.16+; Unknown counts as Internal); before 1.16, and
        for GET and DELETE always, the status is 500 (§5.2).
        """
        status, grpc_code = 500, "INTERNAL"
        if op == "schedule" and self.profile.post_status_from_grpc_code and code in _HTTP_STATUS_OF_GRPC_CODE:
            status, grpc_code = _HTTP_STATUS_OF_GRPC_CODE[code], code
        message = f"failed to {_FAILED_TO[op]} due to: {self.rpc_error(code, desc)}"
        return self.kit(status, grpc_code, _CODE_SUFFIX[op], message)


#: Builds a row's wire answer: (catalogue, protocol, parameters) -> DaprError.
Answer = Callable[[ErrorCatalogue, Protocol, dict[str, str]], DaprError]
#: A hint per protocol, or one for both. Keys are "http", "grpc", or "grpc:<client>" for one SDK's
#: wording ("grpc:python", "grpc:go", "grpc:java": the gRPC caller, told by its user-agent).
Hint = str | dict[str, str] | None
#: Where a finding points. "name" is wherever the job name travelled: the URL over HTTP, the job's
#: `name` field over gRPC (`job.name` in a ScheduleJobRequest).
Location = str


@dataclass(frozen=True)
class Row:
    """One answer of the catalogue with its finding, declared once (see `rows.py`).

    `explanation`, `hint` and the answer may use `{placeholders}` filled from `reject(**params)`.
    `kind`: "violation" (the request is wrong: fails a strict test), "state" (an answer that depends
    on stored state, which correct code handles: a GET of a finished job), or "warning" (accepted, but
    probably not meant).
    """

    rule: str
    section: str
    location: Location
    explanation: str
    answer: Answer | None = None
    hint: Hint = None
    kind: Literal["violation", "state", "warning"] = "violation"

    def reject(self, errors: ErrorCatalogue, protocol: Protocol = "http", **params: str) -> Rejected:
        """The `Rejected` to raise for this row, its answer built for `errors`' profile."""
        if self.answer is None:
            raise TypeError(f"row {self.rule} has no wire answer (a warning row)")
        return Rejected(self, self.answer(errors, protocol, params), params)


@dataclass(eq=False)
class Rejected(Exception):
    """A request the emulated version refuses: the answer to send and the row it comes from.

    Not frozen only because Python sets `__traceback__` on exceptions as they propagate (through
    `contextlib` among others); nothing in the fake changes a `Rejected` after building it.
    """

    row: Row
    error: DaprError
    params: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.error.message

    @property
    def rule(self) -> str:
        return self.row.rule

    @property
    def violation(self) -> bool:
        """False for refusals caused by state rather than by the request (a GET of a missing job)."""
        return self.row.kind == "violation"

    @property
    def explanation(self) -> str:
        return self.row.explanation.format(**self.params)

    def hint(self, protocol: Protocol, client: str | None = None) -> str | None:
        return resolve_hint(self.row.hint, protocol, self.params, client)

    def location(self, protocol: Protocol, operation: str) -> str:
        return resolve_location(self.row.location.format(**self.params), protocol, operation)


@dataclass(frozen=True, eq=False)
class Suspicion:
    """An accepted request that looks wrong (journaled as a ContractWarning): a warning row and where."""

    row: Row
    location: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def rule(self) -> str:
        return self.row.rule

    @property
    def message(self) -> str:
        return self.row.explanation.format(**self.params)

    def hint(self, protocol: Protocol, client: str | None = None) -> str | None:
        return resolve_hint(self.row.hint, protocol, self.params, client)


def resolve_hint(
    hint: Hint, protocol: Protocol, params: dict[str, str], client: str | None = None
) -> str | None:
    """The hint in the caller's words: its SDK's ("grpc:go") when known, else its protocol's."""
    if isinstance(hint, dict):
        hint = (hint.get(f"{protocol}:{client}") if client else None) or hint.get(protocol)
    return None if hint is None else hint.format(**params)


def resolve_location(location: Location, protocol: Protocol, operation: str) -> str:
    """`name` as the protocol carries it: the URL (HTTP), `job.name` (gRPC schedule) or `name`;
    `token` as the header (HTTP) or the metadata (gRPC) `dapr-api-token`."""
    if location == "token":
        return "header dapr-api-token" if protocol == "http" else "metadata dapr-api-token"
    if location != "name":
        return location
    if protocol == "http":
        return "url"
    return "job.name" if operation == "schedule" else "name"
