"""What the SDK client tests share: the fake CLI as a subprocess, client runs, the build cache.

- `FakeCli`: `python -m dapr_jobs_fake.cli` on 127.0.0.1 with explicit free ports and a manual clock,
  ready once `GET /v1.0/healthz` answers 204, with its control API (`calls()`, `triggers()`).
- `run_json`: run a built client that writes one JSON object to a file; failures quote its output and
  the fake's log.
- `cache_dir`, `clean_env`, `free_port`, `journal`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

#: The virtual time every fake here starts at, so dueTimes and next triggers are predictable.
START = "2030-01-01T00:00:00Z"
#: Variables that would point the fake or the SDKs elsewhere, or make them ask for a token.
_FOREIGN_ENV = (
    "DAPR_API_TOKEN",
    "APP_API_TOKEN",
    "DAPR_GRPC_ENDPOINT",
    "DAPR_HTTP_ENDPOINT",
    "DAPR_SIDECAR_IP",
    "DAPR_GRPC_PORT",
    "DAPR_HTTP_PORT",
)


def cache_dir(*parts: str) -> Path:
    """A directory under the clients' build cache, created."""
    default = Path.home() / ".cache" / "dapr-jobs-fake" / "clients"
    root = Path(os.environ.get("DAPR_JOBS_FAKE_CLIENTS_CACHE") or default)
    path = root.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without Dapr settings that would mislead the fake or an SDK."""
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
    env.update(extra)
    return env


def free_port() -> int:
    """A loopback port that was free a moment ago (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tail(path: Path, lines: int = 40) -> str:
    if not path.exists():
        return "(no output)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


class FakeCli:
    """`python -m dapr_jobs_fake.cli` on 127.0.0.1 with explicit ports and a manual clock.

    `extra` is appended to the command line (e.g. `--app-grpc-address`, `--dapr-version`). The CLI
    runs in `workdir` (so no `dapr_jobs_fake` folder in the current directory shadows the installed
    one) and logs to `workdir/fake.log`, which `describe()` quotes in failure messages.
    """

    def __init__(self, workdir: Path, *extra: str) -> None:
        self.http_port = free_port()
        self.grpc_port = free_port()
        self.workdir = workdir
        self.log_path = workdir / "fake.log"
        self.command = [
            sys.executable, "-m", "dapr_jobs_fake.cli",
            "--port", str(self.http_port), "--grpc-port", str(self.grpc_port),
            "--clock", "manual", "--start", START, *extra,
        ]  # fmt: skip
        self.base_url = f"http://127.0.0.1:{self.http_port}"
        # The control API asks for the fake's API token too (cli/control_api.py), so send it when set.
        self.api_token = extra[extra.index("--api-token") + 1] if "--api-token" in extra else None
        self.grpc_address = f"127.0.0.1:{self.grpc_port}"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> FakeCli:
        log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            self.command, cwd=self.workdir, env=clean_env(), stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        try:
            self._wait_healthy(timeout=30.0)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _wait_healthy(self, timeout: float) -> None:
        """Until `GET /v1.0/healthz` answers 204; fail with the CLI's log if it exits or never does."""
        deadline = time.monotonic() + timeout
        assert self._process is not None
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                pytest.fail(f"the fake exited with {self._process.returncode}:\n{self.describe()}")
            try:
                with urllib.request.urlopen(self.base_url + "/v1.0/healthz", timeout=2) as answer:
                    if answer.status == 204:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.1)
        pytest.fail(f"the fake did not answer /v1.0/healthz with 204 within {timeout}s:\n{self.describe()}")

    def control(self, route: str) -> Any:
        """`GET /_dapr-jobs-fake/<route>`, decoded (with the fake's `dapr-api-token` when it has one)."""
        headers = {"dapr-api-token": self.api_token} if self.api_token else {}
        request = urllib.request.Request(f"{self.base_url}/_dapr-jobs-fake/{route}", headers=headers)
        with urllib.request.urlopen(request, timeout=10) as answer:
            return json.loads(answer.read())

    def calls(self) -> list[dict[str, Any]]:
        return list(self.control("calls"))

    def triggers(self) -> list[dict[str, Any]]:
        return list(self.control("triggers"))

    def describe(self) -> str:
        return f"$ {' '.join(self.command)}\n{tail(self.log_path)}"


def run_json(
    command: list[str], *, out: Path, env: dict[str, str], cwd: Path, fake: FakeCli, timeout: float
) -> Any:
    """Run a client that writes one JSON object to `out` (the SDKs log to stdout, so not there).

    Fails with the client's output and the fake's log when it exits non-zero or writes no JSON."""
    try:
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as err:
        stderr = err.stderr.decode(errors="replace") if isinstance(err.stderr, bytes) else err.stderr
        pytest.fail(f"{command[0]} did not finish within {timeout}s\nstderr:\n{stderr}\n{fake.describe()}")
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited with {done.returncode}\nstderr:\n{done.stderr[-4000:]}\n"
            f"stdout:\n{done.stdout[-2000:]}\nfake:\n{fake.describe()}"
        )
    try:
        return json.loads(out.read_text())
    except (OSError, json.JSONDecodeError) as err:
        output = f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
        pytest.fail(f"{command[0]} wrote no JSON to {out} ({err}):\n{output}")


def journal(fake: FakeCli) -> list[tuple[str, str | None, int]]:
    """The fake's gRPC calls as (method, job, status): what the SDK really sent, in order."""
    return [(call["request"].rsplit("/", 1)[-1], call["job"], call["status"]) for call in fake.calls()]
