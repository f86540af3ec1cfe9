"""The public API is a promise: what the first version exported and documented keeps working.

The names below are those of the first release (its `__all__`, the fake's documented attributes, the
plugin's fixtures, ini options and command-line options, the CLI's flags): a restructuring may add to
them, never take one away.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

import dapr_jobs_fake
import dapr_jobs_fake.plugin
from dapr_jobs_fake import DaprJobsFake

FIRST_EXPORTS = {
    "PROFILES", "Call", "ClockError", "ContractWarning", "DaprError", "DaprJobsFake", "Job", "JobEvent",
    "Profile", "TriggerRecord", "Violation", "VirtualClock", "__version__", "get_profile",
}  # fmt: skip
FAKE_ATTRIBUTES = {
    "url", "http_port", "grpc_port", "env", "profile", "jobs", "calls", "triggers", "violations", "warnings",
    "clock", "httpserver", "start", "stop", "reset", "on_job", "assert_scheduled", "assert_triggered",
    "app_url", "app_grpc_address", "wsgi_app",
}  # fmt: skip
INI_OPTIONS = {"dapr_jobs_version", "dapr_jobs_strict", "dapr_jobs_travel"}
FIXTURES = {"dapr_jobs", "dapr_jobs_session", "make_dapr_jobs"}
CLI_FLAGS = {
    "--port",
    "--grpc-port",
    "--no-grpc",
    "--dapr-version",
    "--api-token",
    "--app-url",
    "--clock",
    "--start",
}


def test_every_first_release_export_is_still_exported() -> None:
    assert set(dapr_jobs_fake.__all__) >= FIRST_EXPORTS
    for name in FIRST_EXPORTS:
        assert hasattr(dapr_jobs_fake, name), name


def test_the_fake_keeps_its_documented_attributes() -> None:
    with DaprJobsFake() as fake:
        missing = {name for name in FAKE_ATTRIBUTES if not hasattr(fake, name)}
    assert not missing


def test_the_plugin_keeps_its_fixtures_and_ini_options(pytestconfig: pytest.Config) -> None:
    for name in INI_OPTIONS:
        pytestconfig.getini(name)  # raises ValueError for an unknown ini option
    plugin = pytestconfig.pluginmanager.get_plugin("dapr_jobs_fake")
    assert plugin is dapr_jobs_fake.plugin  # registered by its entry point
    assert {name for name in FIXTURES if not hasattr(plugin, name)} == set()


def test_the_cli_keeps_its_flags() -> None:
    help_text = subprocess.run(
        [sys.executable, "-m", "dapr_jobs_fake.cli", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert {flag for flag in CLI_FLAGS if flag not in help_text} == set()
