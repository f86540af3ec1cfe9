"""The vocabulary of conformance cases: a case is a named scenario of steps, declared as data.

A `Case` runs on one sidecar configuration (`Sidecar`: which app daprd calls, which tokens, whether the
Scheduler is up) and is a list of steps: an HTTP request to daprd (`Http`), a gRPC call (`Grpc`), a move
of the clock to a point after the case began (`Wait`: the fake's virtual clock advances, the real target
sleeps), and a look at what the app has received for some jobs (`Received`). `answers` script how the
app answers each job's callbacks. Every step gives one observation; the recording holds them.

Values the runner fills in: in paths, `{api}` is the newest Jobs API version of the profile (`v1.0` on
1.18, `v1.0-alpha1` before) and `{alpha}` is `v1.0-alpha1`; in request strings, `{in:<Go duration>}` is
the RFC 3339 time that far from the case's start, whole seconds, UTC (`{in:2s}`, `{in:-1h}`); observed
strings show the placeholder again (`normalise.py`).

`describe()` turns a case into plain JSON; its SHA-256 is the case's hash, stored in each recording, so a
case changed after it was recorded is caught (tests/conformance/test_replay.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "NO_BODY",
    "Case",
    "Grpc",
    "Http",
    "Received",
    "Sidecar",
    "Step",
    "Wait",
    "cases_hash",
]

AppKind = Literal["none", "http", "grpc", "grpc-alpha"]
#: `Http.body` when the request has no body at all (not even `null`).
NO_BODY: Any = type("NoBody", (), {"__repr__": lambda self: "NO_BODY"})()


@dataclass(frozen=True)
class Sidecar:
    """One daprd configuration. The real target starts one daprd + Scheduler per configuration and runs
    its cases concurrently (each with its own job names), or one by one when `serial`."""

    name: str
    #: The app daprd calls: none, an HTTP app, a gRPC app with `OnJobEvent` and `OnJobEventAlpha1`
    #: ("grpc"), or one with only `OnJobEventAlpha1` ("grpc-alpha").
    app: AppKind = "none"
    dapr_api_token: str | None = None
    app_api_token: str | None = None
    #: The Scheduler process is stopped before the cases run (daprd keeps running).
    scheduler_down: bool = False
    #: Cases that see every job of the app (List, DeleteByPrefix) run one at a time.
    serial: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "app": self.app,
            "dapr_api_token": self.dapr_api_token,
            "app_api_token": self.app_api_token,
            "scheduler_down": self.scheduler_down,
            "serial": self.serial,
        }


@dataclass(frozen=True)
class Http:
    """A request to daprd's HTTP API. `body` is JSON-encoded compactly; `raw` is sent as it is instead
    (malformed JSON, exact bytes); neither: no body. `path` is sent as written (escapes included)."""

    method: str
    path: str
    body: Any = NO_BODY
    raw: str | None = None
    headers: tuple[tuple[str, str], ...] = ()

    def payload(self) -> bytes | None:
        if self.raw is not None:
            return self.raw.encode()
        if self.body is NO_BODY:
            return None
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False).encode()

    def describe(self) -> dict[str, Any]:
        payload = self.payload()
        return {
            "http": self.method,
            "path": self.path,
            "body": None if payload is None else payload.decode(),
            "headers": [list(pair) for pair in self.headers],
        }


@dataclass(frozen=True)
class Grpc:
    """A call to daprd's gRPC API (`dapr.proto.runtime.v1.Dapr/<rpc>`); `request` is the request message
    in protojson form (`google.protobuf.json_format.ParseDict`)."""

    rpc: str
    request: Any = field(default_factory=dict)
    metadata: tuple[tuple[str, str], ...] = ()

    def describe(self) -> dict[str, Any]:
        return {"grpc": self.rpc, "request": self.request, "metadata": [list(pair) for pair in self.metadata]}


@dataclass(frozen=True)
class Wait:
    """Move the clock until `at` seconds after the case began (fake: advance; real: sleep)."""

    at: float

    def describe(self) -> dict[str, Any]:
        return {"wait": self.at}


@dataclass(frozen=True)
class Received:
    """What the app has received so far for these jobs: each job's callbacks in arrival order, the jobs
    in the order given (deliveries of different jobs may interleave differently from run to run)."""

    jobs: tuple[str, ...]

    def describe(self) -> dict[str, Any]:
        return {"received": list(self.jobs)}


Step = Http | Grpc | Wait | Received


@dataclass(frozen=True)
class Case:
    """A named scenario: `name` is "<area>/<what>", `section` the contract section it checks."""

    name: str
    section: str
    steps: tuple[Step, ...]
    sidecar: Sidecar
    about: str = ""
    #: (job name, statuses) pairs: the app answers that job's callbacks with these HTTP statuses in
    #: turn, the last one repeating (gRPC apps: 200 OK, 404 NOT_FOUND, 500 INTERNAL, 503 UNAVAILABLE,
    #: 400 INVALID_ARGUMENT); a job not listed is answered 200.
    answers: tuple[tuple[str, tuple[int, ...]], ...] = ()
    #: (Dapr version prefix, reason) pairs: versions the case is not recorded on, and why (a call
    #: that hangs, a request that crashes the Scheduler).
    not_recorded: tuple[tuple[str, str], ...] = ()

    def skipped_on(self, version: str) -> str | None:
        """Why the case is not recorded on `version`, or None."""
        for prefix, reason in self.not_recorded:
            if version == prefix or version.startswith(prefix + "."):
                return reason
        return None

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "section": self.section,
            "sidecar": self.sidecar.describe(),
            "answers": [[job, list(statuses)] for job, statuses in self.answers],
            "not_recorded": [list(pair) for pair in self.not_recorded],
            "steps": [step.describe() for step in self.steps],
        }

    def digest(self) -> str:
        """SHA-256 of `describe()` as canonical JSON (what a recording stores per case). Computed once
        per case object: cases are immutable data, and every replay and hash check asks for all of them."""
        cached: str | None = self.__dict__.get("_digest")
        if cached is None:
            text = json.dumps(self.describe(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            cached = hashlib.sha256(text.encode()).hexdigest()
            object.__setattr__(self, "_digest", cached)  # frozen: not a field, so eq/repr/replace ignore it
        return cached


def cases_hash(cases: list[Case], transformers: list[str]) -> str:
    """One hash of every case's digest and the declared transformers' names (a recording is stale when
    either changed)."""
    text = json.dumps(
        {"cases": {case.name: case.digest() for case in cases}, "transformers": transformers}, sort_keys=True
    )
    return hashlib.sha256(text.encode()).hexdigest()
