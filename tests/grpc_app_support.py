"""A real `dapr.ext.grpc.App` for delivery tests, with an interceptor that records each callback."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent import futures
from contextlib import contextmanager
from typing import Any

import grpc
from dapr.ext.grpc import App

ON_JOB_EVENT = "/dapr.proto.runtime.v1.AppCallback/OnJobEvent"
ON_JOB_EVENT_ALPHA1 = "/dapr.proto.runtime.v1.AppCallbackAlpha/OnJobEventAlpha1"


class Recorder(grpc.ServerInterceptor):  # type: ignore[misc]
    """Records each call the app gets (method, request, metadata); can refuse chosen methods/jobs."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any, dict[str, str]]] = []
        self.refuse: dict[str, grpc.StatusCode] = {}  # method or job name -> code answered instead

    def methods(self) -> list[str]:
        return [method for method, _, _ in self.calls]

    def intercept_service(self, continuation: Callable[[Any], Any], details: Any) -> Any:
        handler = continuation(details)
        method = details.method
        if handler is None or not method.endswith(("OnJobEvent", "OnJobEventAlpha1")):
            return handler
        inner = handler.unary_unary

        def record(request: Any, context: grpc.ServicerContext) -> Any:
            self.calls.append((method, request, dict(context.invocation_metadata())))
            code = self.refuse.get(method) or self.refuse.get(request.name)
            if code is not None:
                context.abort(code, "refused by the test")
            return inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            record,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


@contextmanager
def serve_app() -> Iterator[tuple[App, str, Recorder]]:
    """A real `dapr.ext.grpc.App` on an ephemeral loopback port; returns (app, address, recorder)."""
    recorder = Recorder()
    application = App(thread_pool=futures.ThreadPoolExecutor(max_workers=4), interceptors=[recorder])
    # App.run() binds a fixed port and blocks; binding port 0 ourselves keeps parallel runs apart.
    port = application._server.add_insecure_port("127.0.0.1:0")
    application._server.start()
    try:
        yield application, f"127.0.0.1:{port}", recorder
    finally:
        application.stop()
