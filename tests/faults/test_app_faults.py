"""App-side faults (issue 13): deliveries that fail without a failing app, so failure policies can be
tested against any app. What the Scheduler makes of each outcome is contract §10.3 / §10.4."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from wire import send

from dapr_jobs_fake import AppFault, DaprJobsFake

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
ALPHA = "/v1.0-alpha1/jobs/"


@pytest.fixture
def app(fake: DaprJobsFake) -> list[str]:
    """The session fake at START with an in-process app that records what reached it."""
    fake.reset(start=START)
    reached: list[str] = []
    fake.on_job()(lambda event: reached.append(f"{event.name}@{event.scheduled_at:%H:%M:%S}"))
    return reached


def schedule(fake: DaprJobsFake, name: str, **body: object) -> None:
    assert send(fake, "POST", ALPHA + name, {"dueTime": "1h", **body}).status == 204


def test_a_status_fails_the_next_deliveries_then_the_app_answers__s10_3_s10_4(
    fake: DaprJobsFake, app: list[str]
) -> None:
    fault = fake.faults.app("invoice", times=2, status=503)
    schedule(fake, "invoice", failurePolicy={"constant": {"interval": "30s", "maxRetries": 5}})
    fake.clock.advance(hours=2)
    attempts = fake.assert_triggered("invoice", times=1, attempts=3)
    assert [r.scheduled_at - START for r in attempts] == [timedelta(hours=1, seconds=s) for s in (0, 30, 60)]
    assert [(r.status, r.injected) for r in attempts] == [
        (503, "the app answers 503"),
        (503, "the app answers 503"),
        (200, None),
    ]
    assert app == ["invoice@01:01:00"] and fault.hits == 2 and not fault.active


def test_404_counts_as_done_as_daprd_reads_it__s10_3(fake: DaprJobsFake, app: list[str]) -> None:
    fake.faults.app(status=404)
    schedule(fake, "gone")
    fake.clock.advance(hours=2)
    assert [r.next_step for r in fake.triggers] == ["finished"] and app == []


def test_every_job_until_cleared_and_other_jobs_untouched(fake: DaprJobsFake, app: list[str]) -> None:
    fake.faults.app("a")  # default: the app answers 500
    schedule(fake, "a", failurePolicy={"drop": {}})
    schedule(fake, "b")
    fake.clock.advance(hours=2)
    assert app == ["b@01:00:00"]
    assert [(r.name, r.succeeded, r.injected) for r in fake.triggers] == [
        ("a", False, "the app answers 500"),
        ("b", True, None),
    ]


def test_a_dropped_trigger_never_reaches_the_app_and_is_not_retried(
    fake: DaprJobsFake, app: list[str]
) -> None:
    fake.faults.app("daily", drop=True, times=1)
    schedule(fake, "daily", schedule="@every 24h", repeats=2, dueTime="1h")
    fake.clock.advance(days=2)
    assert app == ["daily@01:00:00"]  # the second tick; the first was lost
    assert [(r.tick, r.kind, r.injected) for r in fake.triggers] == [
        (1, "no-target", "the trigger is dropped before it reaches the app"),
        (2, "delivered", None),
    ]
    fake.assert_triggered("daily", times=1)


def test_a_hang_lasts_the_delivery_timeout_then_fails(fake: DaprJobsFake, app: list[str]) -> None:
    fake.configure(delivery_timeout=0.05)
    fake.faults.app("slow", hang=True, times=1)
    schedule(fake, "slow", failurePolicy={"constant": {"interval": "1s", "maxRetries": 1}})
    fake.clock.advance(hours=2)
    first, second = fake.triggers
    assert (first.succeeded, first.next_step, first.injected) == (
        False,
        "retry",
        "the app hangs until the delivery timeout",
    )
    assert "no answer within 0.05 s (delivery_timeout)" in (first.reason or "")
    assert second.succeeded and app == ["slow@01:00:01"]


def test_clear_ends_a_hang_at_once(fake: DaprJobsFake, app: list[str]) -> None:
    fake.configure(delivery_timeout=60.0)
    fault = fake.faults.app(hang=True)
    schedule(fake, "x", failurePolicy={"drop": {}})
    mover = threading.Thread(target=lambda: fake.clock.advance(hours=2))
    mover.start()
    for _ in range(1000):  # until the hang began
        if fault.hits:
            break
        threading.Event().wait(0.005)
    fault.clear()
    mover.join(10)
    assert not mover.is_alive() and fake.triggers[0].succeeded is False


def test_the_faults_option_is_applied_again_by_reset(fake: DaprJobsFake, app: list[str]) -> None:
    fake.reset(start=START, faults=[AppFault(status=502)])
    fake.on_job()(lambda event: app.append(event.name))
    schedule(fake, "x", failurePolicy={"drop": {}})
    fake.clock.advance(hours=2)
    assert fake.triggers[0].status == 502 and app == []
    fake.reset()  # options are applied again: the fault is back, with fresh counts
    assert [f.hits for f in fake.faults.installed] == [0]
    fake.reset(start=START, faults=())
    fake.on_job()(lambda event: app.append(event.name))
    schedule(fake, "x")
    fake.clock.advance(hours=2)
    assert app == ["x"]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"status": 503, "hang": True}, "one way"),
        ({"status": 99}, "HTTP status"),
        ({"times": -1}, "times must be"),
    ],
)
def test_bad_app_faults_say_what_is_wrong(spec: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        AppFault(**spec)  # type: ignore[arg-type]


def test_changing_the_faults_option_replaces_the_installed_ones(fake: DaprJobsFake) -> None:
    fake.reset(faults=[AppFault(status=502)])
    fake.configure(faults=[AppFault(status=503), AppFault(drop=True)])
    assert [f.spec for f in fake.faults.installed] == [AppFault(status=503), AppFault(drop=True)]
    fake.configure(faults=[])
    assert fake.faults.installed == []
