"""Wire fidelity of the HTTP adapter's error answers: one test per row of contract §5.2 (plus §11 auth,
§2 routing and §13 body size), checking status, Content-Type, the exact body of §5.1 and the finding
the fake records (a Violation for request-caused refusals, nothing for state-caused ones).

Each test starts its own `DaprJobsFake()` on an ephemeral port, so the module is parallel-safe.
"""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import unquote

import pytest
from wire import ALPHA, STABLE, Answer, exchange, send

from dapr_jobs_fake import DaprJobsFake

DOCS = "docs-1.14-alpha"
META = {"appID": "app", "namespace": "default"}
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
DNS1123 = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
SCHEDULE_FAILED = "failed to schedule job due to: rpc error: code = Unknown desc = "
VALIDATION_FAILED = SCHEDULE_FAILED + "job failed validation: "
DIRECT_INVOKE = {
    "errorCode": "ERR_DIRECT_INVOKE",
    "message": "failed getting app id either from the URL path or the header dapr-app-id",
}


def assert_kit_error(
    answer: Answer, status: int, code: str, message: str, metadata: dict[str, str] | None = None
) -> None:
    """A kit error (§5.1): errorCode, message, one ErrorInfo detail; JSON; keys in Go struct order."""
    assert answer.status == status, answer.body
    assert answer.content_type == "application/json"
    body = answer.json()
    assert list(body) == ["errorCode", "message", "details"]
    assert body == {
        "errorCode": code,
        "message": message,
        "details": [{"@type": ERROR_INFO, "domain": "dapr.io", "metadata": metadata or META, "reason": code}],
    }


def assert_api_error(answer: Answer, status: int, code: str, message_prefix: str) -> None:
    """An APIError (§5.1): exactly errorCode and message, no details."""
    assert answer.status == status, answer.body
    assert answer.content_type == "application/json"
    body = answer.json()
    assert list(body) == ["errorCode", "message"]
    assert body["errorCode"] == code
    assert body["message"].startswith(message_prefix), body["message"]


def assert_one_violation(fake: DaprJobsFake, rule: str, location: str) -> None:
    violations = fake.violations
    assert [(v.rule, v.location) for v in violations] == [(rule, location)], [v.explain() for v in violations]


# -- daprd-side rows ---------------------------------------------------------------------------------
def test_body_over_4mib_is_400_err_body_read__s5_2_s13(fake: DaprJobsFake) -> None:
    """§5.2 row 1 / §13: a body above the default `--max-body-size` (4 MiB) is `ERR_BODY_READ`; the
    kept-alive connection still serves the next request."""
    conn = http.client.HTTPConnection(fake.host, fake.http_port, timeout=10)
    try:
        big = b'{"dueTime":"1s","data":"' + b"x" * (4 * 1024 * 1024) + b'"}'
        answer = exchange(conn, "POST", STABLE + "big", big)
        assert_api_error(answer, 400, "ERR_BODY_READ", "")
        assert answer.json()["message"] == "failed to read request body: stream too large"
        assert exchange(conn, "POST", STABLE + "small", {"dueTime": "1s"}).status == 204
        assert exchange(conn, "GET", STABLE + "small").status == 200
    finally:
        conn.close()
    assert_one_violation(fake, "body.too-large", "$")
    assert "big" not in fake.jobs


def test_body_of_exactly_4mib_is_read__s13(fake: DaprJobsFake) -> None:
    """§13: the limit is inclusive: a body of exactly 4 MiB is read (no ERR_BODY_READ), and then refused
    by the Scheduler, whose etcd client sends at most 2 MiB (`job.too-large`, 429 from 1.16)."""
    prefix, suffix = b'{"dueTime":"1s","data":"', b'"}'
    body = prefix + b"x" * (4 * 1024 * 1024 - len(prefix) - len(suffix)) + suffix
    assert len(body) == 4 * 1024 * 1024
    answer = send(fake, "POST", STABLE + "exact", body)
    assert answer.status == 429 and answer.json()["errorCode"] == "DAPR_SCHEDULER_SCHEDULE_JOB"
    assert [v.rule for v in fake.violations] == ["job.too-large"]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        pytest.param(b'{"schedule":', "$", id="truncated-json"),
        pytest.param(b'{"schedule": 5}', "$.schedule", id="wrong-type"),
        pytest.param(b'{"schedule":"test","repeats":-1}', "$.repeats", id="negative-repeats"),
        pytest.param(b'{"dueTime":"1s","dueTime":"2s"}', "$.dueTime", id="duplicate-key"),
        pytest.param(b'{"dueTime":"1s","due_time":"2s"}', "$.due_time", id="json-and-proto-name"),
        pytest.param(
            b'{"dueTime":"1s","failurePolicy":{"constant":{"interval":"200ms"}}}',
            "$.failurePolicy.constant.interval",
            id="bad-duration",
        ),
        pytest.param(b"[{}]", "$", id="top-level-array"),
        pytest.param(b'""', "$", id="top-level-string"),
    ],
)
def test_malformed_body_is_400_err_malformed_request__s5_2(
    fake: DaprJobsFake, body: bytes, location: str
) -> None:
    """§5.2 row 2 / §3: protojson failures are `ERR_MALFORMED_REQUEST` (APIError shape, no details);
    protobuf-go's text after `proto:` is not compared (it randomises a space)."""
    answer = send(fake, "POST", STABLE + "m", body)
    assert_api_error(answer, 400, "ERR_MALFORMED_REQUEST", "failed deserializing HTTP body: proto:")
    assert_one_violation(fake, "body.malformed", location)


def test_name_in_body_is_400_job_name__s5_2(fake: DaprJobsFake) -> None:
    """§5.2 row 3: `name` in the body; this kit error's metadata has appID only (§5.1)."""
    answer = send(fake, "POST", STABLE + "n", {"name": "test", "dueTime": "1s"})
    assert_kit_error(
        answer, 400, "DAPR_SCHEDULER_JOB_NAME", "Set the job name in the url only", {"appID": "app"}
    )
    assert_one_violation(fake, "name.in-body", "$.name")


@pytest.mark.parametrize("blank", ["%20", "+", "%20%09%20"])
def test_blank_url_name_is_400_name_empty__s5_2(fake: DaprJobsFake, blank: str) -> None:
    """§5.2 row 4: the URL name is empty after unescaping (`+` is a space) and TrimSpace."""
    answer = send(fake, "POST", ALPHA + blank, {"dueTime": "1s"})
    assert_kit_error(answer, 400, "DAPR_SCHEDULER_JOB_NAME_EMPTY", "Name is empty")
    assert_one_violation(fake, "name.empty", "url")


def test_pipe_in_name_is_400_name_empty_on_old_policy__s5_2_s6(docs_fake: DaprJobsFake) -> None:
    """§5.2 row 5 / §6: before 1.18.2 (here the docs-1.14-alpha profile) daprd refuses any `|` with
    "Name is empty"; 1.14 error codes lack the `DAPR_` prefix."""
    answer = send(docs_fake, "POST", ALPHA + "my%7C%7Cjob", {"job": {"dueTime": "1s"}})
    assert_kit_error(answer, 400, "SCHEDULER_JOB_NAME_EMPTY", "Name is empty")
    assert_one_violation(docs_fake, "name.empty", "url")


def test_pipe_and_at_in_name_are_accepted_by_new_policy__s6(fake: DaprJobsFake) -> None:
    """§6: the new name policy (1.18.2+) accepts `my||job@name` (Dapr's `specialchars.go`)."""
    assert send(fake, "POST", STABLE + "my%7C%7Cjob%40name", {"dueTime": "1s"}).status == 204
    answer = send(fake, "GET", STABLE + "my%7C%7Cjob%40name")
    assert answer.status == 200
    assert answer.json()["name"] == "my||job@name"
    assert fake.violations == []


@pytest.mark.parametrize("body", [b"", b"{}", b'{"schedule":null,"dueTime":null}'])
def test_neither_schedule_nor_due_time_is_400_schedule_empty__s5_2(fake: DaprJobsFake, body: bytes) -> None:
    """§5.2 row 6: no schedule and no dueTime (an empty body counts as `{}`; null is unset)."""
    answer = send(fake, "POST", STABLE + "e", body)
    assert_kit_error(answer, 400, "DAPR_SCHEDULER_SCHEDULE_EMPTY", "Schedule is empty")
    assert_one_violation(fake, "schedule.empty", "$")


def test_schedule_empty_on_1_14_has_no_dapr_prefix__s5_2(docs_fake: DaprJobsFake) -> None:
    """§5.2 heading: 1.14.x codes lack the `DAPR_` prefix (`SCHEDULER_SCHEDULE_EMPTY`)."""
    answer = send(docs_fake, "POST", ALPHA + "e", {"job": {}})
    assert_kit_error(answer, 400, "SCHEDULER_SCHEDULE_EMPTY", "Schedule is empty")
    assert_one_violation(docs_fake, "schedule.empty", "$")


# -- Scheduler-side rows -----------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["fo...o", "foo.", "a%20b", "caf%C3%A9"])
def test_invalid_name_old_policy_is_500_schedule_job__s5_2_s6(docs_fake: DaprJobsFake, name: str) -> None:
    """§5.2 row 7 / §6: the old policy (DNS-1123 segments of `app||ns||appid||name`, after removing
    `_ : -`; 1.14 does not remove spaces) rejects through the Scheduler: 500 with the validator text."""
    answer = send(docs_fake, "POST", ALPHA + name, {"job": {"dueTime": "1s"}})
    key = f"app||default||app||{unquote(name)}"
    assert_kit_error(
        answer,
        500,
        "SCHEDULER_SCHEDULE_JOB",
        f'{SCHEDULE_FAILED}job name is invalid "{key}": {DNS1123}',
    )
    assert_one_violation(docs_fake, "name.invalid", "url")


@pytest.mark.parametrize("name", ["fo.o", "Foo_Bar:1-x", "a.b-c"])
def test_valid_name_old_policy_is_accepted__s6(docs_fake: DaprJobsFake, name: str) -> None:
    """§6: `fo.o` is a DNS-1123 subdomain; `_ : -` are removed and case ignored before checking."""
    assert send(docs_fake, "POST", ALPHA + name, {"job": {"dueTime": "1s"}}).status == 202
    assert docs_fake.violations == []


FORBIDDEN = "must not contain '/', '\\', '#' or '?'"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("a%2Fb", FORBIDDEN),
        ("a%5Cb", FORBIDDEN),
        ("a%23b", FORBIDDEN),
        ("a%3Fb", FORBIDDEN),
        ("a%01b", "must not contain control characters"),
        ("a%C2%85b", "must not contain control characters"),
        ("x" * 600, "must be at most 512 characters"),
    ],
)
def test_invalid_name_new_policy_is_500_schedule_job__s5_2_s6(
    fake: DaprJobsFake, name: str, problem: str
) -> None:
    """§5.2 row 7 / §6, go-etcd-cron v0.12.7 `validator.go` (Dapr 1.18.3): the Scheduler validates the key
    `app||ns||appid||name` (at most 512 bytes, no `/ \\ # ?`, no control character) and quotes it."""
    answer = send(fake, "POST", STABLE + name, {"dueTime": "1s"})
    assert answer.status == 500
    body = answer.json()
    assert body["errorCode"] == "DAPR_SCHEDULER_SCHEDULE_JOB"
    assert body["message"].startswith(SCHEDULE_FAILED + 'job name is invalid "app||default||app||')
    assert body["message"].endswith(problem)
    assert body["details"][0]["metadata"] == META
    assert_one_violation(fake, "name.invalid", "url")


@pytest.mark.parametrize("name", ["%2E%2E", "%2E", "my%7C%7Cjob@name", "caf%C3%A9"])
def test_new_policy_accepts_what_the_key_rule_allows__s6(fake: DaprJobsFake, name: str) -> None:
    """The `.`/`..` rule compares the whole key, which is never `.`: such jobs are accepted (the source
    over §6's text: go-etcd-cron v0.12.7 `validator.go:62`). `|`, `@` and non-ASCII are fine too."""
    assert send(fake, "POST", STABLE + name, {"dueTime": "1s"}).status == 204
    assert fake.violations == []


def _assert_validation_failure(fake: DaprJobsFake, body: dict[str, Any], reason: str, rule: str) -> None:
    answer = send(fake, "POST", STABLE + "v", body)
    assert_kit_error(answer, 500, "DAPR_SCHEDULER_SCHEDULE_JOB", VALIDATION_FAILED + reason)
    location = {"dueTime": "$.dueTime", "schedule": "$.schedule", "ttl": "$.ttl", "repeats": "$.repeats"}
    assert_one_violation(fake, rule, location[rule.split(".")[0]])
    assert "v" not in fake.jobs


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ("test", "expected exactly 6 fields, found 1: [test]"),
        ("@foo", "unrecognized descriptor: @foo"),
        ("@every x", 'failed to parse duration @every x: time: invalid duration "x"'),
        ("TZ=Not/AZone 0 0 * * * *", "provided bad location Not/AZone: unknown time zone Not/AZone"),
        ("1h", "expected exactly 6 fields, found 1: [1h]"),
        ("", "empty spec string"),
    ],
)
def test_bad_schedule_is_500_job_failed_validation__s5_2_s7(
    fake: DaprJobsFake, schedule: str, reason: str
) -> None:
    """§5.2 row 8 / §7: cron, descriptor, `@every` and TZ errors come back from the Scheduler as 500
    `job failed validation: <parser error>`; `"schedule": ""` counts as set (§3)."""
    _assert_validation_failure(fake, {"schedule": schedule}, reason, "schedule.invalid")


def test_bad_due_time_is_500__s5_2_s8(fake: DaprJobsFake) -> None:
    """§5.2 row 9 / §8: a dueTime that is no RFC3339 time, Go duration or ISO 8601 duration."""
    _assert_validation_failure(fake, {"dueTime": "soon"}, "due time format not recognized", "dueTime.invalid")


def test_iso8601_due_time_with_repeats_is_500__s5_2_s8(fake: DaprJobsFake) -> None:
    """§5.2 row 10 / §8: `R<n>/` in an ISO 8601 dueTime."""
    _assert_validation_failure(
        fake, {"dueTime": "R2/PT1S"}, "repeats not supported for due time", "dueTime.invalid"
    )


def test_bad_ttl_is_500__s5_2_s8(fake: DaprJobsFake) -> None:
    """§5.2 row 11 / §8: any ttl parse failure has one message."""
    _assert_validation_failure(
        fake, {"schedule": "@daily", "ttl": "R2/PT1S"}, "ttl format not recognized", "ttl.invalid"
    )


def test_ttl_before_due_time_is_500__s5_2_s8(fake: DaprJobsFake) -> None:
    """§5.2 row 12 / §8: a relative ttl counts from dueTime, so a negative one ends before it."""
    _assert_validation_failure(
        fake,
        {"schedule": "@daily", "dueTime": "10s", "ttl": "-5s"},
        "ttl must be greater than due time",
        "ttl.before-dueTime",
    )


def test_zero_repeats_is_500__s5_2_s8(fake: DaprJobsFake) -> None:
    """§5.2 row 13: `repeats: 0`."""
    _assert_validation_failure(
        fake, {"schedule": "@daily", "repeats": 0}, "defined repeats must be greater than 0", "repeats.zero"
    )


def test_repeats_without_schedule_is_500__s5_2_s8(fake: DaprJobsFake) -> None:
    """§5.2 row 14: `repeats > 1` with no schedule."""
    _assert_validation_failure(
        fake,
        {"dueTime": "1s", "repeats": 2},
        "job must have a schedule to repeat",
        "repeats.without-schedule",
    )


def test_ttl_without_schedule_is_500__s5_2(fake: DaprJobsFake) -> None:
    """§5.2 row 15: a ttl on a one-shot (dueTime-only) job."""
    _assert_validation_failure(
        fake,
        {"dueTime": "1s", "ttl": "5s"},
        "job must have a schedule to have a ttl",
        "ttl.without-schedule",
    )


def test_scheduler_errors_are_500_on_1_14__s5_2(docs_fake: DaprJobsFake) -> None:
    """§5.2 heading: before 1.16 every Scheduler rejection of POST is 500 (no gRPC-code mapping)."""
    answer = send(docs_fake, "POST", ALPHA + "v", {"job": {"schedule": "@daily", "repeats": 0}})
    assert_kit_error(
        answer,
        500,
        "SCHEDULER_SCHEDULE_JOB",
        VALIDATION_FAILED + "defined repeats must be greater than 0",
    )
    assert_one_violation(docs_fake, "repeats.zero", "$.repeats")


@pytest.mark.parametrize("overwrite", [None, False])
def test_existing_job_without_overwrite_is_409__s5_2(overwrite: bool | None) -> None:
    """§5.2 row 16 / §1: a duplicate name without `overwrite: true` is 409 AlreadyExists, naming the
    Scheduler key `app||<ns>||<appid>||<name>` (here with a custom app ID and namespace)."""
    with DaprJobsFake(app_id="orders", namespace="prod") as fake:
        body: dict[str, Any] = {"dueTime": "1h"}
        assert send(fake, "POST", STABLE + "dup", body).status == 204
        if overwrite is not None:
            body["overwrite"] = overwrite
        answer = send(fake, "POST", STABLE + "dup", body)
        assert_kit_error(
            answer,
            409,
            "DAPR_SCHEDULER_SCHEDULE_JOB",
            "failed to schedule job due to: rpc error: code = AlreadyExists desc = "
            "job already exists: 'app||prod||orders||dup'",
            {"appID": "orders", "namespace": "prod"},
        )
        # create-if-absent code expects this answer: a state answer, not a violation (issue 12, item 3)
        assert fake.violations == []
        refused = fake.calls[-1]
        assert refused.error_code == "DAPR_SCHEDULER_SCHEDULE_JOB"
        assert refused.hint is not None and '"overwrite": true' in refused.hint


def test_existing_job_with_overwrite_is_replaced__s1_s5_2(fake: DaprJobsFake) -> None:
    """§1: `overwrite: true` replaces the job (204, no finding)."""
    assert send(fake, "POST", STABLE + "dup", {"dueTime": "1h"}).status == 204
    assert send(fake, "POST", STABLE + "dup", {"dueTime": "2h", "overwrite": True}).status == 204
    assert send(fake, "GET", STABLE + "dup").json()["dueTime"] == "2h"
    assert fake.violations == []


def test_existing_job_is_upserted_on_1_14__s1(docs_fake: DaprJobsFake) -> None:
    """§1: before 1.16 every POST upserts (no 409)."""
    assert send(docs_fake, "POST", ALPHA + "dup", {"job": {"dueTime": "1h"}}).status == 202
    assert send(docs_fake, "POST", ALPHA + "dup", {"job": {"dueTime": "2h"}}).status == 202
    assert send(docs_fake, "GET", ALPHA + "dup").json()["dueTime"] == "2h"
    assert docs_fake.violations == []


def test_get_missing_job_is_500_and_not_a_violation__s5_2(fake: DaprJobsFake) -> None:
    """§5.2 row 17: GET of a job that does not exist is 500 NotFound; it is caused by state, not by
    the request, so no Violation is recorded."""
    answer = send(fake, "GET", STABLE + "ghost")
    assert_kit_error(
        answer,
        500,
        "DAPR_SCHEDULER_GET_JOB",
        "failed to get job due to: rpc error: code = NotFound desc = job not found: ghost",
    )
    assert fake.violations == []
    assert fake.calls[-1].error_code == "DAPR_SCHEDULER_GET_JOB"


def test_get_after_one_shot_job_fired_is_500_not_found__s5_2_s8(fake: DaprJobsFake) -> None:
    """§5.2 row 17 / §8: once a one-shot job has fired the Scheduler deletes it."""
    fired: list[Any] = []
    fake.on_job("once")(fired.append)
    assert send(fake, "POST", STABLE + "once", {"dueTime": "5s"}).status == 204
    assert send(fake, "GET", STABLE + "once").status == 200
    fake.clock.advance(seconds=5)
    assert len(fired) == 1
    answer = send(fake, "GET", STABLE + "once")
    assert_kit_error(
        answer,
        500,
        "DAPR_SCHEDULER_GET_JOB",
        "failed to get job due to: rpc error: code = NotFound desc = job not found: once",
    )
    assert fake.violations == []


def test_get_missing_job_on_1_14_is_unknown_with_storage_key__s5_2(docs_fake: DaprJobsFake) -> None:
    """§5.2 row 18: 1.14 answers `code = Unknown` and names the full Scheduler key."""
    answer = send(docs_fake, "GET", ALPHA + "ghost")
    assert_kit_error(
        answer,
        500,
        "SCHEDULER_GET_JOB",
        "failed to get job due to: rpc error: code = Unknown desc = job not found: app||default||app||ghost",
    )
    assert docs_fake.violations == []


@pytest.mark.parametrize(
    ("method", "code", "prefix"),
    [
        ("GET", "DAPR_SCHEDULER_GET_JOB", "failed to get job due to: "),
        ("DELETE", "DAPR_SCHEDULER_DELETE_JOB", "failed to delete job due to: "),
    ],
)
def test_get_and_delete_with_invalid_name_are_500__s5_2(
    fake: DaprJobsFake, method: str, code: str, prefix: str
) -> None:
    """§5.2 row 19: GET/DELETE run the Scheduler's name validator too, with their own prefix."""
    answer = send(fake, method, STABLE + "a%2Fb")
    assert answer.status == 500
    body = answer.json()
    assert body["errorCode"] == code
    assert body["message"].startswith(prefix + "rpc error: code = Unknown desc = job name is invalid")
    assert_one_violation(fake, "name.invalid", "url")


def test_get_with_invalid_name_old_policy_is_500__s5_2(docs_fake: DaprJobsFake) -> None:
    """§5.2 row 19 on the old policy: exact validator text."""
    answer = send(docs_fake, "GET", ALPHA + "fo...o")
    assert_kit_error(
        answer,
        500,
        "SCHEDULER_GET_JOB",
        "failed to get job due to: rpc error: code = Unknown desc = "
        f'job name is invalid "app||default||app||fo...o": {DNS1123}',
    )
    assert_one_violation(docs_fake, "name.invalid", "url")


@pytest.mark.parametrize(("version", "prefix", "status"), [("1.18", STABLE, 204), (DOCS, ALPHA, 202)])
def test_delete_missing_job_succeeds__s5_2(version: str, prefix: str, status: int) -> None:
    """§5.2 row 20 / §2: deleting an unknown key is a success (the docs profile says 202)."""
    with DaprJobsFake(dapr_version=version) as fake:
        answer = send(fake, "DELETE", prefix + "ghost")
        assert (answer.status, answer.body, answer.content_type) == (status, b"", None)
        assert fake.violations == []


def test_tz_prefix_without_spec_is_500_on_1_18_3__s5_2_s7(fake: DaprJobsFake) -> None:
    """§5.2 row 22 / §7: 1.18.3+ rejects `TZ=UTC` alone (earlier the Scheduler panicked); the kit
    error text is not in the contract, so only the prefix is compared."""
    answer = send(fake, "POST", STABLE + "tz", {"schedule": "TZ=UTC"})
    assert answer.status == 500
    assert answer.json()["errorCode"] == "DAPR_SCHEDULER_SCHEDULE_JOB"
    assert answer.json()["message"].startswith(VALIDATION_FAILED)
    assert_one_violation(fake, "schedule.invalid", "$.schedule")


def test_tz_prefix_without_spec_crashes_the_scheduler_on_old_versions__s5_2(docs_fake: DaprJobsFake) -> None:
    """§5.2 row 22: before 1.18.3 the Scheduler panics; the fake answers 500 and records why."""
    answer = send(docs_fake, "POST", ALPHA + "tz", {"job": {"schedule": "TZ=UTC"}})
    assert answer.status == 500
    assert answer.json()["errorCode"] == "SCHEDULER_SCHEDULE_JOB"
    assert_one_violation(docs_fake, "schedule.invalid", "$.schedule")


# -- §11 auth ----------------------------------------------------------------------------------------
# (A trailing space is no mistake: Go's textproto trims header values, so "s3cret " is the token.)
@pytest.mark.parametrize("headers", [{}, {"dapr-api-token": "wrong"}, {"dapr-api-token": "S3CRET"}])
@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", STABLE + "a"), ("GET", ALPHA + "a"), ("DELETE", STABLE + "a"), ("GET", "/v1.0/metadata")],
)
def test_missing_or_wrong_token_is_401_text__s11_s5_1(
    method: str, path: str, headers: dict[str, str]
) -> None:
    """§11 / §5.1: with DAPR_API_TOKEN set, a missing or wrong `dapr-api-token` is 401 plain text,
    identical for both; metadata is not exempt."""
    with DaprJobsFake(api_token="s3cret") as fake:
        answer = send(fake, method, path, {"dueTime": "1s"} if method == "POST" else None, headers)
        assert (answer.status, answer.content_type, answer.body) == (
            401,
            "text/plain; charset=utf-8",
            b"invalid api token\n",
        )
        assert_one_violation(fake, "auth.token", "header dapr-api-token")
        assert len(fake.jobs) == 0


def test_auth_comes_before_body_read__s3_s11() -> None:
    """§3 processing order: auth (1) before reading the body (2): an oversized body without token is 401."""
    with DaprJobsFake(api_token="s3cret") as fake:
        answer = send(fake, "POST", STABLE + "a", b"x" * (4 * 1024 * 1024 + 1))
        assert answer.status == 401
        assert_one_violation(fake, "auth.token", "header dapr-api-token")


def test_right_token_is_accepted_everywhere__s11() -> None:
    """§11: the exact token opens every route."""
    with DaprJobsFake(api_token="s3cret") as fake:
        headers = {"dapr-api-token": "s3cret"}
        assert send(fake, "POST", STABLE + "a", {"dueTime": "1s"}, headers).status == 204
        assert send(fake, "GET", ALPHA + "a", headers=headers).status == 200
        assert send(fake, "GET", "/v1.0/metadata", headers=headers).status == 200
        assert send(fake, "DELETE", STABLE + "a", headers=headers).status == 204
        assert fake.violations == []


@pytest.mark.parametrize("path", ["/v1.0/healthz", "/v1.0/healthz/outbound"])
def test_health_checks_are_exempt_from_token__s11_s12(path: str) -> None:
    """§11 / §12: only `GET /v1.0/healthz` and `/v1.0/healthz/outbound` skip the token; 204 empty."""
    with DaprJobsFake(api_token="s3cret") as fake:
        answer = send(fake, "GET", path)
        assert (answer.status, answer.body, answer.content_type) == (204, b"", None)
        assert fake.violations == []


# -- §2 service-invocation fallback ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("version", "method", "path"),
    [
        ("1.18", "GET", "/v1.0/nothing"),
        ("1.18", "PUT", ALPHA + "x"),
        ("1.18", "PATCH", STABLE + "x"),
        ("1.18", "GET", ALPHA + "a/b"),
        ("1.18", "GET", ALPHA),
        ("1.18", "POST", "/v1.0-alpha1/jobs"),
        (DOCS, "POST", STABLE + "x"),
        (DOCS, "GET", STABLE + "x"),
    ],
)
def test_unknown_route_is_404_err_direct_invoke__s2(version: str, method: str, path: str) -> None:
    """§2: anything but POST/GET/DELETE on `/<v>/jobs/<one segment>` falls to service invocation:
    404 `ERR_DIRECT_INVOKE` (APIError shape). `/v1.0/jobs/x` exists only from 1.18."""
    with DaprJobsFake(dapr_version=version) as fake:
        answer = send(fake, method, path, {"dueTime": "1s"} if method in ("POST", "PUT", "PATCH") else None)
        assert answer.status == 404
        assert answer.content_type == "application/json"
        assert answer.json() == DIRECT_INVOKE
        assert list(answer.json()) == ["errorCode", "message"]
        assert_one_violation(fake, "route.unknown", "url")
        assert len(fake.jobs) == 0
