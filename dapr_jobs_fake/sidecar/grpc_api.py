"""The gRPC adapter: daprd's `dapr.proto.runtime.v1.Dapr` Jobs RPCs, for the real Python SDK (and any
other gRPC client), translated to and from the service.

Each RPC turns the proto into a `JobRequest` (the job as protojson-named fields, `grpc_convert`), calls
the one `JobsService`, and answers in gRPC's shape: daprd's status codes, messages and
`google.rpc.ErrorInfo` details (contract §5.2, §11, §14; `dapr/dapr pkg/api/universal/jobs.go`,
`pkg/api/errors/scheduler.go`, `pkg/api/grpc/auth.go`).

Which RPCs exist is profile data (§1, §14): Alpha1 job RPCs always; stable `ScheduleJob/GetJob/
DeleteJob` with `grpc_stable_jobs`; `ListJobs`/`DeleteJobsByPrefix` per `grpc_list_and_prefix`. daprd
hands a method it does not serve (these, and any unknown one) to its service-invocation proxy, which
answers UNKNOWN "failed to proxy request: required metadata ... not found" (recorded on 1.14.4 to
1.18.3), not grpc-go's UNIMPLEMENTED: SDKs that fall back to Alpha1 only on UNIMPLEMENTED (Python,
Java) fail against real daprd before 1.18, and so they do here. Each such call is journaled
(`rpc.unimplemented`, a state answer) with a hint naming what the version does serve.

Journal entries carry `protocol="grpc"`, the full method path as `request`, the field dict as `body`
and, as `status`, the HTTP status grpc-gateway maps the answered code to (OK is 200). Needs the `grpc`
extra; importing this module without it raises an ImportError naming it.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

from ..contract import rows
from ..contract.errors import DaprError, Rejected
from ..contract.model import JobPlan
from ..contract.proto import GRPC_EXTRA_HINT
from ..journal.records import Operation
from ..journal.records import Protocol as WireProtocol
from .grpc_convert import HTTP_OF_CODE, job_fields, job_to_proto
from .service import Answer, JobRequest, JobsService

try:
    import grpc
    from dapr.proto import api_service_v1, api_v1
    from google.protobuf import any_pb2
    from google.rpc import code_pb2, error_details_pb2, status_pb2
    from grpc_status import rpc_status
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(f"{GRPC_EXTRA_HINT} ({exc})") from exc

SERVICE = "dapr.proto.runtime.v1.Dapr"
_PATH = f"/{SERVICE}/"
_TOKEN_KEY = "dapr-api-token"
#: Empty answers, shared: grpc only serializes them.
_SCHEDULED = api_v1.ScheduleJobResponse()
_DELETED = api_v1.DeleteJobResponse()


def error_status(error: DaprError) -> grpc.Status:
    """daprd's gRPC status: code, message and, for kit errors, one `ErrorInfo` detail (§5.2).

    An auth failure is `invokev1.ErrorFromHTTPResponseCode(401, detail)`: message "Unauthorized", the
    reason in `ErrorInfo.metadata["http.error_message"]` (`pkg/api/grpc/auth.go`, `pkg/messaging/v1/util.go`).
    """
    if error.shape == "unauthorized":
        info = error_details_pb2.ErrorInfo(
            reason="Unauthorized",
            domain="dapr.io",
            metadata={"http.code": "401", "http.error_message": error.message[:63]},
        )
        code, message = code_pb2.UNAUTHENTICATED, "Unauthorized"
    elif error.shape == "kit":
        info = error_details_pb2.ErrorInfo(
            reason=error.error_code, domain="dapr.io", metadata=dict(error.metadata)
        )
        code, message = getattr(code_pb2, error.grpc_code), error.message
    else:
        info = None
        code, message = getattr(code_pb2, error.grpc_code), error.message
    if info is None:  # no `grpc-status-details-bin` trailer at all, as grpc-go sends a plain status
        return _PlainStatus(grpc.StatusCode[code_pb2.Code.Name(code)], message, ())
    packed = any_pb2.Any()
    packed.Pack(info)
    return rpc_status.to_status(status_pb2.Status(code=code, message=message, details=[packed]))


class _StatusFields(NamedTuple):
    code: Any
    details: str
    trailing_metadata: Any


class _PlainStatus(_StatusFields, grpc.Status):  # type: ignore[misc]  # grpc is untyped
    """A status without details (what `grpc_status.rpc_status` makes, minus its details trailer)."""


class GrpcWire:
    """How gRPC calls read in the journal: 200 for OK, grpc-gateway's status for a code (§14)."""

    protocol: WireProtocol = "grpc"

    def __init__(self, service: JobsService) -> None:
        self._service = service

    def ok_status(self, operation: Operation) -> int:
        return 200

    def error_status(self, error: DaprError) -> int:
        return HTTP_OF_CODE.get(error.grpc_code, 500)

    def error_response(self, error: DaprError) -> Any:
        return {"code": error.grpc_code, "message": error.message, "errorCode": error.error_code}

    def job_response(self, plan: JobPlan) -> tuple[Any, Any]:
        job = job_to_proto(plan, with_policy=self._service.contract.profile.failure_policy_exposed)
        return job, job


class GrpcJobsApi(api_service_v1.DaprServicer):
    """The Dapr gRPC service for one fake."""

    def __init__(
        self,
        service: JobsService,
        *,
        api_token: Callable[[], str | None],
        metadata: Callable[[], dict[str, Any]],
    ) -> None:
        self.service = service
        self.wire = GrpcWire(service)
        self._api_token = api_token
        self._metadata = metadata

    # -- RPCs -----------------------------------------------------------------------------------
    def ScheduleJobAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._schedule("ScheduleJobAlpha1", request, context)

    def ScheduleJob(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require(self._profile.grpc_stable_jobs, "ScheduleJob", context)
        return self._schedule("ScheduleJob", request, context)

    def GetJobAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._get("GetJobAlpha1", request, context)

    def GetJob(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require(self._profile.grpc_stable_jobs, "GetJob", context)
        return self._get("GetJob", request, context)

    def DeleteJobAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._delete("DeleteJobAlpha1", request, context)

    def DeleteJob(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require(self._profile.grpc_stable_jobs, "DeleteJob", context)
        return self._delete("DeleteJob", request, context)

    def ListJobsAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require(self._profile.grpc_list_and_prefix is not None, "ListJobsAlpha1", context)
        return self._list("ListJobsAlpha1", api_v1.ListJobsResponseAlpha1, context)

    def ListJobs(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require(self._profile.grpc_list_and_prefix == "stable", "ListJobs", context)
        return self._list("ListJobs", api_v1.ListJobsResponse, context)

    def DeleteJobsByPrefixAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require(self._profile.grpc_list_and_prefix is not None, "DeleteJobsByPrefixAlpha1", context)
        return self._delete_prefix(
            "DeleteJobsByPrefixAlpha1", request, api_v1.DeleteJobsByPrefixResponseAlpha1, context
        )

    def DeleteJobsByPrefix(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._require(self._profile.grpc_list_and_prefix == "stable", "DeleteJobsByPrefix", context)
        return self._delete_prefix("DeleteJobsByPrefix", request, api_v1.DeleteJobsByPrefixResponse, context)

    def GetMetadata(self, request: Any, context: grpc.ServicerContext) -> Any:
        """What SDKs probe on start (§12): app ID, runtime version, the fake's own markers."""
        self._authorize("GetMetadata", context)
        meta = self._metadata()
        response = api_v1.GetMetadataResponse(
            id=meta["id"],
            runtime_version=meta["runtimeVersion"],
            extended_metadata={k: str(v) for k, v in meta.get("extended", {}).items()},
        )
        addresses = meta.get("scheduler", {}).get("connected_addresses", [])
        response.scheduler.connected_addresses.extend(addresses)
        return response

    # -- operations -----------------------------------------------------------------------------
    @property
    def _profile(self) -> Any:
        return self.service.contract.profile

    def _schedule(self, rpc: str, request: Any, context: grpc.ServicerContext) -> Any:
        self._authorize(rpc, context)
        if not request.HasField("job"):
            job_request = JobRequest(self.wire, _PATH + rpc, has_job=False)
        else:
            job = request.job
            fields = job_fields(
                job, overwrite=request.overwrite, with_policy=self._profile.failure_policy_exposed
            )
            job_request = JobRequest(
                self.wire, _PATH + rpc, job.name, fields=fields, body=fields, client=_client_of(context)
            )
        self._finish(self.service.schedule(job_request), context)
        return _SCHEDULED

    def _get(self, rpc: str, request: Any, context: grpc.ServicerContext) -> Any:
        self._authorize(rpc, context)
        answer = self._finish(
            self.service.get(JobRequest(self.wire, _PATH + rpc, request.name), as_json=False), context
        )
        return api_v1.GetJobResponse(job=answer.value)

    def _delete(self, rpc: str, request: Any, context: grpc.ServicerContext) -> Any:
        self._authorize(rpc, context)
        self._finish(self.service.delete(JobRequest(self.wire, _PATH + rpc, request.name)), context)
        return _DELETED

    def _list(self, rpc: str, response_type: Any, context: grpc.ServicerContext) -> Any:
        self._authorize(rpc, context)
        answer = self._finish(self.service.list_jobs(JobRequest(self.wire, _PATH + rpc)), context)
        exposed = self._profile.failure_policy_exposed
        return response_type(jobs=[job_to_proto(s.plan, with_policy=exposed) for s in answer.value])

    def _delete_prefix(
        self, rpc: str, request: Any, response_type: Any, context: grpc.ServicerContext
    ) -> Any:
        self._authorize(rpc, context)
        prefix = request.name_prefix
        body = {"namePrefix": prefix} if request.HasField("name_prefix") else {}
        answer = self.service.delete_prefix(JobRequest(self.wire, _PATH + rpc, prefix, body=body))
        self._finish(answer, context)
        return response_type()

    # -- checks and errors ----------------------------------------------------------------------
    @staticmethod
    def _finish(answer: Answer, context: grpc.ServicerContext) -> Answer:
        if answer.error is not None:
            context.abort_with_status(error_status(answer.error))
            raise AssertionError("unreachable: context.abort_with_status raises")
        return answer

    def _authorize(self, rpc: str, context: grpc.ServicerContext) -> None:
        """daprd's API-token interceptor (§11): every RPC needs `dapr-api-token` when a token is set."""
        token = self._api_token()
        if not token:
            return
        sent = next((value for key, value in context.invocation_metadata() if key == _TOKEN_KEY), None)
        if isinstance(sent, str) and hmac.compare_digest(sent.encode(), token.encode()):
            return
        missing = sent is None
        detail = (
            "missing api token in request metadata" if missing else "authentication error: api token mismatch"
        )
        rejected: Rejected = rows.AUTH_TOKEN.reject(
            self.service.contract.errors,
            "grpc",
            detail=detail,
            carrier="metadata",
            problem="missing" if missing else "wrong",
        )
        request = JobRequest(self.wire, _PATH + rpc)
        self._finish(self.service.reject(request, "other", rejected), context)

    def _require(self, present: bool, rpc: str, context: grpc.ServicerContext) -> None:
        """A Dapr RPC this version does not serve: what daprd answers for it (see `unserved`)."""
        if not present:
            self.unserved(_PATH + rpc, context)

    def unserved(self, method: str, context: grpc.ServicerContext) -> NoReturn:
        """daprd's answer for a gRPC method (full path) it does not serve: its API-token interceptor
        first (grpc-go runs stream interceptors around the unknown-service handler too), then the
        service-invocation proxy's UNKNOWN, as no `dapr-app-id` metadata says where to route it."""
        rpc = method.rsplit("/", 1)[-1]
        self._authorize(rpc, context)
        profile = self._profile
        alternative = _ALTERNATIVES.get(rpc, "check the method name: Dapr {version} serves no such method")
        stable = rpc in ("ScheduleJob", "GetJob", "DeleteJob")
        rejected = rows.RPC_UNIMPLEMENTED.reject(
            self.service.contract.errors,
            "grpc",
            rpc=rpc if method.startswith(_PATH) else method.lstrip("/"),
            version=profile.key,
            metadata=profile.grpc_proxy_metadata,
            alternative=alternative.format(version=profile.key),
            python_note=_PYTHON_NOTE.format(version=profile.key) if stable else "",
            java_note=_JAVA_NOTE if stable else "",
        )
        request = JobRequest(self.wire, method, client=_client_of(context))
        self._finish(self.service.reject(request, "other", rejected), context)
        raise AssertionError("unreachable: _finish raises for a rejection")


_ONLY_ALPHA1 = "(the same request): Dapr {version} serves the Alpha1 job RPCs only"
#: What a client of a version without the RPC calls instead (the rule's hint).
_ALTERNATIVES = {
    "ScheduleJob": f"call ScheduleJobAlpha1 {_ONLY_ALPHA1}",
    "GetJob": f"call GetJobAlpha1 {_ONLY_ALPHA1}",
    "DeleteJob": f"call DeleteJobAlpha1 {_ONLY_ALPHA1}",
    "ListJobs": "call ListJobsAlpha1 where it exists (Dapr 1.17); the stable ListJobs arrived in 1.18",
    "DeleteJobsByPrefix": "call DeleteJobsByPrefixAlpha1 where it exists (Dapr 1.17); the stable "
    "DeleteJobsByPrefix arrived in 1.18",
    "ListJobsAlpha1": "Dapr {version} cannot list jobs (ListJobsAlpha1 arrived in 1.17): keep the names "
    "you scheduled and GetJobAlpha1 each",
    "DeleteJobsByPrefixAlpha1": "Dapr {version} cannot delete by prefix (DeleteJobsByPrefixAlpha1 arrived "
    "in 1.17): DeleteJobAlpha1 each job",
}
_PYTHON_NOTE = (
    "; the Python SDK 1.18+ calls the stable RPCs (its *_alpha1 methods too) and falls back to Alpha1 "
    "only on UNIMPLEMENTED, which daprd never answers: against Dapr {version}, use the SDK of that "
    "release (dapr 1.16 and 1.17 call the Alpha1 RPCs)"
)
_JAVA_NOTE = "; the Java SDK falls back to Alpha1 only on UNIMPLEMENTED, which daprd never answers"


#: How each Dapr SDK names itself in the gRPC user-agent ("dapr-sdk-python/1.19.0 grpc-python/1.7x").
_SDK_USER_AGENTS = (("dapr-sdk-python", "python"), ("dapr-sdk-go", "go"), ("dapr-sdk-java", "java"))


def _client_of(context: grpc.ServicerContext) -> str | None:
    """The caller's Dapr SDK, from its user-agent (None when it does not say)."""
    agent = next((str(v) for k, v in context.invocation_metadata() if k == "user-agent"), "")
    for marker, client in _SDK_USER_AGENTS:
        if marker in agent:
            return client
    for marker, client in (("grpc-python", "python"), ("grpc-go", "go"), ("grpc-java", "java")):
        if marker in agent:
            return client
    return None
