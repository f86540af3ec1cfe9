"""Async tests: the clock's awaitable moves deliver on the test's event loop (issue 11).

`await clock.advance_async(...)` must behave like `clock.advance(...)` (same ordering, journal and
failure policy, contract §10.3) while leaving the loop free: in-process code (an ASGI app, any
`on_job` handler) runs on the test's loop and shares its objects; an HTTP app served on that same
loop answers instead of hanging.
"""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from typing import Any

import pytest
import requests

pytest.importorskip("fastapi")
pytest.importorskip("asgi_lifespan")

from fastapi import FastAPI

from dapr_jobs_fake import DaprJobsFake

pytestmark = pytest.mark.asyncio


def schedule(fake: DaprJobsFake, name: str, body: dict[str, Any]) -> None:
    response = requests.post(f"{fake.url}/v1.0-alpha1/jobs/{name}", json=body, timeout=5)
    assert response.status_code == 204, response.text


async def test_asgi_app_sets_an_event_the_test_awaits(dapr_jobs: DaprJobsFake) -> None:
    fired = asyncio.Event()  # created on the test's loop: only usable from it
    app = FastAPI()

    @app.post("/job/{name}")
    async def on_job(name: str) -> dict[str, str]:
        fired.set()
        return {}

    dapr_jobs.asgi_app = app
    schedule(dapr_jobs, "ping", {"dueTime": "5s"})
    records = await dapr_jobs.clock.advance_async(seconds=5)
    await asyncio.wait_for(fired.wait(), timeout=5)
    assert [(r.name, r.status) for r in records] == [("ping", 200)]


async def test_handlers_run_on_the_test_loop(dapr_jobs: DaprJobsFake) -> None:
    test_loop = asyncio.get_running_loop()
    seen: list[tuple[str, bool]] = []

    @dapr_jobs.on_job("async-one")
    async def async_handler(event: Any) -> None:
        await asyncio.sleep(0)
        seen.append(("async", asyncio.get_running_loop() is test_loop))

    @dapr_jobs.on_job("sync-one")
    def sync_handler(event: Any) -> None:
        seen.append(("sync", asyncio.get_running_loop() is test_loop))

    schedule(dapr_jobs, "async-one", {"dueTime": "1s"})
    schedule(dapr_jobs, "sync-one", {"dueTime": "2s"})
    await dapr_jobs.clock.advance_async(seconds=2)
    assert seen == [("async", True), ("sync", True)]


async def test_the_loop_keeps_running_during_a_move(dapr_jobs: DaprJobsFake) -> None:
    ticks = 0

    async def count() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(count())
    released = threading.Event()

    @dapr_jobs.on_job("slow")
    async def slow(event: Any) -> None:
        before = ticks
        while ticks < before + 3:  # the counter task runs between the handler's awaits
            await asyncio.sleep(0)
        released.set()

    schedule(dapr_jobs, "slow", {"dueTime": "1s"})
    await dapr_jobs.clock.advance_async(seconds=1)
    counter.cancel()
    assert released.is_set()


async def test_failure_policy_and_order_match_the_sync_move_s10_3(dapr_jobs: DaprJobsFake) -> None:
    answers = [500, 500, 200]

    @dapr_jobs.on_job()
    async def handle(event: Any) -> int:
        return answers.pop(0) if event.name == "flaky" else 200

    policy = {"constant": {"interval": "2s", "maxRetries": 5}}
    schedule(dapr_jobs, "flaky", {"dueTime": "1s", "failurePolicy": policy})
    schedule(dapr_jobs, "steady", {"schedule": "@every 2s", "repeats": 2})
    records = await dapr_jobs.clock.run_until_idle_async()
    lines = [(r.name, r.attempt, r.status) for r in records]
    expected = [
        ("flaky", 1, 500),
        ("steady", 1, 200),
        ("flaky", 2, 500),
        ("steady", 1, 200),
        ("flaky", 3, 200),
    ]
    assert lines == expected
    assert [(t.name, t.attempt, t.status) for t in dapr_jobs.triggers] == expected


async def test_every_move_has_a_twin(dapr_jobs: DaprJobsFake) -> None:
    names: list[str] = []
    dapr_jobs.on_job()(lambda event: names.append(event.name))
    for i in range(1, 5):
        schedule(dapr_jobs, f"job-{i}", {"dueTime": f"{i}s"})
    first = await dapr_jobs.clock.run_next_async()
    assert first is not None and first.name == "job-1"
    await dapr_jobs.clock.advance_to_async(dapr_jobs.clock.now() + timedelta(seconds=1))
    await dapr_jobs.clock.advance_async(timedelta(seconds=1))
    await dapr_jobs.clock.run_until_idle_async(limit=timedelta(minutes=1))
    assert names == ["job-1", "job-2", "job-3", "job-4"]
    assert await dapr_jobs.clock.run_next_async() is None


async def test_handler_error_is_raised_from_the_awaited_move(dapr_jobs: DaprJobsFake) -> None:
    @dapr_jobs.on_job("bad")
    async def bad(event: Any) -> None:
        raise ValueError("bad payload")

    schedule(dapr_jobs, "bad", {"dueTime": "1s"})
    with pytest.raises(ValueError, match="bad payload"):
        await dapr_jobs.clock.advance_async(seconds=1)
    assert dapr_jobs.triggers[0].succeeded is False


async def test_http_app_served_on_the_test_loop_answers(dapr_jobs: DaprJobsFake) -> None:
    """An app listening on the test's own loop: a sync move would block it (the 10 s hang the issue
    reports); the async move leaves it free to answer."""
    paths: list[str] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            request_line, *header_lines = head.decode().split("\r\n")
            headers = dict(line.split(": ", 1) for line in header_lines if line)
            await reader.readexactly(int(headers.get("Content-Length", "0")))
            paths.append(request_line.split()[1])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        dapr_jobs.app_url = f"http://127.0.0.1:{port}"
        dapr_jobs.delivery_timeout = 2.0
        schedule(dapr_jobs, "over-http", {"dueTime": "1s"})
        [record] = await dapr_jobs.clock.advance_async(seconds=1)
        assert (record.status, record.succeeded) == (200, True)
        assert paths == ["/job/over-http"]
    finally:
        server.close()


async def test_grpc_app_target_works_from_an_async_move_s10_2(
    dapr_jobs: DaprJobsFake, grpc_app: tuple[Any, str, Any]
) -> None:
    """The gRPC app is called from the move's worker thread: the test's loop keeps running."""
    application, address, _recorder = grpc_app
    seen: list[str] = []
    application.job_event("over-grpc")(lambda event: seen.append(event.name))
    dapr_jobs.app_grpc_address = address
    schedule(dapr_jobs, "over-grpc", {"dueTime": "1s"})
    ticker = asyncio.create_task(asyncio.sleep(0))
    [record] = await dapr_jobs.clock.advance_async(seconds=1)
    assert ticker.done()  # the loop ran while the move was in progress
    assert (record.succeeded, record.via, seen) == (True, "OnJobEvent", ["over-grpc"])
