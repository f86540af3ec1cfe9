"""What daprd sends an app when a job fires, and what the app's answer means (contract §10.1-§10.3).

`encode_job_body` and `job_path` build the HTTP request (`http_channel.go:constructJobRequest`);
`outcome_for_status` / `outcome_for_grpc_code` read the answer (`pkg/messaging/v1/util.go:
CodeFromHTTPStatus`, `streamer.go:handleJob`): 2xx and 404 / gRPC OK and NotFound succeed ("non-retriable"
404 included), everything else fails and the failure policy applies. Shared by every target.
"""

from __future__ import annotations

from urllib.parse import quote

from ..contract.model import JobData, JobPlan
from ..contract.protojson import UnrenderableData, http_job_body
from ..engine.attempt import Outcome, one_line

#: Status codes daprd maps to gRPC OK / NotFound (`pkg/messaging/v1/util.go:CodeFromHTTPStatus`).
GRPC_OK, GRPC_NOT_FOUND = 0, 5


def outcome_for_status(
    status: int, target: str, body: bytes | None = None, via: str | None = None
) -> Outcome:
    """§10.3: 2xx → success; 404 → success, not retried; anything else → failure."""
    return Outcome(target, 200 <= status < 300 or status == 404, status=status, body=body, via=via)


def outcome_for_grpc_code(
    code: int, target: str, via: str | None = None, error: BaseException | None = None
) -> Outcome:
    """§10.2/§10.3 for a gRPC app: OK and NotFound succeed, every other code fails."""
    reason = None if error is None else one_line(error)
    return Outcome(
        target, code in (GRPC_OK, GRPC_NOT_FOUND), status=code, via=via, error=error, reason=reason
    )


class UndeliverableData(Exception):
    """daprd cannot build the request body, so the attempt fails before reaching the app; str is the
    error daprd reports (protobuf-go's text)."""


def encode_job_body(data: JobData | None, *, empty_data_fails: bool = False) -> bytes:
    """The body of `POST /job/<name>` for `data` (`protojson.http_job_body`), or `UndeliverableData`.

    `empty_data_fails`: a data-less HTTP job before 1.18.3 (stored as a Value with no kind) fails.
    """
    if data is None and empty_data_fails:
        raise UndeliverableData("proto: google.protobuf.Value: none of the oneof fields is set")
    try:
        return http_job_body(data, kindless_fails=empty_data_fails)
    except UnrenderableData as err:
        raise UndeliverableData(str(err)) from None


def plan_body(plan: JobPlan) -> bytes:
    """The body daprd sends for a stored job (cached on the plan), or `UndeliverableData`."""
    body, error = plan.http_body
    if error is not None:
        raise UndeliverableData(error)
    return body


def job_path(name: str) -> str:
    """`/job/<name>`: daprd concatenates the name (leading `/` trimmed) and Go escapes the path."""
    return "/job/" + quote(name.removeprefix("/"), safe="/$&+,:;=@")
