"""Real Dapr SDKs in other languages (Go, Java) against the `dapr-jobs-fake` CLI, as subprocesses.

These tests build a Go program and a Maven project, so they are slow and stay out of the quick suite:
every test in this directory is skipped unless asked for. Run them with either of

    DAPR_JOBS_FAKE_CLIENT_TESTS=1 .venv/bin/python -m pytest tests/clients -v
    .venv/bin/python -m pytest tests/clients --run-clients -v

`--run-clients` is registered in tests/conftest.py (pytest reads options only from the conftests it
loads at start-up), so it works from the root as well as for `tests/clients`. Without xdist's `-n`:
each worker would build the clients again.

Each language skips, saying why, when its toolchain (`go`; `mvn` and `java`) is missing or its
dependencies cannot be downloaded. Builds are cached under `$DAPR_JOBS_FAKE_CLIENTS_CACHE`, default
`~/.cache/dapr-jobs-fake/clients` (Go's module and build caches and Maven's `~/.m2` are their own).

The helpers the test modules share (`FakeCli`, `run_json`, ...) live in `clients_harness.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ENV_SWITCH = "DAPR_JOBS_FAKE_CLIENT_TESTS"


def _enabled(config: pytest.Config) -> bool:
    if os.environ.get(ENV_SWITCH) == "1":
        return True
    try:
        return bool(config.getoption("--run-clients"))
    except ValueError:  # the option was never registered
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip this directory's tests unless asked for (this hook sees the whole session's items)."""
    if _enabled(config):
        return
    skip = pytest.mark.skip(reason=f"SDK client tests are slow: pass --run-clients or set {ENV_SWITCH}=1")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)
