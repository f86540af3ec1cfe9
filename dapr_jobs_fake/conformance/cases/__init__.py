"""The conformance cases, as data: one module per area of the contract, collected by `all_cases()`.

Areas: `routes` (§2, §4, §12 paths, methods, answers), `bodies` (§3 decoding), `names` (§6), `schedules`
(§7, §9), `timing` (§8 dueTime, ttl, repeats), `grpc_api` (§14, §5.2 over gRPC), `triggers` (§8, §10
callbacks and bodies), `failures` (§10.3, §10.4 retries), `security` (§11 tokens), `outage` (§5.2 with
the Scheduler stopped). The daprd integration suite (dapr/dapr tests/integration/suite/daprd/jobs) is
their backbone; every case names the contract section it checks.
"""

from __future__ import annotations

from ..model import Case
from .bodies import CASES as _BODIES
from .failures import CASES as _FAILURES
from .grpc_api import CASES as _GRPC_API
from .names import CASES as _NAMES
from .outage import CASES as _OUTAGE
from .routes import CASES as _ROUTES
from .schedules import CASES as _SCHEDULES
from .security import CASES as _SECURITY
from .timing import CASES as _TIMING
from .triggers import CASES as _TRIGGERS

__all__ = ["all_cases", "area_of"]

_AREAS = (_ROUTES, _BODIES, _NAMES, _SCHEDULES, _TIMING, _GRPC_API, _TRIGGERS, _FAILURES, _SECURITY, _OUTAGE)


def all_cases() -> list[Case]:
    """Every case, in declaration order; names are unique (a ValueError names a duplicate)."""
    cases = [case for area in _AREAS for case in area]
    seen: set[str] = set()
    for case in cases:
        if case.name in seen:
            raise ValueError(f"two conformance cases are named {case.name!r}")
        seen.add(case.name)
    return cases


def area_of(case: Case) -> str:
    """The area of a case: the part of its name before the first `/`."""
    return case.name.split("/", 1)[0]
