"""Real daprd + Scheduler as a conformance target: one pair per sidecar configuration, each with its own
test app, all inside this process's private network namespace (`netns`).

Time is real: a case's `Wait` sleeps until that many seconds after the case's first step, and the cases
of one sidecar run at the same time, each with its own job names, so a version records in minutes.
A configuration with the Scheduler stopped has its Scheduler stopped once daprd is ready.
"""

from __future__ import annotations

import os
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import grpc

from . import grpc_client, http_client
from .app_grpc import GrpcApp
from .app_http import HttpApp
from .model import Case, Sidecar
from .real_runtime import RealDapr
from .target_fake import APP_ID

__all__ = ["RealSidecar", "start_sidecars"]


class _RealRun:
    """One case on a real sidecar, with its own start time."""

    def __init__(self, sidecar: RealSidecar) -> None:
        self._sidecar = sidecar
        self._started = time.monotonic()

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def http(self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]) -> Any:
        return http_client.send(self._sidecar.dapr.http_port, method, path, body, headers)

    def grpc(self, rpc: str, request: Any, metadata: tuple[tuple[str, str], ...]) -> Any:
        return grpc_client.call(self._sidecar.channel, rpc, request, metadata)

    def wait_until(self, at: float) -> None:
        time.sleep(max(0.0, self._started + at - time.monotonic()))

    def received(self, jobs: tuple[str, ...]) -> list[dict[str, Any]]:
        app = self._sidecar.app
        return [] if app is None else app.deliveries.of(jobs)


class RealSidecar:
    """A real daprd + Scheduler (and the configuration's test app) for one sidecar configuration."""

    def __init__(
        self, daprd: Path, scheduler: Path, version: str, sidecar: Sidecar, log_dir: Path | None
    ) -> None:
        self.sidecar = sidecar
        self.concurrent = not sidecar.serial
        self.app: HttpApp | GrpcApp | None = None
        app_port, protocol = None, "http"
        if sidecar.app == "http":
            self.app = HttpApp().start()
            app_port = self.app.port
        elif sidecar.app in ("grpc", "grpc-alpha"):
            self.app = GrpcApp(stable=sidecar.app == "grpc").start()
            app_port, protocol = self.app.port, "grpc"
        self.dapr = RealDapr(
            daprd,
            scheduler,
            version,
            app_id=APP_ID,
            app_port=app_port,
            app_protocol=protocol,
            dapr_api_token=sidecar.dapr_api_token,
            app_api_token=sidecar.app_api_token,
            log_dir=None if log_dir is None else log_dir / sidecar.name,
        )
        self.channel: grpc.Channel | None = None

    def start(self) -> RealSidecar:
        self.dapr.start()
        if self.sidecar.scheduler_down:
            self.dapr.stop_scheduler()
        self.channel = grpc.insecure_channel(self.dapr.grpc_address)
        return self

    def begin(self, case: Case) -> _RealRun:
        if self.app is not None:
            self.app.answers.set(case.answers)
        return _RealRun(self)

    def close(self) -> None:
        if self.channel is not None:
            self.channel.close()
        self.dapr.stop()
        if self.app is not None:
            self.app.stop()


def start_sidecars(
    daprd: Path, scheduler: Path, version: str, sidecars: list[Sidecar], log_dir: Path | None
) -> dict[str, RealSidecar]:
    """Every configuration's sidecar, started at the same time; all stopped again if one fails."""
    made = {s.name: RealSidecar(daprd, scheduler, version, s, log_dir) for s in sidecars}
    with ThreadPoolExecutor(max_workers=max(1, min(len(made), os.cpu_count() or 2, 4))) as pool:
        futures = [pool.submit(sidecar.start) for sidecar in made.values()]
        errors = [future.exception() for future in futures]
    failed = [error for error in errors if error is not None]
    if failed:
        for sidecar in made.values():
            sidecar.close()
        raise failed[0]
    return made
