"""The real runtime, always inside a private network namespace whose only interface is loopback: the
launcher works (tests/conformance/real_checks.py), and `record` of a few cases gives what the shipped
recording holds (`compare`). Skipped, saying why, when the binaries are not built or no namespace can
be made."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dapr_jobs_fake.conformance import cli, netns

pytestmark = pytest.mark.real_dapr
HERE = Path(__file__).resolve().parent


def test_launcher_inside_a_private_network_namespace(real_binaries: tuple[Path, Path]) -> None:
    daprd, scheduler = real_binaries
    result = netns.run_inside(
        [sys.executable, str(HERE / "real_checks.py"), str(daprd), str(scheduler)], timeout=300
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr


def test_record_some_cases_and_compare_with_the_shipped_recording(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], real_binaries: tuple[Path, Path]
) -> None:
    daprd, scheduler = real_binaries
    command = [sys.executable, "-m", "dapr_jobs_fake.conformance", "record", "--daprd", str(daprd)]
    command += ["--scheduler", str(scheduler), "--out", str(tmp_path), "-k", "routes/*"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "1.18.3.json").is_file()
    assert cli.main(["compare", str(tmp_path)]) == 0, capsys.readouterr().out
