"""Where each due attempt goes: its in-process handler first, else the app target the fake is set up with.

The router owns the one app target (WSGI app, ASGI app, gRPC address or HTTP URL, in that order of
precedence, as `DaprJobsFake` documents), the `on_job` handlers, and the portal loop in-process async
code runs on outside async moves (`engine.loops`). `configure` rebuilds the target when the app
settings change (closing the old one); `deliver` is what the clock calls. With neither a target nor a
handler, every attempt fails as daprd's does without an app channel ("received job, but app channel
not initialized", contract §8): the failure policy applies.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..contract import rows
from ..contract.errors import Suspicion
from ..engine.attempt import Attempt, Outcome
from ..engine.loops import Portal
from . import Target
from .handlers import JobHandlers
from .http_app import HttpAppTarget
from .wsgi_app import WsgiAppTarget

#: daprd's error for a trigger when it runs without an app (`streamer.go:invokeApp`).
NO_APP_CHANNEL = "received job, but app channel not initialized"


def _same_name(name: str) -> str | None:
    return name


@dataclass(frozen=True)
class AppSettings:
    """The app-side options of a fake, as the router needs them."""

    app_url: str | None = None
    wsgi_app: Any = None
    asgi_app: Any = None
    app_grpc_address: str | None = None
    app_api_token: str | None = None
    #: The profile's `app_stable_callback`: `OnJobEvent` before `OnJobEventAlpha1` (1.18+, §10.2).
    stable_callback: bool = True
    #: The profile's `grpc_callback_token`: gRPC callbacks carry the app token (1.15.13+).
    grpc_callback_token: bool = True
    #: Each attempt's deadline in seconds, for targets that can enforce one (HTTP and gRPC apps).
    delivery_timeout: float = 10.0
    #: The profile's `callback_name`: the name the app is called with (None: not deliverable).
    callback_name: Callable[[str], str | None] = field(default=_same_name, compare=False)


class DeliveryRouter:
    """Handlers first, then the app target; without either, attempts fail as daprd's do without an app."""

    def __init__(self, handlers: JobHandlers | None = None) -> None:
        self.portal = Portal()
        self.handlers = handlers if handlers is not None else JobHandlers(self.portal)
        self._target: Target | None = None
        self._settings = AppSettings()
        self._lock = threading.Lock()

    @property
    def target(self) -> Target | None:
        return self._target

    @property
    def target_name(self) -> str | None:
        """Where triggers go ("http://127.0.0.1:8000", "wsgi", "grpc://..."), None without a target."""
        target = self._target
        return None if target is None else str(getattr(target, "target_name", type(target).__name__))

    @property
    def has_app(self) -> bool:
        """True when an attempt has an app to go to (a target or any handler)."""
        return self._target is not None or bool(self.handlers)

    def configure(self, settings: AppSettings) -> None:
        """Use `settings` from now on; the target is rebuilt only when they changed."""
        with self._lock:
            self.handlers.callback_name = settings.callback_name
            if settings == self._settings and (self._target is not None or not _has_app(settings)):
                self._settings = settings
                return
            old, self._target = self._target, _build_target(settings, self.portal)
            self._settings = settings
        if old is not None:
            old.close()

    def deliver(self, attempt: Attempt) -> Outcome:
        if self._settings.callback_name(attempt.name) is None:
            return Outcome(
                "none",
                False,
                reason="the Scheduler cannot deliver a job whose name ends in '||' (Dapr 1.16.17 to 1.16.19, "
                "1.17.11 to 1.17.13): held",
                delivered=False,
                held=True,
            )
        target = self._target
        if self.handlers.handles(attempt.name) or (target is None and self.handlers):
            return self.handlers.deliver(attempt)
        if target is None:
            warning = Suspicion(rows.TRIGGER_WITHOUT_APP, "trigger", {"name": attempt.name})
            return Outcome("none", False, reason=NO_APP_CHANNEL, delivered=False, warning=warning)
        return target.deliver(attempt)

    def release_loop_bound_app(self) -> None:
        """Shut down an in-process app running on an async test's loop (its lifespan shutdown), while
        that loop can still run it; the next trigger starts it again. The plugin calls this after each
        test, before pytest-asyncio or anyio close the test's loop."""
        target = self._target
        if getattr(target, "loop_bound", False):
            target.close()  # type: ignore[union-attr]

    async def release_loop_bound_app_async(self) -> None:
        """`release_loop_bound_app` from async code on that loop: the shutdown is awaited here."""
        target = self._target
        if getattr(target, "loop_bound", False):
            await target.aclose()  # type: ignore[union-attr]

    async def aclose(self) -> None:
        """`close()` from async code: an app on the running loop is shut down here, awaited."""
        target = self._target
        aclose = getattr(target, "aclose", None)
        if aclose is not None:
            await aclose()
        self.close()

    def close(self) -> None:
        """Close the target's connections (aborting a delivery in progress; an ASGI app's lifespan
        shuts down) and stop the portal loop; the next delivery opens them again."""
        target = self._target
        if target is not None:
            target.close()
        self.handlers.close()
        self.portal.close()


def _has_app(settings: AppSettings) -> bool:
    apps = (settings.wsgi_app, settings.asgi_app, settings.app_grpc_address, settings.app_url)
    return any(v is not None for v in apps)


def _build_target(settings: AppSettings, portal: Portal) -> Target | None:
    token, timeout, name = settings.app_api_token, settings.delivery_timeout, settings.callback_name
    if settings.wsgi_app is not None:
        return WsgiAppTarget(settings.wsgi_app, app_token=token, callback_name=name)
    if settings.asgi_app is not None:
        from .asgi_app import AsgiAppTarget  # the asgi extra, imported on demand

        return AsgiAppTarget(settings.asgi_app, portal=portal, app_token=token, callback_name=name)
    if settings.app_grpc_address is not None:
        from .grpc_app import GrpcAppTarget  # the grpc extra, imported on demand

        return GrpcAppTarget(
            settings.app_grpc_address,
            app_token=token if settings.grpc_callback_token else None,
            stable_first=settings.stable_callback,
            timeout=timeout,
            callback_name=name,
        )
    if settings.app_url is not None:
        return HttpAppTarget(settings.app_url, app_token=token, timeout=timeout, callback_name=name)
    return None
