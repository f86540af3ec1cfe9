"""The pytest plugin's per-test lifecycle: what happens around each test that uses a fake.

- After the test body (`pytest_runtest_call`): an in-process ASGI app started on the test's event loop
  is shut down while that loop still exists, and every contract warning recorded during the test is
  issued as a `DaprJobsContractWarning`, pointing at the test, so it shows in pytest's warnings
  summary and `-W error::...` fails the test.
- When the test body failed (`pytest_runtest_makereport`): the fake's violations and pending app
  errors are added to that failure's report, and teardown does not fail the test a second time, so
  one bad request is one failure, not a FAILED plus an ERROR.
- At teardown (`check_teardown`): app errors and contract violations fail the test (strict mode).

`plugin` re-exports the hooks; they are here so each module keeps one job.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from collections.abc import Generator
from typing import Any

import pytest

from .fake import DaprJobsFake
from .journal.findings import DaprJobsContractWarning, Violation, explain_all

#: The fakes a test uses (`dapr_jobs`, `make_dapr_jobs`).
TEST_FAKES = pytest.StashKey[list[DaprJobsFake]]()
#: Set when the test body failed: its report already tells about the fakes' findings.
_BODY_FAILED = pytest.StashKey[bool]()

__all__ = [
    "check_teardown",
    "issue_warnings",
    "pytest_pyfunc_call",
    "pytest_runtest_call",
    "pytest_runtest_makereport",
    "used_by_test",
]


def used_by_test(request: pytest.FixtureRequest, fake: DaprJobsFake) -> None:
    """Register `fake` as used by the requesting test (for the hooks below)."""
    request.node.stash.setdefault(TEST_FAKES, []).append(fake)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, None, None]:
    """After the test body: release loop-bound apps, then issue the test's contract warnings."""
    failed = True
    try:
        result = yield
        failed = False
        return result
    finally:
        fakes = item.stash.get(TEST_FAKES, [])
        for fake in fakes:
            # pytest-asyncio and anyio close the test's loop before function fixtures are torn down
            fake.router.release_loop_bound_app()
        issue_warnings(item, fakes, quietly=failed)


def issue_warnings(item: pytest.Item, fakes: list[DaprJobsFake], *, quietly: bool = False) -> None:
    """Issue each new contract warning of `fakes` as a `DaprJobsContractWarning` located at the test.

    `quietly`: the test already failed, so a warning promoted to an error must not hide that failure.
    """
    path, line, _ = item.location
    filename = str(item.path) if getattr(item, "path", None) else path
    promoted: list[str] = []
    for fake in fakes:
        for finding in fake.journal.take_new_warnings():
            try:
                warnings.warn_explicit(
                    DaprJobsContractWarning(finding), DaprJobsContractWarning, filename, (line or 0) + 1
                )
            except DaprJobsContractWarning as error:  # promoted to an error (-W error::..., filterwarnings)
                promoted.append(str(error))
    if promoted and not quietly:
        pytest.fail("\n".join(promoted), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """For async test functions run as coroutines (anyio's plugin, which closes the test's loop
    before returning): shut the in-process ASGI app down at the end of the test coroutine itself."""
    original = pyfuncitem.obj
    fakes = pyfuncitem.stash.get(TEST_FAKES, [])
    if not fakes or not inspect.iscoroutinefunction(original):
        return (yield)

    @functools.wraps(original)
    async def test_then_release_apps(*args: Any, **kwargs: Any) -> Any:
        try:
            return await original(*args, **kwargs)
        finally:
            for fake in fakes:
                await fake.router.release_loop_bound_app_async()

    pyfuncitem.obj = test_then_release_apps
    try:
        return (yield)
    finally:
        pyfuncitem.obj = original


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """A failed test body's report also shows the fakes' violations and app errors (once)."""
    report = yield
    if call.when == "call" and report.failed:
        fakes = item.stash.get(TEST_FAKES, [])
        if fakes:
            item.stash[_BODY_FAILED] = True
        for fake in fakes:
            text = findings_text(fake)
            if text:
                report.sections.append((f"Dapr Jobs fake (emulating Dapr {fake.profile.key})", text))
    return report


def findings_text(fake: DaprJobsFake) -> str:
    """The fake's violations and not-yet-raised app errors, as report lines ('' when none)."""
    parts = []
    violations = fake.violations
    if violations:
        parts.append(f"{len(violations)} request(s) broke the Dapr Jobs contract:\n{explain_all(violations)}")
    errors = fake.clock.pending_errors
    if errors:
        parts.append("app code raised: " + "; ".join(f"{type(e).__name__}: {e}" for e in errors))
    return "\n".join(parts)


def check_teardown(
    fake: DaprJobsFake, *, strict: bool, expected: list[str] | None, item: pytest.Item | None = None
) -> None:
    """Fail the test for app-code errors and contract violations (unless expected or lenient).

    When the test body already failed (its report lists these findings), nothing fails twice.
    """
    if item is not None:
        issue_warnings(item, [fake])
        if item.stash.get(_BODY_FAILED, False):
            fake.clock.take_pending_errors()
            return
    errors = fake.clock.take_pending_errors()
    if errors:
        raise errors[0]
    violations = fake.violations
    if expected is not None:
        seen = [v.rule for v in violations]
        missing = [rule for rule in expected if rule not in seen]
        unexpected: list[Violation] = [v for v in violations if v.rule not in expected]
        problems = []
        if missing:
            problems.append(f"expected contract violation(s) that did not happen: {', '.join(missing)}")
        if unexpected and strict:
            problems.append(f"unexpected contract violation(s):\n{explain_all(unexpected)}")
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)
    elif strict and violations:
        pytest.fail(
            f"{len(violations)} request(s) broke the Dapr Jobs contract "
            f"(emulating Dapr {fake.profile.key}):\n{explain_all(violations)}\n"
            "(a test that sends bad requests on purpose can use "
            "@pytest.mark.dapr_jobs(expect_violations=[...]) or strict=False)",
            pytrace=False,
        )
