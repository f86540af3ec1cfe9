"""The journal's views and assertion helpers on the object that owns a journal (the fake's facade).

`fake.calls`, `fake.triggers`, `fake.assert_triggered(...)` read `fake.journal`: one definition here,
so the facade stays about wiring and the docs show one docstring per view.
"""

from __future__ import annotations

from .assertions import JobAssertions
from .findings import ContractWarning, Violation
from .journal import Journal
from .records import Call, TriggerRecord


class JournalViews(JobAssertions):
    """`calls`, `triggers`, `violations`, ... and the `assert_*` helpers of `self.journal`."""

    journal: Journal

    @property
    def calls(self) -> list[Call]:
        """Every answered request, HTTP and gRPC, in the order the fake applied them."""
        return self.journal.calls

    @property
    def scheduled(self) -> list[Call]:
        """Accepted schedule requests, in order."""
        return self.journal.scheduled

    @property
    def fetched(self) -> list[Call]:
        """Successful GETs, in order."""
        return self.journal.fetched

    @property
    def deleted(self) -> list[Call]:
        """Accepted deletes (a delete of a missing job is accepted, as Dapr answers it)."""
        return self.journal.deleted

    @property
    def violations(self) -> list[Violation]:
        """The contract violations of every call, in order (what strict tests fail on)."""
        return self.journal.violations

    @property
    def warnings(self) -> list[ContractWarning]:
        """Contract warnings of requests and triggers, in order (issued as Python warnings in pytest)."""
        return self.journal.warnings

    @property
    def triggers(self) -> list[TriggerRecord]:
        """Every delivery attempt the clock made, in order (retries and attempts without an app too)."""
        return self.journal.triggers
