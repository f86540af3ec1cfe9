"""Delivery targets (§10.1) and outcome rules (§10.3): the request daprd sends and what answers mean."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask, request

from dapr_jobs_fake.contract.model import (
    DEFAULT_FAILURE_POLICY,
    VALUE_TYPE_URL,
    FailurePolicy,
    JobData,
    JobPlan,
    JobSpec,
)
from dapr_jobs_fake.contract.protojson import protojson_value
from dapr_jobs_fake.delivery.handlers import JobEvent, JobHandlers
from dapr_jobs_fake.delivery.http_app import HttpAppTarget
from dapr_jobs_fake.delivery.wire import (
    UndeliverableData,
    encode_job_body,
    job_path,
    outcome_for_grpc_code,
    outcome_for_status,
)
from dapr_jobs_fake.delivery.wsgi_app import WsgiAppTarget
from dapr_jobs_fake.engine.attempt import Attempt
from dapr_jobs_fake.engine.clock import VirtualClock
from dapr_jobs_fake.engine.engine import Engine

S = 1_000_000_000
T0 = 1_704_067_200 * S
DROP = FailurePolicy("drop")


def value(v: object) -> JobData:
    return JobData(VALUE_TYPE_URL, json_value=v)


def attempt_for(name: str, data: JobData | None = None, attempt: int = 1) -> Attempt:
    plan = JobPlan(JobSpec(name=name, due_time="0s", data=data), T0, T0, None, None, DEFAULT_FAILURE_POLICY)
    return Attempt(name, 1, plan, 1, attempt, T0, T0 + (attempt - 1) * S)


def one_shot(name: str, data: JobData | None = None, policy: FailurePolicy = DROP) -> JobPlan:
    return JobPlan(JobSpec(name=name, due_time="1s", data=data), T0, T0 + S, None, None, policy)


# -- body (§10.1) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "body"),
    [
        ("someData", b'"someData"'),
        (123, b"123"),
        (1.5, b"1.5"),
        (1e21, b"1e+21"),
        (1e20, b"100000000000000000000"),
        (1e-7, b"1e-7"),
        (0.000001, b"0.000001"),
        (2**53 + 1, b"9007199254740992"),  # float64, like Go
        (True, b"true"),
        (None, b"null"),
        ({"b": [1, {"y": 2, "x": "é\n"}], "a": None}, b'{"a":null,"b":[1,{"x":"\xc3\xa9\\n","y":2}]}'),
    ],
)
def test_value_data_is_compact_protojson__s10_1(data: object, body: bytes) -> None:
    assert encode_job_body(value(data)) == body


def test_no_data_sends_empty_body_or_fails_before_1_18_3__s10_1() -> None:
    assert encode_job_body(None) == b""
    with pytest.raises(UndeliverableData):
        encode_job_body(None, empty_data_fails=True)


def test_other_any_types_send_raw_bytes_trimmed__s10_1() -> None:
    assert encode_job_body(JobData("type.googleapis.com/x.Y", raw=b" \n\x08\x01raw\t ")) == b"\x08\x01raw"
    assert encode_job_body(JobData("", raw=b"")) == b""


def test_protojson_rejects_non_json_values__s10_1() -> None:
    with pytest.raises(TypeError):
        protojson_value({1, 2})
    with pytest.raises(ValueError):
        protojson_value(float("nan"))


def test_job_path_trims_leading_slash_and_escapes_like_go__s10_1() -> None:
    assert job_path("reminder-7") == "/job/reminder-7"
    assert job_path("/x") == "/job/x"
    assert job_path("a b:c@d") == "/job/a%20b:c@d"


# -- outcome rules (§10.3) --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "ok"),
    [(200, True), (204, True), (299, True), (404, True), (301, False), (400, False), (500, False)],
)
def test_status_outcome_rules__s10_3(status: int, ok: bool) -> None:
    assert outcome_for_status(status, "t").succeeded is ok


def test_grpc_ok_and_not_found_succeed__s10_3() -> None:
    assert [outcome_for_grpc_code(code, "g").succeeded for code in (0, 5, 2, 14)] == [
        True,
        True,
        False,
        False,
    ]


# -- in-process handlers ----------------------------------------------------------------------------


def test_handler_gets_event_with_decoded_data_and_times__s10_1() -> None:
    handlers = JobHandlers()
    events: list[JobEvent] = []
    handlers.on_job("job")(events.append)
    outcome = handlers.deliver(attempt_for("job", value({"k": [1]}), attempt=2))
    assert outcome.succeeded and outcome.status == 200
    (event,) = events
    assert (event.name, event.attempt, event.data) == ("job", 2, {"k": [1]})
    assert event.scheduled_at == datetime(2024, 1, 1, 0, 0, 1, tzinfo=timezone.utc)
    assert event.tick_at == datetime(2024, 1, 1, tzinfo=timezone.utc)
    event.data["k"].append(2)  # a copy: the stored job is untouched
    assert event.data == {"k": [1]} and event.body == b'{"k":[1]}'
    raw = JobEvent(attempt_for("job", JobData("type.googleapis.com/x.Y", raw=b"\x01")))
    assert raw.data == b"\x01" and JobEvent(attempt_for("job")).data is None


def test_handler_return_values_map_to_statuses__s10_3() -> None:
    handlers = JobHandlers()
    results: dict[str, object] = {"none": None, "true": True, "false": False, "503": 503, "404": 404}
    handlers.on_job()(lambda event: results[event.name])
    got = {name: (o.succeeded, o.status) for name in results if (o := handlers.deliver(attempt_for(name)))}
    assert got == {
        "none": (True, 200),
        "true": (True, 200),
        "false": (False, 500),
        "503": (False, 503),
        "404": (True, 404),
    }
    assert handlers.handles("anything")


def test_job_without_handler_answers_404_like_an_app_without_the_route__s10_3() -> None:
    handlers = JobHandlers()
    assert not handlers
    outcome = handlers.deliver(attempt_for("unknown"))
    assert outcome.succeeded and outcome.status == 404
    handlers.on_job()(lambda event: 500)
    assert handlers.deliver(attempt_for("unknown")).status == 500
    handlers.unregister(None)
    assert handlers.deliver(attempt_for("unknown")).status == 404


def test_handler_exception_is_a_failure_to_raise__s10_3() -> None:
    handlers = JobHandlers()
    handlers.on_job("job")(lambda event: 1 / 0)
    outcome = handlers.deliver(attempt_for("job"))
    assert not outcome.succeeded and outcome.raise_error and isinstance(outcome.error, ZeroDivisionError)


# -- WSGI app in process (§10.1) --------------------------------------------------------------------


def test_flask_app_receives_triggers_in_process__s10_1() -> None:
    app = Flask("app")
    app.config["TESTING"] = True
    received: list[tuple[str, Any, str | None, str | None]] = []

    @app.post("/job/<name>")
    def job(name: str) -> tuple[str, int]:
        received.append(
            (name, request.get_json(), request.content_type, request.headers.get("dapr-api-token"))
        )
        return "", 200 if name != "broken" else 500

    engine = Engine()
    clock = VirtualClock(engine, start=datetime(2024, 1, 1, tzinfo=timezone.utc))
    clock.delivery = WsgiAppTarget(app, app_token="app-secret").deliver
    engine.upsert(one_shot("report", value({"expression": "val"})))
    engine.upsert(one_shot("broken", value(1), FailurePolicy("constant", interval_ns=S, max_retries=1)))
    records = clock.advance(seconds=5)
    assert received[0] == ("report", {"expression": "val"}, "application/json", "app-secret")
    assert [(r.name, r.status, r.succeeded) for r in records] == [
        ("report", 200, True),
        ("broken", 500, False),
        ("broken", 500, False),
    ]
    assert records[0].body == b'{"expression":"val"}' and records[0].target == "wsgi"


def test_flask_exception_fails_attempt_and_is_raised__s10_3() -> None:
    app = Flask("app")
    app.config["TESTING"] = True

    @app.post("/job/<name>")
    def job(name: str) -> str:
        raise RuntimeError("app bug")

    engine = Engine()
    clock = VirtualClock(
        engine, start=datetime(2024, 1, 1, tzinfo=timezone.utc), delivery=WsgiAppTarget(app).deliver
    )
    engine.upsert(one_shot("job"))
    with pytest.raises(RuntimeError, match="app bug"):
        clock.advance(seconds=5)


# -- HTTP app over a socket (§10.1) -----------------------------------------------------------------


class AppServer:
    """A local HTTP/1.1 app on an ephemeral port that records requests and the client port used."""

    def __init__(self, status: int = 200, close_after: int | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        #: Released once per connection the app has closed.
        self.closed = threading.Semaphore(0)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                        "port": self.client_address[1],
                    }
                )
                self.send_response(server.status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
                if server.close_after is not None and len(server.requests) >= server.close_after:
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.status = status
        self.close_after = close_after

        class Server(ThreadingHTTPServer):
            def shutdown_request(self, request: Any) -> None:
                super().shutdown_request(request)  # the socket is closed now
                server.closed.release()

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def app_server() -> Iterator[AppServer]:
    server = AppServer()
    yield server
    server.stop()


def test_http_app_gets_post_with_token_over_one_keep_alive_connection__s10_1(app_server: AppServer) -> None:
    target = HttpAppTarget(app_server.url + "/", app_token="app-secret")
    try:
        engine = Engine()
        clock = VirtualClock(engine, start=datetime(2024, 1, 1, tzinfo=timezone.utc), delivery=target.deliver)
        for i in range(5):
            engine.upsert(one_shot(f"job-{i}", value({"n": i})))
        records = clock.advance(seconds=2)
    finally:
        target.close()
    assert [r.status for r in records] == [200] * 5 and records[0].target == app_server.url
    first = app_server.requests[0]
    assert first["path"] == "/job/job-0" and first["body"] == b'{"n":0}'
    assert first["headers"]["Content-Type"] == "application/json"
    assert first["headers"]["dapr-api-token"] == "app-secret"
    assert len({r["port"] for r in app_server.requests}) == 1  # keep-alive: one connection


def test_http_app_url_path_prefix_and_no_token_header__s10_1(app_server: AppServer) -> None:
    target = HttpAppTarget(app_server.url + "/base/")
    try:
        assert target.deliver(attempt_for("x")).succeeded
    finally:
        target.close()
    assert app_server.requests[0]["path"] == "/base/job/x"
    assert "dapr-api-token" not in app_server.requests[0]["headers"]
    assert app_server.requests[0]["body"] == b""


def test_http_app_closing_idle_connection_is_reopened__s10_1() -> None:
    server = AppServer(close_after=1)
    target = HttpAppTarget(server.url)
    outcomes = []
    try:
        for _ in range(3):
            outcomes.append(target.deliver(attempt_for("x")))
            # The connection is then idle and closed by the app (a close racing a request that is
            # already being written fails the attempt, as in Go's transport: POST is not replayable).
            assert server.closed.acquire(timeout=10)
    finally:
        target.close()
        server.stop()
    assert [o.status for o in outcomes] == [200, 200, 200]
    assert len({r["port"] for r in server.requests}) == 3  # each closed connection was reopened


def test_http_app_error_status_is_failure__s10_3() -> None:
    server = AppServer(status=503)
    target = HttpAppTarget(server.url)
    try:
        outcome = target.deliver(attempt_for("x"))
    finally:
        target.close()
        server.stop()
    assert (outcome.succeeded, outcome.status, outcome.raise_error) == (False, 503, False)


def test_refused_connection_is_a_failure_not_an_exception__s10_3() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    target = HttpAppTarget(f"http://127.0.0.1:{port}")
    outcome = target.deliver(attempt_for("x"))
    assert (
        not outcome.succeeded
        and isinstance(outcome.error, ConnectionRefusedError)
        and not outcome.raise_error
    )


def test_timeout_is_a_failure__s10_3() -> None:
    with socket.socket() as silent:  # accepts (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        target = HttpAppTarget(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.05)
        outcome = target.deliver(attempt_for("x"))
        target.close()
    assert not outcome.succeeded and isinstance(outcome.error, TimeoutError)


def test_bad_app_url_is_refused__design() -> None:
    with pytest.raises(ValueError, match="app_url"):
        HttpAppTarget("localhost:3000")


def test_http_body_for_json_value_matches_daprd__s10_1(app_server: AppServer) -> None:
    target = HttpAppTarget(app_server.url)
    try:
        target.deliver(attempt_for("x", value({"b": 1.0, "a": "z"})))
    finally:
        target.close()
    assert json.loads(app_server.requests[0]["body"]) == {"a": "z", "b": 1}
    assert app_server.requests[0]["body"] == b'{"a":"z","b":1}'
