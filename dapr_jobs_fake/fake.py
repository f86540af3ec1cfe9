"""`DaprJobsFake`: the object a test touches, wiring contract, engine, clock, delivery, journal and servers.

Start it (or use it as a context manager), point code under test at `.url` / `.env`, move `.clock`, and
assert with the journal helpers. Its parts are built once and keep their identity: `reset()` swaps
state (jobs, journal, handlers, clock time, options), never wiring, so one server can serve many tests
(the pytest-httpserver pattern) and nothing holds a stale reference.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from ._version import __version__
from .contract.profiles import Profile, get_profile
from .contract.rules import Contract
from .delivery.handlers import JobHandlers
from .delivery.router import AppSettings, DeliveryRouter
from .engine.attempt import Attempt, Outcome
from .engine.clock import VirtualClock
from .engine.engine import Engine
from .engine.jobs_view import Job, JobsView
from .journal.findings import ContractWarning, Violation
from .journal.journal import Journal
from .journal.records import Call, TriggerRecord
from .options import SERVER_OPTIONS, STATE_OPTIONS, FakeOptions, check_names
from .sidecar.http_api import HttpJobsApi
from .sidecar.http_server import SidecarHTTPServer
from .sidecar.service import JobsService


def grpc_available() -> bool:
    """True when the `grpc` extra is installed (grpcio, grpcio-status and the `dapr` stubs).

    Checked without importing `dapr.conf`, which Dapr SDKs up to 1.18 read the environment in once.
    """
    try:
        return all(
            importlib.util.find_spec(name) is not None for name in ("grpc", "grpc_status", "dapr.proto")
        )
    except ImportError:  # a missing parent package
        return False


class _Option:
    """A fake's property for one option: reads `fake.options`, writes through `fake.configure`."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, fake: DaprJobsFake | None, owner: type) -> Any:
        if fake is None:
            return self
        return getattr(fake.options, self.name)

    def __set__(self, fake: DaprJobsFake, value: Any) -> None:
        if self.name in SERVER_OPTIONS:
            raise AttributeError(f"{self.name} is fixed when the fake is built; make another DaprJobsFake")
        fake.configure(**{self.name: value})


class DaprJobsFake:
    """A fake Dapr sidecar serving the Jobs API, with a virtual clock and a journal.

    Keyword options (`FakeOptions` documents each): `dapr_version` (a profile key, default "1.18"),
    `start`, `app_url`, `wsgi_app`, `asgi_app`, `app_grpc_address`, `app_connected`, `api_token`,
    `app_api_token`, `app_id`, `namespace`, `travel`, `delivery_timeout`, `journal_limit`, and the
    server options `host`, `http_port`, `grpc`, `grpc_port`. Each is also a property; setting one
    applies it at once. An app is picked in this order: `wsgi_app`, `asgi_app`, `app_grpc_address`,
    `app_url`; `on_job` handlers take their jobs first.
    """

    dapr_version = _Option("dapr_version")
    app_url = _Option("app_url")
    wsgi_app = _Option("wsgi_app")
    asgi_app = _Option("asgi_app")
    app_grpc_address = _Option("app_grpc_address")
    app_connected = _Option("app_connected")
    api_token = _Option("api_token")
    app_api_token = _Option("app_api_token")
    app_id = _Option("app_id")
    namespace = _Option("namespace")
    travel = _Option("travel")
    delivery_timeout = _Option("delivery_timeout")
    journal_limit = _Option("journal_limit")
    host = _Option("host")

    def __init__(self, options: FakeOptions | None = None, /, **changes: Any) -> None:
        self.options = (options or FakeOptions()).replace(**changes)
        self._lock = threading.RLock()
        self.journal = Journal()
        self.engine = Engine()
        self.clock = VirtualClock(
            self.engine,
            start=self.options.start,
            observer=self.journal.record_trigger,
            notify=self.journal.flush,
        )
        self.router = DeliveryRouter()
        self.handlers: JobHandlers = self.router.handlers
        profile = get_profile(self.options.dapr_version)
        self.service = JobsService(
            Contract(profile, self.options.app_id, self.options.namespace),
            self.engine,
            self.journal,
            self.clock,
        )
        self.api = HttpJobsApi(self.service, api_token=lambda: self.options.api_token, metadata=self.metadata)
        self.httpserver = SidecarHTTPServer(
            self.api.front, self.api.unknown_route, self.options.host, self.options.http_port
        )
        self.grpc_api: Any = None
        self.grpc_server: Any = None
        grpc = self.options.grpc
        if grpc or (grpc is None and grpc_available()):
            from .sidecar.grpc_api import GrpcJobsApi  # the grpc extra, imported on demand
            from .sidecar.grpc_server import GrpcSidecarServer

            self.grpc_api = GrpcJobsApi(
                self.service, api_token=lambda: self.options.api_token, metadata=self.metadata
            )
            self.grpc_server = GrpcSidecarServer(self.grpc_api, self.options.host, self.options.grpc_port)
        self.jobs: Mapping[str, Job] = JobsView(self.engine)
        self._apply()
        if self.options.travel:
            self.clock.start_travel()

    # -- options --------------------------------------------------------------------------------
    @property
    def profile(self) -> Profile:
        """The emulated Dapr version."""
        return self.service.contract.profile

    @property
    def contract(self) -> Contract:
        return self.service.contract

    def configure(self, **changes: Any) -> None:
        """Apply option changes now, keeping jobs and journal (what the option properties do).

        A new `start` takes effect at the next `reset()`; `travel` starts or stops following at once.
        """
        check_names(changes, STATE_OPTIONS, "option")
        with self._lock:
            before = self.options
            self.options = before.replace(**changes)
            self._apply()
            if self.options.travel != before.travel:
                (self.clock.start_travel if self.options.travel else self.clock.stop_travel)()
        if self.options.app_connected and not before.app_connected and not self.clock.delivering:
            self.clock.advance()  # held triggers are delivered, in order, once the app is back

    def reset(self, **changes: Any) -> None:
        """Forget every job, call, trigger, handler and listener, and apply `changes` (options not given
        keep their value). The servers keep running on the same ports; the clock starts again at
        `start` (or the current time)."""
        check_names(changes, STATE_OPTIONS, "option")
        with self._lock:
            self.options = self.options.replace(**changes)
            self.journal.clear()
            self.handlers.clear()
            self.engine.clear()
            self.httpserver.clear()
            self.clock.reset(start=self.options.start, travel=self.options.travel)
            self._apply()

    def _apply(self) -> None:
        """Make the parts follow `self.options` (called with the lock held, or from `__init__`)."""
        options = self.options
        profile = get_profile(options.dapr_version)
        contract = self.service.contract
        if (contract.profile, contract.errors.app_id, contract.errors.namespace) != (
            profile,
            options.app_id,
            options.namespace,
        ):
            self.service.contract = Contract(profile, options.app_id, options.namespace)
        self.engine.retries_enabled = profile.results_reported
        self.journal.set_limit(options.journal_limit)
        self.router.configure(
            AppSettings(
                app_url=options.app_url,
                wsgi_app=options.wsgi_app,
                asgi_app=options.asgi_app,
                app_grpc_address=options.app_grpc_address,
                app_api_token=options.app_api_token,
                stable_callback=profile.app_stable_callback,
                grpc_callback_token=profile.grpc_callback_token,
                delivery_timeout=options.delivery_timeout,
                callback_name=profile.callback_name,
            )
        )
        router = self.router
        if not options.app_connected:  # no sidecar for the app ID, or an unhealthy app (§8)
            self.clock.delivery = None if profile.hold_when_disconnected else _drop
        elif router.target is None and router.handlers and not profile.callback_name_after_last_pipes:
            self.clock.delivery = router.handlers.deliver  # handlers only: no per-attempt routing
        else:
            self.clock.delivery = router.deliver

    def on_job(self, name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: handle triggers of job `name` (every job without a handler when None) in process."""

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            with self._lock:
                self.handlers.register(name, fn)
                self._apply()
            return fn

        return decorator

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> DaprJobsFake:
        if not self.httpserver.is_running():
            self.httpserver.start()
        if self.grpc_server is not None and not self.grpc_server.is_running():
            travelling = self.clock.travelling
            if travelling:  # grpc's server start hangs while time-machine holds the clock still
                self.clock.stop_travel()
            try:
                self.grpc_server.start()
            except OSError:
                self.httpserver.stop()
                raise
            finally:
                if travelling:
                    self.clock.start_travel()
        return self

    def stop(self) -> None:
        self.clock.close()
        self.router.close()
        if self.httpserver.is_running():
            self.httpserver.stop()
        if self.grpc_server is not None:
            self.grpc_server.stop()

    def __enter__(self) -> DaprJobsFake:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    async def __aenter__(self) -> DaprJobsFake:
        """`async with DaprJobsFake(asgi_app=app) as fake:` in async code; see `__aexit__`."""
        return self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        """Stop, awaiting an in-process ASGI app's lifespan shutdown on this loop first."""
        await self.router.aclose()
        self.stop()

    @property
    def http_port(self) -> int:
        return int(self.httpserver.port)

    @property
    def grpc_port(self) -> int | None:
        """The gRPC API's port (None when gRPC is off)."""
        return None if self.grpc_server is None else int(self.grpc_server.port)

    @property
    def url(self) -> str:
        return f"http://{_bracketed(self.options.host)}:{self.http_port}"

    @property
    def env(self) -> dict[str, str]:
        """The `DAPR_*` variables that point Dapr SDKs and apps at this fake."""
        host = self.options.host
        env = {
            "DAPR_HTTP_PORT": str(self.http_port),
            "DAPR_HTTP_ENDPOINT": self.url,
            "DAPR_RUNTIME_HOST": host,
        }
        if self.grpc_server is not None:
            env["DAPR_GRPC_PORT"] = str(self.grpc_port)
            env["DAPR_GRPC_ENDPOINT"] = f"{_bracketed(host)}:{self.grpc_port}"
        if self.options.api_token:
            env["DAPR_API_TOKEN"] = self.options.api_token
        return env

    def metadata(self) -> dict[str, Any]:
        """The `/v1.0/metadata` answer (§12): enough for clients that probe it, naming the version."""
        profile = self.profile
        answer: dict[str, Any] = {
            "id": self.options.app_id,
            "runtimeVersion": profile.runtime_version,
            "enabledFeatures": [],
            "actors": [],
            "components": [],
            "extended": {
                "daprRuntimeVersion": profile.runtime_version,
                "dapr-jobs-fake": __version__,
                "dapr-jobs-fake-profile": profile.key,
            },
            "subscriptions": [],
            "httpEndpoints": [],
            "appConnectionProperties": {"port": 0, "protocol": "http", "channelAddress": "127.0.0.1"},
        }
        if profile.metadata_scheduler_key:  # 1.15+, and only with a connected Scheduler (§12)
            answer["scheduler"] = {"connected_addresses": ["dapr-jobs-fake"]}
        return answer

    # -- journal --------------------------------------------------------------------------------
    @property
    def calls(self) -> list[Call]:
        return self.journal.calls

    @property
    def scheduled(self) -> list[Call]:
        return self.journal.scheduled

    @property
    def fetched(self) -> list[Call]:
        return self.journal.fetched

    @property
    def deleted(self) -> list[Call]:
        return self.journal.deleted

    @property
    def violations(self) -> list[Violation]:
        return self.journal.violations

    @property
    def warnings(self) -> list[ContractWarning]:
        return self.journal.warnings

    @property
    def triggers(self) -> list[TriggerRecord]:
        return self.journal.triggers

    def assert_scheduled(self, name: str, count: int | None = None, **fields: Any) -> list[Call]:
        return self.journal.assert_scheduled(name, count, **fields)

    def assert_fetched(self, name: str, count: int | None = None) -> list[Call]:
        return self.journal.assert_fetched(name, count)

    def assert_deleted(self, name: str, count: int | None = None) -> list[Call]:
        return self.journal.assert_deleted(name, count)

    def assert_no_violations(self) -> None:
        self.journal.assert_no_violations()

    def assert_triggered(
        self, name: str, times: int | None = None, at: datetime | Sequence[datetime] | None = None
    ) -> list[TriggerRecord]:
        return self.journal.assert_triggered(name, times=times, at=at)

    def __repr__(self) -> str:
        state = "running" if self.httpserver.is_running() else "stopped"
        return f"<DaprJobsFake {self.profile.key} {state} {self.url if state == 'running' else ''}>"


def _drop(attempt: Attempt) -> Outcome:
    """Dapr 1.14 without a connected sidecar: the Scheduler drops the trigger and consumes its tick."""
    return Outcome(
        "none", True, reason="no sidecar connected for the app: trigger dropped (Dapr 1.14)", delivered=False
    )


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host
