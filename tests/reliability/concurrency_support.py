"""Pieces of `test_concurrency.py`'s workload (and `benchmarks/concurrency.py`'s, which runs it): the
clients' connections and the pace that keeps the clock's moves among their calls."""

from __future__ import annotations

import http.client
import json
import threading
from typing import Any

from dapr_jobs_fake import DaprJobsFake

__all__ = ["Connection", "Pace"]


class Connection:
    """One keep-alive HTTP/1.1 connection to the fake's Jobs API. `http.client` rather than `requests`:
    a call costs a fraction of the CPU, which counts with 17 threads switching every 10 µs (the
    requests on the wire are the same: a JSON body with its Content-Length, kept alive)."""

    def __init__(self, fake: DaprJobsFake) -> None:
        self._connection = http.client.HTTPConnection(fake.host, fake.http_port, timeout=30)

    def call(self, method: str, name: str, body: dict[str, Any] | None = None) -> tuple[int, bytes]:
        """`method /v1.0/jobs/<name>`: the status and the body of the answer."""
        payload = None if body is None else json.dumps(body).encode()
        headers = {} if payload is None else {"Content-Type": "application/json"}
        self._connection.request(method, f"/v1.0/jobs/{name}", body=payload, headers=headers)
        answer = self._connection.getresponse()
        return answer.status, answer.read()

    def close(self) -> None:
        self._connection.close()


class Pace:
    """One clock move per client operation, with the clients at most `ahead` operations in front of the
    clock: however fast the calls are, the clock's moves (and the triggers they deliver) stay
    interleaved with them instead of trailing behind."""

    def __init__(self, ahead: int) -> None:
        self._unmoved = threading.Semaphore(0)  # operations done that the clock has not moved for yet
        self._room = threading.Semaphore(ahead)

    def before_operation(self) -> None:
        if not self._room.acquire(timeout=60):
            raise TimeoutError("the clock stopped moving")

    def after_operation(self) -> None:
        self._unmoved.release()

    def next_move(self, timeout: float) -> bool:
        """Whether an operation is waiting for a clock move (within `timeout` seconds)."""
        return self._unmoved.acquire(timeout=timeout)

    def moved(self) -> None:
        self._room.release()

    def release_all(self) -> None:
        """The clock is gone: let the clients finish on their own."""
        self._room.release(1 << 20)
