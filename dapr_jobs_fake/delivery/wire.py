"""What daprd sends an app when a job fires, and what the app's answer means (contract §10.1-§10.3).

`encode_job_body` and `job_path` build the HTTP request (`http_channel.go:constructJobRequest`);
`outcome_for_status` / `outcome_for_grpc_code` read the answer (`pkg/messaging/v1/util.go:
CodeFromHTTPStatus`, `streamer.go:handleJob`): 2xx and 404 / gRPC OK and NotFound succeed ("non-retriable"
404 included), everything else fails and the failure policy applies. Shared by every target.
"""

from __future__ import annotations

from urllib.parse import quote

from ..contract.model import VALUE_TYPE_URL, JobData
from ..contract.protojson import protojson_value
from ..engine.attempt import Outcome

#: Status codes daprd maps to gRPC OK / NotFound (`pkg/messaging/v1/util.go:CodeFromHTTPStatus`).
GRPC_OK, GRPC_NOT_FOUND = 0, 5


def outcome_for_status(status: int, target: str, body: bytes | None = None) -> Outcome:
    """§10.3: 2xx → success; 404 → success, not retried; anything else → failure."""
    return Outcome(target, 200 <= status < 300 or status == 404, status=status, body=body)


def outcome_for_grpc_code(code: int, target: str) -> Outcome:
    """§10.2/§10.3 for a gRPC app: OK and NotFound succeed, every other code fails."""
    return Outcome(target, code in (GRPC_OK, GRPC_NOT_FOUND), status=code)


class UndeliverableData(Exception):
    """daprd cannot build the request body, so the attempt fails before reaching the app."""


def encode_job_body(data: JobData | None, *, empty_data_fails: bool = False) -> bytes:
    """The body of `POST /job/<name>` (`http_channel.go:constructJobRequest`).

    A `google.protobuf.Value` is re-serialised as compact protojson; any other `Any` sends its raw
    value bytes with surrounding whitespace trimmed; no data sends an empty body (1.18.3+). Dapr
    1.14.3 to 1.18.2 cannot marshal a data-less HTTP job and fail the delivery: `empty_data_fails`.
    """
    if data is None:
        if empty_data_fails:
            raise UndeliverableData("job has no data: proto: none of the oneof fields is set (Dapr < 1.18.3)")
        return b""
    if data.is_json_value:
        return protojson_value(data.json_value).encode()
    if data.type_url == VALUE_TYPE_URL and data.raw is not None:
        return protojson_value(_decode_value_proto(data.raw)).encode()
    return (data.raw or b"").strip()


def _decode_value_proto(raw: bytes) -> object:
    """A proto-encoded `google.protobuf.Value` (gRPC-created job) as a JSON value; needs protobuf."""
    try:
        from google.protobuf import json_format, struct_pb2
    except ImportError as exc:  # the grpc extra is not installed
        raise UndeliverableData("decoding google.protobuf.Value data needs the 'grpc' extra") from exc
    message = struct_pb2.Value()
    message.ParseFromString(raw)
    return json_format.MessageToDict(message)


def job_path(name: str) -> str:
    """`/job/<name>`: daprd concatenates the name (leading `/` trimmed) and Go escapes the path."""
    return "/job/" + quote(name.removeprefix("/"), safe="/$&+,:;=@")
