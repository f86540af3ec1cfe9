"""Where in-process async code runs: on the test's event loop during an async clock move, else on a
loop the fake owns (a portal thread, as Starlette's TestClient does).

`await clock.advance_async(...)` runs the move in a worker thread and leaves the caller's loop free;
every in-process delivery of that move (an ASGI app, an `async def` or plain `on_job` handler) is
sent back to the caller's loop (`MOVE_RUNNER`), so the app shares the test's loop objects (an
`asyncio.Event`, an async engine). A plain `clock.advance()` runs sync handlers where it is and
async code on the portal. HTTP and gRPC apps are called from the move's thread: blocking I/O never
runs on a loop, so an app served by uvicorn on the test's own loop answers.

Works on asyncio, and on trio through anyio when it is installed (no dependency of the fake).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class MoveRunner:
    """How an async move in progress runs async code on its loop: `run(async_fn)` waits for the result."""

    run: Callable[[Callable[[], Awaitable[Any]]], Any]
    #: "asyncio" or "trio" (sniffio's name of the move's async library).
    library: str


#: The async move in progress in this thread; unset otherwise.
MOVE_RUNNER: contextvars.ContextVar[MoveRunner | None] = contextvars.ContextVar(
    "dapr_jobs_fake_move_runner", default=None
)


class Portal:
    """A private asyncio loop in a daemon thread, started on first use, for async code in sync moves."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None or self._loop.is_closed():
                loop = asyncio.new_event_loop()
                ready = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(ready.set)
                    loop.run_forever()

                self._thread = threading.Thread(target=run, daemon=True, name="dapr-jobs-fake-portal")
                self._thread.start()
                ready.wait()
                self._loop = loop
            return self._loop

    @property
    def running_loop(self) -> asyncio.AbstractEventLoop | None:
        """The portal's loop if it has been started (without starting it)."""
        return self._loop

    def run(self, async_fn: Callable[[], Awaitable[T]]) -> T:
        return asyncio.run_coroutine_threadsafe(_call(async_fn), self.loop).result()

    def close(self) -> None:
        """Stop the loop (what still runs on it is cancelled); the next `run` starts a new one."""
        with self._lock:
            loop, thread, self._loop, self._thread = self._loop, self._thread, None, None
        if loop is None or loop.is_closed():
            return

        async def cancel_all() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        # A loop that cannot stop cleanly is abandoned: it runs in a daemon thread.
        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(cancel_all(), loop).result(timeout=5)
        loop.call_soon_threadsafe(loop.stop)
        if thread is not None:
            thread.join(timeout=5)
        if not loop.is_running():
            loop.close()


async def _call(async_fn: Callable[[], Awaitable[T]]) -> T:
    return await async_fn()


def in_app_loop(async_fn: Callable[[], Awaitable[T]], portal: Portal, *, asyncio_only: bool = False) -> T:
    """Run `async_fn()` where in-process app code runs now: the async move's loop, else the portal.

    `asyncio_only`: code that needs asyncio runs on the portal during a trio move.
    """
    runner = MOVE_RUNNER.get()
    if runner is not None and (runner.library == "asyncio" or not asyncio_only):
        return runner.run(async_fn)  # type: ignore[no-any-return]
    return portal.run(async_fn)


def on_move_loop(fn: Callable[[], T]) -> T:
    """Run the sync `fn()` on the async move's loop when there is one (a sync handler in an async move
    may touch the test's loop objects, which are not thread-safe), else here."""
    runner = MOVE_RUNNER.get()
    if runner is None:
        return fn()

    async def call() -> T:
        return fn()

    return runner.run(call)  # type: ignore[no-any-return]


async def run_move(move: Callable[[], T]) -> T:
    """Run the sync clock move `move()` in a worker thread, its in-process deliveries on this loop."""
    try:
        import anyio
        import anyio.from_thread
        import anyio.to_thread
        import sniffio

        library = sniffio.current_async_library()
    except ImportError:
        library = "asyncio"
        anyio = None  # type: ignore[assignment]
    if anyio is not None and library != "asyncio":  # trio (through anyio)

        def worker() -> T:
            token = MOVE_RUNNER.set(MoveRunner(lambda fn: anyio.from_thread.run(_call, fn), library))
            try:
                return move()
            finally:
                MOVE_RUNNER.reset(token)

        return await anyio.to_thread.run_sync(worker)
    loop = asyncio.get_running_loop()

    def asyncio_worker() -> T:
        token = MOVE_RUNNER.set(
            MoveRunner(lambda fn: asyncio.run_coroutine_threadsafe(_call(fn), loop).result(), "asyncio")
        )
        try:
            return move()
        finally:
            MOVE_RUNNER.reset(token)

    return await loop.run_in_executor(None, contextvars.copy_context().run, asyncio_worker)


def current_loop() -> asyncio.AbstractEventLoop:
    """The asyncio loop running here."""
    return asyncio.get_running_loop()
