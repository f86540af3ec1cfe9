"""The pytest plugin, tested with pytester as time-machine tests its plugin.

Each inner run is a subprocess (about a second), so the tests share a few projects: one on the
defaults, one set by command-line options, one by ini options, one under xdist. Each test file in a
project is one behaviour, and its outcomes are checked test by test from the `-rA` summary.
"""

from __future__ import annotations

import pytest
from pytester_support import ProjectRun, outcomes, run_project, run_pytest

# A request every emulated version refuses (400, `schedule.empty`: no schedule and no dueTime).
BAD_REQUEST_TEST = """
import requests

def test_sends_an_empty_job(dapr_jobs):
    r = requests.post(dapr_jobs.url + "/v1.0-alpha1/jobs/x", json={})
    assert r.status_code == 400
"""

VERSION_TEST = """
import pytest, requests

def test_default_or_ini(dapr_jobs, request):
    assert dapr_jobs.profile.key == request.config.getoption("dapr_jobs_version") or \\
        dapr_jobs.profile.key == request.config.getini("dapr_jobs_version")

@pytest.mark.dapr_jobs(dapr_version="docs-1.14-alpha")
def test_marker(dapr_jobs):
    r = requests.post(dapr_jobs.url + "/v1.0-alpha1/jobs/j", json={"job": {"dueTime": "30s"}})
    assert r.status_code == 202
"""

DEFAULT_PROJECT = {
    "test_env": """
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
        """,
    "test_violation": """
        import requests

        def test_sends_a_wrapped_body(dapr_jobs):
            r = requests.post(dapr_jobs.url + "/v1.0/jobs/x", json={"job": {"dueTime": "1s"}})
            assert r.status_code == 400
        """,
    "test_marker_leniency": """
        import pytest, requests

        @pytest.mark.dapr_jobs(strict=False)
        def test_lenient_by_marker(dapr_jobs):
            assert requests.post(dapr_jobs.url + "/v1.0-alpha1/jobs/x", json={}).status_code == 400

        @pytest.mark.dapr_jobs(expect_violations=["schedule.empty"])
        def test_expected_by_marker(dapr_jobs):
            assert requests.post(dapr_jobs.url + "/v1.0-alpha1/jobs/x", json={}).status_code == 400
        """,
    "test_expected_never": """
        import pytest

        @pytest.mark.dapr_jobs(expect_violations=["name.in-body"])
        def test_well_behaved(dapr_jobs):
            pass
        """,
    "test_version": VERSION_TEST,
    "test_typo": """
        import pytest

        @pytest.mark.dapr_jobs(dapr_verison="1.18")
        def test_typo(dapr_jobs):
            pass
        """,
    "test_handler_error": """
        import pytest, requests

        def test_handler_raises(dapr_jobs):
            @dapr_jobs.on_job("boom")
            def handler(event):
                raise ValueError("app bug")
            requests.post(dapr_jobs.url + "/v1.0/jobs/boom",
                          json={"dueTime": "1s", "failure_policy": {"drop": {}}})
            with pytest.raises(ValueError, match="app bug"):
                dapr_jobs.clock.advance(seconds=1)
            dapr_jobs.assert_triggered("boom", times=1)
        """,
    "test_make": """
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
        """,
}


@pytest.fixture(scope="module")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> ProjectRun:
    """The default project, run once on the plugin's defaults."""
    return run_project(tmp_path_factory.mktemp("defaults"), DEFAULT_PROJECT)


def test_fixture_points_env_at_a_blank_fake_per_test(default_run: ProjectRun) -> None:
    found = outcomes(default_run)
    assert found["test_env.py::test_first"] == {"PASSED"}
    assert found["test_env.py::test_second_sees_nothing_of_the_first"] == {"PASSED"}, default_run.stdout


def test_violation_fails_the_test_at_teardown_with_an_explanation(default_run: ProjectRun) -> None:
    assert outcomes(default_run)["test_violation.py::test_sends_a_wrapped_body"] == {"PASSED", "ERROR"}
    default_run.stdout.fnmatch_lines(
        [
            "*1 request(s) broke the Dapr Jobs contract (emulating Dapr 1.18)*",
            "*POST /v1.0/jobs/x*schedule.empty*",
            "*hint:*wrapper*",
        ]
    )


def test_opting_out_of_strictness_per_test(default_run: ProjectRun) -> None:
    """The marker's strict=False and expect_violations each let the bad request pass."""
    found = outcomes(default_run)
    assert found["test_marker_leniency.py::test_lenient_by_marker"] == {"PASSED"}
    assert found["test_marker_leniency.py::test_expected_by_marker"] == {"PASSED"}


def test_expected_violation_that_never_happens_fails(default_run: ProjectRun) -> None:
    assert outcomes(default_run)["test_expected_never.py::test_well_behaved"] == {"PASSED", "ERROR"}
    default_run.stdout.fnmatch_lines(["*expected contract violation(s) that did not happen: name.in-body*"])


def test_unknown_marker_option_is_a_usage_error(default_run: ProjectRun) -> None:
    assert "PASSED" not in outcomes(default_run)["test_typo.py::test_typo"]
    default_run.stdout.fnmatch_lines(["*unknown option(s)*dapr_verison*"])


def test_handler_error_reaches_the_test(default_run: ProjectRun) -> None:
    assert outcomes(default_run)["test_handler_error.py::test_handler_raises"] == {"PASSED"}


def test_make_dapr_jobs_starts_extra_fakes_and_stops_them(default_run: ProjectRun) -> None:
    found = outcomes(default_run)
    assert found["test_make.py::test_two_fakes"] == {"PASSED"}
    assert found["test_make.py::test_stopped_afterwards"] == {"PASSED"}


def test_version_from_the_default_and_the_marker(default_run: ProjectRun) -> None:
    found = outcomes(default_run)
    assert found["test_version.py::test_default_or_ini"] == {"PASSED"}
    assert found["test_version.py::test_marker"] == {"PASSED"}


@pytest.fixture(scope="module")
def options_run(tmp_path_factory: pytest.TempPathFactory) -> ProjectRun:
    """A project run with `--dapr-jobs-lenient --dapr-version docs-1.14-alpha`."""
    files = {"test_version": VERSION_TEST, "test_bad": BAD_REQUEST_TEST}
    options = ("--dapr-jobs-lenient", "--dapr-version", "docs-1.14-alpha")
    return run_project(tmp_path_factory.mktemp("options"), files, *options)


TRAVEL_TEST = """
    import time
    from datetime import datetime, timedelta, timezone

    import pytest
    import requests

    START = datetime(2031, 5, 1, tzinfo=timezone.utc)

    @pytest.mark.dapr_jobs(start=START, dapr_version="1.18")
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


@pytest.fixture(scope="module")
def ini_run(tmp_path_factory: pytest.TempPathFactory) -> ProjectRun:
    """A project run whose pytest.ini sets the version, strictness and travel."""
    ini = "[pytest]\ndapr_jobs_version = docs-1.14-alpha\ndapr_jobs_strict = false\ndapr_jobs_travel = true\n"
    files = {"test_version": VERSION_TEST, "test_bad": BAD_REQUEST_TEST, "test_travel": TRAVEL_TEST}
    return run_project(tmp_path_factory.mktemp("ini"), files, ini=ini)


def test_version_from_the_command_line_and_ini(options_run: ProjectRun, ini_run: ProjectRun) -> None:
    assert outcomes(options_run)["test_version.py::test_default_or_ini"] == {"PASSED"}, options_run
    assert outcomes(ini_run)["test_version.py::test_default_or_ini"] == {"PASSED"}, ini_run


def test_opting_out_of_strictness_for_the_run(options_run: ProjectRun) -> None:
    assert outcomes(options_run)["test_bad.py::test_sends_an_empty_job"] == {"PASSED"}, options_run


def test_ini_strict_false_and_travel(ini_run: ProjectRun) -> None:
    """`dapr_jobs_strict = false` lets the bad request pass; `dapr_jobs_travel = true` (and the
    marker's `travel=False`) make `now` follow the virtual clock, or not."""
    found = outcomes(ini_run)
    assert found["test_bad.py::test_sends_an_empty_job"] == {"PASSED"}, ini_run
    assert found["test_travel.py::test_handler_reads_trigger_time"] == {"PASSED"}, ini_run
    assert found["test_travel.py::test_marker_turns_it_off"] == {"PASSED"}, ini_run


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
    run_pytest(pytester, "-n", "2", plugins=("xdist",)).assert_outcomes(passed=6)
