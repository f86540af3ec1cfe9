"""One bad request is one failure (issue 12, item 8): when the test body already failed (e.g. the
client raised on the error answer), the fake's violations are shown in that failure's report and
teardown does not add an ERROR for the same request."""

from __future__ import annotations

import pytest
from pytester_support import run_pytest


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return run_pytest(pytester, *args)


def test_a_raising_client_gives_one_failure_with_the_explanation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_schedules_without_a_schedule(dapr_jobs):
            r = requests.post(dapr_jobs.url + "/v1.0/jobs/x", json={"data": {"a": 1}})
            r.raise_for_status()   # the code under test raises on Dapr's 400
        """
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1, errors=0)
    result.stdout.fnmatch_lines(
        [
            "*HTTPError: 400 Client Error*",
            "*Dapr Jobs fake (emulating Dapr 1.18)*",
            "*1 request(s) broke the Dapr Jobs contract*",
            "*neither schedule nor dueTime*[schedule.empty]*",
        ]
    )


def test_a_passing_body_still_fails_at_teardown_for_a_violation(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_ignores_the_answer(dapr_jobs):
            requests.post(dapr_jobs.url + "/v1.0/jobs/x", json={"data": {"a": 1}})
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*ERROR at teardown*", "*1 request(s) broke the Dapr Jobs contract*"])


def test_an_app_error_after_a_failed_body_is_reported_once(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_handler_raises_then_assertion_fails(dapr_jobs):
            dapr_jobs.clock.raise_handler_errors = False
            dapr_jobs.on_job("j")(lambda event: 1 / 0)
            requests.post(dapr_jobs.url + "/v1.0/jobs/j", json={"dueTime": "1s"})
            dapr_jobs.clock.advance(seconds=1)
            assert False, "the test's own assertion"
        """
    )
    result = _run(pytester)
    result.assert_outcomes(failed=1, errors=0)
    result.stdout.fnmatch_lines(["*the test's own assertion*", "*app code raised: ZeroDivisionError*"])
