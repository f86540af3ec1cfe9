"""The API token guards every route but the two health checks: Dapr's HTTP and gRPC APIs and the
control API alike (issue 8 item 2; contract §11)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from wire import ALPHA, STABLE, send

from dapr_jobs_fake import DaprJobsFake
from dapr_jobs_fake.cli.control_api import PREFIX, ControlApi

TOKEN = "s3cret"
DAPR_ROUTES = [
    ("POST", STABLE + "a", {"dueTime": "1h"}),
    ("GET", STABLE + "a", None),
    ("DELETE", STABLE + "a", None),
    ("POST", ALPHA + "a", {"dueTime": "1h"}),
    ("GET", ALPHA + "a", None),
    ("DELETE", ALPHA + "a", None),
    ("GET", "/v1.0/metadata", None),
    ("GET", "/v1.0/state/store/key", None),  # the fallback route too
]


@pytest.fixture(scope="module")
def guarded() -> Iterator[DaprJobsFake]:
    with DaprJobsFake(api_token=TOKEN) as fake:
        control = ControlApi(fake, mode=lambda: "manual")
        control.mount()
        yield fake


@pytest.fixture
def control_routes(guarded: DaprJobsFake) -> list[tuple[str, str]]:
    api = next(m.__self__ for m in guarded.api.mounts if isinstance(getattr(m, "__self__", None), ControlApi))
    return [(method, PREFIX + path) for method, path in api.routes]


@pytest.mark.parametrize(("method", "path", "body"), DAPR_ROUTES)
@pytest.mark.parametrize("header", [None, "wrong", TOKEN + "x", TOKEN[:-1], ""])
def test_dapr_routes_refuse_a_missing_or_wrong_token(
    guarded: DaprJobsFake, method: str, path: str, body: object, header: str | None
) -> None:
    headers = {} if header is None else {"dapr-api-token": header}
    answer = send(guarded, method, path, body, headers)  # type: ignore[arg-type]
    assert (answer.status, answer.body, answer.content_type) == (
        401,
        b"invalid api token\n",
        "text/plain; charset=utf-8",
    )


@pytest.mark.parametrize(("method", "path", "body"), DAPR_ROUTES[:7])
def test_dapr_routes_open_with_the_token(guarded: DaprJobsFake, method: str, path: str, body: object) -> None:
    answer = send(guarded, method, path, body, {"dapr-api-token": TOKEN})  # type: ignore[arg-type]
    # 500: GET of a deleted job (§5.2); 409: a POST of a job still there (xdist may split the order)
    assert answer.status in (200, 204, 409, 500), answer.body


@pytest.mark.parametrize("path", ["/v1.0/healthz", "/v1.0/healthz/outbound"])
def test_health_checks_need_no_token(guarded: DaprJobsFake, path: str) -> None:
    assert send(guarded, "GET", path).status == 204


def test_every_control_route_needs_the_token(
    guarded: DaprJobsFake, control_routes: list[tuple[str, str]]
) -> None:
    """Before: with --api-token, every /_dapr-jobs-fake/* route answered 200 without it."""
    assert len(control_routes) >= 12
    before = guarded.clock.now_ns()
    for method, path in control_routes:
        for headers in ({}, {"dapr-api-token": "wrong"}):
            answer = send(guarded, method, path, {"seconds": 60}, headers)
            assert answer.status == 401, (method, path, answer.body)
    assert guarded.clock.now_ns() == before  # nothing moved, nothing reset
    opened = send(guarded, "GET", PREFIX + "/clock", headers={"dapr-api-token": TOKEN})
    assert opened.status == 200 and "now" in opened.json()


def test_grpc_rpcs_refuse_a_missing_or_wrong_token(guarded: DaprJobsFake) -> None:
    grpc = pytest.importorskip("grpc")
    from dapr.proto import api_service_v1, api_v1

    with grpc.insecure_channel(f"127.0.0.1:{guarded.grpc_port}") as channel:
        stub = api_service_v1.DaprStub(channel)
        calls = [
            (stub.ScheduleJob, api_v1.ScheduleJobRequest(job=api_v1.Job(name="g", due_time="1h"))),
            (stub.ScheduleJobAlpha1, api_v1.ScheduleJobRequest(job=api_v1.Job(name="g", due_time="1h"))),
            (stub.GetJob, api_v1.GetJobRequest(name="g")),
            (stub.DeleteJob, api_v1.DeleteJobRequest(name="g")),
            (stub.ListJobsAlpha1, api_v1.ListJobsRequestAlpha1()),
            (stub.DeleteJobsByPrefixAlpha1, api_v1.DeleteJobsByPrefixRequestAlpha1()),
            (stub.GetMetadata, api_v1.GetMetadataRequest()),
        ]
        for call, request in calls:
            for metadata in ((), (("dapr-api-token", "wrong"),)):
                with pytest.raises(grpc.RpcError) as raised:
                    call(request, metadata=metadata, timeout=5)
                assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED
        stub.ScheduleJob(calls[0][1], metadata=(("dapr-api-token", TOKEN),), timeout=5)
    assert "g" in guarded.jobs
