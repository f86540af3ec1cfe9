"""One bad request is one failure (issue 12, item 8): when the test body already failed (e.g. the
client raised on the error answer), the fake's violations are shown in that failure's report and
teardown does not add an ERROR for the same request. One pytest project holds the three cases."""

from __future__ import annotations

import pytest
from pytester_support import run_pytest

PROJECT = """
import requests


def test_a_raising_client(dapr_jobs):
    r = requests.post(dapr_jobs.url + "/v1.0/jobs/x", json={"data": {"a": 1}})
    r.raise_for_status()   # the code under test raises on Dapr's 400


def test_ignores_the_answer(dapr_jobs):
    requests.post(dapr_jobs.url + "/v1.0/jobs/x", json={"data": {"a": 1}})


def test_handler_raises_then_assertion_fails(dapr_jobs):
    dapr_jobs.clock.raise_handler_errors = False
    dapr_jobs.on_job("j")(lambda event: 1 / 0)
    requests.post(dapr_jobs.url + "/v1.0/jobs/j", json={"dueTime": "1s"})
    try:
        dapr_jobs.clock.advance(seconds=1)
    finally:
        dapr_jobs.clock.raise_handler_errors = True
    assert False, "the test's own assertion"
"""


def test_each_bad_request_is_reported_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_project=PROJECT)
    result = run_pytest(pytester, "-rA")
    # the raising client and the app error: FAILED only; the ignored answer: passed, then ERROR
    result.assert_outcomes(failed=2, passed=1, errors=1)
    out = result.stdout.str()
    assert "ERROR test_project.py::test_ignores_the_answer" in out
    assert "ERROR test_project.py::test_a_raising_client" not in out
    assert "ERROR test_project.py::test_handler_raises_then_assertion_fails" not in out
    result.stdout.fnmatch_lines(
        [
            "*_ test_a_raising_client _*",
            "*HTTPError: 400 Client Error*",
            "*Dapr Jobs fake (emulating Dapr 1.18)*",
            "*1 request(s) broke the Dapr Jobs contract*",
            "*neither schedule nor dueTime*[schedule.empty]*",
        ]
    )
    result.stdout.fnmatch_lines(
        ["*ERROR at teardown of test_ignores_the_answer*", "*broke the Dapr Jobs contract*"]
    )
    result.stdout.fnmatch_lines(["*the test's own assertion*", "*app code raised: ZeroDivisionError*"])
