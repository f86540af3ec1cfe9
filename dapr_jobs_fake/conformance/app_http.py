"""The HTTP test app both targets deliver to: it records every request daprd (or the fake) sends and
answers each job's callbacks as the case scripted (`Case.answers`).

A standard-library HTTP/1.1 server on 127.0.0.1 with keep-alive, as a real app is for Go's client. Each
request is kept as daprd sent it: method, path as written on the wire, every header in order, and the
body bytes. Requests that are not job callbacks (daprd 1.14 to 1.18 ask `/dapr/config` and
`/dapr/subscribe` at start-up) are answered 404 and not recorded.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

__all__ = ["Answers", "HttpApp", "body_view"]

#: How often the serving loop looks for `stop()` (socketserver's default, 0.5 s, made every replay of a
#: recording wait up to half a second per HTTP app at its end).
_SHUTDOWN_POLL_SECONDS = 0.02


class Answers:
    """The statuses the app answers per job: each callback takes the next one, the last one repeats."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scripts: dict[str, list[int]] = {}

    def set(self, answers: Iterable[tuple[str, tuple[int, ...]]]) -> None:
        """Script these jobs (others keep theirs; a job never scripted is answered 200)."""
        with self._lock:
            for job, statuses in answers:
                self._scripts[job] = list(statuses)

    def clear(self) -> None:
        with self._lock:
            self._scripts.clear()

    def next(self, job: str) -> int:
        with self._lock:
            script = self._scripts.get(job)
            if not script:
                return 200
            return script.pop(0) if len(script) > 1 else script[0]


class Deliveries:
    """What an app received, per job, in arrival order (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_job: dict[str, list[dict[str, Any]]] = {}

    def add(self, job: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._by_job.setdefault(job, []).append(record)

    def of(self, jobs: Iterable[str]) -> list[dict[str, Any]]:
        """The records of `jobs`, each job's in arrival order, jobs in the order given."""
        with self._lock:
            return [record for job in jobs for record in self._by_job.get(job, [])]

    def clear(self) -> None:
        with self._lock:
            self._by_job.clear()


def body_view(body: bytes) -> dict[str, str]:
    """Body bytes as JSON can hold them exactly: `text` when UTF-8, else `base64`."""
    try:
        return {"text": body.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(body).decode()}


class HttpApp:
    """An HTTP app on 127.0.0.1:<ephemeral port>; `start()` before daprd starts (daprd waits for it)."""

    def __init__(self) -> None:
        self.answers = Answers()
        self.deliveries = Deliveries()
        app = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status = 404
                if self.path.startswith("/job/"):
                    job = unquote(self.path.split("?", 1)[0][len("/job/") :])
                    status = app.answers.next(job)
                    app.deliveries.add(
                        job,
                        {
                            "method": self.command,
                            "path": self.path,
                            "headers": [[key.lower(), value] for key, value in self.headers.items()],
                            "body": body_view(body),
                            "answered": status,
                        },
                    )
                self.send_response_only(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _serve

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the recorder prints its own summary."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HttpApp:
        if self._thread is None:
            serve = self._server.serve_forever
            self._thread = threading.Thread(
                target=serve, args=(_SHUTDOWN_POLL_SECONDS,), name="http-app", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()
