"""A downstream project's conftest.py using dapr-jobs-fake (kept runnable: tests/test_conftest_example.py).

Copy it next to your tests as `conftest.py`. With dapr-jobs-fake installed, the pytest plugin is
loaded automatically and gives every test a blank fake sidecar (`dapr_jobs`) whose address is in
`DAPR_HTTP_PORT` / `DAPR_HTTP_ENDPOINT`. This file adds what a typical service needs on top: the
app that receives triggered jobs, and a client for the code under test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import requests
from flask import Flask, request

from dapr_jobs_fake import DaprJobsFake

# Every test starts at the same virtual instant, so trigger times in assertions are stable.
START = datetime(2030, 1, 1, tzinfo=timezone.utc)


def create_app(received: list[tuple[str, object]]) -> Flask:
    """Your service's Flask app; daprd calls `POST /job/<name>` when a job is due."""
    app = Flask(__name__)

    @app.post("/job/<name>")
    def on_job(name: str) -> tuple[str, int]:
        received.append((name, request.get_json(silent=True)))
        return "", 200

    return app


class ReminderService:
    """The code under test: schedules reminders through the sidecar found in the environment."""

    def __init__(self) -> None:
        self.base = os.environ["DAPR_HTTP_ENDPOINT"]
        self.session = requests.Session()

    def remind(self, user: int, every: str) -> None:
        response = self.session.post(
            f"{self.base}/v1.0/jobs/reminder-{user}",
            json={"schedule": f"@every {every}", "data": {"user": user}},
        )
        response.raise_for_status()


@pytest.fixture
def received() -> list[tuple[str, object]]:
    return []


@pytest.fixture
def sidecar(dapr_jobs: DaprJobsFake, received: list[tuple[str, object]]) -> Iterator[DaprJobsFake]:
    """The fake sidecar, delivering triggers to the Flask app in process (no socket, no waiting)."""
    dapr_jobs.reset(start=START)  # the dapr_jobs marker can do this too: @pytest.mark.dapr_jobs(start=START)
    dapr_jobs.wsgi_app = create_app(received)
    yield dapr_jobs


@pytest.fixture
def reminders(sidecar: DaprJobsFake) -> ReminderService:
    return ReminderService()
