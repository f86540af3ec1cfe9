"""The pytest plugin, tested with pytester as time-machine tests its plugin."""

from __future__ import annotations

import pytest
from pytester_support import run_pytest

BAD_REQUEST_TEST = """
import requests

def test_sends_a_wrapped_body(dapr_jobs):
    r = requests.post(dapr_jobs.url + "/v1.0/jobs/x", json={"job": {"dueTime": "1s"}})
    assert r.status_code == 400
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return run_pytest(pytester, *args, plugins=("xdist",) if "-n" in args else ())


def test_fixture_points_env_at_a_blank_fake_per_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import os, requests

        ports = []

        def test_first(dapr_jobs):
            assert os.environ["DAPR_HTTP_ENDPOINT"] == dapr_jobs.url
            assert os.environ["DAPR_HTTP_PORT"] == str(dapr_jobs.http_port)
            ports.append(dapr_jobs.http_port)
            r = requests.post(os.environ["DAPR_HTTP_ENDPOINT"] + "/v1.0/jobs/a", json={"dueTime": "1h"})
            assert r.status_code == 204
            dapr_jobs.assert_scheduled("a", due_time="1h")

        def test_second_sees_nothing_of_the_first(dapr_jobs):
            assert dapr_jobs.http_port == ports[0]      # one server per session, reset between tests
            assert list(dapr_jobs.jobs) == [] and dapr_jobs.calls == []
            r = requests.get(dapr_jobs.url + "/v1.0/jobs/a")
            assert r.status_code == 500                  # contract §5.2: GET of a missing job
        """
    )
    _run(pytester).assert_outcomes(passed=2)


def test_violation_fails_the_test_at_teardown_with_an_explanation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(BAD_REQUEST_TEST)
    result = _run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*1 request(s) broke the Dapr Jobs contract (emulating Dapr 1.18)*",
            "*POST /v1.0/jobs/x*schedule.empty*",
            "*hint:*wrapper*",
        ]
    )


@pytest.mark.parametrize(
    "opt_out",
    [
        ("@pytest.mark.dapr_jobs(strict=False)", ()),
        ("@pytest.mark.dapr_jobs(expect_violations=['schedule.empty'])", ()),
        ("", ("--dapr-jobs-lenient",)),
    ],
    ids=["marker-strict-false", "marker-expected", "command-line-lenient"],
)
def test_opting_out_of_strictness(pytester: pytest.Pytester, opt_out: tuple[str, tuple[str, ...]]) -> None:
    marker, args = opt_out
    pytester.makepyfile("import pytest\n" + BAD_REQUEST_TEST.replace("def test_", f"{marker}\ndef test_"))
    _run(pytester, *args).assert_outcomes(passed=1)


def test_ini_strict_false(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ndapr_jobs_strict = false\n")
    pytester.makepyfile(BAD_REQUEST_TEST)
    _run(pytester).assert_outcomes(passed=1)


def test_expected_violation_that_never_happens_fails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.dapr_jobs(expect_violations=["name.in-body"])
        def test_well_behaved(dapr_jobs):
            pass
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*expected contract violation(s) that did not happen: name.in-body*"])


def test_version_from_marker_option_and_ini(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        def test_default_or_ini(dapr_jobs, request):
            assert dapr_jobs.profile.key == request.config.getoption("dapr_jobs_version") or \\
                dapr_jobs.profile.key == request.config.getini("dapr_jobs_version")

        @pytest.mark.dapr_jobs(dapr_version="docs-1.14-alpha")
        def test_marker(dapr_jobs):
            r = requests.post(dapr_jobs.url + "/v1.0-alpha1/jobs/j", json={"job": {"dueTime": "30s"}})
            assert r.status_code == 202
        """
    )
    _run(pytester).assert_outcomes(passed=2)
    _run(pytester, "--dapr-version", "docs-1.14-alpha").assert_outcomes(passed=2)
    pytester.makeini("[pytest]\ndapr_jobs_version = docs-1.14-alpha\n")
    _run(pytester).assert_outcomes(passed=2)


def test_unknown_marker_option_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.dapr_jobs(dapr_verison="1.18")
        def test_typo(dapr_jobs):
            pass
        """
    )
    result = _run(pytester)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*unknown option(s)*dapr_verison*"])


def test_handler_error_reaches_the_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest

        def test_handler_raises(dapr_jobs):
            @dapr_jobs.on_job("boom")
            def handler(event):
                raise ValueError("app bug")
            import requests
            requests.post(dapr_jobs.url + "/v1.0/jobs/boom",
                          json={"dueTime": "1s", "failure_policy": {"drop": {}}})
            with pytest.raises(ValueError, match="app bug"):
                dapr_jobs.clock.advance(seconds=1)
            dapr_jobs.assert_triggered("boom", times=1)
        """
    )
    _run(pytester).assert_outcomes(passed=1)


def test_make_dapr_jobs_starts_extra_fakes_and_stops_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        made = []

        @pytest.mark.dapr_jobs(strict=False)  # the 401 below is a violation, on purpose
        def test_two_fakes(make_dapr_jobs, dapr_jobs):
            other = make_dapr_jobs(dapr_version="docs-1.14-alpha", api_token="s3cret")
            made.append(other)
            assert other.http_port != dapr_jobs.http_port
            assert requests.get(other.url + "/v1.0/metadata").status_code == 401
            r = requests.get(other.url + "/v1.0/metadata", headers={"dapr-api-token": "s3cret"})
            assert r.json()["runtimeVersion"] == "1.14.0-docs"

        def test_stopped_afterwards():
            assert not made[0].httpserver.is_running()
        """
    )
    _run(pytester).assert_outcomes(passed=2)


def test_works_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.parametrize("n", range(6))
        def test_each_worker_has_its_own_fake(dapr_jobs, n):
            r = requests.post(dapr_jobs.url + f"/v1.0/jobs/job-{n}", json={"schedule": "@every 1s"})
            assert r.status_code == 204
            assert list(dapr_jobs.jobs) == [f"job-{n}"]
        """
    )
    _run(pytester, "-n", "2").assert_outcomes(passed=6)


def test_travel_from_ini_and_marker_makes_now_follow_the_virtual_clock(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ndapr_jobs_travel = true\n")
    pytester.makepyfile(
        """
        import time
        from datetime import datetime, timedelta, timezone

        import pytest
        import requests

        START = datetime(2031, 5, 1, tzinfo=timezone.utc)

        @pytest.mark.dapr_jobs(start=START)
        def test_handler_reads_trigger_time(dapr_jobs):
            seen = []
            dapr_jobs.on_job("t")(lambda event: seen.append((datetime.now(timezone.utc), time.time())))
            requests.post(dapr_jobs.url + "/v1.0/jobs/t", json={"dueTime": "2h"})
            dapr_jobs.clock.advance(hours=3)
            due = START + timedelta(hours=2)
            assert seen == [(due, due.timestamp())]
            assert datetime.now(timezone.utc) == START + timedelta(hours=3)

        @pytest.mark.dapr_jobs(travel=False)
        def test_marker_turns_it_off(dapr_jobs):
            assert datetime.now(timezone.utc).year < 2031
        """
    )
    _run(pytester).assert_outcomes(passed=2)
