"""The case definitions hold together: enough of them, over every area and contract section §2-§14,
unique names and job names (the real target runs a sidecar's cases at the same time, told apart by job
name), one definition per sidecar configuration, and the hash changes with any case."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from urllib.parse import unquote

from dapr_jobs_fake.conformance.cases import all_cases, area_of
from dapr_jobs_fake.conformance.model import Grpc, Http, Received, Wait, cases_hash
from dapr_jobs_fake.conformance.normalise import transformer_names


def job_names(case: object) -> set[str]:
    names: set[str] = set()
    for step in case.steps:  # type: ignore[attr-defined]
        if isinstance(step, Http) and "/jobs/" in step.path:
            segment = step.path.split("/jobs/", 1)[1].split("?")[0].rstrip("/")
            names.add(unquote(segment.replace("+", " ")))
        elif isinstance(step, Grpc):
            request = step.request
            name = (request.get("job") or {}).get("name", request.get("name"))
            if name is not None:
                names.add(name)
    return names


def test_at_least_150_cases_over_every_area() -> None:
    cases = all_cases()
    assert len(cases) >= 150
    areas = Counter(area_of(case) for case in cases)
    expected = {"routes", "bodies", "names", "schedules", "timing", "grpc", "triggers", "failures"}
    assert expected | {"security", "outage"} <= set(areas)


def test_every_contract_section_from_2_to_14_is_covered() -> None:
    sections = {int(re.match(r"§(\d+)", case.section)[1]) for case in all_cases()}  # type: ignore[index]
    assert set(range(2, 15)) - sections <= {9}  # §9 (Go durations) is covered inside §7 and §8 cases
    assert all(re.fullmatch(r"§\d+(\.\d+)?", case.section) for case in all_cases())


def test_job_names_are_unique_across_cases() -> None:
    owners: dict[str, list[str]] = {}
    for case in all_cases():
        for name in job_names(case):
            owners.setdefault(name, []).append(case.name)
    shared = {name: cases for name, cases in owners.items() if len(cases) > 1 and name != ""}
    assert not shared


def test_one_definition_per_sidecar_configuration() -> None:
    seen: dict[str, object] = {}
    for case in all_cases():
        assert seen.setdefault(case.sidecar.name, case.sidecar) == case.sidecar, case.name


def test_received_and_waits_are_in_order() -> None:
    for case in all_cases():
        waits = [step.at for step in case.steps if isinstance(step, Wait)]
        assert waits == sorted(waits), case.name
        for step in case.steps:
            if isinstance(step, Received):
                assert step.jobs and case.sidecar.app != "none", case.name


def test_the_hash_follows_every_case_and_the_transformers() -> None:
    cases = all_cases()
    before = cases_hash(cases, transformer_names())
    changed = [dataclasses.replace(cases[0], steps=(*cases[0].steps, Wait(1.0))), *cases[1:]]
    assert cases_hash(changed, transformer_names()) != before
    assert cases_hash(cases, [*transformer_names(), "another"]) != before
    assert cases_hash(list(all_cases()), transformer_names()) == before
