"""How fast triggers reach an in-process ASGI app (FastAPI). A plain script: prints figures, asserts nothing.

    python benchmarks/bench_asgi.py [--triggers 2000] [--rounds 3]

1. deliveries/s: a FastAPI app receives N triggers through the fake (`asgi_app`, `clock.advance()`,
   each one journaled), against the same app called directly in a loop with httpx's ASGITransport
   and the same request (the floor for any in-process ASGI call) -> ratio (goal: at least 0.5x);
   and the same from an async test (`await clock.advance_async()`, deliveries on the caller's loop);
2. 300 triggers into the FastAPI app, sync and async: wall time of the move.

The best of `--rounds` rounds is reported for each figure (less noise on a busy machine).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from datetime import datetime, timezone

import httpx
import requests
from fastapi import FastAPI, Request

from dapr_jobs_fake import DaprJobsFake

BODY = b'{"user":7}'


def make_app() -> tuple[FastAPI, list[int]]:
    app = FastAPI()
    seen = [0]

    @app.post("/job/{name}")
    async def on_job(name: str, request: Request) -> dict[str, str]:
        await request.body()
        seen[0] += 1
        return {}

    return app, seen


async def direct(app: FastAPI, n: int) -> float:
    """Seconds for n POSTs of the trigger request straight into the app."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        headers = {"content-type": "application/json"}
        started = time.perf_counter()
        for _ in range(n):
            await client.post("/job/tick-0", content=BODY, headers=headers)
        return time.perf_counter() - started


def scheduled_fake(app: FastAPI, triggers: int) -> DaprJobsFake:
    """A fake with `triggers / 100` seconds of 100 jobs firing every second."""
    fake = DaprJobsFake(asgi_app=app, grpc=False, start=datetime(2025, 1, 1, tzinfo=timezone.utc)).start()
    with requests.Session() as session:
        for i in range(min(100, triggers)):
            job = {"schedule": "@every 1s", "data": {"user": 7}}
            response = session.post(f"{fake.url}/v1.0-alpha1/jobs/tick-{i}", json=job, timeout=5)
            assert response.status_code == 204, response.text
    return fake


def through_fake(triggers: int, *, use_async: bool) -> float:
    app, seen = make_app()
    fake = scheduled_fake(app, triggers)
    seconds = triggers // min(100, triggers)
    fake.clock.advance()  # start the app (lifespan) outside the timing
    try:
        started = time.perf_counter()
        if use_async:

            async def move() -> None:
                await fake.clock.advance_async(seconds=seconds)

            asyncio.run(move())
        else:
            fake.clock.advance(seconds=seconds)
        elapsed = time.perf_counter() - started
    finally:
        fake.stop()
    assert seen[0] >= seconds * min(100, triggers), seen
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--triggers", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    n = args.triggers
    floor = min(asyncio.run(direct(make_app()[0], n)) for _ in range(args.rounds))
    sync = min(through_fake(n, use_async=False) for _ in range(args.rounds))
    in_async = min(through_fake(n, use_async=True) for _ in range(args.rounds))
    print(f"direct ASGI calls (httpx ASGITransport): {n / floor:,.0f}/s")
    print(
        f"through the fake, clock.advance():       {n / sync:,.0f}/s  ratio {floor / sync:.2f}x (goal 0.5x+)"
    )
    print(f"through the fake, await advance_async(): {n / in_async:,.0f}/s  ratio {floor / in_async:.2f}x")
    t_sync = min(through_fake(300, use_async=False) for _ in range(args.rounds))
    t_async = min(through_fake(300, use_async=True) for _ in range(args.rounds))
    print(f"300 triggers into FastAPI: sync {t_sync * 1000:.0f} ms, async {t_async * 1000:.0f} ms")


if __name__ == "__main__":
    main()
