"""The docs site covers what users touch (issue 12, item 16). `mkdocs build --strict` (CI) fails on a
broken reference; these tests fail when a page, a public name or a CLI flag is left out of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import dapr_jobs_fake
from dapr_jobs_fake.cli.args import build_parser
from dapr_jobs_fake.plugin import pytest_addoption

ROOT = Path(__file__).resolve().parent.parent.parent
DOCS = ROOT / "docs"
MKDOCS = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
API = "".join(p.read_text(encoding="utf-8") for p in sorted((DOCS / "api").glob("*.md")))


def test_every_docs_page_is_in_the_navigation() -> None:
    pages = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")} - {"reference/jobs_api-v1.14-alpha.md"}
    listed = set(re.findall(r":\s+(\S+\.md)\s*$", MKDOCS, flags=re.M))
    assert pages - listed == set(), "add these pages to mkdocs.yml's nav"
    assert listed - pages == set(), "mkdocs.yml lists pages that do not exist"


@pytest.mark.parametrize("name", [n for n in dapr_jobs_fake.__all__ if n[0].isupper() or n == "get_profile"])
def test_every_public_name_has_an_api_entry(name: str) -> None:
    if name == "PROFILES":
        pytest.skip("a dict of profiles: docs/versions.md describes each")
    assert f"::: dapr_jobs_fake.{name}\n" in API


@pytest.mark.parametrize("fixture", ["dapr_jobs", "make_dapr_jobs", "dapr_jobs_session"])
def test_every_fixture_has_an_api_entry(fixture: str) -> None:
    assert f"::: dapr_jobs_fake.plugin.{fixture}\n" in API


def test_every_cli_flag_is_in_the_cli_page() -> None:
    cli_page = (DOCS / "cli.md").read_text(encoding="utf-8")
    flags = {o for action in build_parser()._actions for o in action.option_strings if o.startswith("--")}
    missing = sorted(f for f in flags - {"--help", "--version"} if f not in cli_page)
    assert missing == [], "document these flags in docs/cli.md"


def test_every_pytest_option_is_in_the_pytest_page() -> None:
    page = (DOCS / "pytest.md").read_text(encoding="utf-8")
    names: list[str] = []

    class Recorder:
        def getgroup(self, *args: object, **kwargs: object) -> Recorder:
            return self

        def addoption(self, *opts: str, **kwargs: object) -> None:
            names.extend(o for o in opts if o.startswith("--"))

        def addini(self, name: str, *args: object, **kwargs: object) -> None:
            names.append(name)

    pytest_addoption(Recorder())  # type: ignore[arg-type]
    missing = sorted(n for n in names if f"`{n}`" not in page)
    assert missing == [], "document these options in docs/pytest.md"
