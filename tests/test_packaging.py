"""A wheel built from the repo works installed elsewhere: schemas, py.typed and entry points ship in it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("setuptools") is None or importlib.util.find_spec("wheel") is None:
        pytest.skip("setuptools and wheel (the dev extra) are needed to build the wheel offline")
    out = tmp_path_factory.mktemp("wheel")
    # The PEP 517 backend's build_wheel, in the source tree, as `pip wheel --no-build-isolation` runs it,
    # without pip's own start-up and checks around it (about 1.5 s of the 2.2 s).
    build = "import sys\nfrom setuptools import build_meta\nbuild_meta.build_wheel(sys.argv[1])\n"
    subprocess.run([sys.executable, "-c", build, str(out)], check=True, capture_output=True, cwd=ROOT)
    (found,) = out.glob("dapr_jobs_fake-*.whl")
    return found


def test_wheel_contains_schemas_types_and_entry_points(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "dapr_jobs_fake/py.typed" in names
    assert {p.name for p in (ROOT / "schemas").glob("*.json")} == {
        Path(n).name for n in names if n.startswith("dapr_jobs_fake/schemas/")
    }
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "dapr-jobs-fake = dapr_jobs_fake.cli:main" in text
    assert "dapr_jobs_fake = dapr_jobs_fake.plugin" in text


def test_installed_wheel_validates_requests_outside_the_repo(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    script = (
        "import dapr_jobs_fake, requests\n"
        f"assert dapr_jobs_fake.__file__.startswith({str(target)!r}), dapr_jobs_fake.__file__\n"
        "from dapr_jobs_fake import DaprJobsFake\n"
        "with DaprJobsFake() as fake:\n"
        "    r = requests.post(fake.url + '/v1.0/jobs/x', json={'schedule': '@every 1x'})\n"
        "    assert r.status_code == 500, r.text\n"
        "    r = requests.post(fake.url + '/v1.0/jobs/x', json={'repeats': -1, 'schedule': '@daily'})\n"
        "    assert r.status_code == 400, r.text\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_grpc_extra_installs_cleanly_with_every_supported_sdk() -> None:
    """dapr <= 1.18 has no "grpc" extra (pip warns "does not provide the extra"), so the fake's grpc
    extra asks for plain `dapr` and the one package dapr.ext.grpc 1.19+ needs (issue 12, item 9).
    Checked by hand with `pip install --dry-run ".[grpc]" dapr==1.16.0|1.17.0|1.18.3`: no warning."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    dapr_requirements = [r for r in extras["grpc"] if r.startswith("dapr")]
    assert dapr_requirements and all("[" not in r for r in dapr_requirements), dapr_requirements
    assert any(r.startswith("cloudevents") for r in extras["grpc"])
