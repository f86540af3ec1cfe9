"""Dapr SDK <= 1.18 reads `DAPR_*` once, when `dapr.conf` is imported (real-clients.md); if that
happened before the fixture set them, the test fails at once naming the ini option, instead of each
client waiting 60 s on port 3500 (issue 12, item 9). SDK 1.19 reads the environment on access; a
value assigned on `dapr.conf.settings` is what <= 1.18 leaves behind, so the tests assign one."""

from __future__ import annotations

import pytest
from pytester_support import run_pytest

pytest.importorskip("dapr.conf")

STALE_SETTINGS = """
import dapr.conf

dapr.conf.settings.DAPR_HTTP_PORT = 3500   # what dapr <= 1.18 captured at import
dapr.conf.settings.DAPR_GRPC_PORT = 50001


def test_uses_the_sdk(dapr_jobs):
    raise AssertionError("not reached: the fixture fails first")
"""


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return run_pytest(pytester, *args)


def test_stale_sdk_settings_fail_at_once_naming_the_ini_option(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(STALE_SETTINGS)
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(
        ["*the Dapr SDK read its DAPR_* settings*DAPR_HTTP_PORT=3500*dapr_jobs_early_env = true*"]
    )
    assert "not reached" not in result.stdout.str()


def test_with_early_env_the_same_project_passes(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\ndapr_jobs_early_env = true\n")
    pytester.makepyfile(
        """
        import dapr.conf

        def test_settings_point_at_the_fake(dapr_jobs):
            dapr.conf.settings.DAPR_HTTP_PORT = dapr_jobs.http_port  # as <= 1.18 read them, early
            assert str(dapr.conf.settings.DAPR_HTTP_PORT) == dapr_jobs.env["DAPR_HTTP_PORT"]
        """
    )
    _run(pytester).assert_outcomes(passed=1)
