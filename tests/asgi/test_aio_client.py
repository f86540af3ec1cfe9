"""The real aio `DaprClient` from an async test schedules a job that a FastAPI app receives in process
(issue 11; real-clients.md: the aio client speaks gRPC ScheduleJob and probes healthz at construction).
The README's FastAPI example is this test's code."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("asgi_lifespan")
pytest.importorskip("dapr.aio.clients")

from dapr.aio.clients import DaprClient
from dapr.clients import Job
from fastapi import FastAPI, Request
from google.protobuf.any_pb2 import Any as AnyProto

from dapr_jobs_fake import DaprJobsFake


@pytest.mark.asyncio
async def test_aio_client_schedules_and_the_asgi_app_receives_s10_1(dapr_jobs: DaprJobsFake) -> None:
    if dapr_jobs.grpc_server is None:
        pytest.skip("the fake serves no gRPC (grpc extra missing)")
    received: list[tuple[str, Any]] = []
    arrived = asyncio.Event()
    app = FastAPI()

    @app.post("/job/{name}")
    async def on_job(name: str, request: Request) -> dict[str, str]:
        received.append((name, json.loads(await request.body())))
        arrived.set()
        return {}

    dapr_jobs.asgi_app = app
    async with DaprClient() as client:
        await client.schedule_job(
            Job(name="send-invoice", due_time="30s", data=AnyProto(value=b'{"id": 42}'))
        )
    dapr_jobs.assert_scheduled("send-invoice", due_time="30s")
    await dapr_jobs.clock.advance_async(seconds=29)
    assert received == []
    await dapr_jobs.clock.advance_async(seconds=1)
    await asyncio.wait_for(arrived.wait(), 5)
    assert received == [("send-invoice", {"id": 42})]
    dapr_jobs.assert_triggered("send-invoice", times=1)
