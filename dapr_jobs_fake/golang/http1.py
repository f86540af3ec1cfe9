"""Go's HTTP/1.x server reading a request head: what it serves, and what it answers itself.

Sources (Go 1.22.6 to 1.26.6, the Go of daprd 1.14 to 1.18, each dapr/dapr go.mod): `net/http/server.go`
(`conn.readRequest`, `conn.serve`), `request.go` (`readRequest`, `parseRequestLine`, `ParseHTTPVersion`,
`validMethod`), `transfer.go` (`readTransfer`, `parseTransferEncoding`, `fixLength`,
`parseContentLength`), `net/textproto/reader.go` (`ReadMIMEHeader`) and `golang.org/x/net/http/httpguts`
(`ValidHostHeader`, `ValidHeaderFieldName/Value`). Checked byte for byte against those servers.

`read_request` returns a `GoRequest`, raises `NoAnswer` where net/http closes without a word (end of
stream before a request, a read error or timeout), or `Refusal` with the exact bytes it writes before
closing: `431 Request Header Fields Too Large` (the head passed MaxHeaderBytes + 4096), `501 Not
Implemented` + "Unsupported transfer encoding", `505` (not HTTP/1.x), `400 Bad Request: <why>` for a
missing, repeated... Host or a bad header name or value, and a plain `400 Bad Request` for the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .bufconn import READ_LIMIT_SLACK, BufferedConn
from .requesturi import RequestURIError, parse_request_uri
from .textproto import TOKEN_BYTES as _TOKEN
from .textproto import MimeHeaderEOF, MimeHeaderError, all_in, read_mime_header

_ERROR_HEADERS = b"\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"
#: httpguts `validHostByte`.
_HOST_BYTES = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!$%&()*+,-.:;=['_]~"
#: `httpguts.ValidHeaderFieldValue` refuses: a control character other than a tab, or DEL.
_CTL_NOT_TAB = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


@dataclass(frozen=True)
class GoHttpRules:
    """How one Go release reads requests, where Go releases differ (each a daprd profile field)."""

    #: daprd's `MaxHeaderBytes` (`--read-buffer-size`, default 4 KiB in every Dapr release).
    max_header_bytes: int = 4096
    #: Chunk lines must end in CRLF, without another CR (Go 1.23.8+, 1.24.2+, CVE-2025-22871).
    chunk_lines_crlf_only: bool = True
    #: A bad Content-Length is refused beside `Transfer-Encoding: chunked` too (Go 1.23+).
    content_length_checked_when_chunked: bool = True
    #: A header line with an empty name (`: v`) is skipped (Go 1.22) rather than refused (1.23+).
    empty_header_name_skipped: bool = False


class NoAnswer(Exception):
    """net/http closes the connection without answering."""


class Refusal(Exception):
    """net/http answers `wire` itself and closes; `linger`: after a 431 it half-closes and waits
    (`closeWriteAndWait`) so the client can read the answer."""

    def __init__(self, wire: bytes, linger: bool = False) -> None:
        super().__init__(wire[: wire.find(b"\r\n")].decode("latin-1"))
        self.wire = wire
        self.linger = linger


def plain_refusal(status: str, body: str | None = None) -> Refusal:
    """`HTTP/1.1 <status>` with net/http's error headers and `body` (default: the status)."""
    return Refusal(b"HTTP/1.1 " + status.encode() + _ERROR_HEADERS + (body or status).encode())


BAD_REQUEST = "400 Bad Request"


def _bad_request(why: str | None = None) -> Refusal:
    """`badRequestError(why)` (a statusError: the reason on the status line and in the body), or
    the plain 400 of any other error."""
    return plain_refusal(BAD_REQUEST if why is None else f"{BAD_REQUEST}: {why}")


@dataclass
class GoRequest:
    """A request head as net/http hands it to the handler. Strings are the bytes as Latin-1."""

    method: str
    #: The request target as sent.
    target: bytes
    proto: str
    major: int
    minor: int
    #: `Request.Header`: canonical keys, values as sent (textproto trims them), Host removed.
    headers: dict[str, list[str]]
    host: str
    #: The path as sent (escaped), for chi; from the absolute form's URL too.
    path: bytes
    query: bytes | None
    #: `ContentLength`: -1 when chunked.
    content_length: int
    chunked: bool
    #: `Request.Close`: HTTP/1.0 without keep-alive, or `Connection: close`.
    close: bool

    def header(self, key: str) -> str:
        """`Header.Get`: the first value of a canonical key, or ""."""
        values = self.headers.get(key)
        return values[0] if values else ""


def read_request(conn: BufferedConn, rules: GoHttpRules, after_post: bool = False) -> GoRequest:
    """Read one request head from `conn` as `conn.readRequest` does (see the module docstring)."""
    conn.set_read_limit(rules.max_header_bytes + READ_LIMIT_SLACK)
    try:
        if after_post:  # RFC 7230 §3 tolerance: CR/LF a client left after a POST body
            peek = conn.peek(4)
            conn.discard(len(peek) - len(peek.lstrip(b"\r\n")))
        request = _read_request(conn, rules)
    except (Refusal, NoAnswer):
        if conn.hit_read_limit():
            raise _too_large() from None
        raise
    except OSError:  # a timeout or reset: isCommonNetReadError
        raise NoAnswer from None
    if request.major != 1:
        raise plain_refusal("505 HTTP Version Not Supported: unsupported protocol version")
    conn.set_infinite_read_limit()
    hosts = request.headers.get("Host", [])
    if not hosts and request.minor >= 1 and request.method != "CONNECT":
        raise _bad_request("missing required Host header")
    if len(hosts) == 1 and not all_in(hosts[0].encode("latin-1"), _HOST_BYTES):
        raise _bad_request("malformed Host header")
    for key, values in request.headers.items():
        if not all_in(key.encode("latin-1"), _TOKEN):
            raise _bad_request("invalid header name")
        for value in values:
            if _CTL_NOT_TAB.search(value):
                raise _bad_request("invalid header value")
    request.headers.pop("Host", None)
    return request


def _too_large() -> Refusal:
    status = "431 Request Header Fields Too Large"
    return Refusal(b"HTTP/1.1 " + status.encode() + _ERROR_HEADERS + status.encode(), linger=True)


def _read_request(conn: BufferedConn, rules: GoHttpRules) -> GoRequest:
    """request.go `readRequest`: the request line, the header block and the framing headers."""
    line = conn.read_line()
    if line is None:
        raise NoAnswer  # io.EOF before a request: the client is done
    method, sp1, rest = line.partition(b" ")
    target, sp2, proto = rest.partition(b" ")
    if not sp1 or not sp2 or not method or not all_in(method, _TOKEN):
        raise _bad_request()
    version = _http_version(proto)
    if version is None:
        raise _bad_request()
    method_text = method.decode("latin-1")
    try:
        uri = parse_request_uri(target, method_text)
    except RequestURIError:
        raise _bad_request() from None
    try:
        headers = read_mime_header(conn, skip_empty_names=rules.empty_header_name_skipped)
    except (MimeHeaderError, MimeHeaderEOF):  # io.EOF inside the head is io.ErrUnexpectedEOF: a 400
        raise _bad_request() from None
    hosts = headers.get("Host", [])
    if len(hosts) > 1:
        raise _bad_request()  # "too many Host headers": a plain error
    major, minor = version
    chunked, length = _transfer(headers, minor, rules)
    return GoRequest(
        method=method_text,
        target=target,
        proto=proto.decode("latin-1"),
        major=major,
        minor=minor,
        headers=headers,
        host=uri.host.decode("latin-1") or (hosts[0] if hosts else ""),
        path=uri.path,
        query=uri.query,
        content_length=length,
        chunked=chunked,
        close=major < 1 or _should_close(minor, headers),
    )


def _http_version(proto: bytes) -> tuple[int, int] | None:
    """`ParseHTTPVersion`: `HTTP/X.Y` with one digit each."""
    if proto == b"HTTP/1.1":
        return 1, 1
    if proto == b"HTTP/1.0":
        return 1, 0
    if len(proto) != 8 or not proto.startswith(b"HTTP/") or proto[6:7] != b".":
        return None
    major, minor = proto[5:6], proto[7:8]
    if not (major.isdigit() and minor.isdigit()):
        return None
    return int(major), int(minor)


def has_token(value: str, token: str) -> bool:
    """net/http `hasToken`: `token` (lower case) as a whole comma/space-separated word, any case."""
    low = value.lower()
    start = low.find(token)
    while start >= 0:
        end = start + len(token)
        if (start == 0 or low[start - 1] in " ,\t") and (end == len(low) or low[end] in " ,\t"):
            return True
        start = low.find(token, start + 1)
    return False


def _should_close(minor: int, headers: dict[str, list[str]]) -> bool:
    """`shouldClose`: HTTP/1.0 unless `keep-alive`; `Connection: close` (httpguts token match)."""
    tokens = {t.strip(" \t").lower() for v in headers.get("Connection", []) for t in v.split(",")}
    if minor == 0:
        return "close" in tokens or "keep-alive" not in tokens
    return "close" in tokens


def _transfer(headers: dict[str, list[str]], minor: int, rules: GoHttpRules) -> tuple[bool, int]:
    """`readTransfer` for a request: (chunked, ContentLength), refusing what Go refuses."""
    chunked = False
    encodings = headers.pop("Transfer-Encoding", None)
    if encodings is not None and minor >= 1:  # ignored on HTTP/1.0 (issue 12785)
        if len(encodings) != 1 or encodings[0].strip(" \t").lower() != "chunked":
            raise plain_refusal("501 Not Implemented", "Unsupported transfer encoding")
        chunked = True
        if not rules.content_length_checked_when_chunked:
            headers.pop("Content-Length", None)
    lengths = headers.get("Content-Length", [])
    if len(lengths) > 1:
        first = lengths[0].strip(" \t\r\n")
        if any(v.strip(" \t\r\n") != first for v in lengths[1:]):
            raise _bad_request()  # "http: message cannot contain multiple Content-Length headers"
        headers["Content-Length"] = lengths = [first]
    length = 0
    if lengths:
        text = lengths[0].strip(" \t\r\n")
        if not text or not text.isascii() or not text.isdigit() or int(text) >= 1 << 63:
            raise _bad_request()  # "invalid empty Content-Length" / "bad Content-Length"
        length = int(text)
    if chunked:
        headers.pop("Content-Length", None)
        return True, -1
    return False, length
