"""Short constructors the case modules are written with, and the sidecar configurations they run on.

`post`/`get`/`delete` are HTTP requests to `/{api}/jobs/<name>` (the newest Jobs API of the version);
`schedule`/`get_job`/`delete_job` are the gRPC Alpha1 RPCs, which every version has (`rpc=` picks a
stable one). Job names must be unique across all cases (the real target runs the cases of a sidecar at
the same time, and deliveries are told apart by job name); tests/conformance checks that.
"""

from __future__ import annotations

from typing import Any

from ..model import NO_BODY, Case, Grpc, Http, Received, Sidecar, Step, Wait

__all__ = [
    "API_TOKEN",
    "APP_TOKEN",
    "DOWN",
    "GRPC_ALPHA_APP",
    "GRPC_APP",
    "GRPC_TOKENS",
    "HTTP_APP",
    "LISTING",
    "NOAPP",
    "NO_BODY",
    "TOKENS",
    "Case",
    "Grpc",
    "Http",
    "Received",
    "Wait",
    "case",
    "delete",
    "delete_job",
    "get",
    "get_job",
    "post",
    "schedule",
]

API_TOKEN = "conformance-api-token"
APP_TOKEN = "conformance-app-token"

NOAPP = Sidecar("no-app")
HTTP_APP = Sidecar("http-app", app="http")
GRPC_APP = Sidecar("grpc-app", app="grpc")
GRPC_ALPHA_APP = Sidecar("grpc-alpha-app", app="grpc-alpha")
TOKENS = Sidecar("tokens", app="http", dapr_api_token=API_TOKEN, app_api_token=APP_TOKEN)
GRPC_TOKENS = Sidecar("grpc-tokens", app="grpc", dapr_api_token=API_TOKEN, app_api_token=APP_TOKEN)
DOWN = Sidecar("scheduler-down", scheduler_down=True)
LISTING = Sidecar("listing", serial=True)


def post(
    name: str,
    body: Any = NO_BODY,
    *,
    raw: str | None = None,
    api: str = "{api}",
    headers: tuple[tuple[str, str], ...] = (),
) -> Http:
    return Http("POST", f"/{api}/jobs/{name}", body=body, raw=raw, headers=headers)


def get(name: str, *, api: str = "{api}", headers: tuple[tuple[str, str], ...] = ()) -> Http:
    return Http("GET", f"/{api}/jobs/{name}", headers=headers)


def delete(name: str, *, api: str = "{api}", headers: tuple[tuple[str, str], ...] = ()) -> Http:
    return Http("DELETE", f"/{api}/jobs/{name}", headers=headers)


def schedule(
    name: str,
    *,
    rpc: str = "ScheduleJobAlpha1",
    overwrite: bool | None = None,
    metadata: tuple[tuple[str, str], ...] = (),
    **job: Any,
) -> Grpc:
    """`ScheduleJob*` with `Job{name, **job}` (protojson names: schedule, dueTime, ttl, repeats, data,
    failurePolicy)."""
    request: dict[str, Any] = {"job": {"name": name, **job}}
    if overwrite is not None:
        request["overwrite"] = overwrite
    return Grpc(rpc, request, metadata)


def get_job(name: str, *, rpc: str = "GetJobAlpha1", metadata: tuple[tuple[str, str], ...] = ()) -> Grpc:
    return Grpc(rpc, {"name": name}, metadata)


def delete_job(
    name: str, *, rpc: str = "DeleteJobAlpha1", metadata: tuple[tuple[str, str], ...] = ()
) -> Grpc:
    return Grpc(rpc, {"name": name}, metadata)


def case(
    name: str,
    section: str,
    *steps: Step,
    sidecar: Sidecar = NOAPP,
    about: str = "",
    answers: dict[str, tuple[int, ...]] | None = None,
    not_recorded: dict[str, str] | None = None,
) -> Case:
    return Case(
        name=name,
        section=section,
        steps=tuple(steps),
        sidecar=sidecar,
        about=about,
        answers=tuple((answers or {}).items()),
        not_recorded=tuple((not_recorded or {}).items()),
    )
