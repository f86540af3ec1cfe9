"""How daprd turns a request path into a job name: Go's net/http, chi and daprd's unescaping (contract §2).

1. net/http parses the request line with `url.ParseRequestURI`: a bad `%` escape anywhere in the path
   is answered `400 Bad Request` by the server itself, before any router runs.
2. daprd's CleanPathMiddleware routes on `path.Clean(r.URL.EscapedPath())`, always (1.14 to 1.18,
   `pkg/api/http/middlewares.go`): the path as sent when its escaping is valid (`validEncoded`), else
   Go's escaping of the decoded path. So `a%2Fb` is one segment and `100%25` routes as `100%25`
   (recorded: `nm%25pct` is the job `nm%pct`, docs/conformance.md).
3. daprd's middlewares clean that path (`path.Clean`) and strip a trailing slash.
4. daprd's `unescapeRequestParametersHandler` runs `url.QueryUnescape` on the `{name}` parameter
   (`+` is a space; a bad escape is a 400 from daprd, `pkg/api/http/server.go`).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
# Bytes Go's `shouldEscape(c, encodePath)` leaves alone: unreserved characters and `$&+,/:;=@`.
_PATH_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~$&+,/:;=@")
# What `validEncoded(s, encodePath)` accepts besides those: sub-delims, brackets and escapes.
_VALID_ENCODED = _PATH_SAFE | frozenset(b"!'()*[]%")
_VALID_ENCODED_BYTES = bytes(sorted(_VALID_ENCODED))


class BadEscape(ValueError):
    """An invalid `%` escape; `str()` is Go's `url.EscapeError` text."""


def _check_escapes(text: str) -> None:
    index = text.find("%")
    while index >= 0:
        if not _ESCAPE.match(text, index):
            raise BadEscape(f"invalid URL escape {text[index : index + 3]!r}".replace("'", '"'))
        index = text.find("%", index + 3)


def _decode(text: str) -> str:
    """Percent-decode to the bytes Go would hold; bytes that are not UTF-8 become surrogate escapes
    (also when `text` already carries some, from a path routed decoded)."""
    raw = unquote_to_bytes(text.encode("utf-8", errors="surrogateescape"))
    return raw.decode("utf-8", errors="surrogateescape")


def go_escape_path(decoded: str) -> str:
    """Go's `url.PathEscape`-style escaping used by `URL.EscapedPath` (`escape(s, encodePath)`)."""
    out = []
    for byte in decoded.encode("utf-8", errors="surrogateescape"):
        out.append(chr(byte) if byte in _PATH_SAFE else f"%{byte:02X}")
    return "".join(out)


def route_path(raw_path: str) -> str:
    """The path chi routes on, `URL.EscapedPath()` of the raw request path (without query); raises
    `BadEscape` where net/http refuses the request line."""
    _check_escapes(raw_path)
    if not raw_path.encode("utf-8", errors="surrogateescape").translate(None, _VALID_ENCODED_BYTES):
        return raw_path
    return go_escape_path(_decode(raw_path))


def go_path_clean(path: str) -> str:
    """Go's `path.Clean`."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    cleaned = "/".join(parts)
    return ("/" + cleaned) if rooted else (cleaned or ".")


def go_query_unescape(text: str) -> str:
    """Go's `url.QueryUnescape`: `+` is a space, a bad `%` escape is an error."""
    _check_escapes(text)
    return _decode(text.replace("+", " "))
