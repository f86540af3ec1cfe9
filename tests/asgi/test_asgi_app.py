"""An ASGI app (FastAPI) as the app target, in process, from sync tests (issue 11).

Each trigger must be the request daprd sends (contract §10.1: `POST /job/<name>`, content-type
application/json, the app token, the body rendering of the stored data) and its status must mean
what it means to daprd (§10.3: 2xx success, 404 success without retry, else the failure policy).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import requests

pytest.importorskip("fastapi")
pytest.importorskip("asgi_lifespan")

from fastapi import FastAPI, Request, Response

from dapr_jobs_fake import DaprJobsFake


class Seen:
    """What the app saw: requests (path, headers, body) and its lifespan events."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.lifespan: list[str] = []
        self.statuses: list[int] = []


def make_app(seen: Seen) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[dict[str, Any]]:
        seen.lifespan.append("startup")
        yield {"greeting": "hello from lifespan"}
        seen.lifespan.append("shutdown")

    app = FastAPI(lifespan=lifespan)

    @app.post("/job/{name}")
    async def on_job(name: str, request: Request) -> Response:
        seen.requests.append((request.url.path, dict(request.headers), await request.body()))
        assert request.state.greeting == "hello from lifespan"  # lifespan state reaches handlers
        status = seen.statuses.pop(0) if seen.statuses else 200
        return Response(status_code=status)

    return app


@pytest.fixture
def seen() -> Seen:
    return Seen()


@pytest.fixture
def asgi_fake(dapr_jobs: DaprJobsFake, seen: Seen) -> Iterator[DaprJobsFake]:
    dapr_jobs.asgi_app = make_app(seen)
    yield dapr_jobs


def schedule(fake: DaprJobsFake, name: str, body: dict[str, Any]) -> None:
    response = requests.post(f"{fake.url}/v1.0-alpha1/jobs/{name}", json=body, timeout=5)
    assert response.status_code == 204, response.text


def test_trigger_is_the_request_daprd_sends_s10_1(asgi_fake: DaprJobsFake, seen: Seen) -> None:
    asgi_fake.app_api_token = "app-secret"
    schedule(asgi_fake, "reminder", {"dueTime": "10s", "data": {"user": 7}})
    asgi_fake.clock.advance(seconds=10)
    [(path, headers, body)] = seen.requests
    assert path == "/job/reminder"
    assert headers["content-type"] == "application/json"
    assert headers["dapr-api-token"] == "app-secret"
    assert json.loads(body) == {"user": 7}
    record = asgi_fake.assert_triggered("reminder", times=1)[0]
    assert record.succeeded and record.target == "asgi"


def test_no_token_header_without_app_api_token_s10_1(asgi_fake: DaprJobsFake, seen: Seen) -> None:
    schedule(asgi_fake, "plain", {"dueTime": "1s"})
    asgi_fake.clock.advance(seconds=1)
    assert "dapr-api-token" not in seen.requests[0][1]


def test_lifespan_starts_before_the_first_trigger_and_stops_at_stop(seen: Seen) -> None:
    fake = DaprJobsFake(asgi_app=make_app(seen), grpc=False)
    with fake:
        fake.service.schedule  # noqa: B018 - the fake is up; nothing delivered yet
        assert seen.lifespan == []
        schedule(fake, "once", {"dueTime": "1s"})
        fake.clock.advance(seconds=1)
        assert seen.lifespan == ["startup"]
        fake.clock.advance(seconds=1)
        assert seen.lifespan == ["startup"]  # one startup for many triggers
    assert seen.lifespan == ["startup", "shutdown"]


def test_replacing_the_app_shuts_the_old_one_down(asgi_fake: DaprJobsFake, seen: Seen) -> None:
    schedule(asgi_fake, "first", {"dueTime": "1s"})
    asgi_fake.clock.advance(seconds=1)
    other = Seen()
    asgi_fake.asgi_app = make_app(other)
    assert seen.lifespan == ["startup", "shutdown"]
    schedule(asgi_fake, "second", {"dueTime": "1s"})
    asgi_fake.clock.advance(seconds=1)
    assert [p for p, _, _ in other.requests] == ["/job/second"]


def test_500_then_200_retries_by_the_failure_policy_s10_3(asgi_fake: DaprJobsFake, seen: Seen) -> None:
    seen.statuses[:] = [500]
    schedule(
        asgi_fake,
        "flaky",
        {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "5s", "maxRetries": 3}}},
    )
    asgi_fake.clock.advance(seconds=1)
    asgi_fake.clock.advance(seconds=5)
    attempts = asgi_fake.triggers
    assert [(t.attempt, t.status, t.succeeded) for t in attempts] == [(1, 500, False), (2, 200, True)]
    assert len(seen.requests) == 2


def test_404_succeeds_without_retry_s10_3(asgi_fake: DaprJobsFake, seen: Seen) -> None:
    seen.statuses[:] = [404]
    schedule(asgi_fake, "gone", {"dueTime": "1s"})
    asgi_fake.clock.run_until_idle()
    [record] = asgi_fake.triggers
    assert (record.status, record.succeeded) == (404, True)


def test_app_exception_fails_the_attempt_and_reaches_the_test(dapr_jobs: DaprJobsFake) -> None:
    app = FastAPI()

    @app.post("/job/{name}")
    async def boom(name: str) -> None:
        raise RuntimeError("database down")

    dapr_jobs.asgi_app = app
    schedule(dapr_jobs, "boom", {"dueTime": "1s"})
    with pytest.raises(RuntimeError, match="database down"):
        dapr_jobs.clock.advance(seconds=1)
    [record] = dapr_jobs.triggers
    assert not record.succeeded and "database down" in (record.reason or "")


def test_handlers_take_their_jobs_first(asgi_fake: DaprJobsFake, seen: Seen) -> None:
    handled: list[str] = []
    asgi_fake.on_job("mine")(lambda event: handled.append(event.name))
    schedule(asgi_fake, "mine", {"dueTime": "1s"})
    schedule(asgi_fake, "theirs", {"dueTime": "1s"})
    asgi_fake.clock.advance(seconds=1)
    assert handled == ["mine"]
    assert [p for p, _, _ in seen.requests] == ["/job/theirs"]


def test_reset_keeps_asgi_app_unless_changed(asgi_fake: DaprJobsFake, seen: Seen) -> None:
    asgi_fake.reset()
    schedule(asgi_fake, "after-reset", {"dueTime": "1s"})
    asgi_fake.clock.advance(seconds=1)
    assert [p for p, _, _ in seen.requests] == ["/job/after-reset"]
    asgi_fake.reset(asgi_app=None)
    assert asgi_fake.router.target_name is None


def test_async_def_handler_in_a_sync_move_runs_on_the_portal(dapr_jobs: DaprJobsFake) -> None:
    import asyncio

    loops: list[object] = []

    @dapr_jobs.on_job("async-job")
    async def handle(event: Any) -> int:
        await asyncio.sleep(0)
        loops.append(asyncio.get_running_loop())
        return 500 if len(loops) == 1 else 200

    schedule(
        dapr_jobs,
        "async-job",
        {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "1s", "maxRetries": 1}}},
    )
    dapr_jobs.clock.advance(seconds=2)
    assert [t.status for t in dapr_jobs.triggers] == [500, 200]
    assert loops[0] is loops[1]  # the fake's one portal loop
