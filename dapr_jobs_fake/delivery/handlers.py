"""In-process job handlers: plain Python callables registered per job name, the simplest app target."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..contract.deepjson import copy as deep_copy
from ..contract.model import JobData
from ..engine.attempt import Attempt, AttemptView, Outcome
from ..engine.loops import MOVE_RUNNER, Portal, in_app_loop
from .wire import outcome_for_status, plan_body


class JobEvent(AttemptView):
    """What an in-process handler receives for one attempt.

    `data` is the job's data as the app would decode it: the JSON value for HTTP-created jobs (a
    fresh copy per event), the raw bytes for other `Any` types, None without data; `body` the bytes
    an HTTP app receives. `scheduled_at`
    is the attempt's scheduled time (a retry's own time), `tick_at` the tick it belongs to,
    `attempt` the 1-based try of that tick.
    """

    __slots__ = ()

    @property
    def job_data(self) -> JobData | None:
        """The job's stored data, undecoded."""
        return self.source.plan.stored_data

    @property
    def data(self) -> Any:
        data = self.job_data
        if data is None:
            return None
        if data.is_json_value:
            return deep_copy(data.json_value)
        return data.raw

    @property
    def body(self) -> bytes:
        """The bytes an HTTP app receives for this event (§10.1)."""
        return plan_body(self.source.plan)

    def __repr__(self) -> str:
        return f"JobEvent(name={self.name!r}, scheduled_ns={self.scheduled_ns}, attempt={self.attempt})"


#: A handler's return value: None or True = 200, False = 500, an int = that HTTP status. An
#: `async def` handler's awaited value counts the same.
Handler = Callable[[JobEvent], object]


class JobHandlers:
    """In-process app: handlers by job name, plus an optional catch-all (`on_job()` without name).

    A job without a handler answers 404, like an app without that route: success, not retried
    (§10.3), and visible in the trigger journal.

    Where a handler runs (`engine.loops`): during `await clock.advance_async(...)` every handler runs
    on the test's event loop (an `async def` one awaited there, a plain one called there), so both
    may use the test's loop objects; in a plain `clock.advance()` a plain handler runs in the caller's
    thread and an `async def` one on the fake's portal loop.
    """

    target_name = "handlers"

    def __init__(self, portal: Portal | None = None) -> None:
        self._portal = portal if portal is not None else Portal()
        self._async_ids: set[int] = set()  # id() of the registered `async def` handlers
        self._by_name: dict[str, Handler] = {}
        self._fallback: Handler | None = None
        #: The name the app is called with (the profile's `callback_name`; the job's own by default).
        self.callback_name: Callable[[str], str | None] = lambda name: name
        self._ok = Outcome(self.target_name, True, status=200)
        self._missing = Outcome(self.target_name, True, status=404)

    def on_job(self, name: str | None = None) -> Callable[[Handler], Handler]:
        """Decorator: `@handlers.on_job("reminder")` (or `@handlers.on_job()` for every job)."""

        def register(fn: Handler) -> Handler:
            self.register(name, fn)
            return fn

        return register

    def register(self, name: str | None, fn: Handler) -> None:
        if _is_async(fn):
            self._async_ids.add(id(fn))
        if name is None:
            self._fallback = fn
        else:
            self._by_name[name] = fn

    def unregister(self, name: str | None) -> None:
        if name is None:
            self._fallback = None
        else:
            self._by_name.pop(name, None)

    def clear(self) -> None:
        self._by_name.clear()
        self._fallback = None
        self._async_ids.clear()

    def handles(self, name: str) -> bool:
        """True when a handler would run for job `name` (its own or the catch-all)."""
        return name in self._by_name or self._fallback is not None

    def __bool__(self) -> bool:
        """True once any handler is registered."""
        return bool(self._by_name) or self._fallback is not None

    def deliver(self, attempt: Attempt) -> Outcome:
        """Call the job's handler, as daprd calls an HTTP app: if daprd could not build the request
        (`JobPlan.http_body`), the attempt fails before any handler runs."""
        error = attempt.plan.http_body[1]
        if error is not None:
            return Outcome(self.target_name, False, reason=f"daprd cannot build the request: {error}")
        fn = self._by_name.get(self.callback_name(attempt.name) or attempt.name, self._fallback)
        if fn is None:
            return self._missing
        try:
            if MOVE_RUNNER.get() is None and id(fn) not in self._async_ids:
                result = fn(JobEvent(attempt))  # the hot path: a plain handler in a plain move
                if inspect.isawaitable(result):  # e.g. a lambda returning a coroutine
                    awaitable = result
                    result = in_app_loop(lambda: awaitable, self._portal)
            else:
                result = self._call_on_app_loop(fn, JobEvent(attempt))
        except Exception as exc:
            return Outcome(self.target_name, False, error=exc, raise_error=True)
        if result is None or result is True:
            return self._ok
        if result is False:
            return Outcome(self.target_name, False, status=500)
        if isinstance(result, int):
            return outcome_for_status(result, self.target_name)
        return self._ok

    def _call_on_app_loop(self, fn: Handler, event: JobEvent) -> object:
        """Run `fn(event)` where in-process app code runs now, awaiting it if it is async."""

        async def call() -> object:
            result = fn(event)
            if inspect.isawaitable(result):
                result = await result
            return result

        return in_app_loop(call, self._portal)

    def close(self) -> None:
        """Stop the portal loop async handlers ran on in plain moves (started again when needed)."""
        self._portal.close()


def _is_async(fn: Handler) -> bool:
    """True for an `async def` function (or a callable object whose `__call__` is one)."""
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(type(fn).__call__)
