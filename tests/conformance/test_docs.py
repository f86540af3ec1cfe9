"""docs/conformance.md is generated from the shipped recordings and their replays, and must be current."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dapr_jobs_fake.conformance import doc
from dapr_jobs_fake.conformance.compare import Report

DOC = Path(__file__).resolve().parents[2] / "docs" / "conformance.md"


def test_docs_conformance_md_is_generated_from_the_recordings(
    monkeypatch: pytest.MonkeyPatch, replayed: Callable[[str], Report]
) -> None:
    monkeypatch.setattr(doc, "replay", lambda recording: replayed(recording.version))
    assert DOC.read_text() == doc.render(), (
        "docs/conformance.md is stale: run python -m dapr_jobs_fake.conformance.doc > docs/conformance.md"
    )
