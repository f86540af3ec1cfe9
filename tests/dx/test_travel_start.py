"""The fixture's default start is the process's current time, honouring the test's own time-machine
travel (issue 12, item 10): the clock reads the time when the test first uses it, not at setup."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import requests
import time_machine

from dapr_jobs_fake import DaprJobsFake

TRAVELLED = datetime(2031, 6, 1, 12, 0, tzinfo=timezone.utc)


@time_machine.travel(TRAVELLED, tick=False)
def test_a_travelled_test_starts_the_clock_at_its_time(dapr_jobs: DaprJobsFake) -> None:
    assert dapr_jobs.clock.now() == TRAVELLED


@time_machine.travel(TRAVELLED, tick=False)
def test_the_first_request_fixes_the_start(dapr_jobs: DaprJobsFake) -> None:
    fired: list[datetime] = []
    dapr_jobs.on_job("later")(lambda event: fired.append(event.scheduled_at))
    response = requests.post(f"{dapr_jobs.url}/v1.0/jobs/later", json={"dueTime": "1h"}, timeout=5)
    assert response.status_code == 204
    dapr_jobs.clock.run_until_idle()
    assert fired == [TRAVELLED + timedelta(hours=1)]


def test_an_explicit_start_wins_over_travel() -> None:
    start = datetime(2030, 1, 1, tzinfo=timezone.utc)
    fake = DaprJobsFake(start=start, grpc=False)
    with time_machine.travel(TRAVELLED, tick=False):
        assert fake.clock.now() == start
    fake.reset(start=None)  # no start: read at first use
    with time_machine.travel(TRAVELLED, tick=False):
        assert fake.clock.now() == TRAVELLED
