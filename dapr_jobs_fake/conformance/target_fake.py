"""The fake as a conformance target: an in-process `DaprJobsFake` per sidecar configuration, emulating the
recorded version, delivering to the same test apps the real target uses.

Each case starts from a blank fake (`reset()`: no jobs, the virtual clock back at `START`), and its
`Wait` steps advance the virtual clock, so a replay takes milliseconds per case and needs neither Go,
nor the binaries, nor a network namespace. A configuration with the Scheduler stopped is the fake with
`fake.faults.scheduler_unreachable()` installed (answering at once, where daprd waits its 30 s).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import grpc

from ..fake import DaprJobsFake
from . import grpc_client, http_client
from .app_grpc import GrpcApp
from .app_http import HttpApp
from .model import Case, Sidecar

__all__ = ["APP_ID", "START", "FakeSidecar"]

#: The app ID of every sidecar, real or fake (it appears in Dapr's error texts).
APP_ID = "conformance"
#: Where the fake's virtual clock starts each case: off the whole second, as a real request is.
START = datetime(2026, 1, 1, 0, 0, 0, 400_000, tzinfo=timezone.utc)


class _FakeRun:
    """One case on the fake: requests over the fake's real sockets, time on its virtual clock."""

    def __init__(self, sidecar: FakeSidecar) -> None:
        self._sidecar = sidecar

    def now(self) -> datetime:
        return self._sidecar.fake.clock.now()

    def http(self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]) -> Any:
        return http_client.send(self._sidecar.fake.http_port, method, path, body, headers)

    def grpc(self, rpc: str, request: Any, metadata: tuple[tuple[str, str], ...]) -> Any:
        return grpc_client.call(self._sidecar.channel, rpc, request, metadata)

    def wait_until(self, at: float) -> None:
        target = START + timedelta(seconds=at)
        clock = self._sidecar.fake.clock
        if target > clock.now():
            clock.advance_to(target)

    def received(self, jobs: tuple[str, ...]) -> list[dict[str, Any]]:
        app = self._sidecar.app
        return [] if app is None else app.deliveries.of(jobs)


class FakeSidecar:
    """A started `DaprJobsFake` (HTTP and gRPC) for one sidecar configuration, with its test app."""

    concurrent = False

    def __init__(self, version: str, sidecar: Sidecar) -> None:
        self.sidecar = sidecar
        self.app: HttpApp | GrpcApp | None = None
        options: dict[str, Any] = {
            "dapr_version": version,
            "app_id": APP_ID,
            "start": START,
            "grpc": True,
            "api_token": sidecar.dapr_api_token,
            "app_api_token": sidecar.app_api_token,
        }
        if sidecar.app == "http":
            self.app = HttpApp().start()
            options["app_url"] = self.app.url
        elif sidecar.app in ("grpc", "grpc-alpha"):
            self.app = GrpcApp(stable=sidecar.app == "grpc").start()
            options["app_grpc_address"] = self.app.address
        self.fake = DaprJobsFake(**options).start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.fake.grpc_port}")

    def begin(self, case: Case) -> _FakeRun:
        self.fake.reset()
        if self.sidecar.scheduler_down:
            self.fake.faults.scheduler_unreachable()
        if self.app is not None:
            self.app.deliveries.clear()
            self.app.answers.clear()
            self.app.answers.set(case.answers)
        return _FakeRun(self)

    def close(self) -> None:
        self.channel.close()
        self.fake.stop()
        if self.app is not None:
            self.app.stop()
