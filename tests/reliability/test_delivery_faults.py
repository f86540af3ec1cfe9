"""Apps that fail in every way a real one can: each attempt is made exactly per the failure policy and
journaled once with its reason; nothing is re-sent behind the journal's back (issue 8 items 6, 11, 13;
contract §10.3, §10.4)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone

import pytest
import requests

from dapr_jobs_fake import DaprJobsFake

START = datetime(2030, 1, 1, tzinfo=timezone.utc)
S = 1_000_000_000


class RawApp:
    """A loopback TCP app whose every connection runs `behaviour(conn, request_bytes)`; it counts the
    complete requests it received."""

    def __init__(self, behaviour: Callable[[socket.socket, bytes], None]) -> None:
        self.behaviour = behaviour
        self.received = 0
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._connection, args=(conn,), daemon=True).start()

    def _connection(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(10)
            buffer = b""
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while b"\r\n\r\n" in buffer:
                    head, _, rest = buffer.partition(b"\r\n\r\n")
                    length = next(
                        (
                            int(line.split(b":")[1])
                            for line in head.split(b"\r\n")
                            if line.lower().startswith(b"content-length")
                        ),
                        0,
                    )
                    if len(rest) < length:
                        break
                    request, buffer = head + b"\r\n\r\n" + rest[:length], rest[length:]
                    self.received += 1
                    try:
                        self.behaviour(conn, request)
                    except OSError:
                        return

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


def answer(status: int, *, close: bool = False) -> Callable[[socket.socket, bytes], None]:
    def respond(conn: socket.socket, _: bytes) -> None:
        extra = b"Connection: close\r\n" if close else b""
        conn.sendall(b"HTTP/1.1 %d X\r\nContent-Length: 0\r\n%s\r\n" % (status, extra))
        if close:
            conn.shutdown(socket.SHUT_RDWR)

    return respond


def hang_up(conn: socket.socket, _: bytes) -> None:
    """Read the request, then close without answering."""
    conn.shutdown(socket.SHUT_RDWR)
    conn.close()


def hang(conn: socket.socket, _: bytes) -> None:
    time.sleep(5)


def drip(conn: socket.socket, _: bytes) -> None:
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n")
    for _ in range(50):
        conn.sendall(b"x")
        time.sleep(0.05)


@pytest.fixture
def app_factory() -> Iterator[Callable[[Callable[[socket.socket, bytes], None]], RawApp]]:
    apps: list[RawApp] = []

    def make(behaviour: Callable[[socket.socket, bytes], None]) -> RawApp:
        apps.append(RawApp(behaviour))
        return apps[-1]

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def fake(fake: DaprJobsFake) -> DaprJobsFake:
    fake.reset(start=START, delivery_timeout=0.3)
    return fake


def schedule(fake: DaprJobsFake, name: str, body: dict[str, object]) -> None:
    assert requests.post(f"{fake.url}/v1.0/jobs/{name}", json=body, timeout=10).status_code == 204


@pytest.mark.parametrize(
    ("behaviour", "attempts", "succeeded"),
    [
        pytest.param(answer(200), 1, True, id="200"),
        pytest.param(answer(404), 1, True, id="404-not-retried"),
        pytest.param(answer(500), 4, False, id="500"),
        pytest.param(answer(503, close=True), 4, False, id="503-and-close"),
        pytest.param(hang_up, 4, False, id="closes-without-answering"),
    ],
)
def test_each_attempt_is_made_per_the_default_policy_and_journaled_once__s10_4(
    fake: DaprJobsFake, app_factory: Callable[..., RawApp], behaviour: object, attempts: int, succeeded: bool
) -> None:
    app = app_factory(behaviour)
    fake.app_url = app.url
    schedule(fake, "j", {"dueTime": "1s"})
    records = fake.clock.advance(seconds=10)
    assert [(r.attempt, r.succeeded) for r in records] == [(n, succeeded) for n in range(1, attempts + 1)]
    assert [r.scheduled_ns - records[0].scheduled_ns for r in records] == [n * S for n in range(attempts)]
    assert app.received == attempts, "the app got a request the journal does not show"
    assert len(fake.triggers) == attempts
    if not succeeded:
        assert all(r.outcome is not None and (r.status or r.outcome.reason) for r in records)


def test_an_app_that_read_the_request_and_dropped_it_is_not_sent_it_again(
    fake: DaprJobsFake, app_factory: Callable[..., RawApp]
) -> None:
    """Item 6: on a kept-alive connection that drops after the app read the request, the target used to
    re-send it silently: the app got it twice, the journal showed one attempt."""
    replies = iter([answer(200), hang_up, answer(200)])
    app = app_factory(lambda conn, request: next(replies)(conn, request))
    fake.app_url = app.url
    schedule(fake, "j", {"schedule": "@every 1s", "repeats": 2, "failurePolicy": {"drop": {}}})
    records = fake.clock.advance(seconds=5)
    assert [(r.tick, r.succeeded) for r in records] == [(1, True), (2, False)]
    assert app.received == 2
    assert records[1].outcome is not None and records[1].outcome.reason


def test_an_idle_connection_the_app_closed_is_reopened_without_a_failed_attempt(
    fake: DaprJobsFake, app_factory: Callable[..., RawApp]
) -> None:
    app = app_factory(answer(200, close=True))
    fake.app_url = app.url
    schedule(fake, "j", {"schedule": "@every 1s", "repeats": 3})
    records = fake.clock.advance(seconds=5)
    assert [r.succeeded for r in records] == [True, True, True]
    assert app.received == 3


@pytest.mark.parametrize("behaviour", [hang, drip], ids=["hangs", "drips"])
def test_a_hanging_or_dripping_app_fails_at_the_delivery_timeout__item11(
    fake: DaprJobsFake, app_factory: Callable[..., RawApp], behaviour: object
) -> None:
    app = app_factory(behaviour)
    fake.app_url = app.url
    schedule(fake, "j", {"dueTime": "1s", "failurePolicy": {"drop": {}}})
    started = time.monotonic()
    records = fake.clock.advance(seconds=2)
    elapsed = time.monotonic() - started
    assert [r.succeeded for r in records] == [False]
    assert elapsed < 2, f"one attempt held the clock {elapsed:.1f} s with delivery_timeout=0.3"
    assert "delivery_timeout" in (records[0].outcome.reason or "")  # type: ignore[union-attr]


def test_a_refused_connection_fails_the_attempt(fake: DaprJobsFake) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    fake.app_url = f"http://127.0.0.1:{port}"
    schedule(fake, "j", {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "1s", "maxRetries": 1}}})
    records = fake.clock.advance(seconds=5)
    assert [r.succeeded for r in records] == [False, False]
    assert "ConnectionRefusedError" in (records[0].outcome.reason or "")  # type: ignore[union-attr]


def test_handlers_that_raise_or_return_false_fail_per_policy(fake: DaprJobsFake) -> None:
    seen: list[int] = []

    @fake.on_job("raises")
    def raises(event: object) -> None:
        seen.append(1)
        raise RuntimeError("boom")

    fake.on_job("false")(lambda event: seen.append(2) or False)
    fake.clock.raise_handler_errors = False
    schedule(fake, "raises", {"dueTime": "1s"})
    schedule(
        fake, "false", {"dueTime": "1s", "failurePolicy": {"constant": {"interval": "2s", "maxRetries": 1}}}
    )
    records = fake.clock.advance(seconds=10)
    assert sorted((r.name, r.attempt) for r in records) == sorted(
        [("raises", n) for n in range(1, 5)] + [("false", 1), ("false", 2)]
    )
    assert seen.count(1) == 4 and seen.count(2) == 2
    assert len(fake.clock.handler_errors) == 4


def test_undeliverable_grpc_data_is_a_failed_attempt_with_a_reason__item13(fake: DaprJobsFake) -> None:
    """Corrupt `google.protobuf.Value` bytes from a gRPC client used to raise DecodeError out of
    clock.advance(); daprd reports a failed attempt and the app never sees it."""
    grpc = pytest.importorskip("grpc")
    from dapr.proto import api_service_v1, api_v1
    from google.protobuf import any_pb2

    seen: list[object] = []
    fake.on_job()(seen.append)
    with grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as channel:
        job = api_v1.Job(name="bad", due_time="1s")
        job.data.CopyFrom(
            any_pb2.Any(type_url="type.googleapis.com/google.protobuf.Value", value=b"\xff\xff")
        )
        api_service_v1.DaprStub(channel).ScheduleJob(api_v1.ScheduleJobRequest(job=job), timeout=5)
    records = fake.clock.advance(seconds=10)
    assert [r.succeeded for r in records] == [False] * 4
    assert seen == []
    assert "cannot parse invalid wire-format data" in (records[0].outcome.reason or "")  # type: ignore[union-attr]
