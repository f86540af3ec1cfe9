"""`fake.jobs`: the stored jobs as a test reads them, live and read-only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..contract.model import JobPlan, JobSpec
from ..golang.calendar import MAX_DATETIME_NS, ns_to_datetime
from .engine import Engine, JobState


@dataclass(frozen=True)
class Job:
    """A stored job as a test sees it: its plan (spec and resolved times) and its progress."""

    name: str
    plan: JobPlan
    next_trigger_at: datetime | None
    triggers: int
    ticks: int

    @property
    def spec(self) -> JobSpec:
        return self.plan.spec

    @property
    def schedule(self) -> str | None:
        return self.plan.spec.schedule

    @property
    def due_time(self) -> str | None:
        return self.plan.spec.due_time

    @property
    def data(self) -> Any:
        """The data as sent: the JSON value (HTTP) or the Any's raw bytes (gRPC); None without data."""
        data = self.plan.spec.data
        return None if data is None else data.as_sent


class JobsView(Mapping[str, Job]):
    """Read-only mapping of job name to `Job`, live over the engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def __getitem__(self, name: str) -> Job:
        state = self._engine.get(name)
        if state is None:
            raise KeyError(name)
        return _job_of(state)

    def __iter__(self) -> Iterator[str]:
        return iter(self._engine.names())

    def __len__(self) -> int:
        return len(self._engine.names())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._engine.get(name) is not None

    def __repr__(self) -> str:
        return f"<jobs {sorted(self)}>"


def _job_of(state: JobState) -> Job:
    return Job(
        name=state.name,
        plan=state.plan,
        next_trigger_at=None
        if state.next_trigger_ns > MAX_DATETIME_NS
        else ns_to_datetime(state.next_trigger_ns),
        triggers=state.delivered,
        ticks=state.ticks,
    )
