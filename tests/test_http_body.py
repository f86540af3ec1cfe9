"""Wire fidelity of POST bodies (contract §3), GET answers (§4) and URL name handling (§2) on the HTTP
adapter. Each test starts its own `DaprJobsFake()`, so the module is parallel-safe and has no sleeps.
"""

from __future__ import annotations

import http.client
from typing import Any

import pytest
from wire import ALPHA, STABLE, Answer, exchange, send

from dapr_jobs_fake import DaprJobsFake

VALUE = "type.googleapis.com/google.protobuf.Value"
DEFAULT_POLICY = {"constant": {"interval": "1s", "maxRetries": 3}}
MALFORMED = "failed deserializing HTTP body: proto:"


def post_and_get(fake: DaprJobsFake, body: bytes | str | dict[str, Any], name: str = "j") -> dict[str, Any]:
    answer = send(fake, "POST", STABLE + name, body)
    assert (answer.status, answer.body, answer.content_type) == (204, b"", None), answer.body
    got = send(fake, "GET", STABLE + name)
    assert got.status == 200
    assert got.content_type == "application/json"
    result: dict[str, Any] = got.json()
    return result


def assert_malformed(answer: Answer) -> None:
    assert answer.status == 400, answer.body
    assert answer.content_type == "application/json"
    assert list(answer.json()) == ["errorCode", "message"]
    assert answer.json()["errorCode"] == "ERR_MALFORMED_REQUEST"
    assert answer.json()["message"].startswith(MALFORMED)


def rules(fake: DaprJobsFake) -> list[tuple[str, str]]:
    return [(v.rule, v.location) for v in fake.violations]


# -- §3 field names -----------------------------------------------------------------------------------
def test_json_and_proto_names_are_both_accepted__s3(fake: DaprJobsFake) -> None:
    """§3: protojson looks a key up by JSON name, then by proto name (`due_time`, `failure_policy`,
    `max_retries`); GET always answers with JSON names (§4)."""
    got = post_and_get(
        fake, {"due_time": "10s", "failure_policy": {"constant": {"interval": "2s", "max_retries": 4}}}
    )
    assert got == {
        "name": "j",
        "dueTime": "10s",
        "failurePolicy": {"constant": {"interval": "2s", "maxRetries": 4}},
    }
    assert fake.violations == [] and fake.warnings == []


@pytest.mark.parametrize(
    ("body", "location"),
    [
        pytest.param('{"dueTime":"1s","due_time":"2s"}', "$.due_time", id="dueTime+due_time"),
        pytest.param('{"due_time":"1s","dueTime":"2s"}', "$.dueTime", id="due_time+dueTime"),
        pytest.param(
            '{"dueTime":"1s","failurePolicy":{"drop":{}},"failure_policy":{"drop":{}}}',
            "$.failure_policy",
            id="failurePolicy+failure_policy",
        ),
        pytest.param(
            '{"dueTime":"1s","failurePolicy":{"constant":{"maxRetries":1,"max_retries":2}}}',
            "$.failurePolicy.constant.max_retries",
            id="maxRetries+max_retries",
        ),
        pytest.param('{"dueTime":"1s","dueTime":"1s"}', "$.dueTime", id="literal-duplicate"),
        pytest.param('{"dueTime":"1s","data":{"a":1,"a":2}}', "$.data.a", id="duplicate-in-data"),
    ],
)
def test_same_field_twice_is_400__s3(fake: DaprJobsFake, body: str, location: str) -> None:
    """§3: the same field twice (both spellings, or a literally repeated key) is a protojson error."""
    assert_malformed(send(fake, "POST", STABLE + "j", body))
    assert rules(fake) == [("body.malformed", location)]
    assert "j" not in fake.jobs


def test_unknown_keys_are_ignored_but_warned__s3(fake: DaprJobsFake) -> None:
    """§3: DiscardUnknown drops unknown keys (names are case-sensitive, so `DueTime` is unknown); the
    fake accepts the job and records a warning per dropped key."""
    got = post_and_get(
        fake,
        {
            "dueTime": "1s",
            "DueTime": "2s",
            "extra": {"x": 1},
            "failurePolicy": {"drop": {}, "retry": True},
        },
    )
    assert got["dueTime"] == "1s"
    assert got["failurePolicy"] == {"drop": {}}
    assert fake.violations == []
    assert sorted((w.rule, w.location) for w in fake.warnings) == [
        ("body.unknown-key", "$.DueTime"),
        ("body.unknown-key", "$.extra"),
        ("body.unknown-key", "$.failurePolicy.retry"),
    ]


@pytest.mark.parametrize("name", ["x", "j"])
def test_name_in_body_is_400__s3(fake: DaprJobsFake, name: str) -> None:
    """§3: `name` in the body is refused even when it equals the URL name."""
    answer = send(fake, "POST", STABLE + "j", {"name": name, "dueTime": "1s"})
    assert answer.status == 400
    assert answer.json()["errorCode"] == "DAPR_SCHEDULER_JOB_NAME"
    assert rules(fake) == [("name.in-body", "$.name")]


@pytest.mark.parametrize("body", [{"name": "", "dueTime": "1s"}, {"name": None, "dueTime": "1s"}])
def test_empty_or_null_name_in_body_is_accepted__s3(fake: DaprJobsFake, body: dict[str, Any]) -> None:
    """§3: `name` must be absent or empty; `null` is unset."""
    assert post_and_get(fake, body)["name"] == "j"
    assert fake.violations == []


# -- §3 scalar decoding -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("3", 3),
        ('"3"', 3),
        ("3.0", 3),
        ('"1e1"', 10),
        ("1e1", 10),
        ("4294967295", 4294967295),
        ("null", None),
    ],
)
def test_repeats_accepts_protojson_uint32__s3(fake: DaprJobsFake, raw: str, expected: int | None) -> None:
    """§3: `repeats` is a uint32: a JSON number or numeric string, integral, in range; GET renders a
    number (the configured total, §4)."""
    got = post_and_get(fake, '{"schedule":"@every 1m","repeats":' + raw + "}")
    assert got.get("repeats") == expected
    assert fake.violations == []


@pytest.mark.parametrize("raw", ["-1", "1.5", "4294967296", '"x"', "true", '""', '" 3"', "[3]", '"-1"'])
def test_repeats_rejects_non_uint32__s3(fake: DaprJobsFake, raw: str) -> None:
    """§3: negative, fractional, > 2^32-1, non-numeric strings, booleans: 400 malformed."""
    assert_malformed(send(fake, "POST", STABLE + "j", '{"schedule":"@every 1m","repeats":' + raw + "}"))
    assert rules(fake) == [("body.malformed", "$.repeats")]


@pytest.mark.parametrize(
    "data",
    [
        "Hello, World!",
        "",
        0,
        123,
        -1.5,
        True,
        False,
        None,
        [],
        [1, "a", None, True, {"x": 1.5}],
        {},
        {"k": "v", "nested": {"list": [1, 2], "null": None}},
    ],
)
def test_data_of_every_json_type_is_stored_and_rendered_any_wrapped__s3_s4(
    fake: DaprJobsFake, data: Any
) -> None:
    """§3 / §4: `data` is a google.protobuf.Value: any JSON value (null kept as JSON null) is stored
    and GET renders it Any-wrapped as `{"@type": "...Value", "value": <data>}`."""
    got = post_and_get(fake, {"dueTime": "1s", "data": data})
    assert got["data"] == {"@type": VALUE, "value": data}
    assert list(got["data"]) == ["@type", "value"]
    assert fake.jobs["j"].data == data
    assert fake.violations == [] and fake.warnings == []


def test_data_absent_is_omitted_on_get__s4(fake: DaprJobsFake) -> None:
    """§4: 1.18.3+ omits `data` for a job created without it."""
    assert "data" not in post_and_get(fake, {"dueTime": "1s"})


def test_data_with_at_type_is_accepted_with_a_warning__s3(fake: DaprJobsFake) -> None:
    """§3: an object with "@type" is not interpreted (it is a Struct); the fake warns, since the author
    probably meant a protobuf Any (the 1.14.0 body shape)."""
    data = {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "x"}
    got = post_and_get(fake, {"dueTime": "1s", "data": data})
    assert got["data"] == {"@type": VALUE, "value": data}
    assert fake.violations == []
    assert [(w.rule, w.location) for w in fake.warnings] == [("data.hand-made-any", "$.data")]


@pytest.mark.parametrize("overwrite", [True, False, None])
def test_overwrite_accepts_booleans__s3(fake: DaprJobsFake, overwrite: bool | None) -> None:
    """§3: `overwrite` is a JSON bool (null = unset); it is not echoed by GET (not a Job field)."""
    got = post_and_get(fake, {"dueTime": "1s", "overwrite": overwrite})
    assert "overwrite" not in got
    assert fake.violations == []


@pytest.mark.parametrize("raw", ['"true"', "1", "0", '"yes"', "{}"])
def test_overwrite_rejects_non_booleans__s3(fake: DaprJobsFake, raw: str) -> None:
    """§3: `overwrite` takes JSON `true`/`false` only."""
    assert_malformed(send(fake, "POST", STABLE + "j", '{"dueTime":"1s","overwrite":' + raw + "}"))
    assert rules(fake) == [("body.malformed", "$.overwrite")]


# -- §3 failure policy --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("policy", "shown"),
    [
        ({"drop": {}}, {"drop": {}}),
        (
            {"constant": {"interval": "0.2s", "maxRetries": 4}},
            {"constant": {"interval": "0.200s", "maxRetries": 4}},
        ),
        ({"constant": {"interval": "1.5s"}}, {"constant": {"interval": "1.500s"}}),
        ({"constant": {"interval": ".5s"}}, {"constant": {"interval": "0.500s"}}),
        ({"constant": {"interval": "10s"}}, {"constant": {"interval": "10s"}}),
        ({"constant": {"interval": "0.000001s"}}, {"constant": {"interval": "0.000001s"}}),
        ({"constant": {"maxRetries": 4}}, {"constant": {"maxRetries": 4}}),
        ({"constant": {}}, {"constant": {}}),
        ({}, DEFAULT_POLICY),  # recorded: conformance bodies/failure-policy-empty (1.16.8-1.18.3)
        (None, DEFAULT_POLICY),
    ],
)
def test_failure_policy_is_stored_and_rendered__s3_s4(
    fake: DaprJobsFake, policy: dict[str, Any] | None, shown: dict[str, Any]
) -> None:
    """§3 / §4: drop, constant (interval a protojson Duration, rendered with 0/3/6/9 fraction digits),
    `{}`, `null` and absent store and show the default constant 1s x 3."""
    got = post_and_get(fake, {"dueTime": "1s", "failurePolicy": policy})
    assert got["failurePolicy"] == shown
    assert fake.violations == []


@pytest.mark.parametrize("interval", ["200ms", "2m", "1h", "1", " 1s", "1s ", "1.0000000001s", "s", 1])
def test_failure_policy_interval_must_be_protojson_duration__s3_s15(
    fake: DaprJobsFake, interval: Any
) -> None:
    """§3 / §15.3: the docs' "200ms", "2m" are Go durations, not protojson Durations: 400."""
    body = {"dueTime": "1s", "failurePolicy": {"constant": {"interval": interval}}}
    assert_malformed(send(fake, "POST", STABLE + "j", body))
    assert rules(fake) == [("body.malformed", "$.failurePolicy.constant.interval")]


def test_failure_policy_with_drop_and_constant_is_400__s3(fake: DaprJobsFake) -> None:
    """§3: both members of the oneof: "oneof ... is already set"."""
    body = {"dueTime": "1s", "failurePolicy": {"drop": {}, "constant": {"interval": "1s"}}}
    answer = send(fake, "POST", STABLE + "j", body)
    assert_malformed(answer)
    assert "oneof" in answer.json()["message"]
    assert rules(fake) == [("body.malformed", "$.failurePolicy")]


@pytest.mark.parametrize("policy", ["drop", [], {"drop": 1}, {"constant": "1s"}])
def test_failure_policy_of_wrong_type_is_400__s3(fake: DaprJobsFake, policy: Any) -> None:
    """§3: the policy and its members are messages (JSON objects)."""
    assert_malformed(send(fake, "POST", STABLE + "j", {"dueTime": "1s", "failurePolicy": policy}))
    assert len(fake.violations) == 1


# -- §3 whole-body shapes -----------------------------------------------------------------------------
@pytest.mark.parametrize("body", [b"", b"{}"])
def test_empty_body_is_schedule_empty__s3(fake: DaprJobsFake, body: bytes) -> None:
    """§3: an empty body is skipped (treated as `{}`): 400 "Schedule is empty"."""
    answer = send(fake, "POST", STABLE + "j", body)
    assert answer.status == 400
    assert answer.json()["message"] == "Schedule is empty"
    assert rules(fake) == [("schedule.empty", "$")]


@pytest.mark.parametrize("body", [b"[]", b"[{}]", b'"x"', b"null", b"123", b"true", b"not json", b"{,}"])
def test_non_object_body_is_400__s3(fake: DaprJobsFake, body: bytes) -> None:
    """§3: a top-level non-object (or invalid JSON) is a protojson error."""
    assert_malformed(send(fake, "POST", STABLE + "j", body))
    assert rules(fake) == [("body.malformed", "$")]


def test_job_wrapper_sent_to_1_18_is_schedule_empty_with_a_hint__s3_s15() -> None:
    """§3: the `{"job": {...}}` wrapper (v1.14.0-rc and the alpha reference document) is an unknown key
    since 1.14.0, so daprd sees neither schedule nor dueTime; the violation says why and what to send."""
    with DaprJobsFake() as fake:
        answer = send(fake, "POST", ALPHA + "jobforjabba", {"job": {"data": {"a": 1}, "dueTime": "30s"}})
        assert answer.status == 400
        assert answer.json()["errorCode"] == "DAPR_SCHEDULER_SCHEDULE_EMPTY"
        assert answer.json()["message"] == "Schedule is empty"
        [violation] = fake.violations
        assert (violation.rule, violation.location) == ("schedule.empty", "$.job")
        assert violation.hint is not None
        assert '{"job": {...}}' in violation.hint
        assert '"dueTime": "30s"' in violation.hint
        assert "top level" in violation.hint
        assert fake.warnings == []  # the wrapper is explained once, by the violation


# -- §4 GET shape -------------------------------------------------------------------------------------
def test_get_shape_is_proto_field_order_echoed_as_submitted__s4(fake: DaprJobsFake) -> None:
    """§4: fields in field-number order whatever the POST order; strings echoed exactly as sent
    (`"1000s"`, not a timestamp); `repeats` is the configured total even after triggers; default
    failure policy shown."""
    fired: list[Any] = []
    fake.on_job("full")(fired.append)
    body = '{"data":{"k":"v"},"ttl":"PT2H","dueTime":"1000s","repeats":"5","schedule":"@every 1m"}'
    got = post_and_get(fake, body, name="full")
    expected = {
        "name": "full",
        "schedule": "@every 1m",
        "repeats": 5,
        "dueTime": "1000s",
        "ttl": "PT2H",
        "data": {"@type": VALUE, "value": {"k": "v"}},
        "failurePolicy": DEFAULT_POLICY,
    }
    assert got == expected
    assert list(got) == list(expected)
    fake.clock.advance(seconds=1060)
    assert len(fired) == 2
    assert send(fake, "GET", STABLE + "full").json() == expected


def test_delete_is_204_and_then_get_is_500__s2(fake: DaprJobsFake) -> None:
    """§2: DELETE answers 204 empty, without Content-Type, for an existing job and again for the same
    (now missing) job."""
    post_and_get(fake, {"dueTime": "1h"})
    for _ in range(2):
        answer = send(fake, "DELETE", STABLE + "j")
        assert (answer.status, answer.body, answer.content_type) == (204, b"", None)
    assert send(fake, "GET", STABLE + "j").status == 500
    assert fake.violations == []


# -- §2 URL name handling -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("path_name", "stored"),
    [
        ("a%20b", "a b"),
        ("a+b", "a b"),
        ("a%2Bb", "a+b"),
        ("caf%C3%A9", "café"),
        ("%20padded%20", "padded"),
        ("trailing/", "trailing"),
    ],
)
def test_url_name_is_query_unescaped_and_trimmed_on_post__s2(
    fake: DaprJobsFake, path_name: str, stored: str
) -> None:
    """§2: names are `url.QueryUnescape`d (`+` is a space), POST trims spaces, a trailing `/` is
    stripped."""
    assert send(fake, "POST", STABLE + path_name, {"dueTime": "1s"}).status == 204
    assert list(fake.jobs) == [stored]
    assert fake.violations == []


def test_get_and_delete_do_not_trim_the_name__s2(fake: DaprJobsFake) -> None:
    """§2: only POST trims: GET `%20x%20` looks for " x " (500 not found), GET `x` finds the job."""
    assert send(fake, "POST", STABLE + "%20x%20", {"dueTime": "1h"}).status == 204
    missing = send(fake, "GET", STABLE + "%20x%20")
    assert missing.status == 500
    assert missing.json()["message"].endswith("job not found:  x ")
    assert send(fake, "GET", STABLE + "x/").json()["name"] == "x"
    assert send(fake, "DELETE", STABLE + "%20x%20").status == 204
    assert "x" in fake.jobs
    assert fake.violations == []


def test_encoded_slash_becomes_a_name_the_1_18_policy_refuses__s2_s6(fake: DaprJobsFake) -> None:
    """§2 / §6: `%2F` survives routing as one segment, unescapes to `/`, which the new name policy
    refuses in the Scheduler (500)."""
    answer = send(fake, "POST", STABLE + "a%2Fb", {"dueTime": "1s"})
    assert answer.status == 500
    assert answer.json()["errorCode"] == "DAPR_SCHEDULER_SCHEDULE_JOB"
    assert rules(fake) == [("name.invalid", "url")]


def test_bad_escape_in_the_path_is_refused_by_net_http__s2(fake: DaprJobsFake) -> None:
    """§2: Go's net/http parses the request line with `url.ParseRequestURI`; a bad `%` escape is
    answered `400 Bad Request` (text/plain) by the server itself, before routing or daprd code."""
    answer = send(fake, "GET", STABLE + "%zz")
    assert answer.status == 400
    assert answer.content_type == "text/plain; charset=utf-8"
    assert answer.body == b"400 Bad Request"
    assert rules(fake) == [("url.bad-escape", "url")]
    assert send(fake, "GET", "/v1.0/healthz").status == 204  # the connection and the server go on


def test_an_escaped_percent_is_one_percent_in_the_name__s2(fake: DaprJobsFake) -> None:
    """§2: daprd routes on the escaped path (CleanPathMiddleware: `EscapedPath()`), so `100%25` is
    unescaped once, by `url.QueryUnescape`: the job `100%` (conformance case names/http-percent)."""
    assert send(fake, "POST", STABLE + "100%25", {"dueTime": "1s"}).status == 204
    assert list(fake.jobs) == ["100%"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("a%2525", "a%25"),
        ("a%2B", "a+"),
        ("a%2Fb", "a/b"),
        ("a%2fb", "a/b"),
        ("a%20b", "a b"),
        ("a+b", "a b"),
        ("%C3%A9t%C3%A9", "été"),
    ],
)
def test_name_decoding_follows_go_raw_path_rules__s2(fake: DaprJobsFake, path: str, name: str) -> None:
    """§2: chi routes on the escaped path (`EscapedPath()`), then daprd unescapes it once."""
    from dapr_jobs_fake.golang.url import go_query_unescape, route_path

    assert go_query_unescape(route_path(STABLE + path)[len(STABLE) :]) == name


def test_dot_segments_are_cleaned_before_routing__s2(fake: DaprJobsFake) -> None:
    """§2: CleanPathMiddleware runs `path.Clean` first: `/v1.0/x/../jobs/c` is `/v1.0/jobs/c`."""
    assert send(fake, "POST", "/v1.0/x/../jobs/c", {"dueTime": "1s"}).status == 204
    assert list(fake.jobs) == ["c"]


@pytest.mark.parametrize("path", [STABLE + "a/b", STABLE, ALPHA + "a/b/c"])
def test_more_or_fewer_segments_fall_back_to_404__s2(fake: DaprJobsFake, path: str) -> None:
    """§2: `{name}` is one chi segment; other shapes go to the service-invocation fallback."""
    answer = send(fake, "POST", path, {"dueTime": "1s"})
    assert answer.status == 404
    assert answer.json()["errorCode"] == "ERR_DIRECT_INVOKE"
    assert rules(fake) == [("route.unknown", "url")]


@pytest.mark.parametrize("prefix", [ALPHA, STABLE])
def test_both_api_versions_serve_jobs_on_1_18__s2(fake: DaprJobsFake, prefix: str) -> None:
    """§2: 1.18 serves the same handlers under `/v1.0-alpha1` and `/v1.0`, over one job store."""
    other = STABLE if prefix == ALPHA else ALPHA
    assert send(fake, "POST", prefix + "both", {"dueTime": "1h"}).status == 204
    assert send(fake, "GET", other + "both").json()["name"] == "both"
    assert send(fake, "DELETE", other + "both").status == 204
    assert send(fake, "GET", prefix + "both").status == 500


def test_keep_alive_serves_many_requests_on_one_connection__s2(fake: DaprJobsFake) -> None:
    """daprd speaks HTTP/1.1 keep-alive: one `HTTPConnection` carries successes, errors of every
    shape (JSON, text/plain, empty) and a 404 fallback, in order."""
    conn = http.client.HTTPConnection(fake.host, fake.http_port, timeout=10)
    try:
        assert exchange(conn, "POST", STABLE + "k1", {"dueTime": "1h"}).status == 204
        assert exchange(conn, "POST", STABLE + "k1", {"dueTime": "1h"}).status == 409
        assert exchange(conn, "POST", STABLE + "k2", b"{bad").status == 400
        assert exchange(conn, "GET", STABLE + "%zz").status == 400
        assert exchange(conn, "PUT", STABLE + "k1", b"{}").status == 404
        assert exchange(conn, "GET", STABLE + "k1").json()["name"] == "k1"
        assert exchange(conn, "DELETE", STABLE + "k1").status == 204
        assert exchange(conn, "GET", STABLE + "k1").status == 500
        assert exchange(conn, "GET", "/v1.0/healthz").status == 204
    finally:
        conn.close()
    assert [c.status for c in fake.calls if c.operation != "other"][:3] == [204, 409, 400]


def test_get_writes_data_as_protojson_does__s4(fake: DaprJobsFake) -> None:
    """§4: `data` is stored as a google.protobuf.Value: numbers are float64 (`1.0` is written `1`,
    big integers lose precision, `1e-07` is `1e-7`) and Struct keys come back sorted."""
    raw = b'{"dueTime":"1h","data":{"b":1.0,"a":[1e-7,12345678901234567890,0.5,-0.0,true,null,"x"]}}'
    assert send(fake, "POST", STABLE + "numbers", raw).status == 204
    answer = send(fake, "GET", STABLE + "numbers")
    assert answer.body == (
        b'{"name":"numbers","dueTime":"1h","data":{"@type":"type.googleapis.com/google.protobuf.Value",'
        b'"value":{"a":[1e-7,12345678901234567000,0.5,-0,true,null,"x"],"b":1}},'
        b'"failurePolicy":{"constant":{"interval":"1s","maxRetries":3}}}'
    )
