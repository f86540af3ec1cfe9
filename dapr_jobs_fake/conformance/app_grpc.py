"""The gRPC test app both targets deliver to (`--app-protocol grpc`): it records each job callback (the
method called, the `JobEventRequest`, the metadata) and answers as the case scripted.

`stable=True` serves `AppCallback/OnJobEvent` (Dapr 1.18 calls it first) and `AppCallbackAlpha/
OnJobEventAlpha1`; `stable=False` answers `OnJobEvent` UNIMPLEMENTED, as an app built before 1.18 does,
so daprd falls back to Alpha1. The unimplemented call is recorded too: the fallback is part of what is
compared. Subscriptions and input bindings are empty (daprd asks for them at start-up).
"""

from __future__ import annotations

from concurrent import futures
from typing import Any

import grpc
from dapr.proto import appcallback_service_v1, appcallback_v1

from .app_http import Answers, Deliveries
from .grpc_client import message_view

__all__ = ["GRPC_CODE_OF_STATUS", "GrpcApp"]

#: How a scripted status (`Case.answers`) reads for a gRPC app.
GRPC_CODE_OF_STATUS = {
    200: grpc.StatusCode.OK,
    400: grpc.StatusCode.INVALID_ARGUMENT,
    404: grpc.StatusCode.NOT_FOUND,
    500: grpc.StatusCode.INTERNAL,
    503: grpc.StatusCode.UNAVAILABLE,
}
_STABLE = "/dapr.proto.runtime.v1.AppCallback/OnJobEvent"
_ALPHA = "/dapr.proto.runtime.v1.AppCallbackAlpha/OnJobEventAlpha1"


class GrpcApp:
    """A gRPC app on 127.0.0.1:<ephemeral port>; `start()` before daprd starts."""

    def __init__(self, *, stable: bool = True) -> None:
        self.stable = stable
        self.answers = Answers()
        self.deliveries = Deliveries()
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
        app = self

        class Callback(appcallback_service_v1.AppCallbackServicer):
            def OnJobEvent(self, request: Any, context: grpc.ServicerContext) -> Any:
                return app._job(_STABLE, request, context, implemented=app.stable)

            def ListTopicSubscriptions(self, request: Any, context: grpc.ServicerContext) -> Any:
                return appcallback_v1.ListTopicSubscriptionsResponse()

            def ListInputBindings(self, request: Any, context: grpc.ServicerContext) -> Any:
                return appcallback_v1.ListInputBindingsResponse()

        class Alpha(appcallback_service_v1.AppCallbackAlphaServicer):
            def OnJobEventAlpha1(self, request: Any, context: grpc.ServicerContext) -> Any:
                return app._job(_ALPHA, request, context, implemented=True)

        class Health(appcallback_service_v1.AppCallbackHealthCheckServicer):
            def HealthCheck(self, request: Any, context: grpc.ServicerContext) -> Any:
                return appcallback_v1.HealthCheckResponse()

        service = appcallback_service_v1
        service.add_AppCallbackServicer_to_server(Callback(), self._server)  # type: ignore[no-untyped-call]
        service.add_AppCallbackAlphaServicer_to_server(Alpha(), self._server)  # type: ignore[no-untyped-call]
        service.add_AppCallbackHealthCheckServicer_to_server(  # type: ignore[no-untyped-call]
            Health(), self._server
        )
        self.port = int(self._server.add_insecure_port("127.0.0.1:0"))
        self._started = False

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _job(self, method: str, request: Any, context: grpc.ServicerContext, *, implemented: bool) -> Any:
        status = self.answers.next(request.name) if implemented else 0
        record = {
            "method": method,
            "request": message_view(request),
            "metadata": [[key, value] for key, value in context.invocation_metadata()],
            "answered": "UNIMPLEMENTED" if not implemented else GRPC_CODE_OF_STATUS[status].name,
        }
        self.deliveries.add(request.name, record)
        if not implemented:
            context.abort(grpc.StatusCode.UNIMPLEMENTED, "Method not implemented!")
        code = GRPC_CODE_OF_STATUS[status]
        if code is not grpc.StatusCode.OK:
            context.abort(code, f"answered {code.name} by the test app")
        return appcallback_v1.JobEventResponse()

    def start(self) -> GrpcApp:
        if not self._started:
            self._server.start()
            self._started = True
        return self

    def stop(self) -> None:
        self._server.stop(grace=0.5).wait()
