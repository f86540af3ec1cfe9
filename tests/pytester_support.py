"""Running a pytest project in a subprocess for plugin tests, quickly.

A subprocess keeps the inner run's imports apart from this one (pytester's in-process mode re-imports
modules such as requests, and their classes stop matching). Plugin auto-loading is off in it, so the
inner run loads only the fake's plugin (plus the ones a test names): half the start-up time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

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


def outcomes(result: pytest.RunResult | ProjectRun) -> dict[str, set[str]]:
    """From a `-rA` run's short summary: each `file::test` and its outcomes (a test that passes and
    then errors at teardown has both, `PASSED` and `ERROR`)."""
    found: dict[str, set[str]] = {}
    for line in result.outlines:
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS") and "::" in rest:
            found.setdefault(rest.split(" - ", 1)[0].strip(), set()).add(word)
    return found


@dataclass
class ProjectRun:
    """What `run_project` saw: the exit code and the output's lines (stdout, then stderr)."""

    ret: int
    outlines: list[str] = field(default_factory=list)

    @property
    def stdout(self) -> pytest.LineMatcher:
        return pytest.LineMatcher(self.outlines)

    def __str__(self) -> str:
        return "\n".join(self.outlines[-200:])


def run_project(directory: Path, files: dict[str, str], *args: str, ini: str | None = None) -> ProjectRun:
    """Write `files` (name without `.py` -> source, dedented) and an optional `pytest.ini` into
    `directory` and run `pytest -rA -p dapr_jobs_fake.plugin *args` there in a subprocess.

    For a module-scoped fixture several tests share (pytester is per test): one run, many checks."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, source in files.items():
        (directory / f"{name}.py").write_text(textwrap.dedent(source))
    (directory / "pytest.ini").write_text(ini or "[pytest]\n")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    command = [sys.executable, "-m", "pytest", "-rA", "-p", "no:cacheprovider", "-p", "dapr_jobs_fake.plugin"]
    done = subprocess.run(
        [*command, *args], cwd=directory, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    return ProjectRun(done.returncode, (done.stdout + done.stderr).splitlines())
