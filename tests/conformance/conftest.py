"""Fixtures of the conformance tests: the replays of the shipped recordings (made once per session),
and what the real-runtime tests need (binaries, a private network namespace), or a skip saying why."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from dapr_jobs_fake.conformance import netns
from dapr_jobs_fake.conformance.compare import Report
from dapr_jobs_fake.conformance.real_runtime import default_binaries
from dapr_jobs_fake.conformance.recording import load, shipped
from dapr_jobs_fake.conformance.session import replay

REAL_VERSION = "1.18.3"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "real_dapr: needs real daprd and Scheduler binaries (skipped when they are not built)"
    )


@functools.cache
def _replayed(version: str) -> Report:
    return replay(load(shipped()[version]))


@pytest.fixture(scope="session")
def replayed() -> Callable[[str], Report]:
    """The shipped recording of a version replayed against the fake (once per process and version)."""
    return _replayed


@pytest.fixture
def real_binaries() -> tuple[Path, Path]:
    """daprd and Scheduler of REAL_VERSION, or a skip saying how to build them, or why no private
    network namespace can be made (the real runtime runs only inside one)."""
    if os.environ.get("DAPR_JOBS_FAKE_REAL_DAPR") != "1":
        pytest.skip(
            "the real runtime is a separate command: set DAPR_JOBS_FAKE_REAL_DAPR=1 to run these tests "
            "(they start real daprd and Scheduler processes)"
        )
    version = REAL_VERSION
    daprd, scheduler = default_binaries(version)
    missing = [str(path) for path in (daprd, scheduler) if not path.is_file()]
    if missing:
        pytest.skip(
            f"real Dapr binaries not found ({', '.join(missing)}): run "
            f"`python conformance/realdapr/build.py {version}` or set DAPR_JOBS_FAKE_DAPRD and "
            "DAPR_JOBS_FAKE_SCHEDULER"
        )
    try:
        netns.wrap([])
    except netns.NamespaceUnavailable as error:
        pytest.skip(str(error))
    return daprd, scheduler
