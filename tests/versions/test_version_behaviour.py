"""What differs between Dapr releases, one test per behaviour and version, each naming its contract
section and the source tag it was read from (D@tag = github.com/dapr/dapr, C@v = go-etcd-cron, K@v =
dapr/kit; see docs/versions.md for the whole table)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
import requests
from wire import ALPHA, STABLE, send

from dapr_jobs_fake import DaprJobsFake

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
HALF = timedelta(milliseconds=500)


@pytest.fixture
def at(fake: DaprJobsFake) -> object:
    """`at(version, **options)`: the shared fake reset to that version, its clock at START."""

    def reset(version: str, **options: object) -> DaprJobsFake:
        fake.reset(dapr_version=version, start=START, **options)
        return fake

    return reset


@pytest.mark.parametrize(("version", "status"), [("1.17", 404), ("1.18.0", 204)])
def test_stable_routes_arrive_in_1_18__s2(at: object, version: str, status: int) -> None:
    """D@v1.17.0 `pkg/api/http/jobs.go` has alpha routes only; D@v1.18.0 adds `/v1.0/jobs`."""
    fake = at(version)  # type: ignore[operator]
    answer = send(fake, "POST", STABLE + "a", {"dueTime": "1s"})
    assert answer.status == status
    if status == 404:
        assert answer.json()["errorCode"] == "ERR_DIRECT_INVOKE"
    assert send(fake, "POST", ALPHA + "b", {"dueTime": "1s"}).status == 204


@pytest.mark.parametrize(("version", "second"), [("1.15", 204), ("1.16.0", 409)])
def test_duplicate_names_upsert_until_1_16__s1(at: object, version: str, second: int) -> None:
    """D@v1.15.4 `scheduler/server/api.go:55` always Adds; D@v1.16.8 `:58-69` AddIfNotExists unless
    overwrite."""
    fake = at(version)  # type: ignore[operator]
    assert send(fake, "POST", ALPHA + "dup", {"schedule": "@daily"}).status == 204
    assert send(fake, "POST", ALPHA + "dup", {"schedule": "@hourly"}).status == second


def test_1_15_ignores_overwrite_and_failure_policy_and_warns__s3(at: object) -> None:
    """D@v1.15.4 `internals/v1/jobs.proto` has no fields 7-8: protojson drops them (DiscardUnknown)."""
    fake = at("1.15")  # type: ignore[operator]
    body = {"dueTime": "1s", "overwrite": True, "failurePolicy": {"drop": {}}}
    assert send(fake, "POST", ALPHA + "j", body).status == 204
    # and without data, 1.15 stores a kindless Value (D@v1.15.4 `http.go` anypb.New of a nil Value, §4)
    assert [w.rule for w in fake.warnings] == ["body.unknown-key", "body.unknown-key", "data.none-over-http"]
    assert "failurePolicy" not in send(fake, "GET", ALPHA + "j").json()


@pytest.mark.parametrize(("version", "attempts"), [("1.14", 1), ("1.15", 4), ("1.16", 1)])
def test_failure_policy_per_line__s10_3_s10_4(at: object, version: str, attempts: int) -> None:
    """1.14 never reports results (D@v1.14.4 `runtime/scheduler/streamer.go:70-74`): one attempt; 1.15
    has only the default 1 s x 3 (the body's drop is dropped); 1.16 honours `drop`."""
    fake = at(version)  # type: ignore[operator]
    fake.on_job()(lambda event: 500)
    body = {"dueTime": "1s", "data": "d", "failurePolicy": {"drop": {}}}
    assert send(fake, "POST", ALPHA + "f", body).status == 204
    assert len(fake.clock.advance(seconds=10)) == attempts


@pytest.mark.parametrize(
    ("version", "code"), [("1.14", "SCHEDULER_SCHEDULE_EMPTY"), ("1.15.0", "DAPR_SCHEDULER_SCHEDULE_EMPTY")]
)
def test_error_code_prefix__s1_s5_2(at: object, version: str, code: str) -> None:
    """D@v1.14.4 `pkg/api/errors/scheduler.go:25` `SCHEDULER_`; D@v1.15.4 `errorcodes.go:167-174` `DAPR_`."""
    answer = send(at(version), "POST", ALPHA + "e", {})  # type: ignore[operator]
    assert (answer.status, answer.json()["errorCode"]) == (400, code)


@pytest.mark.parametrize(
    ("version", "name", "status"),
    [
        ("1.16.16", "a%7Cb", 400),  # `|`: daprd's "Name is empty" (D@v1.16.8 universal/jobs.go:71)
        ("1.16.17", "a%7Cb", 204),  # removed in 08ef8c127e
        ("1.16.16", "a@b", 500),  # DNS-1123 (C@v0.9.3 validator)
        ("1.16.17", "a@b", 204),  # the new key rule
        ("1.14", "a%20b", 500),  # 1.14 does not strip spaces (C@v0.2.3 cron.go:177)
        ("1.15", "a%20b", 204),  # 1.15 does (C@v0.4.4 validator.go:31)
        ("1.18.1", "a@b", 500),
        ("1.18.2", "a@b", 204),
    ],
)
def test_name_rules_per_patch__s6(at: object, version: str, name: str, status: int) -> None:
    fake = at(version)  # type: ignore[operator]
    assert send(fake, "POST", ALPHA + name, {"dueTime": "1s"}).status == status


@pytest.mark.parametrize(
    ("version", "quoted"),
    [("1.14", "app||default||my-app||bad@name"), ("1.15", "app||default||myapp||bad@name")],
)
def test_the_old_validator_quotes_raw_or_stripped_keys__s5_2(at: object, version: str, quoted: str) -> None:
    """C@v0.2.3 `api.go:118-130` quotes the key as given; C@v0.4.4 `validator.go:44-47` after stripping
    `_:- `."""
    fake = at(version, app_id="my-app")  # type: ignore[operator]
    message = send(fake, "POST", ALPHA + "bad@name", {"dueTime": "1s"}).json()["message"]
    assert f'job name is invalid "{quoted}": a lowercase RFC 1123 subdomain' in message


@pytest.mark.parametrize(
    ("version", "spec", "status"), [("1.14", "0 * * * *", 204), ("1.15", "0 * * * *", 500)]
)
def test_1_14_cron_has_five_fields__s7(at: object, version: str, spec: str, status: int) -> None:
    """C@v0.2.3 `internal/scheduler/builder.go:44,85` `cron.ParseStandard`; seconds from go-etcd-cron
    v0.4.0."""
    answer = send(at(version), "POST", ALPHA + "c", {"schedule": spec})  # type: ignore[operator]
    assert answer.status == status
    if status == 500:
        assert answer.json()["message"].endswith(
            "job failed validation: expected exactly 6 fields, found 5: [0 * * * *]"
        )


@pytest.mark.parametrize(("version", "gaps"), [("1.15", [1.0, 1.0]), ("1.16", [0.5, 0.5])])
def test_sub_second_every_is_exact_from_1_16__s7(at: object, version: str, gaps: list[float]) -> None:
    """K@3823663a `cron/constantdelay.go:31-43` rounds to whole seconds; K@v0.16.1 keeps the delay."""
    fake = at(version)  # type: ignore[operator]
    fake.on_job()(lambda event: None)
    body = {"schedule": "@every 500ms", "repeats": 3, "data": "d"}
    assert send(fake, "POST", ALPHA + "e", body).status == 204
    times = [r.scheduled_ns for r in fake.clock.advance(seconds=5)]
    assert [(b - a) / 1e9 for a, b in itertools.pairwise(times)] == gaps


@pytest.mark.parametrize(("version", "status"), [("1.18.2", 204), ("1.18.3", 500)])
def test_tz_prefix_with_every_is_refused_from_1_18_3__s7(at: object, version: str, status: int) -> None:
    """K@v0.18.3 `cron/parser.go:116-141`: "timezone is not supported for @every schedules"."""
    answer = send(at(version), "POST", ALPHA + "tz", {"schedule": "TZ=UTC @every 1s"})  # type: ignore[operator]
    assert answer.status == status


@pytest.mark.parametrize(
    ("version", "message"),
    [
        (
            "1.14",
            "failed to get job due to: rpc error: code = Unknown desc = job not found: app||default||app||x",
        ),
        ("1.15", "failed to get job due to: rpc error: code = NotFound desc = job not found: x"),
    ],
)
def test_get_of_a_missing_job__s5_2(at: object, version: str, message: str) -> None:
    """D@v1.14.4 `scheduler/server/api.go:117`; D@v1.15.4 `:102`."""
    answer = send(at(version), "GET", ALPHA + "x")  # type: ignore[operator]
    assert (answer.status, answer.json()["message"]) == (500, message)


@pytest.mark.parametrize(
    ("version", "fires"),
    [("1.15.11", START + timedelta(seconds=10)), ("1.18", START + HALF + timedelta(seconds=10))],
)
def test_creation_time_is_truncated_before_go_etcd_cron_v0_9__s1_s8(
    at: object, version: str, fires: datetime
) -> None:
    """C@v0.8.3 `builder.go` `Truncate(time.Second)`, removed in v0.9.0 (17bb343): 1.15.12+ and 1.16+."""
    fake = at(version)  # type: ignore[operator]
    fake.reset(start=START + HALF)
    fake.on_job()(lambda event: None)
    assert send(fake, "POST", ALPHA + "t", {"dueTime": "10s", "data": "d"}).status == 204
    assert [r.scheduled_at for r in fake.clock.advance(seconds=20)] == [fires]


@pytest.mark.parametrize(("version", "get", "attempts"), [("1.18.2", 500, 4), ("1.18.3", 200, 1)])
def test_data_less_http_jobs_work_only_from_1_18_3__s4_s10_1(
    at: object, version: str, get: int, attempts: int
) -> None:
    """D@v1.18.2 `universal/jobs.go:44` stores `anypb.New(nil Value)`; fixed by 0c82b9d07b (1.18.3)."""
    fake = at(version)  # type: ignore[operator]
    bodies: list[bytes] = []
    fake.on_job()(lambda event: bodies.append(event.body))
    assert send(fake, "POST", ALPHA + "n", {"dueTime": "0s"}).status == 204
    answer = send(fake, "GET", ALPHA + "n")
    assert answer.status == get
    if get == 500:
        assert answer.json()["message"] == (
            "failed to encode response as JSON: proto: google.protobuf.Value: none of the oneof fields is set"
        )
    records = fake.clock.advance(seconds=10)
    assert len(records) == attempts
    assert bodies == ([] if get == 500 else [b""])


def test_1_14_0_reads_data_as_a_protobuf_any__s3(at: object) -> None:
    """D@v1.14.0 `pkg/api/http/jobs.go` decodes a `runtime.v1.Job`: `data` needs an `@type`; the app gets
    Go's `json.Marshal` of the Any (`streamer.go WithDataObject`)."""
    pytest.importorskip("google.protobuf")
    fake = at("1.14.0")  # type: ignore[operator]
    bodies: list[bytes] = []
    fake.on_job()(lambda event: bodies.append(event.body))
    data = {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "hi"}
    assert send(fake, "POST", ALPHA + "any", {"dueTime": "1s", "data": data}).status == 204
    assert send(fake, "GET", ALPHA + "any").json()["data"] == data
    fake.clock.advance(seconds=2)
    assert bodies == [b'{"type_url":"type.googleapis.com/google.protobuf.StringValue","value":"CgJoaQ=="}']
    assert send(fake, "POST", ALPHA + "bare", {"dueTime": "1s", "data": "hi"}).status == 400


def test_metadata_names_the_version_and_its_scheduler_key__s12(at: object) -> None:
    """D@v1.14.4 `pkg/api/http/metadata.go` has no scheduler; D@v1.15.4 `:173` adds it (omitempty)."""
    old = send(at("1.14"), "GET", "/v1.0/metadata").json()  # type: ignore[operator]
    new = send(at("1.16.17"), "GET", "/v1.0/metadata").json()  # type: ignore[operator]
    assert (old["runtimeVersion"], "scheduler" in old) == ("1.14.5", False)
    assert (new["runtimeVersion"], "scheduler" in new) == ("1.16.17", True)


def test_pipes_in_names_reach_the_app_as_the_tail_in_1_16_17__s6(at: object) -> None:
    """D@v1.16.17 `scheduler/server/internal/cron/cron.go:238`: the name after the last `||`; a name
    ending in `||` is UNDELIVERABLE, held for ever. Fixed in 1.18.2 (#10216)."""
    fake = at("1.16.17")  # type: ignore[operator]
    got: list[str] = []
    fake.on_job()(lambda event: got.append(event.body.decode()))
    fake.on_job("y")(lambda event: got.append("y"))
    assert send(fake, "POST", ALPHA + "x%7C%7Cy", {"dueTime": "1s", "data": "d"}).status == 204
    assert send(fake, "POST", ALPHA + "z%7C%7C", {"dueTime": "1s"}).status == 204
    records = fake.clock.advance(seconds=5)
    assert got == ["y"]
    assert {r.name: r.next_step for r in records} == {"x||y": "finished", "z||": "waiting"}
    assert "z||" in fake.jobs


def test_unknown_versions_are_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown Dapr version '1\.19'.*1\.18 \(= 1\.18\.3"):
        DaprJobsFake(dapr_version="1.19")
    with pytest.raises(ValueError, match=r"unknown Dapr version '1\.16\.20'"):
        DaprJobsFake(dapr_version="1.16.20")


def test_the_real_sdk_cannot_fall_back_on_1_17__s14(at: object, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1.17 sidecar has no stable job RPCs and answers them with its proxy's UNKNOWN (recorded on
    1.17.5, conformance `grpc/stable-schedule-get-delete`): the SDK's fallback, keyed on UNIMPLEMENTED,
    never happens, for real; the Alpha1 RPC itself works."""
    pytest.importorskip("dapr.clients")
    from dapr.clients import DaprClient, Job
    from dapr.clients.exceptions import DaprGrpcError
    from dapr.proto import api_v1

    fake = at("1.17")  # type: ignore[operator]
    for key, value in fake.env.items():
        monkeypatch.setenv(key, value)
    with DaprClient(f"127.0.0.1:{fake.grpc_port}") as client:
        with pytest.raises(DaprGrpcError, match="failed to proxy request"):
            client.schedule_job(Job(name="sdk", due_time="1h"))
        client._stub.ScheduleJobAlpha1(
            api_v1.ScheduleJobRequest(job=Job(name="sdk", due_time="1h")._get_proto())
        )
    assert [call.request.rsplit("/", 1)[1] for call in fake.calls] == ["ScheduleJob", "ScheduleJobAlpha1"]
    assert list(fake.jobs) == ["sdk"]


def test_1_17_calls_only_on_job_event_alpha1__s10_2(at: object, grpc_app: tuple[object, str, object]) -> None:
    """D@v1.17.10 `pkg/channel/grpc/grpc_channel.go:115`; 1.18 tries OnJobEvent first (`:165-172`)."""
    application, address, recorder = grpc_app
    application.job_event("j")(lambda event: None)  # type: ignore[attr-defined]
    fake = at("1.17", app_grpc_address=address)  # type: ignore[operator]
    assert send(fake, "POST", ALPHA + "j", {"dueTime": "1s"}).status == 204
    (record,) = fake.clock.advance(seconds=2)
    assert record.outcome.via == "OnJobEventAlpha1"  # type: ignore[union-attr]
    assert [m.rsplit("/", 1)[1] for m in recorder.methods()] == ["OnJobEventAlpha1"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("version", "token"), [("1.15.12", None), ("1.15.13", "s3cret")])
def test_grpc_callbacks_carry_the_app_token_from_1_15_13__s10_2(
    at: object, grpc_app: tuple[object, str, object], version: str, token: str | None
) -> None:
    """Commit 0d8349e162 (first in v1.15.13): `AddAppTokenToContext` in the gRPC channel's sendJob."""
    application, address, recorder = grpc_app
    application.job_event("j")(lambda event: None)  # type: ignore[attr-defined]
    fake = at(version, app_grpc_address=address, app_api_token="s3cret")  # type: ignore[operator]
    assert send(fake, "POST", ALPHA + "j", {"dueTime": "1s"}).status == 204
    fake.clock.advance(seconds=2)
    _, _, metadata = recorder.calls[0]  # type: ignore[attr-defined]
    assert metadata.get("dapr-api-token") == token


@pytest.mark.parametrize("version", ["1.14", "1.15", "1.16", "1.17", "1.18", "1.16.17", "1.18.2"])
def test_shared_behaviour_holds_in_every_version__s2_s4_s8(at: object, version: str) -> None:
    """What no release changed: 204 / 200 / 204, fields echoed as sent, dueTime + @every + repeats."""
    fake = at(version)  # type: ignore[operator]
    fired: list[datetime] = []
    fake.on_job()(lambda event: fired.append(event.scheduled_at))
    body = {"schedule": "@every 1m", "dueTime": "30s", "repeats": 3, "ttl": "1h", "data": {"k": [1, "v"]}}
    assert send(fake, "POST", ALPHA + "s", body).status == 204
    got = send(fake, "GET", ALPHA + "s").json()
    assert {k: got[k] for k in ("name", "schedule", "dueTime", "repeats", "ttl")} == {
        "name": "s",
        **{k: body[k] for k in ("schedule", "dueTime", "repeats", "ttl")},
    }
    assert got["data"] == {"@type": "type.googleapis.com/google.protobuf.Value", "value": {"k": [1, "v"]}}
    fake.clock.advance(minutes=5)
    assert fired == [START + timedelta(seconds=s) for s in (30, 90, 150)]
    assert send(fake, "DELETE", ALPHA + "s").status == 204
    assert requests.get(f"{fake.url}{ALPHA}s", timeout=10).status_code == 500
