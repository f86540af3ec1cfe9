"""Contract warnings are Python warnings of a documented category (issue 12, items 1, 6, 11).

Each warning the journal records (a request Dapr accepts but likely did not mean, §3/§4; a trigger
with no app, §8; JSON data delivered to a gRPC app, §10.2) is issued once at the end of the test as a
`DaprJobsContractWarning` pointing at the test, so pytest's summary shows it and `-W error::...`
fails the test. One pytest project holds every case (a pytest start-up per case would cost seconds).
"""

from __future__ import annotations

import pytest
from pytester_support import run_pytest

PROJECT = """
import pytest
import requests


def post(fake, name, body):
    assert requests.post(f"{fake.url}/v1.0/jobs/{name}", json=body).status_code == 204


def test_typo_in_a_key(dapr_jobs):
    post(dapr_jobs, "typo", {"dueTIme": "1s", "schedule": "@daily"})


def test_nothing_receives_it(dapr_jobs):
    post(dapr_jobs, "lonely", {"schedule": "@every 1s", "repeats": 3})
    dapr_jobs.clock.advance(seconds=10)
    assert all(not r.delivered for r in dapr_jobs.triggers)


@pytest.mark.dapr_jobs(dapr_version="1.18.2")
def test_no_data_on_1_18_2(dapr_jobs):
    post(dapr_jobs, "bare", {"dueTime": "1s"})


@pytest.mark.dapr_jobs(dapr_version="1.18.3")
def test_no_data_on_1_18_3(dapr_jobs):
    post(dapr_jobs, "bare", {"dueTime": "1s"})


@pytest.mark.filterwarnings("ignore::dapr_jobs_fake.DaprJobsContractWarning")
def test_filtered_out(dapr_jobs):
    post(dapr_jobs, "typo2", {"dueTIme": "1s", "schedule": "@daily"})
"""


def test_warnings_show_in_the_summary_at_their_test(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_project=PROJECT)
    result = run_pytest(pytester)
    # typo (§3), the trigger nothing receives (once, though it fell due 3 times: §8), 1.18.2's data-less
    # HTTP job (§4); not 1.18.3's (fixed there), not the filtered one
    result.assert_outcomes(passed=5, warnings=3)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "test_project.py::test_typo_in_a_key",
            "*test_project.py:*: DaprJobsContractWarning: Dapr Jobs contract warning: "
            "POST /v1.0/jobs/typo: $.dueTIme is not a field*",
            "*see: docs/contract.md#body-unknown-key*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "test_project.py::test_nothing_receives_it",
            "*trigger of 'lonely' at *: job 'lonely' fell due, but nothing receives triggers*",
            "*on_job('lonely')*",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "test_project.py::test_no_data_on_1_18_2",
            "*Dapr 1.18.2 stores a job scheduled over HTTP without data*",
        ]
    )
    assert "test_no_data_on_1_18_3" not in out and "typo2" not in out


def test_warnings_can_be_promoted_to_errors_s3(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_project=PROJECT)
    result = run_pytest(pytester, "-W", "error::dapr_jobs_fake.DaprJobsContractWarning")
    result.assert_outcomes(failed=3, passed=2)
    result.stdout.fnmatch_lines(
        [
            "*_ test_typo_in_a_key _*",
            "Dapr Jobs contract warning: POST /v1.0/jobs/typo: $.dueTIme is not a field*",
        ]
    )
    assert "pytest_runtest_call" not in result.stdout.str()  # the warning's text, not the plugin's frames


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
