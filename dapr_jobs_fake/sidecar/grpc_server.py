"""The gRPC server under the sidecar: one `grpc.server` on its own loopback port serving `GrpcJobsApi`."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent import futures
from typing import Any

from ..contract.proto import GRPC_EXTRA_HINT
from .grpc_api import SERVICE, GrpcJobsApi
from .grpc_decode import bytes_in_handlers
from .http_server import ListenError, check_free

try:
    import grpc
    from dapr.proto import api_service_v1
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(f"{GRPC_EXTRA_HINT} ({exc})") from exc


class GrpcSidecarServer:
    """A `grpc.server` serving one `GrpcJobsApi` on `host:port` (0 picks a free port).

    `SO_REUSEPORT` is off so a fixed port that is taken fails loudly instead of being shared.
    `stop()` cancels in-flight RPCs at once (grace 0): tests and Ctrl-C should not wait.
    grpc's `server.start()` never returns while time-machine freezes the clock (`tick=False`), so
    start the server before travelling (`DaprJobsFake.start` pauses its own travel for it).
    """

    def __init__(
        self,
        api: GrpcJobsApi,
        host: str = "127.0.0.1",
        port: int = 0,
        max_workers: int = 16,
        interceptors: Sequence[Any] = (),
    ) -> None:
        self.api = api
        #: `grpc.ServerInterceptor`s around every RPC (the fake's in-flight counter).
        self.interceptors = list(interceptors)
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
        try:  # before gRPC tries: its C core would log the failure to stderr itself
            check_free(self.host, self.requested_port)
        except OSError as err:
            raise ListenError(self.host, self.requested_port, "gRPC", err.strerror or str(err)) from None
        server = grpc.server(
            futures.ThreadPoolExecutor(
                max_workers=self.max_workers, thread_name_prefix="dapr-jobs-fake-grpc"
            ),
            interceptors=self.interceptors,
            options=[("grpc.so_reuseport", 0)],
        )
        # The Jobs RPCs take bytes and decode them in the fake (journaling what grpc-go cannot decode):
        # registered before the stubs' generic handler and after their registered ones, to win both.
        jobs = bytes_in_handlers(self.api)
        server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, jobs),))
        api_service_v1.add_DaprServicer_to_server(self.api, server)  # type: ignore[no-untyped-call]
        if hasattr(server, "add_registered_method_handlers"):  # grpcio 1.63+
            server.add_registered_method_handlers(SERVICE, jobs)
        server.add_generic_rpc_handlers((_UnservedMethods(self.api),))  # last: what nothing else serves
        host = f"[{self.host}]" if ":" in self.host else self.host
        try:
            port = server.add_insecure_port(f"{host}:{self.requested_port}")
        except RuntimeError as err:
            raise ListenError(self.host, self.requested_port, "gRPC", str(err).split(";")[0]) from err
        if port == 0:
            raise ListenError(self.host, self.requested_port, "gRPC", "address already in use")
        server.start()
        self.port = port
        self._server = server

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.stop(grace=0).wait(5)


class _UnservedMethods(grpc.GenericRpcHandler):  # type: ignore[misc]  # grpc is untyped
    """Every method no other handler serves, answered as daprd's unknown-service handler (its
    service-invocation proxy) answers it: `GrpcJobsApi.unserved`. Streaming, bytes in, so it takes
    any call shape and any payload, as the proxy does."""

    def __init__(self, api: GrpcJobsApi) -> None:
        self._api = api

    def service(self, handler_call_details: Any) -> Any:
        method = str(handler_call_details.method)

        def answer(requests: Any, context: Any) -> Any:
            return self._api.unserved(method, context)

        return grpc.stream_stream_rpc_method_handler(answer)
