"""The JSON Schemas in `schemas/`: valid Draft 2020-12, right about the contract's example bodies (§3),
and right about the fake's own answers (§4 GET bodies, §5.1 error bodies) for every profile."""

from __future__ import annotations

import http.client
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.contract.profiles import PROFILES
from dapr_jobs_fake.schema import FORMAT_CHECKER, load_schema, schemas_dir, validator

SCHEMA_FILES = sorted(p.name for p in schemas_dir().glob("*.json"))
V118 = "jobs-1.18.schema.json"
VDOCS = "jobs-docs-1.14-alpha.schema.json"


def definition(file_name: str, name: str) -> Draft202012Validator:
    """A plain Draft 2020-12 validator for one `$defs` entry, with the public FORMAT_CHECKER."""
    schema = load_schema(file_name)
    root = {"$schema": schema["$schema"], "$defs": schema["$defs"], "$ref": f"#/$defs/{name}"}
    return Draft202012Validator(root, format_checker=FORMAT_CHECKER)


def test_schema_files_exist_for_every_profile() -> None:
    assert {p.schema_file for p in PROFILES.values()} <= set(SCHEMA_FILES)
    assert (Path(__file__).parent.parent / "schemas").is_dir()


@pytest.mark.parametrize("file_name", SCHEMA_FILES)
def test_schema_is_valid_draft_2020_12(file_name: str) -> None:
    schema = load_schema(file_name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    for name in ("ScheduleJobRequest", "Job", "Error"):
        assert name in schema["$defs"], name


# -- request examples (§3) ---------------------------------------------------------------------------
GOOD_1_18 = [
    # D@HEAD tests/integration/suite/daprd/jobs/http/basic.go (204)
    {"schedule": "@daily", "repeats": 3, "due_time": "10s", "ttl": "11s", "data": "Hello, World!"},
    # §4's example, as a request
    {
        "schedule": "@every 1m",
        "repeats": 5,
        "dueTime": "10s",
        "ttl": "1h",
        "data": {"k": "v"},
        "failurePolicy": {"constant": {"interval": "1s", "maxRetries": 3}},
    },
    # http/fields.go: snake case policy
    {"dueTime": "1000s", "failure_policy": {"constant": {"interval": "0.2s", "max_retries": 4}}},
    {"schedule": "0 30 * * * *", "repeats": "3", "data": None, "overwrite": True},
    {"schedule": "TZ=Europe/Paris 0 0 9 * * mon-fri", "failurePolicy": {"drop": {}}},
    {"dueTime": "2030-01-01T00:00:00Z", "data": [1, 2, 3]},
    {"dueTime": "PT30S", "failurePolicy": {}},
]
#: Bodies protojson decodes (`JobHTTPRequest`) that a structural rule then refuses (`JobRules`):
#: the rule id each breaks (issue 12, item 12).
STRUCTURALLY_BAD_1_18 = [
    ({}, "schedule.empty"),
    ({"job": {"dueTime": "30s"}}, "schedule.empty"),  # the rc-era wrapper: its content is dropped
    ({"dueTime": None, "schedule": None}, "schedule.empty"),
    ({"dueTime": "1s", "name": "other"}, "name.in-body"),
    ({"schedule": "@daily", "repeats": 0}, "repeats.zero"),
    ({"schedule": "@daily", "repeats": "0"}, "repeats.zero"),
    ({"dueTime": "1s", "repeats": 2}, "repeats.without-schedule"),
    ({"dueTime": "1s", "ttl": "1h"}, "ttl.without-schedule"),
]
BAD_1_18 = [
    [{}],  # basic.go: 400
    "",  # basic.go: 400
    {"schedule": "test", "repeats": -1},  # basic.go: 400
    {"schedule": "test"},  # bad cron (format dapr-schedule)
    {"schedule": "@every 1m", "repeats": 1.5},
    {"schedule": "@every 1m", "repeats": True},
    {"dueTime": "1s", "due_time": "1s"},
    {"dueTime": "soon"},
    {"schedule": "@daily", "ttl": "forever"},
    {"dueTime": "1s", "overwrite": "yes"},
    {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "200ms"}}},  # §15.3
    {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "2m"}}},
    {"dueTime": "1s", "failurePolicy": {"drop": {}, "constant": {}}},
    {"dueTime": "1s", "failurePolicy": {"constant": {"maxRetries": 1, "max_retries": 1}}},
    {"dueTime": "1s", "failurePolicy": {"drop": {}}, "failure_policy": {"drop": {}}},
]
DOC_EXAMPLE = {
    "job": {
        "data": {"@type": "type.googleapis.com/google.type.Expr", "expression": "<expression>"},
        "dueTime": "30s",
    }
}
GOOD_DOCS = [DOC_EXAMPLE, {"job": {"data": {"HanSolo": "Running spice"}, "dueTime": "30s"}}]
BAD_DOCS = [
    {"job": []},
    {"job": {"repeats": -1}},
    {"job": {"dueTime": "soon"}},
    [DOC_EXAMPLE],
    {"job": None},  # decodes, but the job has neither schedule nor dueTime
    {"dueTime": "30s"},  # not wrapped: the same
]


@pytest.mark.parametrize(
    ("file_name", "body"), [(V118, b) for b in GOOD_1_18] + [(VDOCS, b) for b in GOOD_DOCS]
)
def test_spec_example_bodies_validate(file_name: str, body: Any) -> None:
    definition(file_name, "ScheduleJobRequest").validate(body)
    assert validator(file_name, "ScheduleJobRequest").is_valid(body)


@pytest.mark.parametrize(
    ("file_name", "body"), [(V118, b) for b in BAD_1_18] + [(VDOCS, b) for b in BAD_DOCS]
)
def test_bad_bodies_do_not_validate(file_name: str, body: Any) -> None:
    assert not definition(file_name, "ScheduleJobRequest").is_valid(body)
    assert not validator(file_name, "ScheduleJobRequest").is_valid(body)


@pytest.mark.parametrize(("body", "rule"), STRUCTURALLY_BAD_1_18, ids=[r for _, r in STRUCTURALLY_BAD_1_18])
def test_structural_rules_refuse_what_decodes(body: Any, rule: str) -> None:
    """`JobHTTPRequest` (the decoding shape) accepts these; `ScheduleJobRequest` (shape + `JobRules`)
    refuses them, as daprd and the Scheduler do under rule `rule` (§3, §5.2, §8)."""
    assert validator(V118, "JobHTTPRequest").is_valid(body)
    assert not validator(V118, "ScheduleJobRequest").is_valid(body)
    rule_descriptions = json.dumps(load_schema(V118)["$defs"]["JobRules"])
    assert rule in rule_descriptions or rule == "schedule.empty"


# -- the fake's own answers (§4, §5.1) -----------------------------------------------------------------
SCENARIO_BODIES: list[Any] = [
    *GOOD_1_18,
    *BAD_1_18,
    {"dueTime": "1s", "data": None},
    {"dueTime": "1s", "data": "text"},
    {"dueTime": "1s", "data": {"@type": "x", "value": 1}},
    {"dueTime": "1s", "failurePolicy": {"constant": {}}},
    {"dueTime": "1s", "failurePolicy": {"constant": {"maxRetries": 0}}},
    {"name": "x", "dueTime": "1s"},
    {"dueTime": "1s", "repeats": 2},
    {"dueTime": "1s", "ttl": "1s"},
    {"schedule": "@daily", "repeats": 0},
    {"schedule": "@daily", "dueTime": "10s", "ttl": "-5s"},
    {"schedule": "@every 1s", "repeats": 4294967295},
]


def _collect(version: str) -> tuple[list[Any], list[Any]]:
    """Run many requests (each body as sent, wrapped for the docs profile) and return the JSON bodies
    of successful GETs and of error answers."""
    profile = PROFILES[version]
    jobs: list[Any] = []
    errors: list[Any] = []
    with DaprJobsFake(dapr_version=version) as fake:
        conn = http.client.HTTPConnection(fake.host, fake.http_port, timeout=10)
        prefix = f"/{profile.api_versions[0]}/jobs/"

        def run(method: str, path: str, body: Any = None) -> None:
            payload = None if body is None else json.dumps(body)
            conn.request(method, path, body=payload)
            response = conn.getresponse()
            raw = response.read()
            if response.getheader("Content-Type") != "application/json":
                return
            (jobs if 200 <= response.status < 300 else errors).append(json.loads(raw))

        try:
            for index, body in enumerate(SCENARIO_BODIES):
                if profile.dataless_http_jobs_broken and isinstance(body, dict) and "data" not in body:
                    body = {**body, "data": "d"}  # data-less HTTP jobs cannot be read back there (§4)
                sent = {"job": body} if profile.body_wrapper and isinstance(body, dict) else body
                name = f"job{index}"
                run("POST", prefix + name, sent)
                run("POST", prefix + name, sent)  # duplicate: 409 on 1.18, upsert on docs
                run("GET", prefix + name)
                run("DELETE", prefix + name)
                run("GET", prefix + name)  # not found
            for path in ("fo...o", "a%2Fb", "%20", "a%7Cb"):
                run(
                    "POST",
                    prefix + path,
                    {"job": {"dueTime": "1s"}} if profile.body_wrapper else {"dueTime": "1s"},
                )
                run("GET", prefix + path)
                run("DELETE", prefix + path)
            run("PUT", prefix + "x", {})
            run("GET", "/v1.0/nothing")
            # + 2: a body of exactly 4 MiB + 1 is read as its first 4 MiB (kit's LimitReadCloser)
            conn.request("POST", prefix + "big", body=b"x" * (4 * 1024 * 1024 + 2))
            response = conn.getresponse()
            errors.append(json.loads(response.read()))
        finally:
            conn.close()
    return jobs, errors


@pytest.fixture(scope="module", params=sorted(PROFILES))
def answers(request: pytest.FixtureRequest) -> tuple[str, list[Any], list[Any]]:
    version: str = request.param
    return (version, *_collect(version))


def test_fake_get_bodies_validate_against_job(answers: tuple[str, list[Any], list[Any]]) -> None:
    version, jobs, _ = answers
    assert len(jobs) >= 10
    check = definition(PROFILES[version].schema_file, "Job")
    for body in jobs:
        check.validate(body)


def test_fake_error_bodies_validate_against_error(answers: tuple[str, list[Any], list[Any]]) -> None:
    version, _, errors = answers
    assert len(errors) >= 30
    codes = {body["errorCode"] for body in errors}
    assert {"ERR_MALFORMED_REQUEST", "ERR_BODY_READ", "ERR_DIRECT_INVOKE"} <= codes
    check = definition(PROFILES[version].schema_file, "Error")
    for body in errors:
        check.validate(body)
