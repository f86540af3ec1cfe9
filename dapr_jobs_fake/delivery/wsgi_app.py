"""A WSGI app (Flask, Django, ...) as the app target, called in process without a socket (§10.1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.test import EnvironBuilder, run_wsgi_app

from ..engine.attempt import Attempt, Outcome
from .wire import UndeliverableData, job_path, outcome_for_status, plan_body


class WsgiAppTarget:
    """Hand each trigger to a WSGI app (Flask, Django, ...) in process: the request daprd would send,
    built with werkzeug's `EnvironBuilder`, run with `run_wsgi_app`. Exceptions the app lets through
    fail the attempt and are re-raised by the clock (Flask propagates them when `TESTING` is set)."""

    def __init__(
        self,
        app: Any,
        *,
        app_token: str | None = None,
        target_name: str = "wsgi",
        callback_name: Callable[[str], str | None] = lambda name: name,
    ) -> None:
        self.app = app
        self.app_token = app_token
        self.target_name = target_name
        self._callback_name = callback_name

    def deliver(self, attempt: Attempt) -> Outcome:
        try:
            body = plan_body(attempt.plan)
        except UndeliverableData as exc:
            return Outcome(self.target_name, False, error=exc)
        headers = [("dapr-api-token", self.app_token)] if self.app_token else []
        builder = EnvironBuilder(
            path=job_path(self._callback_name(attempt.name) or attempt.name),
            method="POST",
            data=body,
            content_type="application/json",
            headers=headers,
        )
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        try:
            _body, status, _headers = run_wsgi_app(self.app, environ, buffered=True)  # reads and closes
        except Exception as exc:
            return Outcome(self.target_name, False, error=exc, raise_error=True, body=body)
        return outcome_for_status(int(status.split(None, 1)[0]), self.target_name, body)

    def close(self) -> None:
        pass
