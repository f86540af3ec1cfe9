"""Running a pytest project in a subprocess for plugin tests, quickly.

A subprocess keeps the inner run's imports apart from this one (pytester's in-process mode re-imports
modules such as requests, and their classes stop matching). Plugin auto-loading is off in it, so the
inner run loads only the fake's plugin (plus the ones a test names): half the start-up time.
"""

from __future__ import annotations

import os

import pytest


def run_pytest(pytester: pytest.Pytester, *args: str, plugins: tuple[str, ...] = ()) -> pytest.RunResult:
    """`pytest -p dapr_jobs_fake.plugin [-p <plugin>...] *args` in a subprocess, without other plugins."""
    loaded = [arg for plugin in ("dapr_jobs_fake.plugin", *plugins) for arg in ("-p", plugin)]
    previous = os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD")
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        return pytester.runpytest_subprocess("-p", "no:cacheprovider", *loaded, *args)
    finally:
        if previous is None:
            del os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"]
        else:
            os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = previous
