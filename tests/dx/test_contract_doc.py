"""Every `see:` of a finding resolves (issue 12, item 2): docs/contract.md ships with the docs and has
one section, with a stable anchor, per rule id; no section is left for a rule that is gone."""

from __future__ import annotations

import re
from pathlib import Path

from dapr_jobs_fake.contract.rows import ALL_ROWS
from dapr_jobs_fake.journal.findings import CONTRACT_DOC, Violation, rule_anchor, rule_reference

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = (ROOT / CONTRACT_DOC).read_text(encoding="utf-8")
ANCHORS = re.findall(r'<a id="([^"]+)"></a>\n### `([^`]+)`', DOC)


def test_every_rule_has_a_section_with_its_anchor() -> None:
    documented = {rule: anchor for anchor, rule in ANCHORS}
    for row in ALL_ROWS:
        assert documented.get(row.rule) == rule_anchor(row.rule), (
            f"docs/contract.md lacks a section for {row.rule}"
        )


def test_every_section_is_a_rule() -> None:
    rules = {row.rule for row in ALL_ROWS}
    assert [rule for _, rule in ANCHORS if rule not in rules] == []
    assert len(ANCHORS) == len({anchor for anchor, _ in ANCHORS})  # anchors are unique


def test_the_section_states_the_rules_kind() -> None:
    for row in ALL_ROWS:
        section = DOC.split(f"### `{row.rule}`", 1)[1].split("### ", 1)[0]
        assert f"*{row.kind}," in section, f"{row.rule}: the section should say it is a {row.kind}"


def test_a_findings_see_line_points_at_the_shipped_page() -> None:
    finding = Violation("POST /v1.0/jobs/x", "$", "schedule.empty", "no schedule", None, "§3")
    assert finding.explain().splitlines()[-1] == "    see: docs/contract.md#schedule-empty"
    assert rule_reference("ttl.before-dueTime") == "docs/contract.md#ttl-before-duetime"
    assert '<a id="ttl-before-duetime"></a>' in DOC
