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


def test_readme_and_docs_test_files_pass(pytester: pytest.Pytester) -> None:
    """Every `# file:` example of README.md and docs/ as a pytest project: one run for all of them
    (a pytest start-up each would cost seconds), each file's tests checked by name."""
    files = _test_files()
    assert len(files) >= 8
    pytester.makepyfile(**{name.removesuffix(".py"): code for name, code in files})
    result = run_pytest(pytester, "-rA", plugins=("pytest_asyncio.plugin",))
    output = result.stdout.str()
    for name, code in files:
        for test in re.findall(r"\n(?:async )?def (test_\w+)", code):
            assert f"PASSED {name}::{test}" in output, f"{name}::{test} did not pass:\n{output[-3000:]}"
    expected = sum(len(re.findall(r"\n(?:async )?def test_", code)) for _, code in files)
    result.assert_outcomes(passed=expected)


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
