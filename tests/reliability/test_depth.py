"""Nesting at every depth daprd accepts, and daprd's answers beyond, without touching Python's recursion
limit (issue 8 item 3; contract §3, §4, §10.1; protobuf-go `protowire.DefaultRecursionLimit`).

protojson decodes at most 10,000 nested messages and counts only the `Value`s of `data` (the request
is the first): `data` may nest 9,999 Values. The binary decoder (GET rendering, HTTP delivery) allows
10,000 messages but counts a `ListValue` (and a `Struct` and its map entry) per level too.
"""

from __future__ import annotations

import sys

import pytest
import requests
from wire import STABLE, send

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.contract.deepjson import dumps
from dapr_jobs_fake.contract.protojson import protojson_value
from dapr_jobs_fake.contract.valuewire import binary_levels, decode_value, encode_value, json_levels


def nested_list(levels: int) -> str:
    """JSON data of `levels` Value messages: `[[...[1]...]]` with levels-1 arrays."""
    return "[" * (levels - 1) + "1" + "]" * (levels - 1)


def post(fake: DaprJobsFake, name: str, data: str) -> requests.Response:
    return requests.post(f"{fake.url}{STABLE}{name}", data=f'{{"dueTime":"1s","data":{data}}}', timeout=30)


def test_the_recursion_limit_is_untouched() -> None:
    assert sys.getrecursionlimit() <= 10_000


@pytest.mark.parametrize("levels", [2, 998, 1001, 5000, 9999])
def test_post_accepts_data_nested_up_to_9999_values__s3(fake: DaprJobsFake, levels: int) -> None:
    answer = post(fake, f"d{levels}", nested_list(levels))
    assert answer.status_code == 204, answer.text
    assert json_levels(fake.jobs[f"d{levels}"].data) == levels


@pytest.mark.parametrize("levels", [10_000, 10_001, 12_000])
def test_post_refuses_deeper_data_with_protojsons_error__s3(fake: DaprJobsFake, levels: int) -> None:
    answer = post(fake, "deep", nested_list(levels))
    assert answer.status_code == 400
    assert answer.json() == {
        "errorCode": "ERR_MALFORMED_REQUEST",
        "message": "failed deserializing HTTP body: proto: exceeded max recursion depth",
    }
    assert "deep" not in fake.jobs and [v.rule for v in fake.violations] == ["body.malformed"]


def test_a_deep_top_level_array_is_refused_at_its_first_token__s3(fake: DaprJobsFake) -> None:
    """Before: `[` * 1000 + `]` * 1000 raised RecursionError (an HTML 500, not journaled)."""
    answer = send(fake, "POST", STABLE + "arr", b"[" * 100_000 + b"]" * 100_000)
    assert answer.status == 400
    assert (
        answer.json()["message"]
        == "failed deserializing HTTP body: proto: syntax error (line 1:1): unexpected token ["
    )
    assert len(fake.calls) == 1


@pytest.mark.parametrize(("levels", "renders"), [(1000, True), (5000, True), (5001, False), (9999, False)])
def test_get_renders_what_the_binary_decoder_reads__s4(
    fake: DaprJobsFake, levels: int, renders: bool
) -> None:
    """`[[...]]` costs two binary messages per level: GET renders 5,000 Value levels, not 5,001."""
    assert post(fake, "j", nested_list(levels)).status_code == 204
    assert (binary_levels(fake.jobs["j"].data) <= 10_000) == renders
    answer = send(fake, "GET", STABLE + "j")
    if renders:
        assert answer.status == 200
        assert answer.body.count(b"[") == levels - 1
    else:
        assert answer.status == 500
        assert answer.json()["message"] == (
            "failed to encode response as JSON: proto: google.protobuf.Any: unable to unmarshal "
            '"type.googleapis.com/google.protobuf.Value": proto: exceeded maximum recursion depth'
        )


def test_delivery_follows_the_same_limit__s10_1(fake: DaprJobsFake) -> None:
    bodies: list[int] = []
    fake.on_job()(lambda event: bodies.append(len(event.body)))
    assert post(fake, "ok", nested_list(5000)).status_code == 204
    assert post(fake, "too-deep", nested_list(5001)).status_code == 204
    records = fake.clock.advance(seconds=10)
    by_name = {(r.name, r.attempt): r for r in records}
    assert by_name["ok", 1].succeeded is True
    assert [r.succeeded for r in records if r.name == "too-deep"] == [False] * 4  # the default policy
    assert "exceeded maximum recursion depth" in (by_name["too-deep", 1].outcome.reason or "")  # type: ignore[union-attr]
    assert len(bodies) == 1


def test_an_unknown_key_may_nest_as_deep_as_protojson_skips__s3(fake: DaprJobsFake) -> None:
    ok = f'{{"dueTime":"1s","extra":{"[" * 9999 + "]" * 9999}}}'
    deep = f'{{"dueTime":"1s","extra":{"[" * 10_000 + "]" * 10_000}}}'
    assert send(fake, "POST", STABLE + "a", ok).status == 204
    assert send(fake, "POST", STABLE + "b", deep).status == 400


def test_control_api_lists_deep_jobs(fake: DaprJobsFake) -> None:
    from dapr_jobs_fake.cli.control_api import ControlApi

    control = ControlApi(fake, mode=lambda: "manual")
    control.mount()
    try:
        assert post(fake, "j", nested_list(9999)).status_code == 204
        answer = send(fake, "GET", "/_dapr-jobs-fake/jobs")
        assert answer.status == 200 and answer.body.count(b"[") >= 9998
        assert (
            send(fake, "POST", "/_dapr-jobs-fake/clock/advance", b"[" * 20_000 + b"]" * 20_000).status == 400
        )
    finally:
        fake.api.mounts.remove(control.handle)


def test_deep_data_reaches_a_grpc_app_as_stored(fake: DaprJobsFake) -> None:
    """A gRPC app gets the stored `Any` as is: no JSON rendering, so no binary depth limit (§10.2)."""
    pytest.importorskip("grpc")
    assert post(fake, "g", nested_list(9999)).status_code == 204
    stored = fake.jobs["g"].plan.stored_data
    assert stored is not None
    from dapr_jobs_fake.contract.proto import data_to_any

    packed = data_to_any(stored)
    decoded = decode_value(packed.value, limit=30_000)
    assert protojson_value(decoded) == protojson_value(fake.jobs["g"].data)  # == would recurse


def test_value_codec_round_trips_at_any_depth() -> None:
    value: object = {"k": [1.5, "s", None, True, {}]}
    for _ in range(20_000):
        value = [value]
    assert dumps(decode_value(encode_value(value), limit=10**6)) == dumps(value)
