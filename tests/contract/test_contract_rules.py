"""The contract layer in process, without sockets: rules in daprd's order, rows, locations and hints.

The wire suites (test_http_errors.py, test_http_body.py, test_grpc_sidecar.py) prove the same answers
on the wire; these pin the layer's own behaviour so a regression points at the rule, not the socket.
"""

from __future__ import annotations

import pytest

from dapr_jobs_fake.contract import rows
from dapr_jobs_fake.contract.errors import Rejected, resolve_location
from dapr_jobs_fake.contract.model import JobSpec
from dapr_jobs_fake.contract.profiles import DAPR_1_18, DOCS_1_14_ALPHA, get_profile
from dapr_jobs_fake.contract.rules import Contract

S = 1_000_000_000
NOW = 1_900_000_000 * S + S // 2  # half a second past a whole second


@pytest.fixture
def contract() -> Contract:
    return Contract(DAPR_1_18, "app", "default")


def rejected(action: object) -> Rejected:
    with pytest.raises(Rejected) as raised:
        action()  # type: ignore[operator]
    return raised.value


def test_pre_scheduler_checks_run_in_daprds_order__s3(contract: Contract) -> None:
    """§3 processing order: name in body (4) before empty name (5) before empty schedule (6)."""
    fields = {"name": "x"}
    assert rejected(lambda: contract.spec_from_fields("", fields, protocol="http")).rule == "name.in-body"
    assert rejected(lambda: contract.spec_from_fields("", {}, protocol="http")).rule == "name.empty"
    assert rejected(lambda: contract.spec_from_fields("a", {}, protocol="http")).rule == "schedule.empty"


@pytest.mark.parametrize(
    ("spec", "rule", "message"),
    [
        (
            JobSpec("a", due_time="1s", repeats=2),
            "repeats.without-schedule",
            "job must have a schedule to repeat",
        ),
        (
            JobSpec("a", schedule="@daily", repeats=0),
            "repeats.zero",
            "defined repeats must be greater than 0",
        ),
        (
            JobSpec("a", due_time="1s", ttl="1h"),
            "ttl.without-schedule",
            "job must have a schedule to have a ttl",
        ),
        (JobSpec("a", schedule="1h"), "schedule.invalid", "expected exactly 6 fields, found 1: [1h]"),
        (JobSpec("a", due_time="soon"), "dueTime.invalid", "due time format not recognized"),
        (JobSpec("a", schedule="@daily", ttl="soon"), "ttl.invalid", "ttl format not recognized"),
        (
            JobSpec("a", schedule="@daily", due_time="2031-01-01T00:00:00Z", ttl="2030-01-01T00:00:00Z"),
            "ttl.before-dueTime",
            "ttl must be greater than due time",
        ),
    ],
)
def test_builder_parse_rejections_are_500_validation_failures__s5_2_s8(
    contract: Contract, spec: JobSpec, rule: str, message: str
) -> None:
    """§5.2: every Builder.Parse refusal is 500 `..._SCHEDULE_JOB` "job failed validation: <reason>"."""
    found = rejected(lambda: contract.plan(spec, NOW))
    assert found.rule == rule
    assert found.error.http_status == 500
    assert found.error.error_code == "DAPR_SCHEDULER_SCHEDULE_JOB"
    assert found.error.message.startswith("failed to schedule job due to: rpc error: code = Unknown desc = ")
    assert f"job failed validation: {message}" in found.error.message


def test_plan_resolves_ttl_from_due_time_and_due_time_from_creation__s8(contract: Contract) -> None:
    """§8: dueTime counts from the creation time (not truncated since go-etcd-cron v0.9.0), a relative
    ttl from the dueTime."""
    plan = contract.plan(JobSpec("a", schedule="@every 1s", due_time="10s", ttl="5s"), NOW)
    created = NOW
    assert (plan.created_ns, plan.begin_ns, plan.expiration_ns) == (
        created,
        created + 10 * S,
        created + 15 * S,
    )
    assert plan.failure_policy == DAPR_1_18.default_failure_policy


def test_already_exists_hint_speaks_the_callers_protocol__s5_2(contract: Contract) -> None:
    """job.exists: 409 over HTTP (1.16+), hints in the caller's language."""
    found = contract.already_exists("a")
    assert found.error.http_status == 409
    assert "job already exists: 'app||default||app||a'" in found.error.message
    assert '"overwrite": true' in (found.hint("http") or "")
    assert "overwrite=True" in (found.hint("grpc") or "")  # an unknown gRPC client: every SDK's words
    assert "Overwrite: true" in (found.hint("grpc") or "")
    assert (
        found.hint("grpc", "go") == "set Overwrite: true on the *client.Job to replace it, or delete it first"
    )
    assert "setOverwrite(true)" in (found.hint("grpc", "java") or "")
    assert found.hint("http", "go") == found.hint("http")  # over HTTP the SDK does not matter
    assert not found.violation  # a state answer (issue 12, item 3)


def test_name_location_follows_the_protocol_and_operation() -> None:
    """A finding about the job name points where the name travelled."""
    assert resolve_location("name", "http", "schedule") == "url"
    assert resolve_location("name", "grpc", "schedule") == "job.name"
    assert resolve_location("name", "grpc", "get") == "name"
    assert resolve_location("token", "grpc", "other") == "metadata dapr-api-token"
    assert resolve_location("$.ttl", "grpc", "schedule") == "$.ttl"


def test_wrapped_body_is_explained_as_a_wrapper__s3(contract: Contract) -> None:
    """A {"job": {...}} body on 1.14.0+ decodes to nothing: schedule.empty, explained as the wrapper."""
    found = rejected(lambda: contract.decode_http_schedule("old", b'{"job": {"dueTime": "30s"}}'))
    assert (found.rule, found.location("http", "schedule")) == ("schedule.empty", "$.job")
    assert "wrapper" in (found.hint("http") or "")


def test_unknown_keys_and_hand_made_any_are_warnings__s3(contract: Contract) -> None:
    decoded = contract.decode_http_schedule(
        "a", b'{"dueTIme": "1s", "dueTime": "2s", "data": {"@type": "x"}}'
    )
    assert [(s.rule, s.location) for s in decoded.suspicions] == [
        ("body.unknown-key", "$.dueTIme"),
        ("data.hand-made-any", "$.data"),
    ]
    assert decoded.body == {"dueTIme": "1s", "dueTime": "2s", "data": {"@type": "x"}}


def test_valid_body_cache_belongs_to_one_contract() -> None:
    """Two fakes never share what one of them learnt about bodies (issue 7 §7)."""
    one, two = Contract(DAPR_1_18, "app", "default"), Contract(DAPR_1_18, "app", "default")
    one.decode_http_schedule("a", b'{"dueTime": "1s"}')
    assert (DAPR_1_18.schema_file, b'{"dueTime": "1s"}') in one._valid_bodies
    assert (DAPR_1_18.schema_file, b'{"dueTime": "1s"}') not in two._valid_bodies


def test_profile_differences_are_data__s1() -> None:
    """The docs profile: no DAPR_ prefix, upsert instead of 409, `|` refused as an empty name."""
    docs = Contract(DOCS_1_14_ALPHA, "app", "default")
    found = rejected(lambda: docs.spec_from_fields("a|b", {"dueTime": "1s"}, protocol="http"))
    assert (found.rule, found.error.error_code) == ("name.empty", "SCHEDULER_JOB_NAME_EMPTY")
    assert docs.already_exists("a").error.http_status == 500  # before 1.16 POST errors are always 500


def test_every_row_has_a_rule_section_and_an_answer_or_is_a_warning() -> None:
    """Rows are declared once; each is either answerable or a warning, and each names its section."""
    assert len({row.rule for row in rows.ALL_ROWS}) >= 20
    for row in rows.ALL_ROWS:
        assert row.rule and row.section.startswith("§"), row
        assert (row.answer is None) == (row.kind == "warning"), row


@pytest.mark.parametrize(
    ("version", "truncated"), [("1.14", True), ("1.15.11", True), ("1.15.12", False), ("1.18", False)]
)
def test_creation_time_is_truncated_only_before_go_etcd_cron_v0_9__s1(version: str, truncated: bool) -> None:
    """§1 corrections: `Truncate(time.Second)` in go-etcd-cron < v0.9.0 (1.14.x, 1.15.0-1.15.11) only, so
    under 1.18 a job created at 00:00:00.5 with dueTime "10s" fires at 00:00:10.5."""
    contract = Contract(get_profile(version), "app", "default")
    plan = contract.plan(JobSpec("a", due_time="10s"), NOW)
    assert plan.begin_ns == (NOW - NOW % S if truncated else NOW) + 10 * S
