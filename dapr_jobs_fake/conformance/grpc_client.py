"""Calling daprd's gRPC Jobs API by RPC name with a request given as protojson, and reading any proto
message (answers, `JobEventRequest`s, error details) into plain JSON for the recording."""

from __future__ import annotations

import base64
from typing import Any

import grpc
from dapr.proto import api_v1
from google.protobuf import empty_pb2, json_format, wrappers_pb2
from google.rpc import error_details_pb2  # noqa: F401  (registers the detail types message_view reads)
from grpc_status import rpc_status

from ..sidecar.grpc_api import SERVICE
from ..sidecar.grpc_decode import JOB_RPCS

__all__ = ["RPCS", "call", "message_view"]

#: Message types a case's `Any` may hold, imported so `ParseDict` and `MessageToDict` know them.
PAYLOAD_TYPES = (empty_pb2.Empty, wrappers_pb2.StringValue)
#: RPC name -> (request type, response type): the fake's Jobs RPCs, and the metadata SDKs probe.
RPCS: dict[str, tuple[Any, Any]] = {
    **JOB_RPCS,
    "GetMetadata": (api_v1.GetMetadataRequest, api_v1.GetMetadataResponse),
}


def message_view(message: Any) -> Any:
    """`message` as protojson (`MessageToDict`). What protojson cannot render (an `Any` whose payload
    does not parse, e.g. a `google.protobuf.Value` with no kind) becomes `{"@type", "valueBase64"}`,
    so the recording still holds the exact bytes."""
    try:
        return json_format.MessageToDict(message)
    except (json_format.Error, TypeError, ValueError, KeyError):
        pass
    if message.DESCRIPTOR.full_name == "google.protobuf.Any":
        return {"@type": message.type_url, "valueBase64": base64.b64encode(message.value).decode()}
    scalars = type(message)()
    scalars.CopyFrom(message)
    nested = []
    for descriptor, value in message.ListFields():
        if descriptor.message_type is not None:
            scalars.ClearField(descriptor.name)
            nested.append((descriptor, value))
    view: dict[str, Any] = json_format.MessageToDict(scalars)
    for descriptor, value in nested:
        repeated = descriptor.label == descriptor.LABEL_REPEATED
        view[descriptor.json_name] = [message_view(v) for v in value] if repeated else message_view(value)
    return view


def call(
    channel: grpc.Channel,
    rpc: str,
    request: Any,
    metadata: tuple[tuple[str, str], ...] = (),
    timeout: float = 60.0,
) -> dict[str, Any]:
    """One unary call; the observation: `code` and `response`, or `code`, `message` and the status
    `details` (daprd's `ErrorInfo`). An `rpc` this client does not know is called with an empty
    message, so an unknown method still gets the server's own answer."""
    request_type, response_type = RPCS.get(rpc, (api_v1.GetJobRequest, api_v1.GetJobResponse))
    message = json_format.ParseDict(request, request_type())
    method = channel.unary_unary(
        f"/{SERVICE}/{rpc}",
        request_serializer=request_type.SerializeToString,
        response_deserializer=response_type.FromString,
    )
    try:
        response = method(message, timeout=timeout, metadata=metadata or None)
    except grpc.RpcError as error:
        observed: dict[str, Any] = {"code": error.code().name, "message": error.details()}
        status = rpc_status.from_call(error)
        if status is not None:
            observed["details"] = [message_view(detail) for detail in status.details]
        return observed
    return {"code": "OK", "response": message_view(response)}
