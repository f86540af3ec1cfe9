"""`DaprJobsFake`: the object a test touches, wiring contract, engine, clock, delivery, journal and servers.

Start it (or use it as a context manager), point code under test at `.url` / `.env`, move `.clock`, and
assert with the journal helpers. Its parts are built once and keep their identity: `reset()` swaps
state (jobs, journal, handlers, clock time, options), never wiring, so one server can serve many tests
(the pytest-httpserver pattern) and nothing holds a stale reference.
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Mapping
from typing import Any

from ._version import __version__
from .contract.profiles import Profile, get_profile
from .contract.rules import Contract
from .delivery.handlers import JobHandlers
from .delivery.router import AppSettings, DeliveryRouter
from .engine.activity import Activity
from .engine.attempt import Attempt, Outcome
from .engine.autoclock import AutoClock, ClockJump
from .engine.clock import VirtualClock
from .engine.engine import Engine
from .engine.jobs_view import Job, JobsView
from .journal.journal import Journal
from .journal.views import JournalViews
from .options import SERVER_OPTIONS, STATE_OPTIONS, FakeOptions, check_names
from .sidecar.faults import Faults
from .sidecar.http_api import HttpJobsApi
from .sidecar.http_server import SidecarHTTPServer
from .sidecar.inflight import counted_http, grpc_interceptor
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


class DaprJobsFake(JournalViews):
    """A fake Dapr sidecar serving the Jobs API, with a virtual clock and a journal.

    Keyword options (`FakeOptions` documents each): `dapr_version` (a profile key, default "1.18"),
    `start`, `app_url`, `wsgi_app`, `asgi_app`, `app_grpc_address`, `app_connected`, `api_token`,
    `app_api_token`, `app_id`, `namespace`, `travel`, `delivery_timeout`, `journal_limit`, `clock`
    ("manual" or "auto": time skipping), `auto_quiet`, `auto_horizon`, `faults`, and the server options
    `host`, `http_port`, `grpc`, `grpc_port`. Each is also a property (but `clock` and `faults`, which
    name the `VirtualClock` and the `Faults`: change those options with `configure`); setting one
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
    auto_quiet = _Option("auto_quiet")
    auto_horizon = _Option("auto_horizon")
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
        #: Requests and moves in flight, for `auto_clock`: time skipping with `clock="auto"`.
        self.activity = Activity()
        self.auto_clock = AutoClock(self.clock, self.activity, observer=self.journal.record_jump)
        #: Fault injection: Jobs API calls and deliveries that fail as real outages make them fail.
        self.faults = Faults(
            self.service, delivery_timeout=lambda: self.options.delivery_timeout, on_change=self._rewire
        )
        self.api.mounts.append(self.faults.health)
        self.httpserver = SidecarHTTPServer(
            counted_http(self.api.front, self.activity),
            self.api.unknown_route,
            self.options.host,
            self.options.http_port,
            rules=self.api.go_rules,
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
            self.grpc_server = GrpcSidecarServer(
                self.grpc_api,
                self.options.host,
                self.options.grpc_port,
                interceptors=[grpc_interceptor(self.activity)],
            )
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
        """The contract checks of the emulated version (decoding, daprd's and the Scheduler's rules)."""
        return self.service.contract

    def configure(self, **changes: Any) -> None:
        """Apply option changes now, keeping jobs and journal (what the option properties do).

        A new `start` takes effect at the next `reset()`; `travel` starts or stops following at once.
        """
        check_names(changes, STATE_OPTIONS, "option")
        with self._lock:
            before = self.options
            self.options = before.replace(**changes)
            try:
                self._apply()
            except BaseException:  # a refused option (a malformed app_url...) changes nothing
                self.options = before
                self._apply()
                raise
            if self.options.travel != before.travel:
                (self.clock.start_travel if self.options.travel else self.clock.stop_travel)()
        if self.options.app_connected and not before.app_connected and not self.clock.delivering:
            self.clock.advance()  # held triggers are delivered, in order, once the app is back

    def reset(self, **changes: Any) -> None:
        """Forget every job, call, trigger, handler and listener, and apply `changes` (options not given
        keep their value). The servers keep running on the same ports; the clock starts again at
        `start` (or the current time)."""
        check_names(changes, STATE_OPTIONS, "option")
        self.auto_clock.stop()  # no jump while the state is swapped (restarted by _apply)
        with self._lock:
            before = self.options
            self.options = before.replace(**changes)
            self.faults.reset()
            self.journal.clear()
            self.handlers.clear()
            self.engine.clear()
            self.httpserver.clear()
            self.clock.reset(start=self.options.start, travel=self.options.travel)
            try:
                self._apply()
            except BaseException:  # the state is cleared; the refused options are not kept
                self.options = before
                self._apply()
                raise

    def _apply(self) -> None:
        """Make the parts follow `self.options` (called with the lock held, or from `__init__`)."""
        options = self.options
        if options.clock not in ("manual", "auto"):
            raise ValueError(f"clock must be 'manual' or 'auto', not {options.clock!r}")
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
        self.faults.configure(options.faults)
        router, faults = self.router, self.faults
        if not options.app_connected:  # no sidecar for the app ID, or an unhealthy app (§8)
            self.clock.delivery = None if profile.hold_when_disconnected else _drop
        elif router.target is None and router.handlers and not profile.callback_name_after_last_pipes:
            self.clock.delivery = faults.wrap_delivery(router.handlers.deliver)  # no per-attempt routing
        else:
            self.clock.delivery = faults.wrap_delivery(router.deliver)
        self.auto_clock.apply(options.clock == "auto", options.auto_quiet, options.auto_horizon)

    def _rewire(self) -> None:
        """App faults came or went: put them in front of the delivery (or take them away)."""
        with self._lock:
            self._apply()

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
        """Start serving (HTTP, and gRPC when on); returns the fake. Idempotent; `with fake:` calls it."""
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
        """Stop serving: interrupt a clock move, close app connections (an ASGI app's lifespan shuts
        down) and stop the servers. Jobs and journal are kept; `start()` serves again."""
        self.auto_clock.stop(wait=0)
        self.faults.reset()  # calls waiting out a fault end, unanswered
        self.clock.close()
        self.router.close()
        if self.httpserver.is_running():
            self.httpserver.stop()
        if self.grpc_server is not None:
            self.grpc_server.stop()
        self.auto_clock.stop()

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
        """The HTTP API's port (the ephemeral one picked when `http_port=0`)."""
        return int(self.httpserver.port)

    @property
    def grpc_port(self) -> int | None:
        """The gRPC API's port (None when gRPC is off)."""
        return None if self.grpc_server is None else int(self.grpc_server.port)

    @property
    def url(self) -> str:
        """The HTTP API's base URL, e.g. `http://127.0.0.1:43121` (`DAPR_HTTP_ENDPOINT`)."""
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
        if profile.metadata_scheduler_key and not self.faults.scheduler_disconnected:  # 1.15+, §12
            answer["scheduler"] = {"connected_addresses": ["dapr-jobs-fake"]}
        return answer

    @property
    def jumps(self) -> list[ClockJump]:
        """The auto clock's jumps (`clock="auto"`), in order."""
        return self.journal.jumps

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
