"""Go's `url.ParseRequestURI` on a request target, as net/http runs it (`request.go:readRequest`).

What routing needs from it: the path as sent (origin form `/a?b`, and the absolute form
`http://host/a?b`, whose path is routed the same, RFC 9112 §3.2.2) and whether Go refuses the target,
which net/http answers with its plain `400 Bad Request` before any handler. Go's rules
(`net/url/url.go:parse`, `getScheme`, `parseAuthority`, `parseHost`, Go 1.26):

- a control byte (below 0x20, or 0x7f) anywhere: "net/url: invalid control character in URL";
- an empty target; a target that is neither `*`, nor starts with `/`, nor has a scheme;
- in the absolute form, a host Go cannot parse (`[` not first, a missing `]`, a port that is not
  digits, a bad `%` escape or a byte not allowed in a host).

Bad `%` escapes in the path are Go refusals too (`setPath`), but they are left to `golang.url.route_path`,
where the fake journals them (rule `url.bad-escape`) before answering Go's 400.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

_SCHEME_CHARS = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]*")
_HEX = b"0123456789abcdefABCDEF"
#: Every byte but the control bytes (below 0x20, and 0x7f), for `has_control_byte`.
_NOT_CTL = bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100))
#: Bytes below 0x80 that `shouldEscape(c, encodeHost)` leaves alone.
_HOST_SAFE = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!$&'()*+,;=:[]<>\""
)
_USERINFO_SAFE = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._:~!$&'()*+,;=%@"
)


class RequestURIError(ValueError):
    """A request target Go's `url.ParseRequestURI` refuses (net/http: plain 400)."""


@dataclass(frozen=True)
class RequestURI:
    #: The path as sent (still escaped); empty for `http://host` and opaque targets.
    path: bytes
    #: The raw query (after the first `?`), or None without one.
    query: bytes | None
    #: The host of an absolute-form target, else empty.
    host: bytes = b""


def has_control_byte(raw: bytes) -> bool:
    """`stringContainsCTLByte`: a byte below 0x20 or 0x7f."""
    return bool(raw.translate(None, _NOT_CTL))


def parse_request_uri(raw: bytes, method: str = "GET") -> RequestURI:
    """The target's path and query, or `RequestURIError` where Go refuses it."""
    if has_control_byte(raw):
        raise RequestURIError("net/url: invalid control character in URL")
    if method == "CONNECT" and not raw.startswith(b"/"):
        parsed = parse_request_uri(b"http://" + raw)  # justAuthority: host[:port] only
        return RequestURI(parsed.path, parsed.query, parsed.host)
    if not raw:
        raise RequestURIError("empty url")
    if raw == b"*":
        return RequestURI(b"*", None)
    scheme, rest = _scheme(raw)
    query: bytes | None = None
    if rest.endswith(b"?") and rest.count(b"?") == 1:
        rest, query = rest[:-1], b""
    elif b"?" in rest:
        rest, query = rest.split(b"?", 1)
    if not rest.startswith(b"/"):
        if scheme:
            return RequestURI(b"", query)  # opaque: `http:x` has no path to route
        raise RequestURIError("invalid URI for request")
    host = b""
    if scheme and rest.startswith(b"//"):
        authority, slash, path = rest[2:].partition(b"/")
        host = _authority(scheme.lower(), authority)
        rest = slash + path
    return RequestURI(rest, query, host)


def _scheme(raw: bytes) -> tuple[bytes, bytes]:
    """`getScheme`: the scheme before the first `:`, when what precedes it is one."""
    if raw.startswith(b":"):
        raise RequestURIError("missing protocol scheme")
    match = _SCHEME_CHARS.match(raw)
    if match is not None and raw[match.end() : match.end() + 1] == b":":
        return match.group(0), raw[match.end() + 1 :]
    return b"", raw


def _authority(scheme: bytes, authority: bytes) -> bytes:
    at = authority.rfind(b"@")
    host = _host(scheme, authority[at + 1 :])
    if at >= 0:
        userinfo = authority[:at]
        if not all(b in _USERINFO_SAFE or b >= 0x80 for b in userinfo):
            raise RequestURIError("net/url: invalid userinfo")
        _unescape(userinfo, host_mode=False)
    return host


def _host(scheme: bytes, host: bytes) -> bytes:
    """`parseHost` (Go 1.26): an IP literal in brackets, else a name with an optional `:port`."""
    bracket = host.rfind(b"[")
    if bracket > 0:
        raise RequestURIError("invalid IP-literal")
    if bracket == 0:
        close = host.rfind(b"]")
        if close < 0:
            raise RequestURIError("missing ']' in host")
        _port(host[close + 1 :])
        literal = _unescape(host[1:close], host_mode=True).decode("latin-1")
        address = literal.split("%", 1)[0]
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError as err:
            raise RequestURIError(f"invalid host: {err}") from None
        if parsed.version == 4:
            raise RequestURIError("invalid IP-literal")
        return host
    colon = host.find(b":")
    if colon >= 0:
        last = host.rfind(b":")
        if last != colon and scheme not in (b"http", b"https"):
            colon = last  # only http(s) URLs must not have colons in the host (go.dev/issue/75223)
        _port(host[colon:])
    _unescape(host, host_mode=True)
    return host


def _port(colon_port: bytes) -> None:
    """`validOptionalPort`: empty, or `:` and digits."""
    if colon_port and (colon_port[:1] != b":" or (not colon_port[1:].isdigit() and colon_port != b":")):
        raise RequestURIError(f"invalid port {colon_port!r} after host")


def _unescape(text: bytes, *, host_mode: bool) -> bytes:
    """`unescape` in host or userinfo mode: `%XX` must be valid (in a host, only for non-ASCII
    bytes or `%25`), and a host holds no ASCII byte that needs escaping."""
    i = 0
    while i < len(text):
        byte = text[i]
        if byte == 0x25:  # %
            escape = text[i : i + 3]
            if len(escape) < 3 or escape[1] not in _HEX or escape[2] not in _HEX:
                raise RequestURIError(f"invalid URL escape {escape!r}")
            if host_mode and int(escape[1:2], 16) < 8 and escape != b"%25":
                raise RequestURIError(f"invalid URL escape {escape!r}")
            i += 3
            continue
        if host_mode and byte < 0x80 and byte not in _HOST_SAFE:
            raise RequestURIError(f"invalid character {chr(byte)!r} in host name")
        i += 1
    return text
