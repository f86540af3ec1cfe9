"""A private network namespace for the real runtime: its only interface is loopback.

The real Scheduler's healthz server listens on every interface whatever its flags say (1.14 to 1.18),
and Dapr is never built from modified source here. So the recorder keeps "real servers listen on
loopback only" true another way: it runs daprd, the Scheduler, the recording client and the test apps
together inside a new user + network namespace (`unshare --user --map-root-user --net`, no privileges
needed where unprivileged user namespaces are enabled). Nothing in there can be reached from outside
the process tree, and nothing in there can reach the network.

`run_inside(argv)` runs a command in such a namespace, marked by `DAPR_JOBS_FAKE_NETNS=1`; the command
calls `enter()` first, which brings `lo` up and refuses to go on when any other interface exists.
`NamespaceUnavailable` says why a namespace cannot be made (no `unshare`, user namespaces disabled).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import struct
import subprocess
from collections.abc import Mapping, Sequence

__all__ = [
    "MARKER",
    "NamespaceUnavailable",
    "enter",
    "exec_inside",
    "inside",
    "interfaces",
    "run_inside",
    "wrap",
]

#: Set (to "1") in the environment of a command started by `run_inside`.
MARKER = "DAPR_JOBS_FAKE_NETNS"
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_IFREQ = "16sh14s"


class NamespaceUnavailable(RuntimeError):
    """No private network namespace can be created here; the message says why and what to do."""


def interfaces() -> list[str]:
    """The names of this process's network interfaces."""
    return [name for _, name in socket.if_nameindex()]


def inside() -> bool:
    """True in a command started by `run_inside` (whose only interface is loopback)."""
    return os.environ.get(MARKER) == "1" and interfaces() == ["lo"]


def enter() -> None:
    """Bring `lo` up (a new namespace starts with it down) and check it is the only interface; called
    first thing by a command `run_inside` started. Raises NamespaceUnavailable outside one."""
    if os.environ.get(MARKER) != "1":
        raise NamespaceUnavailable(f"not started by run_inside() ({MARKER} is not set)")
    others = [name for name in interfaces() if name != "lo"]
    if others:
        raise NamespaceUnavailable(f"the namespace has interfaces other than lo: {', '.join(others)}")
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack(_IFREQ, b"lo", 0, b"")
        flags = struct.unpack(_IFREQ, fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack(_IFREQ, b"lo", flags | _IFF_UP, b""))


def wrap(argv: Sequence[str]) -> list[str]:
    """`argv` prefixed so that it runs in a new user and network namespace (as the mapped root user)."""
    unshare = shutil.which("unshare")
    if unshare is None:
        raise NamespaceUnavailable(
            "`unshare` (util-linux) is not installed: the real runtime is only run inside a private network "
            "namespace, so that none of its servers can be reached from outside"
        )
    return [unshare, "--user", "--map-root-user", "--net", *argv]


def _check() -> list[str]:
    """The unshare prefix, after checking a namespace can be made at all (a no-op command in one)."""
    prefix = wrap([])
    probe = subprocess.run([*prefix, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        raise NamespaceUnavailable(
            "cannot create a private network namespace for the real runtime "
            "(`unshare --user --map-root-user --net true` answered: "
            f"{probe.stderr.strip() or probe.returncode}). "
            "Enable unprivileged user namespaces (sysctl user.max_user_namespaces > 0, and on Debian/Ubuntu "
            "kernel.unprivileged_userns_clone=1 or kernel.apparmor_restrict_unprivileged_userns=0)."
        )
    return prefix


def run_inside(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `argv` in a private network namespace with `MARKER` set, its output captured; the command
    must call `enter()` first. Raises NamespaceUnavailable when no namespace can be made."""
    prefix = _check()
    environment = {**(os.environ if env is None else env), MARKER: "1"}
    return subprocess.run(
        [*prefix, *argv], env=environment, capture_output=True, text=True, timeout=timeout, check=False
    )


def exec_inside(argv: Sequence[str]) -> None:
    """Replace this process by `argv` in a private network namespace with `MARKER` set (the console
    script re-executes itself this way); raises NamespaceUnavailable when no namespace can be made."""
    prefix = _check()
    os.environ[MARKER] = "1"
    os.execv(prefix[0], [*prefix, *argv])
