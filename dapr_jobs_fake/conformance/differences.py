"""The documented differences: where the fake may answer differently from the recording, and why.

Each `Accepted` names a case (a glob over case names), a path inside its observations (a glob over
`<step>/<key>/...`, `*` for the whole case) and, optionally, the Dapr versions it is about; its reason
is printed with every difference it accepts and in docs/conformance.md. Nothing else may differ. An
entry that accepts nothing on a version it applies to fails the replay: remove it when the fake is fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ACCEPTED", "REASONS", "Accepted"]


@dataclass(frozen=True)
class Accepted:
    case: str
    path: str
    #: The key of its reason in `REASONS`.
    why: str
    #: Version prefixes ("1.15", "1.18.3") it applies to; empty: every version.
    versions: tuple[str, ...] = ()

    @property
    def reason(self) -> str:
        return f"{self.why}: {REASONS[self.why]}"


#: Why the fake may differ, by key: what real daprd does, what the fake does, and what would fix it.
REASONS = {
    "scheduler-message-size": (
        "daprd's Scheduler client sends at most 2 MiB per request (gRPC ResourceExhausted: HTTP 429 from "
        "1.16, 500 before), and 1.14's embedded etcd refuses a request over 1.5 MiB (`etcdserver: request is "
        "too large`); the fake has no size limit between daprd and the Scheduler. To fix: a profile field "
        "with the limit and the request's protobuf size (the recorded texts quote it) in contract/rules.py"
    ),
}

ACCEPTED: list[Accepted] = [
    Accepted("bodies/scheduler-message-over-2-mib", "0/*", "scheduler-message-size"),
    Accepted("bodies/just-under-4-mib", "0/*", "scheduler-message-size"),
    Accepted("bodies/scheduler-message-under-2-mib", "0/*", "scheduler-message-size", ("1.14",)),
]
