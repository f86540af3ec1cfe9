"""The README's and docs/' examples run as written (as pytest-httpserver keeps its docs executable)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pytester_support import run_pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOC_FILES = [*sorted((ROOT / "docs").glob("*.md")), ROOT / "schemas" / "README.md"]
DOCS = README + "".join(p.read_text(encoding="utf-8") for p in DOC_FILES)
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", DOCS, flags=re.S)


def _test_files() -> list[tuple[str, str]]:
    files = []
    for language, code in BLOCKS:
        match = re.match(r"# file: (\S+)\n", code)
        if language == "python" and match:
            files.append((match.group(1), code))
    return files


@pytest.mark.parametrize(("name", "code"), _test_files(), ids=[n for n, _ in _test_files()])
def test_readme_test_file_passes(pytester: pytest.Pytester, name: str, code: str) -> None:
    pytester.makepyfile(**{name.removesuffix(".py"): code})
    async_plugins = ("pytest_asyncio.plugin",) if "pytest.mark.asyncio" in code else ()
    result = run_pytest(pytester, plugins=async_plugins)
    result.assert_outcomes(passed=len(re.findall(r"\n(?:async )?def test_", code)))


def test_readme_plain_python_snippets_run() -> None:
    snippets = [code for language, code in BLOCKS if language == "python" and not code.startswith("# file:")]
    assert snippets
    for code in snippets:
        exec(compile(code, "README.md", "exec"), {})


def test_ci_runs_the_readme_commands() -> None:
    """The quick start is two commands (serve, test), and `.ci/run` runs the test one exactly."""
    quick_start = re.search(r"## Quick start.*?```bash\n(.*?)```", README, flags=re.S)
    assert quick_start
    serve, test = quick_start.group(1).strip().splitlines()
    assert (serve, test) == ("make serve", "make test")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(rf"^{re.escape(test)}$", ci, flags=re.M), ".ci/run must run the README's test command"
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "$(BIN)/dapr-jobs-fake $(ARGS)" in makefile  # serve: the CLI on its defaults
    assert "pytest -n auto" in makefile
