"""The plumbing under `RealDapr`: where the binaries are, free loopback ports, child processes with
their logs, and a tiny HTTP probe. Standard library only, so the launcher drives any client it likes."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = [
    "ChildProcess",
    "RealDaprError",
    "daprd_version",
    "default_binaries",
    "free_ports",
    "http_probe",
    "version_tuple",
]


class RealDaprError(RuntimeError):
    """The real runtime did not start, or stopped answering; the message carries the log tails."""


def default_binaries(version: str = "1.18.3") -> tuple[Path, Path]:
    """Where build.py puts daprd and scheduler of `version`, unless DAPR_JOBS_FAKE_DAPRD and
    DAPR_JOBS_FAKE_SCHEDULER point elsewhere (DAPR_JOBS_FAKE_CACHE moves the cache as build.py reads it)."""
    cache = Path(os.environ.get("DAPR_JOBS_FAKE_CACHE", Path.home() / ".cache" / "dapr-jobs-fake"))
    built = cache / f"dapr-{version}"
    daprd = Path(os.environ.get("DAPR_JOBS_FAKE_DAPRD", built / "daprd"))
    scheduler = Path(os.environ.get("DAPR_JOBS_FAKE_SCHEDULER", built / "scheduler"))
    return daprd, scheduler


#: Ports handed out by `free_ports` in this process: never handed out twice.
_HANDED_OUT: set[int] = set()
_HANDED_OUT_LOCK = threading.Lock()
#: Below Linux's default ephemeral range (32768-60999), which the kernel picks from for `bind(0)` and
#: for outgoing connections: a port from here is not taken by either between picking and listening.
_PORT_RANGE = (20000, 32767)


def free_ports(count: int) -> list[int]:
    """`count` distinct ports free on 127.0.0.1 now, none handed out before by this process, outside
    the kernel's ephemeral range: several sidecars started at once (each listening on 8 ports some
    seconds after picking them) never collide with each other or with the test apps' ephemeral ports."""
    picked: list[int] = []
    with _HANDED_OUT_LOCK:
        while len(picked) < count:
            port = random.randint(*_PORT_RANGE)
            if port in _HANDED_OUT:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _HANDED_OUT.add(port)
            picked.append(port)
    return picked


def version_tuple(version: str) -> tuple[int, int]:
    """(major, minor) of a Dapr version such as "1.18.3" or "v1.14.4"."""
    parts = version.lstrip("v").split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        return (99, 99)  # "edge" or unknown: newest flags


def http_probe(
    method: str,
    url: str,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 5.0,
) -> tuple[int, bytes]:
    """(status, body) of one request; (0, error text) when nothing answered."""
    request = urllib.request.Request(url, data=body, method=method, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())
    except (OSError, ValueError) as error:
        return 0, str(error).encode()


class ChildProcess:
    """One child process with its log file; terminate() is SIGTERM, then SIGKILL after `grace` seconds."""

    def __init__(self, name: str, argv: Sequence[str], env: Mapping[str, str], log: Path) -> None:
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.popen = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.popen.poll() is None

    def terminate(self, grace: float) -> None:
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()

    def tail(self, lines: int = 40) -> str:
        try:
            text = self.log.read_text(errors="replace").splitlines()[-lines:]
        except OSError:
            text = []
        return f"--- {self.name} (pid {self.popen.pid}, exit {self.popen.poll()}) {self.log}:\n" + "\n".join(
            text
        )


def daprd_version(daprd: str | os.PathLike[str]) -> str:
    """The version a daprd binary was built as: the first line `daprd --version` prints."""
    try:
        result = subprocess.run([str(daprd), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RealDaprError(f"{daprd} --version failed: {error}") from error
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise RealDaprError(f"{daprd} --version failed: {result.stdout}{result.stderr}")
    return lines[0].strip()
