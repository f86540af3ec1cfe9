"""The `dapr_jobs` fixture in async tests under pytest-asyncio (strict and auto) and anyio (asyncio and
trio), run as separate pytest projects with pytester (issue 11).

Each project's first test gets a FastAPI app's lifespan started by a trigger on the test's loop; its
second test checks that the lifespan shutdown ran after the first test (the plugin shuts the app down
while the test's loop still exists).
"""

from __future__ import annotations

import pytest
from pytester_support import run_pytest

pytest.importorskip("fastapi")
pytest.importorskip("asgi_lifespan")

APP = """
import asyncio
from contextlib import asynccontextmanager

import pytest
import requests
from fastapi import FastAPI

events = []


@asynccontextmanager
async def lifespan(app):
    events.append("startup")
    yield
    events.append("shutdown")


app = FastAPI(lifespan=lifespan)
fired = []


@app.post("/job/{name}")
async def on_job(name: str):
    fired.append(name)
    return {}


def schedule(fake, name, due):
    r = requests.post(f"{fake.url}/v1.0-alpha1/jobs/{name}", json={"dueTime": due}, timeout=5)
    assert r.status_code == 204, r.text
"""

ASYNCIO_TESTS = """
{marker}
async def test_trigger_reaches_the_app_on_the_test_loop(dapr_jobs):
    dapr_jobs.asgi_app = app
    schedule(dapr_jobs, "ping", "5s")
    done = asyncio.Event()

    @dapr_jobs.on_job("handled")
    async def handled(event):
        done.set()

    schedule(dapr_jobs, "handled", "6s")
    await dapr_jobs.clock.advance_async(seconds=6)
    await asyncio.wait_for(done.wait(), 5)
    assert fired == ["ping"] and events == ["startup"]


def test_the_app_was_shut_down_after_the_test():
    assert events == ["startup", "shutdown"]
"""


def _run(pytester: pytest.Pytester, *plugins: str) -> pytest.RunResult:
    return run_pytest(pytester, "-rA", plugins=plugins)


def test_pytest_asyncio_strict_mode(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_asyncio")
    pytester.makeini("[pytest]\nasyncio_mode = strict\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(APP + ASYNCIO_TESTS.format(marker="@pytest.mark.asyncio"))
    _run(pytester, "pytest_asyncio.plugin").assert_outcomes(passed=2)


def test_pytest_asyncio_auto_mode(pytester: pytest.Pytester) -> None:
    pytest.importorskip("pytest_asyncio")
    pytester.makeini("[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n")
    pytester.makepyfile(APP + ASYNCIO_TESTS.format(marker=""))
    _run(pytester, "pytest_asyncio.plugin").assert_outcomes(passed=2)


ANYIO_ASYNCIO = (
    APP
    + """
@pytest.fixture
def anyio_backend():
    return "asyncio"
"""
    + ASYNCIO_TESTS.format(marker="@pytest.mark.anyio")
)
ANYIO_TRIO = (
    APP
    + """
import trio


@pytest.fixture
def anyio_backend():
    return "trio"


@pytest.mark.anyio
async def test_trio_handlers_and_an_asgi_app(dapr_jobs):
    dapr_jobs.asgi_app = app
    done = trio.Event()

    @dapr_jobs.on_job("handled")
    async def handled(event):
        await trio.sleep(0)
        done.set()

    schedule(dapr_jobs, "ping", "5s")
    schedule(dapr_jobs, "handled", "6s")
    records = await dapr_jobs.clock.advance_async(seconds=6)
    with trio.fail_after(5):
        await done.wait()
    assert [r.status for r in records] == [200, 200]
    assert fired == ["ping"]


def test_the_app_was_shut_down_after_the_test():
    assert events == ["startup", "shutdown"]
"""
)


def test_anyio_plugin_on_asyncio_and_trio(pytester: pytest.Pytester) -> None:
    """anyio's plugin on asyncio, and on trio, where async handlers run on the test's trio loop and an
    ASGI app (asyncio-bound through asgi-lifespan) runs on the fake's portal loop. One run, two files."""
    pytest.importorskip("anyio")
    pytest.importorskip("trio")
    pytester.makepyfile(test_on_asyncio=ANYIO_ASYNCIO, test_on_trio=ANYIO_TRIO)
    result = _run(pytester, "anyio.pytest_plugin")
    result.assert_outcomes(passed=4)
    for line in (
        "PASSED test_on_asyncio.py::test_trigger_reaches_the_app_on_the_test_loop",
        "PASSED test_on_asyncio.py::test_the_app_was_shut_down_after_the_test",
        "PASSED test_on_trio.py::test_trio_handlers_and_an_asgi_app",
        "PASSED test_on_trio.py::test_the_app_was_shut_down_after_the_test",
    ):
        assert line in result.stdout.str()
