"""Jobs fire through the facade: HTTP, WSGI and in-process apps (issue 3, contract §8, §10)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
import requests
from flask import Flask, request
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from dapr_jobs_fake import DaprJobsFake

START = datetime(2030, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def fake(fake: DaprJobsFake) -> DaprJobsFake:
    """The shared fake, its clock at START."""
    fake.reset(start=START)
    return fake


def post(fake: DaprJobsFake, name: str, body: object) -> requests.Response:
    return requests.post(f"{fake.url}/v1.0/jobs/{name}", json=body, timeout=10)


def test_http_app_receives_post_job_name_with_json_body_and_app_token__s10_1(httpserver: HTTPServer) -> None:
    with DaprJobsFake(start=START, app_url=httpserver.url_for(""), app_api_token="app-secret") as fake:
        seen: list[tuple[str, str | None, str | None, bytes]] = []

        def app(req: Request) -> Response:
            seen.append(
                (req.path, req.headers.get("Content-Type"), req.headers.get("dapr-api-token"), req.data)
            )
            return Response("", 200)

        httpserver.expect_request("/job/remind-me", method="POST").respond_with_handler(app)
        assert post(fake, "remind-me", {"dueTime": "10s", "data": {"b": 2, "a": [1, "x"]}}).status_code == 204
        fake.clock.advance(seconds=10)
    assert seen == [("/job/remind-me", "application/json", "app-secret", b'{"a":[1,"x"],"b":2}')]
    fake.assert_triggered("remind-me", at=[START + timedelta(seconds=10)])


def test_flask_wsgi_app_receives_triggers_in_process__s10_1(fake: DaprJobsFake) -> None:
    app = Flask(__name__)
    received: list[tuple[str, object]] = []

    @app.post("/job/<name>")
    def on_job(name: str) -> tuple[str, int]:
        received.append((name, request.get_json()))
        return "", 200

    fake.wsgi_app = app
    post(fake, "hourly", {"schedule": "@hourly", "repeats": 2, "data": "tick"})
    fake.clock.advance(hours=5)
    assert received == [("hourly", "tick"), ("hourly", "tick")]
    fake.assert_triggered("hourly", at=[START + timedelta(hours=1), START + timedelta(hours=2)])
    assert "hourly" not in fake.jobs  # no further tick: deleted (§8)


def test_get_after_a_one_shot_job_fired_is_500_not_found__s8(fake: DaprJobsFake) -> None:
    fake.on_job("once")(lambda event: None)
    post(fake, "once", {"dueTime": "1s"})
    assert requests.get(f"{fake.url}/v1.0/jobs/once").status_code == 200
    fake.clock.advance(seconds=1)
    answer = requests.get(f"{fake.url}/v1.0/jobs/once")
    assert answer.status_code == 500
    assert answer.json()["message"] == (
        "failed to get job due to: rpc error: code = NotFound desc = job not found: once"
    )
    assert fake.violations == []  # a state answer, not a contract violation


def test_without_an_app_each_attempt_fails_and_the_policy_applies__s8(fake: DaprJobsFake) -> None:
    """§8, corrected on 2026-12-01 from D@v1.18.3 `streamer.go:187-188`: with no app channel daprd still
    takes the trigger and fails it ("received job, but app channel not initialized"); the default policy
    gives four attempts at +0..+3 s, then the one-shot job is gone."""
    post(fake, "lonely", {"dueTime": "5s"})
    records = fake.clock.advance(minutes=1)
    assert [(r.attempt, r.scheduled_at, r.kind) for r in records] == [
        (n, START + timedelta(seconds=5 + n - 1), "no-target") for n in range(1, 5)
    ]
    assert {r.outcome.reason for r in records if r.outcome} == {
        "received job, but app channel not initialized"
    }
    assert requests.get(f"{fake.url}/v1.0/jobs/lonely").status_code == 500  # finished: not found
    fake.assert_triggered("lonely", times=0)  # nothing reached an app


def test_held_triggers_are_delivered_in_order_when_the_app_is_back__s8(fake: DaprJobsFake) -> None:
    """§8 "Held triggers": while no sidecar is connected (or the app is unhealthy) the Scheduler keeps
    due triggers; they are delivered in order when it is back."""
    fired: list[tuple[str, datetime]] = []
    fake.on_job()(lambda event: fired.append((event.name, event.scheduled_at)))
    fake.app_connected = False
    post(fake, "a", {"dueTime": "5s"})
    post(fake, "b", {"dueTime": "3s"})
    fake.clock.advance(minutes=1)
    assert fired == [] and requests.get(f"{fake.url}/v1.0/jobs/a").status_code == 200
    fake.app_connected = True  # delivers what was held, at once
    assert fired == [("b", START + timedelta(seconds=3)), ("a", START + timedelta(seconds=5))]
    assert [r.kind for r in fake.triggers] == ["no-target", "no-target", "delivered", "delivered"]


def test_dapr_1_14_drops_triggers_while_no_sidecar_is_connected__s8(fake: DaprJobsFake) -> None:
    """1.14.x: a trigger for an app ID with no connected stream is dropped and its tick consumed
    (D@v1.14.4 `pkg/scheduler/server/api.go:175-185`)."""
    fake.reset(dapr_version="1.14", start=START, app_connected=False)
    fake.on_job()(lambda event: None)
    post(fake, "gone", {"schedule": "@every 1s", "repeats": 2})
    fake.clock.advance(seconds=5)
    fake.app_connected = True
    assert "gone" not in fake.jobs
    fake.assert_triggered("gone", times=0)


def test_failed_delivery_is_retried_at_virtual_times_between_other_jobs__s10_4(fake: DaprJobsFake) -> None:
    order: list[tuple[str, int, datetime]] = []

    @fake.on_job("flaky")
    def flaky(event) -> bool:  # type: ignore[no-untyped-def]
        order.append(("flaky", event.attempt, event.scheduled_at))
        return event.attempt >= 3  # False -> 500: a failure

    @fake.on_job("steady")
    def steady(event) -> None:  # type: ignore[no-untyped-def]
        order.append(("steady", event.attempt, event.scheduled_at))

    post(fake, "flaky", {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "2s", "maxRetries": 5}}})
    post(fake, "steady", {"schedule": "@every 2s", "repeats": 3})
    fake.clock.advance(seconds=10)
    at = lambda s: START + timedelta(seconds=s)  # noqa: E731
    assert order == [
        ("flaky", 1, at(1)),
        ("steady", 1, at(2)),
        ("flaky", 2, at(3)),
        ("steady", 1, at(4)),
        ("flaky", 3, at(5)),
        ("steady", 1, at(6)),
    ]


def test_default_policy_makes_four_attempts_then_gives_up__s10_4(fake: DaprJobsFake) -> None:
    fake.on_job("down")(lambda event: 503)
    post(fake, "down", {"dueTime": "0s"})
    fake.clock.advance(seconds=30)
    records = fake.assert_triggered("down", times=1, attempts=4)
    assert [r.scheduled_at for r in records] == [START + timedelta(seconds=s) for s in range(4)]
    assert "down" not in fake.jobs


def test_handler_scheduling_over_http_fires_within_the_same_move__s8(fake: DaprJobsFake) -> None:
    @fake.on_job("parent")
    def parent(event) -> None:  # type: ignore[no-untyped-def]
        # through the fake's HTTP server thread, re-entering the engine while the clock is moving
        assert post(fake, "child", {"dueTime": "30s", "data": event.attempt}).status_code == 204

    children: list[datetime] = []
    fake.on_job("child")(lambda event: children.append(event.scheduled_at))
    post(fake, "parent", {"dueTime": "10s"})
    fake.clock.advance(minutes=1)
    assert children == [START + timedelta(seconds=40)]


def test_jobs_view_shows_next_trigger_and_count_and_overwrite_resets_it__s8(fake: DaprJobsFake) -> None:
    fake.on_job()(lambda event: None)
    post(fake, "daily", {"schedule": "@every 24h"})
    fake.clock.advance(hours=48)
    job = fake.jobs["daily"]
    assert (job.triggers, job.next_trigger_at) == (2, START + timedelta(hours=72))
    assert post(fake, "daily", {"schedule": "@every 24h", "overwrite": True}).status_code == 204
    assert fake.jobs["daily"].triggers == 0
    assert fake.jobs["daily"].next_trigger_at == fake.clock.now() + timedelta(hours=24)


def test_travel_makes_the_process_clock_read_the_trigger_time() -> None:
    seen: list[datetime] = []
    with DaprJobsFake(start=START, travel=True) as fake:
        fake.on_job("t")(lambda event: seen.append(datetime.now(timezone.utc)))
        post(fake, "t", {"dueTime": "90m"})
        fake.clock.advance(hours=2)
        after = datetime.now(timezone.utc)
    assert seen == [START + timedelta(minutes=90)]
    assert after == START + timedelta(hours=2)
    assert datetime.now(timezone.utc).year != 2030 or START.year == datetime.now(timezone.utc).year


def test_undelivered_body_for_gone_app_is_a_failure_not_an_error__s10_3(fake: DaprJobsFake) -> None:
    fake.app_url = "http://127.0.0.1:9"  # discard port: nothing listens
    post(fake, "lost", {"dueTime": "1s", "failure_policy": {"drop": {}}})
    records = fake.clock.advance(seconds=5)
    assert [(r.name, r.succeeded, r.status) for r in records] == [("lost", False, None)]
    assert json.dumps(fake.triggers[0].line())  # readable


def test_reset_keeps_an_app_set_through_its_setter(fake: DaprJobsFake) -> None:
    """`reset(**options)` keeps options not given, including those set later through properties."""
    fake.app_url = "http://127.0.0.1:9"
    fake.reset(start=START)
    assert fake.app_url == "http://127.0.0.1:9"
    fake.reset(app_url=None)
    assert fake.app_url is None
