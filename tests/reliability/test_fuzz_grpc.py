"""Bounded fuzzing of the gRPC surface (`dapr.proto.runtime.v1.Dapr`, contract §14): raw bytes
through identity serializers, so that anything can be sent.

Random bytes, truncated or corrupted protobufs, and well-formed `ScheduleJobRequest`s whose fields
are out of range (Duration seconds ±2**63-1, nanos ±2**31, repeats 0 and past 2**32-1, strings up to
and past the 4 MiB message limit, `data` Anys with odd type URLs and `google.protobuf.Value`s nested
12,000 deep). Properties:

- every answer is a status daprd gives (OK, INVALID_ARGUMENT, INTERNAL, ALREADY_EXISTS, NOT_FOUND,
  UNAUTHENTICATED; RESOURCE_EXHAUSTED only past the 4 MiB message limit, as grpc-go does), never
  UNKNOWN (a Python exception in a servicer; daprd's proxy answers UNKNOWN only for a method it does
  not serve, `test_an_unknown_method_gets_the_proxy_answer_and_the_fake_serves_on`), within a deadline;
- every request is journaled once, one grpc-go cannot decode too (INTERNAL "grpc: error unmarshalling
  request: ...", `test_an_undecodable_grpc_request_is_journaled`);
- a refused request (and any GetJob or ListJobs) changes no state; an accepted one changes only what
  it names;
- whatever is stored stays readable: GetJobAlpha1 and ListJobsAlpha1 return it, and HTTP GET answers
  200 or daprd's JSON 500 for data it cannot render (§4), never a crash; the fake keeps serving.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fuzz_support import (
    CRASH_MARK,
    PROFILES,
    TIMEOUT,
    TOKEN,
    check_alive,
    fresh,
    fuzz_settings,
    path_of_name,
    point_in_time,
    raw_request,
    schedule_text,
    snapshot,
)
from hypothesis import given
from hypothesis import strategies as st

grpc = pytest.importorskip("grpc")

from dapr_jobs_fake import DaprJobsFake  # noqa: E402
from dapr_jobs_fake.engine.engine import next_tick_ns  # noqa: E402

FUZZ = fuzz_settings(40)
FEW = fuzz_settings(15)

SERVICE = "/dapr.proto.runtime.v1.Dapr/"
JOB_RPCS = ["ScheduleJob", "ScheduleJobAlpha1", "GetJob", "GetJobAlpha1", "DeleteJob", "DeleteJobAlpha1"]
PREFIX_RPCS = ["DeleteJobsByPrefix", "DeleteJobsByPrefixAlpha1"]
LIST_RPCS = ["ListJobs", "ListJobsAlpha1"]
RPCS = JOB_RPCS + PREFIX_RPCS + LIST_RPCS
#: The codes daprd answers the Jobs RPCs with (§5.2, §11, §14).
DAPR_CODES = {
    "OK",
    "INVALID_ARGUMENT",
    "INTERNAL",
    "ALREADY_EXISTS",
    "NOT_FOUND",
    "UNAUTHENTICATED",
}
MAX_MESSAGE = 4 * 1024 * 1024
#: daprd's service-invocation proxy's answer for a method it does not serve (§14).
PROXY_ANSWER = "failed to proxy request: required metadata "
UNDECODABLE = "grpc: error unmarshalling request: "
VALUE_URL = "type.googleapis.com/google.protobuf.Value"


@pytest.fixture(scope="module")
def channel(dapr_jobs_session: DaprJobsFake) -> Iterator[Any]:
    """One channel to the session fake's gRPC port, taking answers of any size (a refusal may echo a
    long name: Python's default 16 KiB metadata limit would turn it into a client-side error)."""
    if dapr_jobs_session.grpc_port is None:
        pytest.skip("the session fake serves no gRPC")
    options = [
        ("grpc.max_metadata_size", 64 << 20),
        ("grpc.absolute_max_metadata_size", 64 << 20),
        ("grpc.max_send_message_length", -1),
        ("grpc.max_receive_message_length", -1),
    ]
    with grpc.insecure_channel(f"127.0.0.1:{dapr_jobs_session.grpc_port}", options=options) as opened:
        yield opened


def call(channel: Any, rpc: str, payload: bytes, token: str | None = None) -> tuple[str, Any]:
    """(status code name, answer bytes or details) of one unary call with identity serializers."""
    metadata = None if token is None else (("dapr-api-token", token),)
    method = channel.unary_unary(SERVICE + rpc, request_serializer=None, response_deserializer=None)
    try:
        return "OK", method(payload, timeout=TIMEOUT, metadata=metadata)
    except grpc.RpcError as err:
        return err.code().name, err.details()


# -- protobuf wire encoding (hand-made, so that any value can be sent) ------------------------------------


def varint(value: int) -> bytes:
    value &= (1 << 64) - 1  # negative numbers as 64-bit two's complement, as protobuf writes them
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def field(number: int, payload: bytes | int) -> bytes:
    if isinstance(payload, int):
        return varint(number << 3) + varint(payload)
    return varint(number << 3 | 2) + varint(len(payload)) + payload


def deep_value(levels: int, kind: str) -> bytes:
    """A `google.protobuf.Value` nesting `levels` lists (or structs) around a string, built bottom-up.

    A level's header needs only the length of what it wraps, so the headers are collected and joined
    once (wrapping the whole value at every level copied it again each time: quadratic)."""
    core = field(3, b"x")  # string_value
    heads: list[bytes] = []
    size = len(core)  # of the value the next level wraps
    for _ in range(levels):
        if kind == "list":  # list_value { values: value }
            values = varint(1 << 3 | 2) + varint(size)
            head = varint(6 << 3 | 2) + varint(len(values) + size) + values
        else:  # struct_value { fields { key: "k", value: value } }
            entry = field(1, b"k") + varint(2 << 3 | 2) + varint(size)
            fields = varint(1 << 3 | 2) + varint(len(entry) + size) + entry
            head = varint(5 << 3 | 2) + varint(len(fields) + size) + fields
        heads.append(head)
        size += len(head)
    return b"".join(reversed(heads)) + core


def job_message(job: dict[str, Any]) -> bytes:
    """`runtime.v1.Job` (§14): name=1, schedule=2, repeats=3, due_time=4, ttl=5, data=6 (Any:
    type_url=1, value=2), failure_policy=7 (drop=1, constant=2 {interval=1 {seconds, nanos},
    max_retries=2})."""
    out = b""
    for number, key in ((1, "name"), (2, "schedule"), (3, "repeats"), (4, "due_time"), (5, "ttl")):
        if job.get(key) is not None:
            value = job[key]
            out += field(number, value if isinstance(value, int) else value.encode())
    if job.get("data") is not None:
        type_url, value = job["data"]
        out += field(6, field(1, type_url.encode()) + field(2, value))
    policy = job.get("policy")
    if policy == "drop":
        out += field(7, field(1, b""))
    elif policy is not None:
        seconds, nanos, retries = policy
        constant = b""
        if seconds is not None:
            constant += field(1, field(1, seconds) + field(2, nanos))
        if retries is not None:
            constant += field(2, retries)
        out += field(7, field(2, constant))
    return out


def schedule_request(job: dict[str, Any] | None, overwrite: bool) -> bytes:
    return (b"" if job is None else field(1, job_message(job))) + (field(2, 1) if overwrite else b"")


# -- strategies -------------------------------------------------------------------------------------------

names = st.one_of(
    st.sampled_from(["a", "b", "job-1", "", " ", "a b", "é", "a/b", "..", "x" * 253, "x" * 254, "my||job"]),
    st.text(max_size=12),
)
huge = st.sampled_from([10_000, 300_000, MAX_MESSAGE + 1]).map(lambda n: "x" * n)
type_urls = st.sampled_from(
    [
        VALUE_URL,
        "",
        "x",
        "/",
        "type.googleapis.com/",
        "type.googleapis.com/google.protobuf.StringValue",
        "type.googleapis.com/google.protobuf.Struct",
        "type.googleapis.com/google.protobuf.Duration",
        "type.googleapis.com/dapr.proto.runtime.v1.Job",
        "http://example.com/x.y.Z",
        "a/b/c",
        "\x00",
        "é/é",
        "type.googleapis.com/" + "x" * 5000,
    ]
)
any_values = st.one_of(
    st.binary(max_size=32),
    st.just(b""),
    st.just(field(3, b"hi")),  # a Value (or StringValue) holding "hi"
    st.builds(deep_value, st.integers(1, 12_000), st.sampled_from(["list", "struct"])),
)
durations = st.tuples(
    st.sampled_from([None, 0, 1, -1, 2**63 - 1, -(2**63 - 1), -(2**63), 315_576_000_001, 2**64 - 1]),
    st.sampled_from([0, 1, -1, 999_999_999, 10**9, 2**31 - 1, -(2**31), 2**31, -(2**31) - 1]),
    st.sampled_from([None, 0, 3, 2**32 - 1, 2**32, 2**64 - 1]),
)
jobs = st.fixed_dictionaries(
    {"name": names},
    optional={
        "schedule": st.one_of(schedule_text, huge),
        "due_time": st.one_of(point_in_time, huge),
        "ttl": point_in_time,
        "repeats": st.sampled_from([0, 1, 3, 2**32 - 1, 2**32, 2**32 + 1, 2**64 - 1]),
        "data": st.tuples(type_urls, any_values),
        "policy": st.one_of(st.just("drop"), durations),
    },
)
#: Mostly valid jobs, so that requests are accepted and stored too.
likely_jobs = st.fixed_dictionaries(
    {
        "name": st.sampled_from(["a", "b", "c d", "é"]),
        "due_time": st.sampled_from(["1s", "0s", "1h", "2030-03-17T18:00:00Z", "P99999999999Y"]),
    },
    optional={
        "schedule": st.sampled_from(["@every 1s", "@daily", "*/5 * * * * *"]),
        "repeats": st.integers(1, 3),
        "data": st.tuples(type_urls, any_values),
        "policy": st.one_of(st.just("drop"), durations),
    },
)


def mutate(payload: bytes, how: str, at: float, junk: bytes) -> bytes:
    """Truncate, overwrite bytes, or insert junk at a relative position of `payload`."""
    cut = int(len(payload) * at)
    if how == "truncate":
        return payload[:cut]
    if how == "overwrite":
        return payload[:cut] + junk + payload[cut + len(junk) :]
    return payload[:cut] + junk + payload[cut:]


def other_request(rpc: str, name: str, has_prefix: bool) -> bytes:
    if rpc in PREFIX_RPCS:
        return field(1, name.encode()) if has_prefix else b""
    if rpc in LIST_RPCS:
        return b""
    return field(1, name.encode())


# -- the properties ---------------------------------------------------------------------------------------


def seed_jobs(fake: DaprJobsFake, channel: Any, token: str | None) -> None:
    """Two stored jobs, so that deletes and duplicates have something to act on."""
    for name in ("a", "b"):
        code, _ = call(
            channel, "ScheduleJobAlpha1", schedule_request({"name": name, "due_time": "1h"}, False), token
        )
        assert code == "OK", code


def check_call(
    fake: DaprJobsFake,
    rpc: str,
    payload: bytes,
    code: str,
    details: Any,
    before: dict[str, Any],
    calls_before: int,
) -> None:
    """One answer: a daprd status, journaled once when the servicer saw it, no state change unless
    accepted (and then only the job it names)."""
    proxied = code == "UNKNOWN" and str(details).startswith(PROXY_ANSWER)  # an RPC the version lacks
    assert code in DAPR_CODES or proxied or (code == "RESOURCE_EXHAUSTED" and len(payload) > MAX_MESSAGE), (
        code,
        details,
    )
    if code == "RESOURCE_EXHAUSTED":  # grpc-go's message size limit, before any Dapr code
        assert len(fake.calls) == calls_before
        assert snapshot(fake) == before
        return
    if code == "INTERNAL" and str(details).startswith(UNDECODABLE):
        assert str(details)[len(UNDECODABLE) :] in (
            "proto: cannot parse invalid wire-format data",
            "string field contains invalid UTF-8",
        ), details
    assert len(fake.calls) == calls_before + 1, [c.describe() for c in fake.calls[calls_before:]]
    entry = fake.calls[-1]
    assert entry.request == SERVICE + rpc
    assert (entry.status == 200) == (code == "OK"), (entry.status, code)
    after = snapshot(fake)
    if code != "OK" or rpc.startswith(("Get", "List")):
        assert after == before
    elif rpc.startswith("Schedule"):
        name = entry.job_name
        assert name is not None and entry.spec is not None
        assert {n: s for n, s in after.items() if n != name} == {n: s for n, s in before.items() if n != name}
        if name not in after:  # accepted but already over: a ttl before the first tick
            plan = fake.contract.plan(entry.spec, fake.clock.now_ns())
            assert next_tick_ns(plan, 0, None) is None
    elif rpc.startswith("DeleteJobsByPrefix"):
        assert set(after) <= set(before)
        assert all(after[n] == before[n] for n in after)
    else:
        assert after == {n: s for n, s in before.items() if n != entry.job_name}


def check_readable(fake: DaprJobsFake, channel: Any, token: str | None) -> None:
    """Everything stored answers GetJobAlpha1 and is listed by ListJobsAlpha1 (where the version has
    it); over HTTP it answers 200 or daprd's JSON 500 for data it cannot render; never a crash."""
    stored = sorted(fake.jobs)
    for name in stored:
        code, answer = call(channel, "GetJobAlpha1", field(1, name.encode()), token)
        assert code == "OK", (name, code, answer)
        if "%" in name or name in (".", ".."):
            continue  # daprd's HTTP API cannot address it: QueryUnescape, path.Clean of the route (§2)
        headers = {} if token is None else {"dapr-api-token": token}
        http = raw_request(fake, "GET", path_of_name(name), headers=headers)
        assert CRASH_MARK not in http.body, http.body[:300]
        if http.status != fake.profile.get_status:
            assert http.status == 500 and http.content_type == "application/json", (
                http.status,
                http.body[:300],
            )
            assert http.json()["errorCode"] == "ERR_INTERNAL", http.body[:300]
    if fake.profile.grpc_list_and_prefix is not None:
        code, answer = call(channel, "ListJobsAlpha1", b"", token)
        assert code == "OK", (code, answer)
    check_alive(fake)


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    rpc=st.sampled_from(RPCS),
    payload=st.binary(max_size=64),
)
def test_random_bytes_to_every_rpc(
    fake: DaprJobsFake, channel: Any, profile: str, rpc: str, payload: bytes
) -> None:
    fresh(fake, profile)
    seed_jobs(fake, channel, None)
    before, calls = snapshot(fake), len(fake.calls)
    code, details = call(channel, rpc, payload)
    check_call(fake, rpc, payload, code, details, before, calls)
    check_readable(fake, channel, None)


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    rpc=st.sampled_from(["ScheduleJob", "ScheduleJobAlpha1"]),
    job=likely_jobs,
    overwrite=st.booleans(),
    how=st.sampled_from(["truncate", "overwrite", "insert"]),
    at=st.floats(0, 1),
    junk=st.binary(min_size=1, max_size=8),
)
def test_truncated_or_corrupted_schedule_requests(
    fake: DaprJobsFake,
    channel: Any,
    profile: str,
    rpc: str,
    job: dict[str, Any],
    overwrite: bool,
    how: str,
    at: float,
    junk: bytes,
) -> None:
    fresh(fake, profile)
    seed_jobs(fake, channel, None)
    payload = mutate(schedule_request(job, overwrite), how, at, junk)
    before, calls = snapshot(fake), len(fake.calls)
    code, details = call(channel, rpc, payload)
    check_call(fake, rpc, payload, code, details, before, calls)
    check_readable(fake, channel, None)


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    rpc=st.sampled_from(["ScheduleJob", "ScheduleJobAlpha1"]),
    job=jobs | likely_jobs | st.none(),
    overwrite=st.booleans(),
)
def test_out_of_range_schedule_requests(
    fake: DaprJobsFake, channel: Any, profile: str, rpc: str, job: dict[str, Any] | None, overwrite: bool
) -> None:
    """Well-formed requests whose fields no client should send: the Scheduler's validation answers
    (or stores the job as sent), nothing crashes, and what is stored can be read back."""
    fresh(fake, profile)
    seed_jobs(fake, channel, None)
    payload = schedule_request(job, overwrite)
    before, calls = snapshot(fake), len(fake.calls)
    code, details = call(channel, rpc, payload)
    check_call(fake, rpc, payload, code, details, before, calls)
    check_readable(fake, channel, None)


@FUZZ
@given(
    profile=st.sampled_from(PROFILES),
    rpc=st.sampled_from(JOB_RPCS[2:] + PREFIX_RPCS + LIST_RPCS),
    name=names | st.sampled_from(["a", "b", ""]),
    has_prefix=st.booleans(),
)
def test_get_delete_list_with_any_name(
    fake: DaprJobsFake, channel: Any, profile: str, rpc: str, name: str, has_prefix: bool
) -> None:
    fresh(fake, profile)
    seed_jobs(fake, channel, None)
    payload = other_request(rpc, name, has_prefix)
    before, calls = snapshot(fake), len(fake.calls)
    code, details = call(channel, rpc, payload)
    check_call(fake, rpc, payload, code, details, before, calls)
    if code == "OK" and rpc.startswith("Get"):
        assert name in before
    check_readable(fake, channel, None)


@FEW
@given(
    rpc=st.sampled_from(RPCS),
    job=likely_jobs,
    sent=st.sampled_from([None, TOKEN, "wrong", ""])
    | st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E)),
)
def test_the_token_guards_every_rpc(
    fake: DaprJobsFake, channel: Any, rpc: str, job: dict[str, Any], sent: str | None
) -> None:
    """§11: with an API token, every RPC without it (or with another) is UNAUTHENTICATED, journaled
    once and changes nothing; with it, the RPC is answered as without a token."""
    fresh(fake, token=TOKEN)
    seed_jobs(fake, channel, TOKEN)
    payload = (
        schedule_request(job, True) if rpc.startswith("Schedule") else other_request(rpc, job["name"], True)
    )
    before, calls = snapshot(fake), len(fake.calls)
    code, details = call(channel, rpc, payload, sent)
    check_call(fake, rpc, payload, code, details, before, calls)
    if sent != TOKEN:
        assert code == "UNAUTHENTICATED", (code, details)
    else:
        assert code != "UNAUTHENTICATED"
    check_readable(fake, channel, TOKEN)


@pytest.mark.parametrize("levels", [1, 4_999, 5_000, 12_000])
@pytest.mark.parametrize("kind", ["list", "struct"])
def test_deep_value_data_is_stored_and_readable(
    fake: DaprJobsFake, channel: Any, levels: int, kind: str
) -> None:
    """§4: gRPC stores the Any as sent; GetJob returns it and HTTP GET renders it or answers daprd's
    JSON 500 (the binary decoder's recursion limit), at any depth."""
    fresh(fake)
    payload = schedule_request(
        {"name": "deep", "due_time": "1h", "data": (VALUE_URL, deep_value(levels, kind))}, False
    )
    code, details = call(channel, "ScheduleJob", payload)
    assert code == "OK", details
    check_readable(fake, channel, None)
    code, answer = call(channel, "GetJob", field(1, b"deep"))
    assert code == "OK" and deep_value(levels, kind) in answer


def test_an_unknown_method_gets_the_proxy_answer_and_the_fake_serves_on(
    fake: DaprJobsFake, channel: Any
) -> None:
    fresh(fake)
    code, details = call(channel, "NoSuchMethod", b"")
    assert (code, details) == (
        "UNKNOWN",
        "failed to proxy request: required metadata dapr-callee-app-id or dapr-app-id not found",
    )
    assert call(channel, "ListJobsAlpha1", b"")[0] == "OK"
