"""The clock's async moves: `await clock.advance_async(...)` and its twins, for async tests.

Each runs the sync move in a worker thread (`loops.run_move`), so the test's event loop keeps
running while triggers fire: an app served on that loop (uvicorn, an aiohttp server) can answer, and
every in-process delivery of the move (an ASGI app, any `on_job` handler) runs on that loop, where
it may await and use the test's loop objects. They return what the sync moves return.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from .loops import run_move

if TYPE_CHECKING:
    from .attempt import TriggerRecord


class AsyncMoves:
    """`advance_async`, `advance_to_async`, `run_next_async`, `run_until_idle_async` for `VirtualClock`."""

    if TYPE_CHECKING:  # the sync moves, implemented by VirtualClock

        def advance(
            self,
            delta: timedelta | None = None,
            *,
            seconds: float = 0,
            minutes: float = 0,
            hours: float = 0,
            days: float = 0,
        ) -> list[TriggerRecord]: ...

        def advance_to(self, when: datetime) -> list[TriggerRecord]: ...

        def run_next(self) -> TriggerRecord | None: ...

        def run_until_idle(self, limit: timedelta | None = None) -> list[TriggerRecord]: ...

    async def advance_async(
        self,
        delta: timedelta | None = None,
        *,
        seconds: float = 0,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
    ) -> list[TriggerRecord]:
        """`advance`, awaitable: the test's loop runs the in-process app while triggers fire."""
        return await run_move(
            lambda: self.advance(delta, seconds=seconds, minutes=minutes, hours=hours, days=days)
        )

    async def advance_to_async(self, when: datetime) -> list[TriggerRecord]:
        """`advance_to`, awaitable (see `advance_async`)."""
        return await run_move(lambda: self.advance_to(when))

    async def run_next_async(self) -> TriggerRecord | None:
        """`run_next`, awaitable (see `advance_async`)."""
        return await run_move(self.run_next)

    async def run_until_idle_async(self, limit: timedelta | None = None) -> list[TriggerRecord]:
        """`run_until_idle`, awaitable (see `advance_async`)."""
        return await run_move(lambda: self.run_until_idle(limit))
