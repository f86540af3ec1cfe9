"""One client connection of the sidecar's HTTP server, served the way daprd's Go net/http serves it.

Per request (`net/http/server.go:conn.serve`): read the head (`golang.http1`: Go's refusals are written
as Go writes them, then the connection closes), give the body to the WSGI application as a
`golang.httpbody.GoBody` (Content-Length or chunked; `Expect: 100-continue` answered once, when the
application first reads), write the answer with Go's framing (`chunkWriter.writeHeader`: sorted
headers, `Date`, `Content-Length`, `Connection: close` when closing), discard what the application left
of the body (up to 256 KiB, else close), and go on with the next request, pipelined or not, until the
client or the answer closes the connection. Time limits: 10 s for a request head (daprd's
ReadHeaderTimeout; for the first request, from the accept), 120 s of idleness or per body read.
"""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import sys
import time
from email.utils import formatdate
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote_to_bytes

from ..golang.bufconn import BufferedConn
from ..golang.http1 import BAD_REQUEST, GoHttpRules, GoRequest, NoAnswer, Refusal, has_token, read_request
from ..golang.http1 import plain_refusal as _plain
from ..golang.httpbody import GoBody
from ..golang.textproto import canonical_key

#: daprd's `ReadHeaderTimeout` (`pkg/api/http/server.go`).
HEADER_TIMEOUT = 10.0
#: How long an idle kept-alive connection, or a stalled body, holds its thread (Go waits forever).
IDLE_TIMEOUT = 120.0
#: `rstAvoidanceDelay`: after a 431 or an unread body over 256 KiB, how long the server reads on.
_LINGER_SECONDS = 0.5
#: Go's `StatusText` where Python's phrase differs.
_GO_STATUS_TEXT = {414: "Request URI Too Long", 418: "I'm a teapot"}


def internal_error_body(exc: BaseException) -> bytes:
    """A Dapr-shaped 500 body for a failure inside the fake itself (a bug: please report it)."""
    message = f"dapr-jobs-fake internal error: {type(exc).__name__}: {exc}"
    return json.dumps({"errorCode": "ERR_INTERNAL", "message": message}).encode()


class _Input:
    """`wsgi.input`: the body, with the `100 Continue` net/http writes at the handler's first read."""

    def __init__(self, body: GoBody, send_continue: Any) -> None:
        self.body = body
        self._send_continue = send_continue

    def read(self, size: int | None = -1) -> bytes:
        if self._send_continue is not None:
            self._send_continue()
            self._send_continue = None
        return self.body.read(-1 if size is None else size)

    def readline(self, size: int | None = -1) -> bytes:
        out = b""
        while not out.endswith(b"\n") and (size is None or size < 0 or len(out) < size):
            byte = self.read(1)
            if not byte:
                break
            out += byte
        return out

    def __iter__(self) -> Any:
        return iter(self.readline, b"")

    def readable(self) -> bool:
        return True


class GoFramingHandler(socketserver.BaseRequestHandler):
    """Serves one connection with Go's framing; see the module docstring."""

    request: socket.socket
    _refused = False

    def setup(self) -> None:
        self.connection = self.request
        connections = getattr(self.server, "dapr_jobs_fake_connections", None)
        self._refused = connections is not None and not connections.add(self.connection)
        self._deadline: float | None = None
        self._conn = BufferedConn(self._recv)

    def finish(self) -> None:
        connections = getattr(self.server, "dapr_jobs_fake_connections", None)
        if connections is not None:
            connections.discard(self.connection)

    def _recv(self, size: int) -> bytes:
        timeout = IDLE_TIMEOUT
        if self._deadline is not None:
            timeout = self._deadline - time.monotonic()
            if timeout <= 0:
                raise TimeoutError("i/o timeout")
        self.connection.settimeout(timeout)
        return self.connection.recv(size)

    def handle(self) -> None:
        if self._refused:  # accepted just before stop(): answer nothing
            return
        rules_of = getattr(self.server, "dapr_jobs_fake_rules", None)
        after_post = False
        self._deadline = time.monotonic() + HEADER_TIMEOUT
        try:
            while True:
                rules: GoHttpRules = rules_of() if rules_of is not None else GoHttpRules()
                try:
                    request = read_request(self._conn, rules, after_post)
                except NoAnswer:
                    return
                except Refusal as refusal:
                    self._send(refusal.wire)
                    if refusal.linger:
                        self._linger()
                    return
                self._deadline = None
                after_post = request.method == "POST"
                if not self._serve(request, rules):
                    return
                self._deadline = None  # wait for the next request as long as the idle limit
                if len(self._conn.peek(4)) < 4:  # serve: `c.bufr.Peek(4)` failed, close unanswered
                    return
                self._deadline = time.monotonic() + HEADER_TIMEOUT
        except OSError:  # the client went away (reset, timeout): nothing more to answer
            return

    def _send(self, data: bytes) -> None:
        self.connection.sendall(data)

    def _linger(self) -> None:
        """`closeWriteAndWait`: half-close, then read what the client still sends for a moment, so
        that closing does not reset the connection before the client has read the answer."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            end = time.monotonic() + _LINGER_SECONDS
            while (left := end - time.monotonic()) > 0:
                self.connection.settimeout(left)
                if not self.connection.recv(65536):
                    break

    # -- one request ---------------------------------------------------------------------------------
    def _serve(self, request: GoRequest, rules: GoHttpRules) -> bool:
        """Answer one request; False when the connection must close afterwards."""
        local, remote = self.connection.getsockname(), self.client_address
        body = GoBody(
            self._conn,
            request.content_length,
            chunked=request.chunked,
            closing=request.close,
            crlf_only=rules.chunk_lines_crlf_only,
            peer=f"{_address(local)}->{_address(remote)}",
        )
        expect = request.header("Expect")
        send_continue = None
        if has_token(expect, "100-continue"):
            if request.minor >= 1 and request.content_length != 0:
                send_continue = self._continue
        elif expect:  # sendExpectationFailed
            self._respond(request, body, "417", [("Connection", "close")], b"", close=True)
            body.close()
            return False
        flags: dict[str, bool] = {}
        environ = self._environ(request, _Input(body, send_continue), flags)
        status, headers, payload = self._run(environ)
        if flags.get("refused"):  # net/http's own answer to a target it cannot use
            self._send(_plain(BAD_REQUEST).wire)
            return False
        close = self._respond(request, body, status, headers, payload, close=flags.get("close", False))
        body.close()
        return not close

    def _continue(self) -> None:
        self._send(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _environ(self, request: GoRequest, stream: _Input, flags: dict[str, bool]) -> dict[str, Any]:
        server: Any = self.server
        host, port = server.server_address[:2]
        remote = self.client_address
        environ: dict[str, Any] = {
            "REQUEST_METHOD": request.method,
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(request.path).decode("latin-1"),
            "QUERY_STRING": (request.query or b"").decode("latin-1"),
            "REQUEST_URI": request.target.decode("latin-1"),
            "RAW_URI": request.target.decode("latin-1"),
            "SERVER_NAME": str(host),
            "SERVER_PORT": str(port),
            "SERVER_PROTOCOL": request.proto,
            "REMOTE_ADDR": str(remote[0]) if isinstance(remote, tuple) else "",
            "REMOTE_PORT": str(remote[1]) if isinstance(remote, tuple) else "",
            "HTTP_HOST": request.host,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.input": stream,
            "wsgi.input_terminated": True,
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
            "werkzeug.socket": self.connection,
            "dapr_jobs_fake.request": request,
            "dapr_jobs_fake.body": stream.body,
            "dapr_jobs_fake.close": lambda: flags.__setitem__("close", True),
            "dapr_jobs_fake.refuse": lambda: flags.__setitem__("refused", True),
        }
        if request.content_length >= 0:
            environ["CONTENT_LENGTH"] = str(request.content_length)
        for key, values in request.headers.items():
            if "_" in key:  # WSGI folds `-` into `_`: such a name could pass for another (werkzeug)
                continue
            if key == "Content-Type":
                environ["CONTENT_TYPE"] = ", ".join(values)
            elif key != "Content-Length":
                environ["HTTP_" + key.upper().replace("-", "_")] = ", ".join(values)
        return environ

    def _run(self, environ: dict[str, Any]) -> tuple[str, list[tuple[str, str]], bytes]:
        """Call the WSGI application; its status line, headers and whole body."""
        started: list[Any] = []
        written: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return written.append

        try:
            server: Any = self.server  # werkzeug's BaseWSGIServer: `app` is the WSGI application
            result = server.app(environ, start_response)
            try:
                written.extend(bytes(chunk) for chunk in result)
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except OSError:  # the application hangs up (an injected outage): no answer at all
            raise
        except Exception as exc:  # never a traceback or HTML: daprd answers JSON
            return "500", [("Content-Type", "application/json")], internal_error_body(exc)
        if not started:
            return (
                "500",
                [("Content-Type", "application/json")],
                internal_error_body(RuntimeError("no answer")),
            )
        return started[0], started[1], b"".join(written)

    def _respond(
        self,
        request: GoRequest,
        body: GoBody,
        status: str,
        handler_headers: list[tuple[str, str]],
        payload: bytes,
        *,
        close: bool,
    ) -> bool:
        """Write the answer as `chunkWriter.writeHeader` frames it; True when the connection closes."""
        code = int(status[:3])
        headers: dict[str, list[str]] = {}
        for key, value in handler_headers:
            headers.setdefault(_canonical(key), []).append(value)
        is_head = request.method == "HEAD"
        body_allowed = not (100 <= code < 200 or code in (204, 304))
        te = _first(headers, "Transfer-Encoding")
        length: int | None = None
        declared = headers.pop("Content-Length", [""])[0].strip(" \t")
        if declared.isascii() and declared.isdigit():  # werkzeug always declares it: Go's place for it
            length = int(declared)
        elif body_allowed and not te and (not is_head or payload):
            length = len(payload)
        has_cl = length is not None
        extra_connection = ""
        wants_10_keep_alive = request.minor == 0 and has_token(request.header("Connection"), "keep-alive")
        if wants_10_keep_alive and (is_head or has_cl or not body_allowed):
            if "Connection" not in headers:
                extra_connection = "keep-alive"
        elif request.minor == 0 or request.close or has_token(request.header("Connection"), "close"):
            close = True
        if _first(headers, "Connection") == "close":
            close = True
        limit_hit = False
        if request.content_length != 0 and not close:
            how = body.discard()
            if how == "more":
                close = limit_hit = True
            elif how == "error" or (how == "eof" and not body.close()):
                close = True
        if not body_allowed:
            length = None
            for key in ("Content-Type", "Transfer-Encoding"):
                headers.pop(key, None)
        chunking = False
        if is_head or not body_allowed or has_cl:
            headers.pop("Transfer-Encoding", None)
        elif request.minor >= 1:
            chunking = te != "identity"
            close = close or te == "identity"
            headers.pop("Transfer-Encoding", None)
        else:
            close = True
            headers.pop("Transfer-Encoding", None)
        if chunking:
            length = None
        if (close and not has_token(_first(headers, "Connection"), "close")) or limit_hit:
            headers.pop("Connection", None)
            extra_connection = "close" if request.minor >= 1 else ""
        text = _GO_STATUS_TEXT.get(code) or _phrase(code)
        lines = [f"HTTP/1.{1 if request.minor >= 1 else 0} {code} {text}"]
        for key in sorted(headers):
            lines.extend(f"{key}: {_header_value(v)}" for v in headers[key])
        if "Date" not in headers:
            lines.append("Date: " + formatdate(usegmt=True))
        if length is not None:
            lines.append(f"Content-Length: {length}")
        if extra_connection:
            lines.append(f"Connection: {extra_connection}")
        if chunking:
            lines.append("Transfer-Encoding: chunked")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        if is_head or not body_allowed:
            payload = b""
        elif chunking:
            payload = (
                f"{len(payload):x}\r\n".encode() + payload + b"\r\n" if payload else b""
            ) + b"0\r\n\r\n"
        self._send(head + payload)
        if limit_hit:
            self._linger()
        return close


def _phrase(code: int) -> str:
    try:
        return HTTPStatus(code).phrase
    except ValueError:
        return f"status code {code}"


def _canonical(key: str) -> str:
    """`CanonicalMIMEHeaderKey`, which `Header.Set` applies (a key it cannot canonicalise stays)."""
    return canonical_key(key.encode("latin-1", "replace")) or key


def _first(headers: dict[str, list[str]], key: str) -> str:
    values = headers.get(key)
    return values[0] if values else ""


def _header_value(value: str) -> str:
    """`headerNewlineToSpace` and `textproto.TrimString`, as Go writes header values."""
    return value.replace("\r", " ").replace("\n", " ").strip(" \t")


def _address(address: Any) -> str:
    if isinstance(address, tuple) and len(address) >= 2:
        host = str(address[0])
        return f"[{host}]:{address[1]}" if ":" in host else f"{host}:{address[1]}"
    return str(address)
