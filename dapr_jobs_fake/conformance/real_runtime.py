"""Start a real Dapr sidecar (daprd) and Scheduler, to record what the real Jobs API answers.

The binaries come from ``conformance/realdapr/build.py`` (never shipped, never committed). Run this
inside a private network namespace whose only interface is loopback (`netns.py`; the recorder and the
real-runtime tests do): the Scheduler's healthz server listens on every interface whatever its flags
say, and the namespace is what keeps every real listener on loopback. Every listener that takes an
address is also given 127.0.0.1, metrics servers are off, and ``--resources-path`` is an empty
directory so no component of ``~/.dapr`` is loaded. Logs go to files whose tails are put in every
failure message.

    with RealDapr(daprd, scheduler) as dapr:
        requests.post(dapr.jobs_url("x"), json={"dueTime": "1s"})
        dapr.stop_scheduler()      # record the "Scheduler unreachable" answers
        dapr.start_scheduler()     # same ports and etcd data: jobs survive, as in a real restart

Only the standard library is used, so the suite can drive any HTTP or gRPC client it likes.
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType

from . import netns
from .processes import (
    ChildProcess,
    RealDaprError,
    daprd_version,
    default_binaries,
    free_ports,
    http_probe,
    version_tuple,
)

__all__ = ["RealDapr", "RealDaprError", "default_binaries", "free_ports"]

SCHEDULER_ID = "dapr-scheduler-server-0"
PROBE_JOB = "dapr-jobs-fake-readiness-probe"
_TOKEN_ENV = ("DAPR_API_TOKEN", "APP_API_TOKEN")


class RealDapr:
    """A real daprd and Scheduler, started by start() (or `with`), stopped by stop() (safe to call twice).

    `app_port` with `app_protocol` ("http" or "grpc") points daprd at an app on 127.0.0.1, where it
    delivers triggered jobs; without it daprd has no app channel. `dapr_api_token` / `app_api_token` set
    DAPR_API_TOKEN / APP_API_TOKEN for daprd (never inherited from this process). `log_dir` keeps the
    logs after stop(); otherwise they live in the temporary directory removed by stop().
    `startup_timeout` bounds each wait: 1.14's daprd redials a restarted Scheduler on gRPC's backoff,
    which after minutes of outage is more than a minute (72 s measured), hence the generous default.
    """

    def __init__(
        self,
        daprd: str | os.PathLike[str],
        scheduler: str | os.PathLike[str],
        version: str | None = None,
        *,
        app_id: str = "conformance",
        app_port: int | None = None,
        app_protocol: str = "http",
        dapr_api_token: str | None = None,
        app_api_token: str | None = None,
        log_dir: str | os.PathLike[str] | None = None,
        startup_timeout: float = 150.0,
        stop_grace: float = 5.0,
        extra_daprd_args: Sequence[str] = (),
    ) -> None:
        self.daprd_path, self.scheduler_path = Path(daprd), Path(scheduler)
        for path in (self.daprd_path, self.scheduler_path):
            if not os.access(path, os.X_OK):
                raise RealDaprError(
                    f"not an executable: {path} (build it with conformance/realdapr/build.py)"
                )
        self.version = version or daprd_version(self.daprd_path)
        self.app_id, self.app_port, self.app_protocol = app_id, app_port, app_protocol
        self.dapr_api_token, self.app_api_token = dapr_api_token, app_api_token
        self.startup_timeout, self.stop_grace = startup_timeout, stop_grace
        self.extra_daprd_args = list(extra_daprd_args)
        ports = free_ports(8)
        self.http_port, self.grpc_port, self.internal_grpc_port, self.public_port = ports[:4]
        self.scheduler_port, self.scheduler_healthz_port, self.etcd_client_port, self.etcd_peer_port = ports[
            4:
        ]
        self._tmp: Path | None = None
        self._log_dir = Path(log_dir) if log_dir is not None else None
        self._scheduler: ChildProcess | None = None
        self._daprd: ChildProcess | None = None

    # ----- addresses -----

    @property
    def api_version(self) -> str:
        """The Jobs API path version: stable "v1.0" from Dapr 1.18, "v1.0-alpha1" before (1.18 has both)."""
        return "v1.0" if version_tuple(self.version) >= (1, 18) else "v1.0-alpha1"

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def grpc_address(self) -> str:
        return f"127.0.0.1:{self.grpc_port}"

    @property
    def scheduler_address(self) -> str:
        return f"127.0.0.1:{self.scheduler_port}"

    def jobs_url(self, name: str, api_version: str | None = None) -> str:
        return f"{self.http_url}/{api_version or self.api_version}/jobs/{name}"

    def api_headers(self) -> dict[str, str]:
        """Headers daprd wants on API calls: the dapr-api-token when one is configured."""
        return {"dapr-api-token": self.dapr_api_token} if self.dapr_api_token else {}

    @property
    def log_dir(self) -> Path:
        if self._log_dir is None:
            raise RealDaprError("not started")
        return self._log_dir

    # ----- command lines -----

    def scheduler_argv(self, data_dir: Path) -> list[str]:
        """Scheduler flags for this version: 1.14 spells the etcd ones differently and has no identity
        directory; 1.15 binds etcd's client port to 127.0.0.1 itself, 1.16+ takes the address as a flag."""
        peer = f"{SCHEDULER_ID}=http://127.0.0.1:{self.etcd_peer_port}"
        argv = [
            str(self.scheduler_path),
            f"--id={SCHEDULER_ID}",
            "--mode=standalone",
            "--listen-address=127.0.0.1",
            f"--port={self.scheduler_port}",
            "--healthz-listen-address=127.0.0.1",
            f"--healthz-port={self.scheduler_healthz_port}",
            "--enable-metrics=false",
            f"--etcd-data-dir={data_dir / 'etcd'}",
        ]
        version = version_tuple(self.version)
        if version < (1, 15):
            return [
                *argv,
                f"--initial-cluster={peer}",
                f"--etcd-client-ports={SCHEDULER_ID}={self.etcd_client_port}",
            ]
        argv += [
            f"--etcd-initial-cluster={peer}",
            f"--etcd-client-port={self.etcd_client_port}",
            f"--identity-directory-write={data_dir / 'identity'}",
        ]
        if version >= (1, 16):
            argv.append("--etcd-client-listen-address=127.0.0.1")
        return argv

    def daprd_argv(self, resources_dir: Path) -> list[str]:
        argv = [
            str(self.daprd_path),
            "--mode=standalone",
            f"--app-id={self.app_id}",
            f"--dapr-http-port={self.http_port}",
            f"--dapr-grpc-port={self.grpc_port}",
            "--dapr-listen-addresses=127.0.0.1",
            f"--dapr-internal-grpc-port={self.internal_grpc_port}",
            "--dapr-internal-grpc-listen-address=127.0.0.1",
            f"--dapr-public-port={self.public_port}",
            "--dapr-public-listen-address=127.0.0.1",
            "--enable-metrics=false",
            f"--resources-path={resources_dir}",
            "--placement-host-address=",
            f"--scheduler-host-address={self.scheduler_address}",
            "--enable-mtls=false",
            "--log-level=info",
        ]
        if self.app_port is not None:
            argv += [
                f"--app-port={self.app_port}",
                f"--app-protocol={self.app_protocol}",
                "--app-channel-address=127.0.0.1",
            ]
        return [*argv, *self.extra_daprd_args]

    def _env(self, **extra: str) -> dict[str, str]:
        """The environment of both processes: no inherited tokens, namespace "default", and the host
        address daprd advertises set to loopback (in a namespace without other interfaces daprd cannot
        pick one and exits: "could not determine host IP address")."""
        env = {key: value for key, value in os.environ.items() if key not in _TOKEN_ENV}
        return {**env, "NAMESPACE": "default", "DAPR_HOST_IP": "127.0.0.1", **extra}

    # ----- lifecycle -----

    def start(self) -> RealDapr:
        """Scheduler first (ready when /healthz is 200), then daprd (ready when /v1.0/healthz is 204 and
        wait_for_sidecar() sees it reach the Scheduler)."""
        if self._tmp is not None:
            raise RealDaprError("already started")
        if not netns.inside():
            raise RealDaprError(
                "the real runtime runs only inside a private network namespace whose only interface is "
                "loopback (its Scheduler's healthz server listens on every interface): start the whole "
                "process with netns.run_inside(...), as `dapr-jobs-fake-conformance record` does"
            )
        self._tmp = Path(tempfile.mkdtemp(prefix=f"dapr-jobs-fake-real-{self.version}-"))
        if self._log_dir is None:
            self._log_dir = self._tmp / "logs"
        self._log_dir.mkdir(parents=True, exist_ok=True)
        (self._tmp / "resources").mkdir()
        atexit.register(self.stop)
        try:
            self.start_scheduler(wait_for_sidecar=False)
            tokens = {"DAPR_API_TOKEN": self.dapr_api_token, "APP_API_TOKEN": self.app_api_token}
            env = self._env(**{key: value for key, value in tokens.items() if value})
            resources, log = self._tmp / "resources", self._log_dir / "daprd.log"
            self._daprd = ChildProcess("daprd", self.daprd_argv(resources), env, log)
            healthz = f"{self.http_url}/v1.0/healthz"
            self._wait("daprd /v1.0/healthz is 204", lambda: http_probe("GET", healthz)[0] == 204)
            self.wait_for_sidecar()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop daprd, then the Scheduler, and remove the temporary directory. Safe to call again."""
        if self._daprd is not None:
            self._daprd.terminate(self.stop_grace)
        self.stop_scheduler()
        self._daprd = None
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            if self._log_dir is not None and self._log_dir.is_relative_to(self._tmp):
                self._log_dir = None
            self._tmp = None
        atexit.unregister(self.stop)

    def stop_scheduler(self) -> None:
        """Stop only the Scheduler (daprd keeps running), to record the "Scheduler unreachable" answers."""
        if self._scheduler is not None:
            self._scheduler.terminate(self.stop_grace)
            self._scheduler = None

    def start_scheduler(self, wait_for_sidecar: bool = True) -> None:
        """(Re)start the Scheduler on the same ports and etcd data directory, so stored jobs survive; by
        default also wait until daprd reaches it again."""
        if self._tmp is None or self._log_dir is None:
            raise RealDaprError("start() first")
        if self._scheduler is not None and self._scheduler.alive():
            return
        self._scheduler = ChildProcess(
            "scheduler",
            self.scheduler_argv(self._tmp / "scheduler"),
            self._env(),
            self._log_dir / "scheduler.log",
        )
        healthz = f"http://127.0.0.1:{self.scheduler_healthz_port}/healthz"
        self._wait("Scheduler /healthz is 200", lambda: http_probe("GET", healthz)[0] == 200)
        if wait_for_sidecar:
            self.wait_for_sidecar()

    def restart_scheduler(self) -> None:
        self.stop_scheduler()
        self.start_scheduler()

    def wait_for_sidecar(self) -> None:
        """Until daprd reports the Scheduler connected (metadata `scheduler.connected_addresses`, from
        1.15) and a GET of a job that was never scheduled gets the Scheduler's "job not found" (every
        version; 1.14-1.18 answer 500 with that text). A read-only probe on purpose: a probe job POSTed
        while the Scheduler is down can still be stored once it is back, after its DELETE (1.15 holds such
        requests until then), and would then linger, or collide with the next probe (AlreadyExists)."""
        metadata_url, headers = f"{self.http_url}/v1.0/metadata", self.api_headers()

        def connected() -> bool:
            if version_tuple(self.version) >= (1, 15):
                status, body = http_probe("GET", metadata_url, headers=headers)
                try:
                    scheduler = json.loads(body).get("scheduler") or {} if status == 200 else {}
                except ValueError:
                    scheduler = {}
                if not scheduler.get("connected_addresses"):
                    return False
            status, body = http_probe("GET", self.jobs_url(PROBE_JOB), headers=headers)
            return status == 404 or (status == 500 and b"job not found" in body)

        self._wait("daprd reaches the Scheduler (GET of a never-scheduled job answers not found)", connected)

    def _wait(self, what: str, ready: Callable[[], bool]) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            for process in self._processes():
                if not process.alive():
                    raise RealDaprError(f"{process.name} exited while waiting until {what}\n{self.logs()}")
            if ready():
                return
            if time.monotonic() > deadline:
                raise RealDaprError(
                    f"timed out after {self.startup_timeout} s waiting until {what}\n{self.logs()}"
                )
            time.sleep(0.1)

    def _processes(self) -> Iterator[ChildProcess]:
        yield from (process for process in (self._scheduler, self._daprd) if process is not None)

    def logs(self, lines: int = 40) -> str:
        """The last `lines` lines of each process's log, for failure messages."""
        return "\n".join(process.tail(lines) for process in self._processes())

    def __enter__(self) -> RealDapr:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"RealDapr({self.version!r}, http={self.http_url}, running={self._daprd is not None})"
