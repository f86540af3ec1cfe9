"""Contract findings: what a request did wrong (violations) or suspiciously (warnings).

A violation is recorded whenever the emulated Dapr version would reject a request because of what
the request says (not because of state, such as a GET of a job that no longer exists): the client
code has a bug that real Dapr would surface later and less clearly. A warning is a request that Dapr
accepts but probably does not do what its author meant.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One problem with one request.

    `request` is a one-line description (`POST /v1.0/jobs/x`), `location` a JSON path into the body
    (`$.failurePolicy.constant.interval`) or a request part (`url`, `header dapr-api-token`), `rule`
    a stable identifier, `message` one line saying what is wrong and `hint` what to send instead.
    """

    request: str
    location: str
    rule: str
    message: str
    hint: str | None = None
    section: str | None = None

    def explain(self) -> str:
        """A few readable lines for an assertion message or a log."""
        where = f" at {self.location}" if self.location else ""
        lines = [f"{self.request}: {self.message}{where} [{self.rule}]"]
        if self.hint:
            lines.append(f"    hint: {self.hint}")
        if self.section:
            lines.append(f"    see: dapr-jobs-contract.md {self.section}")
        return "\n".join(lines)


class Violation(Finding):
    """A request the emulated Dapr version rejects."""


class ContractWarning(Finding):
    """A request Dapr accepts, though it likely does not mean what its author thinks."""


def explain_all(findings: list[Violation] | list[ContractWarning] | list[Finding]) -> str:
    return "\n".join(f"  {i}. {f.explain()}" for i, f in enumerate(findings, 1))
