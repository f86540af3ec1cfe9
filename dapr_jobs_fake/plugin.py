"""The pytest plugin (entry point `pytest11`): fixtures `dapr_jobs` and `make_dapr_jobs`, marker `dapr_jobs`.

One fake per test session (per xdist worker) keeps its port; `dapr_jobs` resets it before each test,
as pytest-httpserver does with its server, because starting and stopping servers per test costs more
than clearing state. Strict by default: a test during which a request broke the Dapr contract, or an
in-process job handler raised, fails at teardown with the reason spelled out.

gRPC and the Dapr Python SDK: when the `grpc` extra is installed (ini `dapr_jobs_grpc = auto`, the
default; `true` requires it, `false` turns it off) the session fake also serves daprd's gRPC API, and
`dapr_jobs` sets `DAPR_GRPC_PORT`/`DAPR_GRPC_ENDPOINT` next to `DAPR_HTTP_PORT`/`DAPR_HTTP_ENDPOINT`
for each test, so `dapr.clients.DaprClient()` built inside the test talks to the fake. Dapr SDK 1.19+
reads those variables whenever it connects; SDKs up to 1.18 read them once, when `dapr.conf` is first
imported, usually while test modules are collected, before any fixture runs. For those, set ini
`dapr_jobs_early_env = true`: the session fake then starts while pytest loads its conftest files
(`pytest_load_initial_conftests`), before any test module is imported, and its variables go into
`os.environ` for the whole run (one fake per xdist worker; none in the xdist controller). If `dapr`
was imported even earlier (by another plugin), its already-read settings are updated too. Without the
ini option the session fake starts lazily, with the first test that uses it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from .cli.args import dapr_version
from .contract.profiles import DEFAULT_PROFILE, PROFILES
from .fake import DaprJobsFake
from .options import STATE_DEFAULTS, STATE_OPTIONS, check_names, info
from .plugin_lifecycle import (  # the per-test hooks, registered with this plugin module
    check_teardown,
    pytest_pyfunc_call,
    pytest_runtest_call,
    pytest_runtest_makereport,
    used_by_test,
)

__all__ = [
    "check_teardown",
    "dapr_jobs",
    "dapr_jobs_session",
    "make_dapr_jobs",
    "pytest_pyfunc_call",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
]

#: The plugin's own marker options, beside every state option of the fake (`FakeOptions`).
_PLUGIN_OPTIONS = {
    "strict": "False: record violations without failing the test",
    "expect_violations": "rule names that must occur, e.g. ['schedule.empty']",
}
MARKER_OPTIONS = (*STATE_OPTIONS, *_PLUGIN_OPTIONS)
#: Fake options with an ini option of their own (`OptionInfo.ini`), e.g. dapr_jobs_version.
_INI_OPTIONS = {name: info(name).ini for name in STATE_OPTIONS if info(name).ini}
_GRPC_ENV = ("DAPR_GRPC_PORT", "DAPR_GRPC_ENDPOINT")
_EARLY_FAKE = pytest.StashKey[DaprJobsFake]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dapr-jobs-fake", "fake Dapr sidecar for the Jobs API")
    group.addoption(
        "--dapr-version",
        dest="dapr_jobs_version",
        default=None,
        type=dapr_version,
        metavar="VERSION",
        help=f"Dapr version the dapr_jobs fixture emulates: {', '.join(PROFILES)}, or a full version such as "
        f"1.16.17 (default: ini dapr_jobs_version, else {DEFAULT_PROFILE.key})",
    )
    group.addoption(
        "--dapr-jobs-lenient",
        dest="dapr_jobs_lenient",
        action="store_true",
        default=None,
        help="do not fail tests whose requests violated the Dapr Jobs contract (they are still recorded)",
    )
    for name, ini in _INI_OPTIONS.items():
        default = STATE_DEFAULTS[name]
        help_text = f"default of the fake's {name} option: {info(name).doc} (default {str(default).lower()})"
        if isinstance(default, bool):
            parser.addini(str(ini), help_text, type="bool", default=default)
        else:
            parser.addini(str(ini), help_text, default=default)
    parser.addini(
        "dapr_jobs_strict",
        "fail a test at teardown when a request violated the contract (default true)",
        type="bool",
        default=True,
    )
    parser.addini(
        "dapr_jobs_grpc",
        "serve daprd's gRPC API too (for the Dapr SDKs): auto (when the grpc extra is installed), "
        "true or false (default auto)",
        default="auto",
    )
    parser.addini(
        "dapr_jobs_early_env",
        "start the session fake before test modules are imported and export its DAPR_* variables "
        "for the whole run (needed by Dapr Python SDK <= 1.18, which reads them once at import; "
        "default false)",
        type="bool",
        default=False,
    )


def _grpc_option(config: pytest.Config) -> bool | None:
    value = str(config.getini("dapr_jobs_grpc")).strip().lower()
    if value in ("auto", ""):
        return None
    if value in ("true", "1", "yes", "on"):
        return True
    if value in ("false", "0", "no", "off"):
        return False
    raise pytest.UsageError(f"ini dapr_jobs_grpc must be auto, true or false, not {value!r}")


def _is_xdist_controller(config: pytest.Config) -> bool:
    workers = getattr(config.known_args_namespace, "numprocesses", None)
    return bool(workers) and "PYTEST_XDIST_WORKER" not in os.environ


def export_env(fake: DaprJobsFake) -> None:
    """Put the fake's `DAPR_*` variables in `os.environ`, and into `dapr.conf.settings` when a Dapr
    SDK up to 1.18 has already read them (1.19+ reads the environment on access: nothing to do)."""
    env = fake.env
    os.environ.update(env)
    if fake.grpc_server is None:
        for key in _GRPC_ENV:
            os.environ.pop(key, None)
    conf = sys.modules.get("dapr.conf")
    settings = getattr(conf, "settings", None)
    if settings is None:
        return
    for key, value in env.items():
        if key in vars(settings):  # a value read at import (<= 1.18) or assigned by hand
            current = vars(settings)[key]
            setattr(settings, key, type(current)(value) if isinstance(current, (int, float)) else value)


def check_sdk_settings(fake: DaprJobsFake) -> None:
    """Fail at once when a Dapr SDK up to 1.18 read `DAPR_*` before the fixture set them: its clients
    would look for a sidecar elsewhere (port 3500) and fail after a 60 s health check."""
    settings = getattr(sys.modules.get("dapr.conf"), "settings", None)
    captured = vars(settings) if settings is not None else {}
    stale = sorted(key for key, value in fake.env.items() if key in captured and str(captured[key]) != value)
    if stale:
        shown = ", ".join(f"{key}={captured[key]!r} (the fake: {fake.env[key]!r})" for key in stale)
        pytest.fail(
            "the Dapr SDK read its DAPR_* settings when dapr.conf was imported, before the dapr_jobs "
            f"fixture set them: {shown}. Dapr SDK <= 1.18 reads them once, so its clients would wait 60 s "
            "for a sidecar there and fail. Add `dapr_jobs_early_env = true` to your pytest ini (the "
            "fake then starts before test modules import dapr), or use dapr >= 1.19.",
            pytrace=False,
        )


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    """With ini `dapr_jobs_early_env`, start the session fake before conftests and test modules are
    imported, so SDKs that read `DAPR_*` once at import see it (see the module docstring)."""
    if not early_config.getini("dapr_jobs_early_env") or _is_xdist_controller(early_config):
        return
    fake = DaprJobsFake(grpc=_grpc_option(early_config)).start()
    early_config.stash[_EARLY_FAKE] = fake
    export_env(fake)


def pytest_unconfigure(config: pytest.Config) -> None:
    fake = config.stash.get(_EARLY_FAKE, None)
    if fake is not None:
        fake.stop()
        del config.stash[_EARLY_FAKE]


def pytest_configure(config: pytest.Config) -> None:
    described = [f"{name} ({info(name).doc})" for name in STATE_OPTIONS]
    described += [f"{name} ({doc})" for name, doc in _PLUGIN_OPTIONS.items()]
    config.addinivalue_line(
        "markers", "dapr_jobs(**options): per-test options for the dapr_jobs fixture: " + "; ".join(described)
    )


def _defaults(config: pytest.Config) -> dict[str, Any]:
    """The run's defaults: every state option (ini where it has one), then the plugin's own."""
    defaults = dict(STATE_DEFAULTS)
    for name, ini in _INI_OPTIONS.items():
        value = config.getini(str(ini))
        kind = type(STATE_DEFAULTS[name])
        try:
            defaults[name] = kind(value) if kind in (int, float) else value
        except ValueError:
            raise pytest.UsageError(f"ini {ini} must be a number, not {value!r}") from None
    defaults["dapr_version"] = config.getoption("dapr_jobs_version") or defaults["dapr_version"]
    defaults["strict"] = bool(config.getini("dapr_jobs_strict")) and not config.getoption("dapr_jobs_lenient")
    return defaults


def _state(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items() if k in STATE_OPTIONS}


def _marker_options(request: pytest.FixtureRequest) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("dapr_jobs"))):  # closest marker wins
        if marker.args:
            raise pytest.UsageError("@pytest.mark.dapr_jobs takes keyword options only")
        try:
            check_names(marker.kwargs, MARKER_OPTIONS, "option")
        except TypeError as err:
            raise pytest.UsageError(f"@pytest.mark.dapr_jobs: {err}") from None
        options.update(marker.kwargs)
    return options


@pytest.fixture(scope="session")
def dapr_jobs_session(pytestconfig: pytest.Config) -> Iterator[DaprJobsFake]:
    """The session's running fake (one per xdist worker); tests use `dapr_jobs`, which resets it.

    Serves gRPC per ini `dapr_jobs_grpc`; already running when ini `dapr_jobs_early_env` is set.
    """
    early = pytestconfig.stash.get(_EARLY_FAKE, None)
    if early is not None:
        yield early  # stopped in pytest_unconfigure
        return
    fake = DaprJobsFake(dapr_version=_defaults(pytestconfig)["dapr_version"], grpc=_grpc_option(pytestconfig))
    fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def dapr_jobs(
    request: pytest.FixtureRequest, dapr_jobs_session: DaprJobsFake, monkeypatch: pytest.MonkeyPatch
) -> Iterator[DaprJobsFake]:
    """A running `DaprJobsFake`, blank for this test, with its `DAPR_*` variables set (`fake.env`:
    HTTP, and gRPC when on, so `dapr.clients.DaprClient()` created in the test reaches it)."""
    options = {**_defaults(request.config), **_marker_options(request)}
    fake = dapr_jobs_session
    fake.reset(**_state(options))
    used_by_test(request, fake)
    for key, value in fake.env.items():
        monkeypatch.setenv(key, value)
    if not fake.api_token:
        monkeypatch.delenv("DAPR_API_TOKEN", raising=False)
    if fake.grpc_server is None:
        for key in _GRPC_ENV:
            monkeypatch.delenv(key, raising=False)
    check_sdk_settings(fake)
    try:
        yield fake
    finally:
        try:
            check_teardown(
                fake,
                strict=bool(options["strict"]),
                expected=options.get("expect_violations"),
                item=request.node,
            )
        finally:
            fake.reset(**_state(_defaults(request.config)))


@pytest.fixture
def make_dapr_jobs(request: pytest.FixtureRequest) -> Iterator[Callable[..., DaprJobsFake]]:
    """Factory: `make_dapr_jobs(**DaprJobsFake options)` starts an extra fake, stopped after the test.

    Each one gets the same teardown checks as `dapr_jobs` (strictness from the marker and ini).
    """
    options = {**_defaults(request.config), **_marker_options(request)}
    made: list[DaprJobsFake] = []

    def make(**kwargs: Any) -> DaprJobsFake:
        kwargs.setdefault("dapr_version", options["dapr_version"])
        fake = DaprJobsFake(**kwargs).start()
        made.append(fake)
        used_by_test(request, fake)
        return fake

    try:
        yield make
    finally:
        try:
            for fake in made:
                check_teardown(
                    fake,
                    strict=bool(options["strict"]),
                    expected=options.get("expect_violations"),
                    item=request.node,
                )
        finally:
            for fake in made:
                fake.stop()
