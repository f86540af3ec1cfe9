"""Contract warnings are Python warnings of a documented category (issue 12, items 1, 6, 11).

Each warning the journal records (a request Dapr accepts but likely did not mean, §3/§4; a trigger
with no app, §8; JSON data delivered to a gRPC app, §10.2) is issued once at the end of the test as a
`DaprJobsContractWarning` pointing at the test, so pytest's summary shows it and `-W error::...`
fails the test.
"""

from __future__ import annotations

import pytest

UNKNOWN_KEY_TEST = """
import requests

def test_typo_in_a_key(dapr_jobs):
    r = requests.post(dapr_jobs.url + "/v1.0/jobs/typo", json={"dueTIme": "1s", "schedule": "@daily"})
    assert r.status_code == 204
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:randomly", *args
    )


def test_unknown_key_shows_in_the_warnings_summary_s3(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNKNOWN_KEY_TEST)
    result = _run(pytester)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*test_unknown_key_shows_in_the_warnings_summary_s3.py:*: DaprJobsContractWarning: Dapr Jobs "
            "contract warning: POST /v1.0/jobs/typo: $.dueTIme is not a field*",
            "*see: docs/contract.md#body-unknown-key*",
        ]
    )


def test_warnings_can_be_promoted_to_errors_s3(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(UNKNOWN_KEY_TEST)
    result = _run(pytester, "-W", "error::dapr_jobs_fake.DaprJobsContractWarning")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*DaprJobsContractWarning*dueTIme*"])


def test_filterwarnings_marker_ignores_them(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        "import pytest\n"
        "pytestmark = pytest.mark.filterwarnings('ignore::dapr_jobs_fake.DaprJobsContractWarning')\n"
        + UNKNOWN_KEY_TEST
    )
    _run(pytester).assert_outcomes(passed=1)


def test_trigger_without_an_app_warns_once_naming_the_job_s8(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import requests

        def test_nothing_receives_it(dapr_jobs):
            body = {"schedule": "@every 1s", "repeats": 3}
            assert requests.post(dapr_jobs.url + "/v1.0/jobs/lonely", json=body).status_code == 204
            dapr_jobs.clock.advance(seconds=10)
            assert all(not r.delivered for r in dapr_jobs.triggers)
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(
        [
            "*trigger of 'lonely' at *: job 'lonely' fell due, but nothing receives triggers*",
            "*on_job('lonely')*",
        ]
    )


def test_dataless_http_job_warns_on_versions_that_break_it_s4(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.dapr_jobs(dapr_version="1.18.2")
        def test_no_data(dapr_jobs):
            assert requests.post(dapr_jobs.url + "/v1.0/jobs/bare", json={"dueTime": "1s"}).status_code == 204

        @pytest.mark.dapr_jobs(dapr_version="1.18.3")
        def test_no_data_fixed(dapr_jobs):
            assert requests.post(dapr_jobs.url + "/v1.0/jobs/bare", json={"dueTime": "1s"}).status_code == 204
        """
    )
    result = _run(pytester)
    result.assert_outcomes(passed=2, warnings=1)
    result.stdout.fnmatch_lines(
        ["*test_no_data*", "*Dapr 1.18.2 stores a job scheduled over HTTP without data*"]
    )


def test_journal_lists_request_and_trigger_warnings_in_order(fake: object) -> None:
    import requests

    from dapr_jobs_fake import DaprJobsFake

    assert isinstance(fake, DaprJobsFake)
    requests.post(f"{fake.url}/v1.0/jobs/a", json={"dueTime": "1s", "scheduel": "x"}, timeout=5)
    fake.clock.advance(seconds=5)
    rules = [w.rule for w in fake.warnings]
    assert rules == ["body.unknown-key", "trigger.no-app"]
    assert fake.journal.take_new_warnings() == fake.warnings
    assert fake.journal.take_new_warnings() == []
