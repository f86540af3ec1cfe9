"""docs/versions.md is generated from the profiles and must be current (issue 9: "cannot drift")."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from dapr_jobs_fake.contract.profiles import Profile
from dapr_jobs_fake.contract.versions_doc import LABELS, columns, render

DOC = Path(__file__).resolve().parent.parent / "docs" / "versions.md"


def test_docs_versions_md_is_generated_from_the_profiles() -> None:
    assert DOC.read_text() == render(), (
        "docs/versions.md is stale: run python -m dapr_jobs_fake.contract.versions_doc > docs/versions.md"
    )


def test_every_profile_field_has_a_label() -> None:
    assert set(LABELS) == {f.name for f in dataclasses.fields(Profile)}


def test_columns_cover_every_line_and_patch_boundary() -> None:
    headings = [heading for heading, _ in columns()]
    assert headings[0] == "1.14.0 to 1.14.2" and "1.18.3" in headings and "1.16.17 to 1.16.19" in headings
