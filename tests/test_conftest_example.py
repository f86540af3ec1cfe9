"""conftest_example.py stays runnable: used as a downstream project's conftest.py, its fixtures work."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytester_support import run_pytest

EXAMPLE = Path(__file__).resolve().parent.parent / "conftest_example.py"


def test_conftest_example_drives_a_flask_app(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(EXAMPLE.read_text(encoding="utf-8"))
    pytester.makepyfile(
        """
        from datetime import timedelta

        def test_reminder_reaches_the_flask_app(reminders, sidecar, received):
            reminders.remind(user=7, every="1h")
            sidecar.assert_scheduled("reminder-7", schedule="@every 1h", data={"user": 7})
            sidecar.clock.advance(hours=3)
            assert received == [("reminder-7", {"user": 7})] * 3
            sidecar.assert_triggered("reminder-7", times=3)
            assert sidecar.clock.now().year == 2030

        def test_each_test_starts_at_the_same_instant(sidecar):
            assert sidecar.clock.now().isoformat() == "2030-01-01T00:00:00+00:00"
        """
    )
    run_pytest(pytester).assert_outcomes(passed=2)
