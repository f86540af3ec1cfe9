"""The public schemas and the fake agree wherever a schema has an opinion (issue 12, item 12).

For every request body the test suite sends (every literal job body in tests/, harvested from the
source) plus generated ones, and for every profile: when the profile's `ScheduleJobRequest` refuses
a body, the fake refuses it too, as a violation; when the schema accepts it, the fake accepts it or
refuses it under one of the rules only its semantic checks enforce (listed in schemas/README.md).
"""

from __future__ import annotations

import ast
import functools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dapr_jobs_fake.contract.errors import Rejected
from dapr_jobs_fake.contract.profiles import PROFILES, Profile
from dapr_jobs_fake.contract.rules import Contract
from dapr_jobs_fake.schema import validator

TESTS = Path(__file__).resolve().parent.parent
README = (TESTS.parent / "schemas" / "README.md").read_text(encoding="utf-8")
JOB_KEYS = {"schedule", "dueTime", "due_time", "repeats", "ttl", "data", "failurePolicy", "job", "overwrite"}
NOW = 1_767_225_600 * 10**9  # 2026-01-01T00:00:00Z
#: Rules only the fake's code enforces: schemas/README.md lists each (checked below).
SEMANTIC_ONLY = {
    "ttl.before-dueTime",
    "name.invalid",
    "name.empty",
    "body.too-large",
    "job.too-large",
    "repeats.zero",
}


@functools.cache
def harvested_bodies() -> list[Any]:
    """Every dict literal in the test sources that looks like a job body (has a job key). Harvested on
    first use, not at import: parsing every test file costs ~0.7 s, which collection would pay on every
    xdist worker."""
    bodies: list[Any] = []
    seen: set[str] = set()
    for path in sorted(TESTS.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Dict):
                continue
            keys = {k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)}
            if not keys & JOB_KEYS:
                continue
            try:
                value = ast.literal_eval(node)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            key = json.dumps(value, sort_keys=True, default=str)
            if key not in seen:
                seen.add(key)
                bodies.append(value)
    return bodies


def fake_verdict(profile: Profile, body: Any) -> str | None:
    """None when the fake accepts `body`, else the rule it refuses it under ("state:<rule>" for state)."""
    contract = Contract(profile, "app", "default")
    raw = json.dumps(body).encode()
    try:
        decoded = contract.decode_http_schedule("job-1", raw)
        contract.plan(decoded.spec, NOW, "http")
    except Rejected as refused:
        return refused.rule if refused.violation else f"state:{refused.rule}"
    return None


def check_agreement(profile: Profile, body: Any) -> None:
    schema_ok = validator(profile.schema_file, "ScheduleJobRequest").is_valid(body)
    verdict = fake_verdict(profile, body)
    if not schema_ok:
        assert verdict is not None and not verdict.startswith("state:"), (
            f"{profile.key}: the schema refuses {body!r}, the fake answers {verdict or 'success'}"
        )
    else:
        assert verdict is None or verdict in SEMANTIC_ONLY, (
            f"{profile.key}: the schema accepts {body!r}, the fake refuses it under {verdict}"
        )


def test_the_corpus_is_the_suites_bodies() -> None:
    assert len(harvested_bodies()) > 100  # the suite sends many; a broken harvest would find few


@pytest.mark.parametrize("profile", list(PROFILES.values()), ids=list(PROFILES))
def test_schema_and_fake_agree_on_every_body_the_suite_sends(profile: Profile) -> None:
    for body in harvested_bodies():
        check_agreement(profile, body)


JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-2, 3), st.sampled_from(["", "0", "1", "2", "x"])
)
FIELDS = {
    "schedule": st.one_of(st.none(), st.sampled_from(["@daily", "@every 1m", "bad", "", "0 0 * * * *"])),
    "dueTime": st.one_of(st.none(), st.sampled_from(["1s", "soon", "", "2030-01-01T00:00:00Z", "PT1M"])),
    "ttl": st.one_of(st.none(), st.sampled_from(["1h", "forever", "2031-01-01T00:00:00Z", "0s"])),
    "repeats": JSON_SCALARS,
    "name": st.one_of(st.none(), st.sampled_from(["", "other", " "])),
    "data": st.one_of(
        st.none(), st.integers(), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
    ),
}


@given(st.fixed_dictionaries({}, optional=FIELDS), st.sampled_from(sorted(PROFILES)))
def test_schema_and_fake_agree_on_generated_bodies(body: dict[str, Any], key: str) -> None:
    profile = PROFILES[key]
    if profile.body_wrapper:
        body = {profile.body_wrapper: body}
    check_agreement(profile, body)


def test_schemas_readme_lists_every_semantic_only_rule() -> None:
    for rule in SEMANTIC_ONLY:
        assert f"`{rule}`" in README, rule
