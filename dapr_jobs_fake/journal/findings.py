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
            lines.append(f"    see: {rule_reference(self.rule)}")
        return "\n".join(lines)


class Violation(Finding):
    """A request the emulated Dapr version rejects."""


class ContractWarning(Finding):
    """A request Dapr accepts, though it likely does not mean what its author thinks (or a trigger
    that is delivered, though likely not as meant: no app, JSON data to a gRPC app)."""


class DaprJobsContractWarning(UserWarning):
    """The Python warning category of contract warnings: the pytest plugin warns with it at the end
    of each test, once per finding, so warnings show in pytest's summary. Filter or promote it as any
    warning: `-W error::dapr_jobs_fake.DaprJobsContractWarning`, or
    `@pytest.mark.filterwarnings("error::dapr_jobs_fake.DaprJobsContractWarning")`.
    `finding` is the journal's `ContractWarning` (None for a warning rebuilt from its text)."""

    def __init__(self, finding: ContractWarning | str) -> None:
        # A plain message too: pytest-xdist rebuilds warnings from their text in the controller.
        if isinstance(finding, str):
            super().__init__(finding)
            self.finding: ContractWarning | None = None
        else:
            super().__init__(f"Dapr Jobs contract warning: {finding.explain()}")
            self.finding = finding


#: Where the rules are explained: the shipped docs (docs/contract.md, one section per rule id).
CONTRACT_DOC = "docs/contract.md"


def rule_reference(rule: str) -> str:
    """The docs section explaining `rule`: `docs/contract.md#<rule id with '.' as '-'>`."""
    return f"{CONTRACT_DOC}#{rule_anchor(rule)}"


def rule_anchor(rule: str) -> str:
    """The heading anchor of `rule` in docs/contract.md (MkDocs and GitHub slugs agree on it)."""
    return rule.lower().replace(".", "-").replace(":", "-")


def explain_all(findings: list[Violation] | list[ContractWarning] | list[Finding]) -> str:
    return "\n".join(f"  {i}. {f.explain()}" for i, f in enumerate(findings, 1))
