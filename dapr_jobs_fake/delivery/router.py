"""Where each due attempt goes: its in-process handler first, else the app target the fake is set up with.

The router owns the one app target (HTTP URL, WSGI app or gRPC address, in that order of precedence,
as `DaprJobsFake` documents) and the `on_job` handlers. `configure` rebuilds the target when the app
settings change (closing the old one); `deliver` is what the clock calls.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ..engine.attempt import Attempt, Outcome
from . import Target
from .handlers import JobHandlers
from .http_app import HttpAppTarget
from .wsgi_app import WsgiAppTarget


@dataclass(frozen=True)
class AppSettings:
    """The app-side options of a fake, as the router needs them."""

    app_url: str | None = None
    wsgi_app: Any = None
    app_grpc_address: str | None = None
    app_api_token: str | None = None
    #: The profile's `app_stable_callback`: `OnJobEvent` before `OnJobEventAlpha1` (1.18+, §10.2).
    stable_callback: bool = True
    #: Each attempt's deadline in seconds, for targets that can enforce one (HTTP and gRPC apps).
    delivery_timeout: float = 10.0


class DeliveryRouter:
    """Handlers first, then the app target; `connected` is False when neither exists."""

    def __init__(self, handlers: JobHandlers | None = None) -> None:
        self.handlers = handlers if handlers is not None else JobHandlers()
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
    def connected(self) -> bool:
        """True when an attempt has somewhere to go (a target or any handler)."""
        return self._target is not None or bool(self.handlers)

    def configure(self, settings: AppSettings) -> None:
        """Use `settings` from now on; the target is rebuilt only when they changed."""
        with self._lock:
            if settings == self._settings and (self._target is not None or not _has_app(settings)):
                return
            old, self._target = self._target, _build_target(settings)
            self._settings = settings
        if old is not None:
            old.close()

    def deliver(self, attempt: Attempt) -> Outcome:
        target = self._target
        if target is None or self.handlers.handles(attempt.name):
            return self.handlers.deliver(attempt)
        return target.deliver(attempt)

    def close(self) -> None:
        """Close the target's connections; the next delivery reopens them."""
        target = self._target
        if target is not None:
            target.close()


def _has_app(settings: AppSettings) -> bool:
    return any(v is not None for v in (settings.wsgi_app, settings.app_grpc_address, settings.app_url))


def _build_target(settings: AppSettings) -> Target | None:
    token, timeout = settings.app_api_token, settings.delivery_timeout
    if settings.wsgi_app is not None:
        return WsgiAppTarget(settings.wsgi_app, app_token=token)
    if settings.app_grpc_address is not None:
        from .grpc_app import GrpcAppTarget  # the grpc extra, imported on demand

        return GrpcAppTarget(
            settings.app_grpc_address, app_token=token, stable_first=settings.stable_callback, timeout=timeout
        )
    if settings.app_url is not None:
        return HttpAppTarget(settings.app_url, app_token=token, timeout=timeout)
    return None
