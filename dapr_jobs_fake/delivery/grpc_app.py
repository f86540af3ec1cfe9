"""Delivering triggers to a gRPC app (`--app-protocol grpc`), as daprd does (contract §10.2, §10.3).

`GrpcAppTarget` fits `delivery.Target`: for each attempt it sends
`JobEventRequest{name, data: <stored Any>, method: "job/<name>", content_type: data.type_url,
http_extension: {verb: POST}}` to `AppCallback/OnJobEvent` and, on UNIMPLEMENTED, to
`AppCallbackAlpha/OnJobEventAlpha1` (Dapr 1.18+; older versions call only the Alpha1 method). Jobs
created over HTTP carry their data as an `Any` of `google.protobuf.Value`, as in the Scheduler.

The app's status decides the outcome (`wire.outcome_for_grpc_code`): OK and NOT_FOUND succeed,
every other code, an unreachable app or a deadline fails and the failure policy applies. Works with
`dapr.ext.grpc.App` and any other `AppCallback` server. Needs the `grpc` extra.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from ..contract import rows
from ..contract.errors import Suspicion
from ..contract.model import JobData
from ..contract.proto import GRPC_EXTRA_HINT, data_to_any
from ..engine.attempt import Attempt, Outcome
from .wire import outcome_for_grpc_code

try:
    import grpc
    from dapr.proto import appcallback_service_v1, appcallback_v1, common_v1
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(f"{GRPC_EXTRA_HINT} ({exc})") from exc

_POST = common_v1.HTTPExtension.POST


def job_event_request(name: str, data: JobData | None) -> Any:
    """The `JobEventRequest` daprd sends an app for a trigger of job `name` (`grpc_channel.go:sendJob`):
    the stored `Any` as `data` and its type URL as `content_type`, method `job/<name>`, verb POST."""
    request = appcallback_v1.JobEventRequest(
        name=name, method="job/" + name, http_extension=common_v1.HTTPExtension(verb=_POST)
    )
    if data is not None:
        packed = data_to_any(data)
        request.data.CopyFrom(packed)
        request.content_type = packed.type_url
    return request


class GrpcAppTarget:
    """`OnJobEvent` (then `OnJobEventAlpha1`) on the app at `address` ("host:port"), one channel.

    `stable_first` is the profile's `app_stable_callback`; `timeout` (seconds, wall clock) bounds
    each call. The channel is opened on first use and reconnects by itself, as gRPC channels do.
    """

    def __init__(
        self,
        address: str,
        *,
        app_token: str | None = None,
        stable_first: bool = True,
        timeout: float = 10.0,
        callback_name: Callable[[str], str | None] = lambda name: name,
    ) -> None:
        self.address = address
        self._callback_name = callback_name
        self.app_token = app_token
        self.stable_first = stable_first
        self.timeout = timeout
        self.target_name = f"grpc://{address}"
        self._metadata = (("dapr-api-token", app_token),) if app_token else ()
        self._channel: grpc.Channel | None = None
        self._stable: Any = None
        self._alpha: Any = None
        self._lock = threading.Lock()

    def _stubs(self) -> tuple[Any, Any]:
        with self._lock:
            if self._channel is None:
                self._channel = grpc.insecure_channel(self.address)
                stable = appcallback_service_v1.AppCallbackStub(self._channel)  # type: ignore[no-untyped-call]
                self._stable = stable.OnJobEvent
                alpha = appcallback_service_v1.AppCallbackAlphaStub(self._channel)  # type: ignore[no-untyped-call]
                self._alpha = alpha.OnJobEventAlpha1
            return self._stable, self._alpha

    def request_for(self, attempt: Attempt) -> Any:
        """The `JobEventRequest` daprd sends for this attempt (`grpc_channel.go:sendJob`): the stored
        `Any` as it is (an HTTP-created data-less job on 1.14.3-1.18.2: a Value with no kind)."""
        return job_event_request(self._callback_name(attempt.name) or attempt.name, attempt.plan.stored_data)

    def deliver(self, attempt: Attempt) -> Outcome:
        stable, alpha = self._stubs()
        request = self.request_for(attempt)
        calls = (
            (("OnJobEvent", stable), ("OnJobEventAlpha1", alpha))
            if self.stable_first
            else (("OnJobEventAlpha1", alpha),)
        )
        error: grpc.RpcError | None = None
        via = calls[0][0]
        for via, call in calls:
            try:
                call(request, timeout=self.timeout, metadata=self._metadata)
            except grpc.RpcError as exc:
                error = exc
                if exc.code() == grpc.StatusCode.UNIMPLEMENTED and via != calls[-1][0]:
                    continue  # the app predates OnJobEvent: daprd falls back to OnJobEventAlpha1
                break
            else:
                return self._warned(outcome_for_grpc_code(0, self.target_name, via), attempt)
        assert error is not None
        return self._warned(
            outcome_for_grpc_code(error.code().value[0], self.target_name, via, error), attempt
        )

    @staticmethod
    def _warned(outcome: Outcome, attempt: Attempt) -> Outcome:
        """Mark deliveries of HTTP-scheduled JSON data: the app gets a packed Value, not JSON (§10.2)."""
        data = attempt.plan.stored_data
        if data is None or not data.is_json_value:
            return outcome
        warning = Suspicion(rows.TRIGGER_JSON_TO_GRPC_APP, "trigger", {"name": attempt.name})
        return dataclasses.replace(outcome, warning=warning)

    def close(self) -> None:
        with self._lock:
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()
