"""Failure policies and retries (§10.3, §10.4): which answers of the app count as failures, how many
attempts each policy gives, at which intervals, and when the job is gone. 1.14 never retries (results
are not reported); 1.15 always applies the default policy (1 s x 3). Attempts are counted once every
version is done with the job: 1.14 and 1.15 count from the creation time truncated to the second, so
a look in the middle of the retries would depend on where in its second the job was created."""

from __future__ import annotations

from typing import Any

from ..model import Case, Sidecar
from .dsl import GRPC_APP, HTTP_APP, Received, Wait, case, get, post


def _attempts(
    slug: str,
    statuses: tuple[int, ...],
    *,
    policy: dict[str, Any] | None = None,
    sidecar: Sidecar = HTTP_APP,
    until: float = 7.5,
    about: str = "",
) -> Case:
    """A job due in 1 s, the app answering `statuses` in turn: the attempts made by `until` s."""
    name = f"fl-{slug}"
    body: dict[str, Any] = {"dueTime": "1s", "data": slug}
    if policy is not None:
        body["failurePolicy"] = policy
    return case(
        f"failures/{slug}",
        "§10.4",
        post(name, body),
        Wait(until),
        Received((name,)),
        get(name),
        sidecar=sidecar,
        answers={name: statuses},
        about=about,
    )


CASES = [
    _attempts(
        "http-500-default-policy", (500,), about="1 + 3 retries, 1 s apart (1.15+); one attempt on 1.14"
    ),
    _attempts("http-404-succeeds", (404,), about="404 counts as delivered: no retry"),
    _attempts("http-204-succeeds", (204,)),
    _attempts("http-201-succeeds", (201,)),
    _attempts("http-400-fails", (400,)),
    _attempts("http-302-fails", (302,), about="a redirect is not followed: the attempt failed"),
    _attempts("http-503-fails", (503,)),
    _attempts("http-fails-once", (500, 200)),
    _attempts("http-fails-three-times", (500, 500, 500, 200)),
    _attempts(
        "http-drop", (500,), policy={"drop": {}}, about="drop: one attempt (a 1.15 ignores the policy)"
    ),
    _attempts("http-constant-one-retry", (500,), policy={"constant": {"interval": "1s", "maxRetries": 1}}),
    _attempts("http-constant-no-retry", (500,), policy={"constant": {"interval": "1s", "maxRetries": 0}}),
    _attempts(
        "http-constant-two-seconds",
        (500,),
        policy={"constant": {"interval": "2s", "maxRetries": 2}},
        until=8.5,
    ),
    _attempts(
        "http-constant-short-interval",
        (500,),
        policy={"constant": {"interval": "0.5s", "maxRetries": 4}},
        until=5.5,
    ),
    _attempts("grpc-internal-default-policy", (500,), sidecar=GRPC_APP),
    _attempts("grpc-not-found-succeeds", (404,), sidecar=GRPC_APP),
    _attempts("grpc-unavailable-fails", (503,), sidecar=GRPC_APP),
    _attempts("grpc-fails-once", (500, 200), sidecar=GRPC_APP),
    _attempts("grpc-drop", (500,), sidecar=GRPC_APP, policy={"drop": {}}),
    case(
        "failures/http-drop-keeps-schedule",
        "§10.4",
        post(
            "fl-drop-repeats",
            {"schedule": "@every 2s", "repeats": 2, "data": "d", "failurePolicy": {"drop": {}}},
        ),
        Wait(14.5),
        Received(("fl-drop-repeats",)),
        get("fl-drop-repeats"),
        sidecar=HTTP_APP,
        answers={"fl-drop-repeats": (500,)},
        about="a dropped tick still counts toward repeats: two attempts, then the job is gone",
    ),
    case(
        "failures/http-exhausted-tick-counts-toward-repeats",
        "§10.4",
        post(
            "fl-exhausted",
            {
                "schedule": "@every 3s",
                "repeats": 2,
                "data": "e",
                "failurePolicy": {"constant": {"interval": "1s", "maxRetries": 1}},
            },
        ),
        Wait(14.5),
        Received(("fl-exhausted",)),
        get("fl-exhausted"),
        sidecar=HTTP_APP,
        answers={"fl-exhausted": (500,)},
    ),
]
