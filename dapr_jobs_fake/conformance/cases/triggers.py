"""What the app receives when a job fires (§8, §10.1, §10.2): the HTTP callback's path, headers and body
bytes per kind of `data`, the gRPC `JobEventRequest`, and how many triggers schedules, repeats, ttl and
dueTime give. The app answers 200 unless a case scripts otherwise."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from ..model import Case, Sidecar
from .dsl import GRPC_ALPHA_APP, GRPC_APP, HTTP_APP, Received, Wait, case, delete, get, post, schedule

_STRING = {"@type": "type.googleapis.com/google.protobuf.StringValue", "value": "hello"}


def _fires(
    slug: str, body: dict[str, Any], sidecar: Sidecar = HTTP_APP, about: str = "", escaped: str | None = None
) -> Case:
    """POST a one-shot job due in 1 s (named `escaped` in the URL, if given); what the app got by 3.5 s;
    GET at 7.5 s, when even a failing delivery has used up the default policy's retries (1.14 and 1.15
    count from the creation time truncated to the second: checks stay a second clear of any attempt)."""
    name = escaped or f"tr-{slug}"
    return case(
        f"triggers/{slug}",
        "§10",
        post(name, {"dueTime": "1s", **body}),
        Wait(3.5),
        Received((unquote(name),)),
        Wait(7.5),
        get(name),
        sidecar=sidecar,
        about=about,
    )


def _grpc_fires(slug: str, sidecar: Sidecar = HTTP_APP, name: str | None = None, **job: Any) -> Case:
    name = name or f"tr-{slug}"
    return case(
        f"triggers/{slug}",
        "§10",
        schedule(name, dueTime="1s", **job),
        Wait(3.5),
        Received((name,)),
        sidecar=sidecar,
    )


def _count(slug: str, body: dict[str, Any], wait: float, about: str = "") -> Case:
    """POST a repeating job; what the app got by `wait` s; then delete it."""
    name = f"tr-{slug}"
    return case(
        f"triggers/{slug}",
        "§8",
        post(name, {"data": slug, **body}),
        Wait(wait),
        Received((name,)),
        delete(name),
        sidecar=HTTP_APP,
        about=about,
    )


CASES = [
    _fires("http-string", {"data": "Hello, World!"}),
    _fires("http-number", {"data": 42}),
    _fires("http-float", {"data": 1.5}),
    _fires("http-big-integer", {"data": 12345678901234567890}),
    _fires("http-true", {"data": True}),
    _fires("http-null", {"data": None}),
    _fires("http-object", {"data": {"z": 1, "a": {"c": 2, "b": 3}}}, about="re-serialised: keys re-ordered"),
    _fires("http-array", {"data": [1, "two", None, [3]]}),
    _fires("http-unicode", {"data": "é \u2028 \U0001f600 <&>"}),
    _fires("http-no-data", {}, about="1.18.3: an empty body; before, daprd cannot build the request"),
    _fires("http-name-symbols", {"data": "n"}, escaped="tr-Upper_case:x.y"),
    _fires("http-name-space", {"data": "n"}, escaped="tr-name%20space"),
    _fires("http-name-latin", {"data": "n"}, escaped="tr-%C3%A9t%C3%A9"),
    _fires("http-name-at-sign", {"data": "n"}, escaped="tr-at%40sign"),
    _grpc_fires("http-grpc-string-data", data=_STRING),
    _grpc_fires(
        "http-grpc-value-data", data={"@type": "type.googleapis.com/google.protobuf.Value", "value": "v"}
    ),
    _grpc_fires("http-grpc-no-data"),
    _fires("grpc-app-string", {"data": "Hello, World!"}, sidecar=GRPC_APP),
    _fires("grpc-app-object", {"data": {"k": [1, 2]}}, sidecar=GRPC_APP),
    _fires("grpc-app-no-data", {}, sidecar=GRPC_APP),
    _grpc_fires("grpc-app-grpc-string-data", sidecar=GRPC_APP, data=_STRING),
    _grpc_fires("grpc-app-grpc-no-data", sidecar=GRPC_APP),
    _grpc_fires("grpc-app-special-name", sidecar=GRPC_APP, name="tr-special||x@y", data=_STRING),
    _fires("grpc-alpha-app-fallback", {"data": "a"}, sidecar=GRPC_ALPHA_APP),
    case(
        "triggers/grpc-alpha-app-fallback-twice",
        "§10.2",
        post("tr-alpha-twice", {"schedule": "@every 1s", "repeats": 2, "data": "a"}),
        Wait(4.5),
        Received(("tr-alpha-twice",)),
        delete("tr-alpha-twice"),
        sidecar=GRPC_ALPHA_APP,
        about="does daprd remember that the app has no OnJobEvent?",
    ),
    _count("every-second-repeats-3", {"schedule": "@every 1s", "repeats": 3}, 5.5),
    _count("every-second-ttl", {"schedule": "@every 1s", "ttl": "3.5s"}, 6.5, about="ticks up to the ttl"),
    _count("cron-every-second-repeats-2", {"schedule": "* * * * * *", "repeats": 2}, 4.5),
    _count("due-then-every-2s", {"dueTime": "1s", "schedule": "@every 2s", "repeats": 2}, 5.5),
    _count("due-rfc3339", {"dueTime": "{in:2s}"}, 4.5),
    _count("due-past", {"dueTime": "-1s"}, 1.5, about="a dueTime in the past fires at once"),
    _count("due-zero-every-zero-repeats", {"dueTime": "0s", "schedule": "@every 0s", "repeats": 3}, 3.5),
    case(
        "triggers/delete-before-due",
        "§8",
        post("tr-deleted", {"dueTime": "2s", "data": "d"}),
        delete("tr-deleted"),
        Wait(3.5),
        Received(("tr-deleted",)),
        sidecar=HTTP_APP,
    ),
    case(
        "triggers/overwrite-resets",
        "§8",
        post("tr-overwrite", {"dueTime": "3s", "data": "first"}),
        post("tr-overwrite", {"dueTime": "1s", "data": "second", "overwrite": True}),
        Wait(5.5),
        Received(("tr-overwrite",)),
        sidecar=HTTP_APP,
        about="the second definition replaces the first: one trigger, with the second data",
    ),
    case(
        "triggers/upsert-before-1.16",
        "§1",
        post("tr-upsert", {"dueTime": "3s", "data": "first"}),
        post("tr-upsert", {"dueTime": "1s", "data": "second"}),
        Wait(5.5),
        Received(("tr-upsert",)),
        sidecar=HTTP_APP,
        about="without overwrite: 409 from 1.16 (the first fires), an upsert before",
    ),
]
