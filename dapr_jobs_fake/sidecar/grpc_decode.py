"""The Jobs RPCs served bytes-in: the fake decodes each request itself, so that one grpc-go cannot
decode is journaled (rule `request.undecodable`) and answered as grpc-go answers it.

grpc-go decodes a unary request before any interceptor or handler (`server.go:processUnaryRPC`): bytes
that are not the RPC's message are `INTERNAL` "grpc: error unmarshalling request: <proto error>", the
API-token check never runs. protobuf-go's error is `proto: cannot parse invalid wire-format data` for
broken framing and `string field contains invalid UTF-8` for a proto3 string that is not UTF-8
(checked against grpc-go 1.82 / protobuf-go 1.36.11, daprd 1.18.3). An RPC the emulated version lacks
gets the service-invocation proxy's answer whatever its bytes (grpc-go looks the method up first, and
the proxy does not decode).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from ..contract import rows
from ..contract.profiles import Profile
from ..contract.proto import GRPC_EXTRA_HINT
from .grpc_api import SERVICE, GrpcJobsApi, error_status
from .service import JobRequest

try:
    import grpc
    from dapr.proto import api_v1
    from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    from google.protobuf.message import DecodeError
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(f"{GRPC_EXTRA_HINT} ({exc})") from exc

#: Each Jobs RPC: (request type, response type).
JOB_RPCS: dict[str, tuple[Any, Any]] = {
    "ScheduleJobAlpha1": (api_v1.ScheduleJobRequest, api_v1.ScheduleJobResponse),
    "ScheduleJob": (api_v1.ScheduleJobRequest, api_v1.ScheduleJobResponse),
    "GetJobAlpha1": (api_v1.GetJobRequest, api_v1.GetJobResponse),
    "GetJob": (api_v1.GetJobRequest, api_v1.GetJobResponse),
    "DeleteJobAlpha1": (api_v1.DeleteJobRequest, api_v1.DeleteJobResponse),
    "DeleteJob": (api_v1.DeleteJobRequest, api_v1.DeleteJobResponse),
    "ListJobsAlpha1": (api_v1.ListJobsRequestAlpha1, api_v1.ListJobsResponseAlpha1),
    "ListJobs": (api_v1.ListJobsRequest, api_v1.ListJobsResponse),
    "DeleteJobsByPrefixAlpha1": (
        api_v1.DeleteJobsByPrefixRequestAlpha1,
        api_v1.DeleteJobsByPrefixResponseAlpha1,
    ),
    "DeleteJobsByPrefix": (api_v1.DeleteJobsByPrefixRequest, api_v1.DeleteJobsByPrefixResponse),
}
_PATH = f"/{SERVICE}/"


def bytes_in_handlers(api: GrpcJobsApi) -> dict[str, Any]:
    """`{rpc: handler}` for the Jobs RPCs, taking the request's bytes (no grpcio deserializer)."""
    return {
        rpc: grpc.unary_unary_rpc_method_handler(
            _decoding(api, rpc, request_type),
            request_deserializer=None,
            response_serializer=response_type.SerializeToString,
        )
        for rpc, (request_type, response_type) in JOB_RPCS.items()
    }


def _decoding(api: GrpcJobsApi, rpc: str, request_type: Any) -> Callable[[bytes, Any], Any]:
    method = getattr(api, rpc)

    def handle(raw: bytes, context: Any) -> Any:
        if not present(api.service.contract.profile, rpc):
            return method(request_type(), context)  # answers as daprd's proxy does (and journals it)
        try:
            request = request_type.FromString(raw)
        except DecodeError:
            _undecodable(api, rpc, request_type, go_unmarshal_error(request_type, raw), context)
        return method(request, context)

    return handle


def present(profile: Profile, rpc: str) -> bool:
    """Whether the emulated version serves `rpc` (§14): what `GrpcJobsApi` checks per RPC."""
    if rpc in ("ScheduleJob", "GetJob", "DeleteJob"):
        return profile.grpc_stable_jobs
    if rpc in ("ListJobsAlpha1", "DeleteJobsByPrefixAlpha1"):
        return profile.grpc_list_and_prefix is not None
    if rpc in ("ListJobs", "DeleteJobsByPrefix"):
        return profile.grpc_list_and_prefix == "stable"
    return True


def _undecodable(api: GrpcJobsApi, rpc: str, request_type: Any, detail: str, context: Any) -> None:
    rejected = rows.REQUEST_UNDECODABLE.reject(
        api.service.contract.errors, "grpc", message=request_type.DESCRIPTOR.full_name, detail=detail
    )
    answer = api.service.reject(JobRequest(api.wire, _PATH + rpc), "other", rejected)
    assert answer.error is not None
    context.abort_with_status(error_status(answer.error))
    raise AssertionError("unreachable: context.abort_with_status raises")


def go_unmarshal_error(request_type: Any, raw: bytes) -> str:
    """protobuf-go's `proto.Unmarshal` error for bytes Python's protobuf refused: if the message
    parses with its string fields read as bytes, the fault was a string's UTF-8."""
    twin = _bytes_twin(request_type.DESCRIPTOR)
    if twin is not None:
        try:
            twin.FromString(raw)
        except DecodeError:
            pass
        else:
            return "string field contains invalid UTF-8"
    return "proto: cannot parse invalid wire-format data"


@cache
def _bytes_twin(descriptor: Any) -> Any:
    """The message type of `descriptor` with every string field made a bytes field (None if the
    descriptors cannot be rebuilt)."""
    pool = descriptor_pool.DescriptorPool()
    added: set[str] = set()

    def add(file: Any) -> None:
        if file.name in added:
            return
        for dependency in file.dependencies:
            add(dependency)
        proto = descriptor_pb2.FileDescriptorProto()
        file.CopyToProto(proto)
        for message in proto.message_type:
            _strings_to_bytes(message)
        pool.Add(proto)
        added.add(file.name)

    try:
        add(descriptor.file)
        return message_factory.GetMessageClass(pool.FindMessageTypeByName(descriptor.full_name))
    except Exception:  # a descriptor protobuf cannot rebuild: the framing error it is
        return None


def _strings_to_bytes(message: Any) -> None:
    string, raw = (
        descriptor_pb2.FieldDescriptorProto.TYPE_STRING,
        descriptor_pb2.FieldDescriptorProto.TYPE_BYTES,
    )
    map_entry = message.options.map_entry
    for field in message.field:
        if field.type == string and not (map_entry and field.name == "key"):  # map keys stay strings
            field.type = raw
    for nested in message.nested_type:
        _strings_to_bytes(nested)
