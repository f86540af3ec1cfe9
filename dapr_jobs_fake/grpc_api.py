"""The gRPC adapter: daprd's `dapr.proto.runtime.v1.Dapr` Jobs RPCs, for the real Python SDK (and any
other gRPC client), on a `grpc.server` of its own loopback port.

Each RPC turns the proto `Job` into the same protojson-named field dict the HTTP adapter builds, runs
it through the one `Contract` and `JobsService`, and answers in gRPC's shape: daprd's status codes,
messages and `google.rpc.ErrorInfo` details (contract §5.2, §11, §14;
`dapr/dapr pkg/api/universal/jobs.go`, `pkg/api/errors/scheduler.go`, `pkg/api/grpc/auth.go`).

Which RPCs exist is profile data (§1, §14): Alpha1 job RPCs always; stable `ScheduleJob/GetJob/
DeleteJob` with `grpc_stable_jobs`; `ListJobs`/`DeleteJobsByPrefix` per `grpc_list_and_prefix`. A
missing one answers UNIMPLEMENTED as grpc-go does for an unknown method, which is what the SDK's
stable-to-Alpha1 fallback keys on, and lands in the journal so a test can see the fallback happen.

Journal entries carry `protocol="grpc"`, the full method path as `request`, the field dict as `body`
and, as `status`, the HTTP status grpc-gateway maps the answered code to (OK is 200). The proto <->
model conversions live in `grpc_convert`, shared with the gRPC app delivery (`grpc_app`).

Needs the `grpc` extra (grpcio and the stubs shipped in `dapr`); importing this module without it
raises an ImportError naming `pip install "dapr-jobs-fake[grpc]"`.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent import futures
from typing import Any, NoReturn

from .contract import Rejected
from .errors import DaprError
from .grpc_convert import GRPC_EXTRA_HINT, HTTP_OF_CODE, job_fields, job_to_proto
from .journal import Operation
from .model import JobSpec
from .service import JobsService

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


# -- status ---------------------------------------------------------------------------------------------


def error_status(error: DaprError) -> grpc.Status:
    """daprd's gRPC status for a kit error: code, message and one `ErrorInfo` detail (§5.2)."""
    details = []
    if error.shape == "kit":
        info = error_details_pb2.ErrorInfo(
            reason=error.error_code, domain="dapr.io", metadata=dict(error.metadata)
        )
        packed = any_pb2.Any()
        packed.Pack(info)
        details.append(packed)
    code = getattr(code_pb2, error.grpc_code)
    return rpc_status.to_status(status_pb2.Status(code=code, message=error.message, details=details))


def auth_status(detail: str) -> grpc.Status:
    """`invokev1.ErrorFromHTTPResponseCode(401, detail)`: message "Unauthorized", the reason in
    `ErrorInfo.metadata["http.error_message"]` (`pkg/api/grpc/auth.go`, `pkg/messaging/v1/util.go`)."""
    info = error_details_pb2.ErrorInfo(
        reason="Unauthorized",
        domain="dapr.io",
        metadata={"http.code": "401", "http.error_message": detail[:63]},
    )
    packed = any_pb2.Any()
    packed.Pack(info)
    return rpc_status.to_status(
        status_pb2.Status(code=code_pb2.UNAUTHENTICATED, message="Unauthorized", details=[packed])
    )


# -- the servicer ---------------------------------------------------------------------------------------


class GrpcJobsApi(api_service_v1.DaprServicer):
    """The Dapr gRPC service for one fake. `service` is swapped by `DaprJobsFake.reset()`."""

    def __init__(
        self,
        service: JobsService,
        *,
        api_token: Callable[[], str | None],
        metadata: Callable[[], dict[str, Any]],
    ) -> None:
        self.service = service
        self._api_token = api_token
        self._metadata = metadata

    # -- RPCs -----------------------------------------------------------------------------------
    def ScheduleJobAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._schedule("ScheduleJobAlpha1", request, context)

    def ScheduleJob(self, request: Any, context: grpc.ServicerContext) -> Any:
        if not self.service.contract.profile.grpc_stable_jobs:
            return self._unimplemented("ScheduleJob", context)
        return self._schedule("ScheduleJob", request, context)

    def GetJobAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._get("GetJobAlpha1", request, context)

    def GetJob(self, request: Any, context: grpc.ServicerContext) -> Any:
        if not self.service.contract.profile.grpc_stable_jobs:
            return self._unimplemented("GetJob", context)
        return self._get("GetJob", request, context)

    def DeleteJobAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        return self._delete("DeleteJobAlpha1", request, context)

    def DeleteJob(self, request: Any, context: grpc.ServicerContext) -> Any:
        if not self.service.contract.profile.grpc_stable_jobs:
            return self._unimplemented("DeleteJob", context)
        return self._delete("DeleteJob", request, context)

    def ListJobsAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        if self.service.contract.profile.grpc_list_and_prefix is None:
            return self._unimplemented("ListJobsAlpha1", context)
        return self._list("ListJobsAlpha1", api_v1.ListJobsResponseAlpha1, context)

    def ListJobs(self, request: Any, context: grpc.ServicerContext) -> Any:
        if self.service.contract.profile.grpc_list_and_prefix != "stable":
            return self._unimplemented("ListJobs", context)
        return self._list("ListJobs", api_v1.ListJobsResponse, context)

    def DeleteJobsByPrefixAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
        if self.service.contract.profile.grpc_list_and_prefix is None:
            return self._unimplemented("DeleteJobsByPrefixAlpha1", context)
        return self._delete_prefix(
            "DeleteJobsByPrefixAlpha1", request, api_v1.DeleteJobsByPrefixResponseAlpha1, context
        )

    def DeleteJobsByPrefix(self, request: Any, context: grpc.ServicerContext) -> Any:
        if self.service.contract.profile.grpc_list_and_prefix != "stable":
            return self._unimplemented("DeleteJobsByPrefix", context)
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
    def _schedule(self, rpc: str, request: Any, context: grpc.ServicerContext) -> Any:
        self._authorize(rpc, context)
        service = self.service
        contract = service.contract
        body: dict[str, Any] | None = None
        spec: JobSpec | None = None
        try:
            if not request.HasField("job"):
                raise Rejected(
                    contract.errors.job_empty(),
                    "job",
                    "job.empty",
                    "the ScheduleJobRequest carries no job",
                    hint="set ScheduleJobRequest.job",
                    section="§5.2",
                )
            job = request.job
            fields = job_fields(
                job, overwrite=request.overwrite, with_policy=contract.profile.failure_policy_exposed
            )
            body = fields
            spec = contract.spec_from_fields(job.name, fields, protocol="grpc")
            service.schedule(spec)
        except Rejected as rejected:
            name = request.job.name if request.HasField("job") else None
            self._abort(rpc, "schedule", name, body, rejected, context, spec)
        self._ok(rpc, "schedule", spec.name, body, spec, None)
        return _SCHEDULED

    def _get(self, rpc: str, request: Any, context: grpc.ServicerContext) -> Any:
        self._authorize(rpc, context)
        service = self.service
        name = request.name
        try:
            self._check_name(name)
            spec, policy = service.get(name, as_json=False)
        except Rejected as rejected:
            self._abort(rpc, "get", name, None, rejected, context)
        job = job_to_proto(spec, policy if service.contract.profile.failure_policy_exposed else None)
        self._ok(rpc, "get", name, None, spec, job)
        return api_v1.GetJobResponse(job=job)

    def _delete(self, rpc: str, request: Any, context: grpc.ServicerContext) -> Any:
        self._authorize(rpc, context)
        service = self.service
        name = request.name
        try:
            self._check_name(name)
            service.delete(name)
        except Rejected as rejected:
            self._abort(rpc, "delete", name, None, rejected, context)
        self._ok(rpc, "delete", name, None, None, None)
        return _DELETED

    def _list(self, rpc: str, response_type: Any, context: grpc.ServicerContext) -> Any:
        """This app's jobs in the Scheduler's etcd key order, i.e. by name (§14)."""
        self._authorize(rpc, context)
        service = self.service
        exposed = service.contract.profile.failure_policy_exposed
        states = sorted(service.list_jobs(), key=lambda state: state.name)
        jobs = [job_to_proto(s.plan.spec, s.plan.failure_policy if exposed else None) for s in states]
        response = response_type(jobs=jobs)
        self._ok(rpc, "list", None, None, None, [s.name for s in states])
        return response

    def _delete_prefix(
        self, rpc: str, request: Any, response_type: Any, context: grpc.ServicerContext
    ) -> Any:
        """Delete every job whose name starts with `name_prefix`; unset or "" deletes them all (§14)."""
        self._authorize(rpc, context)
        prefix = request.name_prefix
        deleted = self.service.delete_prefix(prefix)
        body = {"namePrefix": prefix} if request.HasField("name_prefix") else {}
        self._ok(rpc, "delete_prefix", prefix or None, body, None, deleted)
        return response_type()

    # -- journal, checks and errors -------------------------------------------------------------
    def _ok(
        self, rpc: str, operation: Operation, name: str | None, body: Any, spec: JobSpec | None, response: Any
    ) -> None:
        self.service.record(
            protocol="grpc",
            operation=operation,
            job_name=name,
            request=_PATH + rpc,
            body=body,
            spec=spec,
            status=200,
            response=response,
        )

    def _check_name(self, name: str) -> None:
        """GetJob/DeleteJob: an empty name is refused before the Scheduler is asked (§5.2)."""
        if not name:
            raise Rejected(
                self.service.contract.errors.name_empty(),
                "name",
                "name.empty",
                "the job name is empty",
                section="§5.2",
            )

    def _authorize(self, rpc: str, context: grpc.ServicerContext) -> None:
        """daprd's API-token interceptor (§11): every RPC needs `dapr-api-token` when a token is set."""
        token = self._api_token()
        if not token:
            return
        sent = None
        for key, value in context.invocation_metadata():
            if key == _TOKEN_KEY:
                sent = value
                break
        if sent == token:
            return
        detail = (
            "missing api token in request metadata"
            if sent is None
            else "authentication error: api token mismatch"
        )
        rejected = Rejected(
            DaprError(401, "UNAUTHENTICATED", "", detail),
            "metadata dapr-api-token",
            "auth.token",
            f"the dapr-api-token metadata is {'missing' if sent is None else 'wrong'}",
            hint="send the sidecar's API token (DAPR_API_TOKEN) as dapr-api-token gRPC metadata",
            section="§11",
        )
        self._record_rejection(rpc, "other", None, None, rejected, "UNAUTHENTICATED")
        context.abort_with_status(auth_status(detail))
        raise AssertionError("unreachable: context.abort_with_status raises")

    def _unimplemented(self, rpc: str, context: grpc.ServicerContext) -> NoReturn:
        """grpc-go's answer for a method the server does not have (this Dapr version lacks it)."""
        message = f"unknown method {rpc} for service {SERVICE}"
        self.service.record(
            protocol="grpc",
            operation="other",
            job_name=None,
            request=_PATH + rpc,
            body=None,
            spec=None,
            status=HTTP_OF_CODE["UNIMPLEMENTED"],
            response={"code": "UNIMPLEMENTED", "message": message},
        )
        context.abort(grpc.StatusCode.UNIMPLEMENTED, message)
        raise AssertionError("unreachable: context.abort raises")

    def _abort(
        self,
        rpc: str,
        operation: Operation,
        name: str | None,
        body: Any,
        rejected: Rejected,
        context: grpc.ServicerContext,
        spec: JobSpec | None = None,
    ) -> NoReturn:
        if rejected.location == "url":  # the contract speaks HTTP; over gRPC the name is a field
            rejected.location = "job.name" if operation == "schedule" else "name"
        self._record_rejection(rpc, operation, name, body, rejected, rejected.error.grpc_code, spec)
        context.abort_with_status(error_status(rejected.error))
        raise AssertionError("unreachable: context.abort_with_status raises")

    def _record_rejection(
        self,
        rpc: str,
        operation: Operation,
        name: str | None,
        body: Any,
        rejected: Rejected,
        code: str,
        spec: JobSpec | None = None,
    ) -> None:
        self.service.record(
            protocol="grpc",
            operation=operation,
            job_name=name,
            request=_PATH + rpc,
            body=body,
            spec=spec,
            status=HTTP_OF_CODE.get(code, 500),
            response={
                "code": code,
                "message": rejected.error.message,
                "errorCode": rejected.error.error_code,
            },
            rejected=rejected,
        )


# -- the server -----------------------------------------------------------------------------------------


class GrpcSidecarServer:
    """A `grpc.server` serving one `GrpcJobsApi` on `host:port` (0 picks a free port).

    `SO_REUSEPORT` is off so a fixed port that is taken fails loudly instead of being shared.
    `stop()` cancels in-flight RPCs at once (grace 0): tests and Ctrl-C should not wait.
    grpc's `server.start()` never returns while time-machine freezes the clock (`tick=False`), so
    start the server before travelling (`DaprJobsFake.start` pauses its own travel for it).
    """

    def __init__(
        self, api: GrpcJobsApi, host: str = "127.0.0.1", port: int = 0, max_workers: int = 16
    ) -> None:
        self.api = api
        self.host = host
        self.requested_port = port
        self.port = port
        self.max_workers = max_workers
        self._server: grpc.Server | None = None

    def is_running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("the gRPC server is already running")
        server = grpc.server(
            futures.ThreadPoolExecutor(
                max_workers=self.max_workers, thread_name_prefix="dapr-jobs-fake-grpc"
            ),
            options=[("grpc.so_reuseport", 0)],
        )
        api_service_v1.add_DaprServicer_to_server(self.api, server)  # type: ignore[no-untyped-call]
        host = f"[{self.host}]" if ":" in self.host else self.host
        try:
            port = server.add_insecure_port(f"{host}:{self.requested_port}")
        except RuntimeError as err:
            raise OSError(f"cannot listen on {host}:{self.requested_port} for gRPC: {err}") from err
        if port == 0:
            raise OSError(f"cannot listen on {host}:{self.requested_port} for gRPC")
        server.start()
        self.port = port
        self._server = server

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop(grace=0).wait(5)
