"""Shared fixtures and settings for the test suite.

- Hypothesis runs derandomized (a fixed seed per test) when `CI` is set, so CI is reproducible; the
  profile "long" (`HYPOTHESIS_PROFILE=long`) makes a longer random run, as `benchmarks/fuzz.py` does.
- `--run-clients` (tests/clients, the Go and Java SDK tests): registered here, in the root conftest,
  because pytest reads `pytest_addoption` only from conftests loaded at start-up; tests/clients/conftest.py
  decides what it skips.
- After collection the objects alive then (modules, the collected items) are moved out of the garbage
  collector's reach (`gc.freeze()`): they live for the whole session, and every full collection walked
  them again; each xdist worker's time in the collector went from ~4 s to ~2 s.
- `fake`: the session's running fake (the same one `dapr_jobs` resets), blank for each test, without
  the plugin's strict teardown, for tests that send bad requests on purpose and inspect the journal.
  One server per xdist worker, reset per test: what users get from the plugin.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.options import STATE_DEFAULTS


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--run-clients",
        action="store_true",
        default=False,
        help="run the slow Go/Java SDK tests in tests/clients (or set DAPR_JOBS_FAKE_CLIENT_TESTS=1)",
    )


# Generation and examples are cheap, but a parallel run on a loaded 2-core machine can stall a worker
# for seconds: timing health checks and deadlines would then fail tests for the machine's load.
_UNTIMED = [HealthCheck.too_slow]
settings.register_profile(
    "ci", derandomize=True, database=None, print_blob=True, deadline=None, suppress_health_check=_UNTIMED
)
settings.register_profile("dev", deadline=None, suppress_health_check=_UNTIMED)
settings.register_profile("long", max_examples=5_000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def pytest_collection_finish(session: pytest.Session) -> None:
    """Freeze what collection left alive: long-lived, so not worth a look at every full collection."""
    gc.freeze()


@pytest.fixture
def fake(dapr_jobs_session: DaprJobsFake) -> Iterator[DaprJobsFake]:
    """The session fake, reset to its defaults before and after the test (no strict teardown)."""
    dapr_jobs_session.reset(**STATE_DEFAULTS)
    try:
        yield dapr_jobs_session
    finally:
        dapr_jobs_session.reset(**STATE_DEFAULTS)


@pytest.fixture
def grpc_app() -> Iterator[tuple[Any, str, Any]]:
    """A real `dapr.ext.grpc.App` on an ephemeral loopback port: (app, "host:port", recorder)."""
    pytest.importorskip("dapr.ext.grpc")
    from grpc_app_support import serve_app

    with serve_app() as served:
        yield served


@pytest.fixture
def docs_fake(fake: DaprJobsFake) -> DaprJobsFake:
    """The session fake emulating the v1.14 alpha reference document."""
    fake.reset(dapr_version="docs-1.14-alpha")
    return fake
