"""An ASGI app (FastAPI, Starlette, ...) as the app target, called in process without a socket (§10.1).

Each trigger is the request daprd sends, `POST /job/<name>` with `content-type: application/json`, the
app token and the body rendering of the stored data, made with httpx's `ASGITransport`. httpx does not
run the app's lifespan, so asgi-lifespan's `LifespanManager` does: startup before the first trigger,
shutdown at `close()` (the fake's `stop()`, or when the app is replaced). The app runs on the loop that
delivers to it (`engine.loops`): the test's loop in `await clock.advance_async(...)` (asyncio), else
the fake's portal loop (sync moves, and trio moves: asgi-lifespan's trio support cannot stop an app
from another task); if deliveries move to another loop, the app is shut down there and started again
on the new one. If that loop ends first (an async test's loop closes before the fixture resets the
fake), the loop's own shutdown of async generators runs the app's lifespan shutdown.
Needs the `asgi` extra (httpx, asgi-lifespan).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, Callable
from typing import Any

from ..engine.attempt import Attempt, Outcome, one_line
from ..engine.loops import Portal, current_loop, in_app_loop
from .wire import UndeliverableData, job_path, outcome_for_status, plan_body

ASGI_EXTRA_HINT = 'ASGI apps need the asgi extra: pip install "dapr-jobs-fake[asgi]"'


class AsgiAppTarget:
    """Hand each trigger to an ASGI app in process, with its lifespan run around the deliveries."""

    target_name = "asgi"

    def __init__(
        self,
        app: Any,
        *,
        portal: Portal,
        app_token: str | None = None,
        callback_name: Callable[[str], str | None] = lambda name: name,
    ) -> None:
        try:
            import asgi_lifespan  # noqa: F401
            import httpx  # noqa: F401
        except ImportError as exc:
            raise ImportError(f"{ASGI_EXTRA_HINT} ({exc})") from exc
        self.app = app
        self.app_token = app_token
        self._portal = portal
        self._callback_name = callback_name
        self._loop: asyncio.AbstractEventLoop | None = None
        self._session: AsyncGenerator[Any, None] | None = None
        self._client: Any = None
        self._pending_shutdown: asyncio.Task[None] | None = None  # keeps a scheduled shutdown alive

    def deliver(self, attempt: Attempt) -> Outcome:
        try:
            body = plan_body(attempt.plan)
        except UndeliverableData as exc:
            reason = f"daprd cannot build the request: {exc}"
            return Outcome(self.target_name, False, error=exc, reason=reason)
        path = job_path(self._callback_name(attempt.name) or attempt.name)
        headers = {"content-type": "application/json"}
        if self.app_token:
            headers["dapr-api-token"] = self.app_token

        async def send() -> Outcome:
            client = await self._client_for_this_loop()
            try:
                response = await client.post(path, content=body, headers=headers)
            except Exception as exc:  # the app raised: fail the attempt, re-raise it to the test
                return Outcome(
                    self.target_name, False, error=exc, raise_error=True, body=body, reason=one_line(exc)
                )
            return outcome_for_status(response.status_code, self.target_name, body, via=f"POST {path}")

        return in_app_loop(send, self._portal, asyncio_only=True)

    async def _client_for_this_loop(self) -> Any:
        """The httpx client of the loop delivering now, the app started on it (lifespan startup)."""
        loop = current_loop()
        if self._loop is not loop:
            self.close()  # shut the app down where it ran, if that loop still runs
            session = _app_session(self.app)
            self._client = await session.__anext__()
            self._session, self._loop = session, loop
        return self._client

    @property
    def loop_bound(self) -> bool:
        """True while the app runs on a loop other than the portal's (an async test's)."""
        return self._loop is not None and self._loop is not self._portal.running_loop

    async def aclose(self) -> None:
        """`close()` from async code: on the app's own loop the shutdown is awaited here."""
        if self._loop is not None and _on(self._loop):
            session = self._session
            self._loop = self._session = self._client = None
            if session is not None:
                await session.aclose()
        else:
            self.close()

    def close(self) -> None:
        """Run the app's lifespan shutdown on the loop it started on, and forget its client.

        From another thread this waits for the shutdown; from sync code on that loop (an async test
        replacing the app) the shutdown is scheduled there. When that loop ends first, its own
        shutdown of async generators (`asyncio.Runner.close`, the end of `trio.run`) runs it.
        """
        loop, session = self._loop, self._session
        self._loop = self._session = self._client = None
        if session is None or loop is None:
            return
        with contextlib.suppress(Exception):
            if _on(loop):
                self._pending_shutdown = loop.create_task(session.aclose())
            elif loop.is_running():
                asyncio.run_coroutine_threadsafe(session.aclose(), loop).result(timeout=10)
            elif not loop.is_closed():
                loop.run_until_complete(session.aclose())


async def _app_session(app: Any) -> AsyncGenerator[Any, None]:
    """Start `app` (lifespan startup), yield an httpx client calling it, shut it down on close.

    An async generator, so that the loop's shutdown closes it (and runs the app's lifespan shutdown)
    when the loop ends before the fake does.
    """
    import httpx
    from asgi_lifespan import LifespanManager

    manager = LifespanManager(app)
    await manager.__aenter__()
    transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=True)
    client = httpx.AsyncClient(transport=transport, base_url="http://app")
    try:
        yield client
    finally:  # a clean shutdown: `async with` would see GeneratorExit and skip the lifespan shutdown
        await client.aclose()
        await manager.__aexit__(None, None, None)


def _on(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
