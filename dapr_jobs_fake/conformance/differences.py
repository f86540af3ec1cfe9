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
#: Empty: every recorded answer of every shipped version is matched (the last two reasons,
#: `grpc-unknown-method-proxy` and `scheduler-message-size`, were fixed in the fake).
REASONS: dict[str, str] = {}

ACCEPTED: list[Accepted] = []
