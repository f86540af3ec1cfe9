"""`DaprJobsFake`: the public object that wires contract, engine, clock, delivery, journal and servers.

It is what a test touches: start it (or use it as a context manager), point code under test at
`.url` / `.env`, move `.clock`, and assert with the journal helpers. `reset()` returns it to a blank
state without closing its ports, so one server can serve many tests (the pytest-httpserver pattern).
"""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from . import __version__
from .clock import VirtualClock
from .contract import Contract
from .delivery import HttpAppTarget, JobHandlers, Outcome, Target, WsgiAppTarget
from .engine import Attempt, Engine
from .http_api import HttpJobsApi, SidecarHTTPServer
from .jobs_view import Job, JobsView
from .journal import Call, Journal
from .profiles import DEFAULT_PROFILE, Profile, get_profile
from .service import JobsService
from .triggers import TriggerRecord, assert_triggered
from .violations import ContractWarning, Violation

#: Options `reset()` accepts, with the values it falls back to.
RESETTABLE_DEFAULTS: dict[str, Any] = {
    "dapr_version": DEFAULT_PROFILE.key,
    "start": None,
    "app_url": None,
    "wsgi_app": None,
    "api_token": None,
    "app_api_token": None,
    "app_id": "app",
    "namespace": "default",
    "travel": False,
    "app_grpc_address": None,
}


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


class DaprJobsFake:
    """A fake Dapr sidecar serving the Jobs API, with a virtual clock and a journal.

    Options (all keyword): `dapr_version` (a profile key, default "1.18"), `start` (aware datetime the
    virtual clock starts at; default: now, frozen), `app_url` (where triggers are POSTed), `wsgi_app`
    (a WSGI app that receives triggers in process), `api_token` (require `dapr-api-token`),
    `app_api_token` (sent to the app), `app_id` and `namespace` (used in Dapr's error texts),
    `host`/`http_port` (default 127.0.0.1 and an ephemeral port), `travel` (the process clock follows
    the virtual clock), `grpc` (serve daprd's gRPC API too, for the Dapr SDKs: True, False, or None =
    when the `grpc` extra is installed), `grpc_port` (default: an ephemeral port), `app_grpc_address`
    ("host:port" of a gRPC app, e.g. `dapr.ext.grpc.App`, that receives triggers via `OnJobEvent`).
    An app is picked in this order: `wsgi_app`, `app_grpc_address`, `app_url`; `on_job` handlers
    take their jobs first.
    """

    def __init__(
        self,
        *,
        dapr_version: str | Profile = DEFAULT_PROFILE.key,
        start: datetime | None = None,
        app_url: str | None = None,
        wsgi_app: Any = None,
        api_token: str | None = None,
        app_api_token: str | None = None,
        app_id: str = "app",
        namespace: str = "default",
        host: str = "127.0.0.1",
        http_port: int = 0,
        travel: bool = False,
        grpc: bool | None = None,
        grpc_port: int = 0,
        app_grpc_address: str | None = None,
    ) -> None:
        self.host = host
        self.journal = Journal()
        self.handlers = JobHandlers()
        self._lock = threading.RLock()
        self._trigger_records: list[TriggerRecord] = []
        #: Called with every trigger record as it is made (the CLI's log).
        self.trigger_listeners: list[Callable[[TriggerRecord], None]] = []
        self._target: Target | None = None
        self._configure(
            dapr_version=dapr_version,
            start=start,
            app_url=app_url,
            wsgi_app=wsgi_app,
            api_token=api_token,
            app_api_token=app_api_token,
            app_id=app_id,
            namespace=namespace,
            travel=travel,
            app_grpc_address=app_grpc_address,
        )
        self.api = HttpJobsApi(self.service, api_token=lambda: self.api_token, metadata=self.metadata)
        self.httpserver = SidecarHTTPServer(self.api, host, http_port)
        self.grpc_api: Any = None
        self.grpc_server: Any = None
        if grpc is None:
            grpc = grpc_available()
        if grpc:
            from .grpc_api import GrpcJobsApi, GrpcSidecarServer  # the grpc extra, imported on demand

            self.grpc_api = GrpcJobsApi(
                self.service, api_token=lambda: self.api_token, metadata=self.metadata
            )
            self.grpc_server = GrpcSidecarServer(self.grpc_api, host, grpc_port)
        self.jobs: Mapping[str, Job] = JobsView(lambda: self.engine)

    # -- configuration --------------------------------------------------------------------------
    def _configure(
        self,
        *,
        dapr_version: str | Profile,
        start: datetime | None,
        app_url: str | None,
        wsgi_app: Any,
        api_token: str | None,
        app_api_token: str | None,
        app_id: str,
        namespace: str,
        travel: bool,
        app_grpc_address: str | None,
    ) -> None:
        self.profile = get_profile(dapr_version)
        self.api_token = api_token
        self.app_api_token = app_api_token
        self.app_id = app_id
        self.namespace = namespace
        self.engine = Engine(retries_enabled=self.profile.default_failure_policy is not None)
        self.clock = VirtualClock(self.engine, start=start, observer=self._observe, travel=travel)
        self.contract = Contract(self.profile, app_id, namespace)
        self.service = JobsService(self.contract, self.engine, self.journal, self.clock.now_ns)
        self._options = {
            "dapr_version": dapr_version,
            "start": start,
            "app_url": app_url,
            "wsgi_app": wsgi_app,
            "api_token": api_token,
            "app_api_token": app_api_token,
            "app_id": app_id,
            "namespace": namespace,
            "travel": travel,
            "app_grpc_address": app_grpc_address,
        }
        self._retarget()

    def reset(self, **options: Any) -> None:
        """Forget every job, call, trigger and handler, and apply `options` (the constructor's keywords
        except host and ports; those not given keep their current value). The servers keep running
        on the same ports; the clock starts again at `start` (or the current time)."""
        unknown = set(options) - set(RESETTABLE_DEFAULTS)
        if unknown:
            raise TypeError(f"reset() got unexpected option(s): {sorted(unknown)}")
        with self._lock:
            self.clock.close()
            if self._target is not None:
                self._target.close()
                self._target = None
            self.journal.clear()
            self.handlers.clear()
            self._trigger_records.clear()
            self.httpserver.clear()
            self._configure(**{**self._options, **options})
            self.api.service = self.service
            self.api.contract = self.contract
            if self.grpc_api is not None:
                self.grpc_api.service = self.service

    @property
    def app_url(self) -> str | None:
        url: str | None = self._options["app_url"]
        return url

    @app_url.setter
    def app_url(self, url: str | None) -> None:
        """Where triggers are POSTed (`<app_url>/job/<name>`); None disconnects the app."""
        self._options["app_url"] = url
        self._retarget()

    @property
    def wsgi_app(self) -> Any:
        return self._options["wsgi_app"]

    @wsgi_app.setter
    def wsgi_app(self, app: Any) -> None:
        self._options["wsgi_app"] = app
        self._retarget()

    def on_job(self, name: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """Decorator: handle triggers of job `name` (every job without a handler when None) in process."""
        register = self.handlers.on_job(name)

        def decorator(fn: Callable[..., Any]) -> Callable[..., Any]:
            result = register(fn)
            self._retarget()
            return result

        return decorator

    @property
    def app_grpc_address(self) -> str | None:
        address: str | None = self._options["app_grpc_address"]
        return address

    @app_grpc_address.setter
    def app_grpc_address(self, address: str | None) -> None:
        """The gRPC app ("host:port") triggers go to via `OnJobEvent`; None disconnects it."""
        self._options["app_grpc_address"] = address
        self._retarget()

    def _retarget(self) -> None:
        with self._lock:
            if self._target is not None:
                self._target.close()
            self._target = None
            if self._options["wsgi_app"] is not None:
                self._target = WsgiAppTarget(self._options["wsgi_app"], app_token=self.app_api_token)
            elif self._options["app_grpc_address"] is not None:
                from .grpc_app import GrpcAppTarget  # the grpc extra, imported on demand

                self._target = GrpcAppTarget(
                    self._options["app_grpc_address"],
                    app_token=self.app_api_token,
                    stable_first=self.profile.app_stable_callback,
                )
            elif self._options["app_url"] is not None:
                self._target = HttpAppTarget(self._options["app_url"], app_token=self.app_api_token)
            connected = self._target is not None or bool(self.handlers)
            self.clock.delivery = self._deliver if connected else None

    def _deliver(self, attempt: Attempt) -> Outcome:
        if self.handlers.handles(attempt.name) or self._target is None:
            return self.handlers.deliver(attempt)
        return self._target.deliver(attempt)

    def _observe(self, record: TriggerRecord) -> None:
        with self._lock:
            self._trigger_records.append(record)
        for listener in self.trigger_listeners:
            listener(record)

    # -- lifecycle ------------------------------------------------------------------------------
    def start(self) -> DaprJobsFake:
        if not self.httpserver.is_running():
            self.httpserver.start()
        if self.grpc_server is not None and not self.grpc_server.is_running():
            travelling = bool(self._options["travel"])
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
        if self._target is not None:
            self._target.close()
        if self.httpserver.is_running():
            self.httpserver.stop()
        if self.grpc_server is not None:
            self.grpc_server.stop()

    def __enter__(self) -> DaprJobsFake:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
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
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.http_port}"

    @property
    def env(self) -> dict[str, str]:
        """The `DAPR_*` variables that point Dapr SDKs and apps at this fake."""
        env = {
            "DAPR_HTTP_PORT": str(self.http_port),
            "DAPR_HTTP_ENDPOINT": self.url,
            "DAPR_RUNTIME_HOST": self.host,
        }
        if self.grpc_server is not None:
            host = f"[{self.host}]" if ":" in self.host else self.host
            env["DAPR_GRPC_PORT"] = str(self.grpc_port)
            env["DAPR_GRPC_ENDPOINT"] = f"{host}:{self.grpc_port}"
        if self.api_token:
            env["DAPR_API_TOKEN"] = self.api_token
        return env

    def metadata(self) -> dict[str, Any]:
        """The `/v1.0/metadata` answer (§12): enough for clients that probe it, naming the version."""
        return {
            "id": self.app_id,
            "runtimeVersion": self.profile.runtime_version,
            "enabledFeatures": [],
            "actors": [],
            "components": [],
            "extended": {
                "daprRuntimeVersion": self.profile.runtime_version,
                "dapr-jobs-fake": __version__,
                "dapr-jobs-fake-profile": self.profile.key,
            },
            "subscriptions": [],
            "httpEndpoints": [],
            "appConnectionProperties": {"port": 0, "protocol": "http", "channelAddress": "127.0.0.1"},
            "scheduler": {"connected_addresses": ["dapr-jobs-fake"]},
        }

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
        with self._lock:
            return list(self._trigger_records)

    def assert_scheduled(self, name: str, count: int | None = None, **fields: Any) -> list[Call]:
        return self.journal.assert_scheduled(name, count, **fields)

    def assert_fetched(self, name: str, count: int | None = None) -> list[Call]:
        return self.journal.assert_fetched(name, count)

    def assert_deleted(self, name: str, count: int | None = None) -> list[Call]:
        return self.journal.assert_deleted(name, count)

    def assert_no_violations(self) -> None:
        self.journal.assert_no_violations()

    def assert_triggered(
        self, name: str, times: int | None = None, at: datetime | list[datetime] | None = None
    ) -> list[TriggerRecord]:
        return assert_triggered(self.triggers, name, times=times, at=at)

    def __repr__(self) -> str:
        state = "running" if self.httpserver.is_running() else "stopped"
        return f"<DaprJobsFake {self.profile.key} {state} {self.url if state == 'running' else ''}>"
