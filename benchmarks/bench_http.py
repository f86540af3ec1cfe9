"""HTTP speed of the fake against a bare pytest-httpserver, measured in the same run (issue 2).

1. Schedule requests per second over one kept-alive connection: the full fake (contract check,
   engine, journal) vs a bare pytest-httpserver answering a canned 204 to the same requests. The
   bare server closes every connection (werkzeug's dev server does), so the client reconnects each
   time there, exactly as a real client against it would. Goal: ratio >= 1.
2. Per-test fixture overhead: `reset()` of a running fake (what `dapr_jobs` does per test) vs
   pytest-httpserver's `clear()` (what its `httpserver` fixture does per test).
3. Stopping a fake vs werkzeug's default 0.5 s poll.

Run: python benchmarks/bench_http.py [requests]
"""

from __future__ import annotations

import http.client
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pytest_httpserver import HTTPServer

from dapr_jobs_fake import DaprJobsFake

BODY = b'{"schedule":"@every 1m","data":{"user":7}}'


def post_many(port: int, count: int, prefix: str) -> float:
    """Requests/second for `count` POSTs over one http.client connection (reconnecting if closed)."""
    connection = http.client.HTTPConnection("127.0.0.1", port)
    started = time.perf_counter()
    for i in range(count):
        connection.request(
            "POST", f"/v1.0/jobs/{prefix}{i}", body=BODY, headers={"Content-Type": "application/json"}
        )
        response = connection.getresponse()
        response.read()
        assert response.status == 204, response.status
        if response.getheader("Connection", "").lower() == "close":
            connection.close()
    elapsed = time.perf_counter() - started
    connection.close()
    return count / elapsed


def bench_schedule(count: int) -> None:
    with DaprJobsFake() as fake, HTTPServer(host="127.0.0.1", port=0) as bare:
        bare.expect_request("/v1.0/jobs", method="POST").respond_with_data("", status=204)
        from pytest_httpserver import URIPattern

        class _Jobs(URIPattern):
            def match(self, uri: str) -> bool:
                return uri.startswith("/v1.0/jobs/")

        bare.clear()
        bare.expect_request(_Jobs(), method="POST").respond_with_data("", status=204)
        post_many(fake.http_port, 200, "warm-")
        post_many(bare.port, 200, "warm-")
        fake_rates, bare_rates = [], []
        for round_ in range(3):
            fake_rates.append(post_many(fake.http_port, count, f"r{round_}-"))
            bare_rates.append(post_many(bare.port, count, f"r{round_}-"))
        assert len(fake.jobs) == 3 * count + 200
    fake_rate, bare_rate = statistics.median(fake_rates), statistics.median(bare_rates)
    print(
        f"schedule over keep-alive: fake {fake_rate:,.0f} req/s, "
        f"bare pytest-httpserver {bare_rate:,.0f} req/s, "
        f"ratio {fake_rate / bare_rate:.2f} (goal >= 1)"
    )


def _pytest_seconds(fixture: str | None, tests: int, workdir: Path) -> float:
    arg = fixture or ""
    params = f"{arg}, n" if arg else "n"
    source = (
        f"import pytest\n@pytest.mark.parametrize('n', range({tests}))\ndef test_x({params}):\n    pass\n"
    )
    (workdir / "test_overhead.py").write_text(source)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(workdir)],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def bench_fixture_overhead(tests: int = 300) -> None:
    """Per-test cost of the `dapr_jobs` fixture vs pytest-httpserver's `httpserver`, net of a bare test."""
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        plain = min(_pytest_seconds(None, tests, workdir) for _ in range(2))
        ours = min(_pytest_seconds("dapr_jobs", tests, workdir) for _ in range(2))
        theirs = min(_pytest_seconds("httpserver", tests, workdir) for _ in range(2))
    ours_each, theirs_each = (ours - plain) / tests, (theirs - plain) / tests
    print(
        f"fixture overhead per test: dapr_jobs {ours_each * 1e6:,.0f} us, "
        f"httpserver {theirs_each * 1e6:,.0f} us "
        f"(ratio {ours_each / theirs_each:.2f}; {tests} tests, session server start included)"
    )


def bench_stop() -> None:
    fake_times, bare_times = [], []
    for _ in range(3):
        fake = DaprJobsFake().start()
        started = time.perf_counter()
        fake.stop()
        fake_times.append(time.perf_counter() - started)
        bare = HTTPServer(host="127.0.0.1", port=0)
        bare.start()
        time.sleep(0.01)
        started = time.perf_counter()
        bare.stop()
        bare_times.append(time.perf_counter() - started)
    fake_stop, bare_stop = statistics.median(fake_times), statistics.median(bare_times)
    print(
        f"stop: fake {fake_stop * 1e3:.1f} ms, pytest-httpserver {bare_stop * 1e3:.1f} ms "
        f"(ratio {fake_stop / bare_stop:.2f}; werkzeug's default poll is 500 ms)"
    )


if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the bare server logs every request
    requests_per_round = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    bench_schedule(requests_per_round)
    bench_fixture_overhead()
    bench_stop()
