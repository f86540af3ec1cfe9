"""The delivery layer: sending a due attempt to the app, and reading its answer as daprd does (§10).

A *target* is anything with `deliver(attempt) -> Outcome` and `close()` (`Target`); the clock calls
`deliver` without holding any lock, so a target may call back into the fake. Targets: `handlers`
(in-process callables per job name, plain or `async def`), `wsgi_app` (a WSGI app in process),
`asgi_app` (an ASGI app in process with its lifespan, the asgi extra), `http_app` (POST over a
kept-alive socket), `grpc_app` (`OnJobEvent`, the grpc extra). `wire` holds what daprd sends and how
it reads answers; `router` picks the target for each attempt. Imports `contract` and `engine`.
"""

from __future__ import annotations

from typing import Protocol

from ..engine.attempt import Attempt, Outcome


class Target(Protocol):
    """What the clock delivers to. `deliver` must not raise for app failures; it reports them."""

    def deliver(self, attempt: Attempt) -> Outcome: ...

    def close(self) -> None: ...
