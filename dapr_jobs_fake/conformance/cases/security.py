"""Tokens (§11, §10): daprd started with DAPR_API_TOKEN and APP_API_TOKEN. Every route but the health
checks wants `dapr-api-token` (HTTP header or gRPC metadata); the app gets APP_API_TOKEN with each
callback (gRPC callbacks only from 1.15.13 / 1.16.2)."""

from __future__ import annotations

from .dsl import (
    API_TOKEN,
    GRPC_TOKENS,
    TOKENS,
    Grpc,
    Http,
    Received,
    Wait,
    case,
    delete,
    get,
    get_job,
    post,
    schedule,
)

_OK = (("dapr-api-token", API_TOKEN),)
_JOB = {"dueTime": "1h", "data": "s"}

CASES = [
    case("security/http-missing-token", "§11", post("sec-missing", _JOB), get("sec-missing"), sidecar=TOKENS),
    case(
        "security/http-wrong-token",
        "§11",
        post("sec-wrong", _JOB, headers=(("dapr-api-token", "nope"),)),
        sidecar=TOKENS,
    ),
    case(
        "security/http-empty-token",
        "§11",
        post("sec-empty", _JOB, headers=(("dapr-api-token", ""),)),
        sidecar=TOKENS,
    ),
    case(
        "security/http-token-case-of-header-name",
        "§11",
        post("sec-case", _JOB, headers=(("Dapr-Api-Token", API_TOKEN),)),
        get("sec-case", headers=_OK),
        delete("sec-case", headers=_OK),
        sidecar=TOKENS,
    ),
    case(
        "security/http-bearer-is-not-the-token",
        "§11",
        post("sec-bearer", _JOB, headers=(("Authorization", f"Bearer {API_TOKEN}"),)),
        sidecar=TOKENS,
    ),
    case(
        "security/http-token-in-query-is-not-the-token",
        "§11",
        post(f"sec-query?dapr-api-token={API_TOKEN}", _JOB),
        sidecar=TOKENS,
    ),
    case(
        "security/http-right-token",
        "§11",
        post("sec-right", _JOB, headers=_OK),
        get("sec-right", headers=_OK),
        delete("sec-right", headers=_OK),
        sidecar=TOKENS,
    ),
    case("security/healthz-exempt", "§11", Http("GET", "/v1.0/healthz"), sidecar=TOKENS),
    case("security/healthz-outbound-exempt", "§11", Http("GET", "/v1.0/healthz/outbound"), sidecar=TOKENS),
    case("security/metadata-needs-token", "§11", Http("GET", "/v1.0/metadata"), sidecar=TOKENS),
    case(
        "security/unknown-route-needs-token",
        "§11",
        Http("GET", "/v1.0/nothing-here"),
        Http("PUT", "/{api}/jobs/sec-put", body=_JOB),
        sidecar=TOKENS,
    ),
    case(
        "security/app-token-on-http-callbacks",
        "§10.1",
        post("sec-callback", {"dueTime": "1s", "data": "t"}, headers=_OK),
        Wait(3.5),
        Received(("sec-callback",)),
        sidecar=TOKENS,
    ),
    case("security/grpc-missing-token", "§11", get_job("sec-g-missing"), sidecar=TOKENS),
    case(
        "security/grpc-wrong-token",
        "§11",
        schedule("sec-g-wrong", dueTime="1h", metadata=(("dapr-api-token", "nope"),)),
        sidecar=TOKENS,
    ),
    case(
        "security/grpc-right-token",
        "§11",
        schedule("sec-g-right", dueTime="1h", metadata=_OK),
        get_job("sec-g-right", metadata=_OK),
        Grpc("DeleteJobAlpha1", {"name": "sec-g-right"}, _OK),
        sidecar=TOKENS,
    ),
    case(
        "security/app-token-on-grpc-callbacks",
        "§10.2",
        post("sec-g-callback", {"dueTime": "1s", "data": "t"}, headers=_OK),
        Wait(3.5),
        Received(("sec-g-callback",)),
        sidecar=GRPC_TOKENS,
    ),
]
