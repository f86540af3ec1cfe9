"""One runner for both targets: it plays each case's steps against a sidecar and collects one normalised
observation per step.

A target is a set of sidecars, one per `Sidecar` configuration of the cases (`SidecarTarget`), each
starting a `CaseRun` per case: the fake's reset its state and advance a virtual clock, the real
target's sleep real time and run at the same time as the other cases of their sidecar (each case has
its own job names), unless the sidecar is `serial`. Everything else, from the placeholders to the
clients and the transformers, is shared, so both targets are asked exactly the same thing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from typing import Any, Protocol

from ..contract.profiles import get_profile
from ..golang.duration import parse_go_duration
from .model import Case, Grpc, Http, Received, Wait
from .normalise import normalise

__all__ = ["CaseRun", "SidecarTarget", "render_placeholders", "run_case", "run_cases"]

_PLACEHOLDER = re.compile(r"\{in:([^{}]+)\}")


class CaseRun(Protocol):
    """One case on one sidecar: the steps' effects, and the case's own clock."""

    def now(self) -> datetime:
        """The time the case's requests are made at (UTC)."""

    def http(self, method: str, path: str, body: bytes | None, headers: tuple[tuple[str, str], ...]) -> Any:
        """Send a request to the sidecar's HTTP API; the observation (`http_client.send`)."""

    def grpc(self, rpc: str, request: Any, metadata: tuple[tuple[str, str], ...]) -> Any:
        """Call the sidecar's gRPC API; the observation (`grpc_client.call`)."""

    def wait_until(self, at: float) -> None:
        """Let time pass until `at` seconds after the case began."""

    def received(self, jobs: tuple[str, ...]) -> list[dict[str, Any]]:
        """What the app received for `jobs` so far."""


class SidecarTarget(Protocol):
    """One sidecar configuration of a target, started."""

    #: Whether its cases may run at the same time (the real target, unless the sidecar is serial).
    concurrent: bool

    def begin(self, case: Case) -> CaseRun: ...

    def close(self) -> None: ...


def _at(now: datetime, duration: str) -> str:
    whole = now.replace(microsecond=0)
    moved = whole + timedelta(microseconds=parse_go_duration(duration) // 1000)
    return moved.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def render_placeholders(value: Any, now: datetime, rendered: dict[str, str]) -> Any:
    """`value` with each `{in:<duration>}` in its strings replaced by that RFC 3339 time after `now`
    (whole seconds, UTC); `rendered` collects time -> placeholder for `normalise`."""
    if isinstance(value, str):

        def one(match: re.Match[str]) -> str:
            text = _at(now, match[1])
            rendered[text] = match[0]
            return text

        return _PLACEHOLDER.sub(one, value)
    if isinstance(value, list):
        return [render_placeholders(item, now, rendered) for item in value]
    if isinstance(value, dict):
        return {key: render_placeholders(item, now, rendered) for key, item in value.items()}
    return value


def _path(path: str, version: str) -> str:
    api = get_profile(version).api_versions[-1]
    return path.replace("{api}", api).replace("{alpha}", "v1.0-alpha1")


def run_case(case: Case, run: CaseRun, version: str) -> list[dict[str, Any]]:
    """Every step of `case` on `run`, one raw observation each, then normalised."""
    observations: list[dict[str, Any]] = []
    rendered: dict[str, str] = {}
    for step in case.steps:
        if isinstance(step, Http):
            payload = step.payload()
            if payload is not None:
                payload = render_placeholders(payload.decode(), run.now(), rendered).encode()
            path = _path(step.path, version)
            observed = run.http(step.method, path, payload, step.headers)
            observations.append({"http": f"{step.method} {step.path}", **observed})
        elif isinstance(step, Grpc):
            request = render_placeholders(step.request, run.now(), rendered)
            observations.append({"grpc": step.rpc, **run.grpc(step.rpc, request, step.metadata)})
        elif isinstance(step, Wait):
            run.wait_until(step.at)
            observations.append({"wait": step.at})
        elif isinstance(step, Received):
            observations.append({"received": run.received(step.jobs)})
    return normalise(observations, rendered)


def _guarded(case: Case, target: SidecarTarget, version: str) -> list[dict[str, Any]]:
    try:
        return run_case(case, target.begin(case), version)
    except Exception as error:  # one broken case must not lose the others' observations
        return [{"runner-error": f"{type(error).__name__}: {error}"}]


def run_cases(
    cases: Iterable[Case],
    targets: Mapping[str, SidecarTarget],
    version: str,
    *,
    workers: int = 48,
    progress: Callable[[str], None] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """Observations of every case, by name. Cases of concurrent sidecars run at the same time (a thread
    each, up to `workers`); a serial sidecar's cases run one after another in one thread."""
    results: dict[str, list[dict[str, Any]]] = {}
    by_sidecar: dict[str, list[Case]] = {}
    for case in cases:
        by_sidecar.setdefault(case.sidecar.name, []).append(case)

    def serially(group: list[Case]) -> None:
        for case in group:
            results[case.name] = _guarded(case, targets[case.sidecar.name], version)
            if progress is not None:
                progress(case.name)

    def one(case: Case) -> None:
        serially([case])

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        jobs = []
        for name, group in by_sidecar.items():
            if targets[name].concurrent:
                jobs += [pool.submit(one, case) for case in group]
            else:
                jobs.append(pool.submit(serially, group))
        for job in jobs:
            job.result()
    if progress is not None:
        progress(f"{len(results)} cases in {time.monotonic() - started:.1f} s")
    return results
