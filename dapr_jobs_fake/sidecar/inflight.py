"""Requests in flight, at the adapters' edge: counted for the auto clock, and hung up on by faults.

`counted_http(front, activity)` wraps the HTTP adapter's entry point and `CountingInterceptor` the gRPC
server: each request counts as activity while it is handled (GET and List as reads, which do not restart
the auto clock's quiet period), and the handling thread knows how to tell whether its client is still
there (`client_gone()`, for faults that wait). A fault that gives no answer raises `Abandoned`; the
wrappers turn it into what a client of a daprd that never answers sees: over HTTP the connection is
closed without a response, over gRPC the call ends with `DEADLINE_EXCEEDED` "Deadline Exceeded", the
status a client's own deadline gives.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
from collections.abc import Callable
from typing import Any

from werkzeug import Request, Response

from ..contract.outages import NO_ANSWER
from ..engine.activity import Activity

_local = threading.local()
_READ_METHODS = ("GET", "HEAD")


class Abandoned(Exception):
    """The call gets no answer at all (a Scheduler outage on Dapr 1.15.0-1.15.5, or a reset)."""


def client_gone() -> bool:
    """True when the client of the request this thread handles has gone away (False when unknown)."""
    check: Callable[[], bool] | None = getattr(_local, "gone", None)
    return check is not None and check()


class _HangUp(Response):
    """No answer: the connection is shut down instead (werkzeug counts it as dropped by the client)."""

    def __call__(self, environ: Any, start_response: Any) -> Any:
        close = environ.get("dapr_jobs_fake.close")
        if close is not None:
            close()
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        raise ConnectionAbortedError("dapr-jobs-fake: no answer (an injected outage)")


def _socket_gone(sock: Any) -> bool:
    """A closed connection reads as end of stream; one still open has nothing to read, or the next
    request. Never blocks (the socket's own timeout would make `recv` wait)."""
    try:
        poller = select.poll()  # not select(): any file descriptor number
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0)) and sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def counted_http(front: Callable[[Request], Response | None], activity: Activity) -> Callable[..., Any]:
    """`front`, counted as activity, knowing its client, and hanging up on `Abandoned`."""

    def counted(request: Request) -> Response | None:
        sock = request.environ.get("werkzeug.socket")
        _local.gone = None if sock is None else (lambda: _socket_gone(sock))
        activity.begin()
        try:
            return front(request)
        except Abandoned:
            return _HangUp()
        finally:
            _local.gone = None
            activity.end(changed=request.method not in _READ_METHODS)

    return counted


def grpc_interceptor(activity: Activity) -> Any:
    """A `grpc.ServerInterceptor` doing for gRPC what `counted_http` does for HTTP (needs the grpc extra)."""
    import grpc

    class CountingInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
        def intercept_service(self, continuation: Any, details: Any) -> Any:
            handler = continuation(details)
            if handler is None or handler.unary_unary is None:
                return handler
            inner = handler.unary_unary
            rpc = str(details.method).rsplit("/", 1)[-1]
            write = not rpc.startswith(("Get", "List"))

            def counted(request: Any, context: Any) -> Any:
                _local.gone = lambda: not context.is_active()
                activity.begin()
                try:
                    return inner(request, context)
                except Abandoned:
                    context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, NO_ANSWER.message)
                finally:
                    _local.gone = None
                    activity.end(changed=write)

            return grpc.unary_unary_rpc_method_handler(
                counted,
                request_deserializer=handler.request_deserializer,
                response_serializer=handler.response_serializer,
            )

    return CountingInterceptor()
