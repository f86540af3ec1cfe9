"""Go's `net/textproto.Reader.ReadMIMEHeader`, for request heads and chunked-body trailers.

`Key: value` lines up to a blank line; a line starting with a space or tab continues the one before
(folded with one space); keys are canonicalised (`content-length` is `Content-Length`) unless they hold
a space, which textproto keeps as sent (net/http refuses them later as invalid names); values are
trimmed and must not hold control bytes other than a tab (`validHeaderValueByte`). Error texts are
Go 1.26's (`%q` of the line; Go 1.25.12 and older print the line raw, which only daprd's trailer error
messages would show).
"""

from __future__ import annotations

import functools

from .bufconn import BufferedConn

TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
#: The same bytes, for `all_in`.
TOKEN_BYTES = bytes(sorted(TOKEN))
#: `validHeaderValueByte`: VCHAR, SP, HTAB and obs-text.
_VALUE_BYTES = bytes(sorted(frozenset(range(0x20, 0x7F)) | frozenset(range(0x80, 0x100)) | {0x09}))
_ESCAPES = {0x07: "\\a", 0x08: "\\b", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v"}


def all_in(data: bytes, allowed: bytes) -> bool:
    """Whether every byte of `data` is one of `allowed`: `bytes.translate` deletes them all in one C
    pass (a check per byte in Python was a visible part of every request's cost)."""
    return not data.translate(None, allowed)


class MimeHeaderError(Exception):
    """A header block textproto refuses; `str()` is its `ProtocolError` text."""


class MimeHeaderEOF(Exception):
    """The stream ended inside the header block (io.EOF)."""


def go_quote_bytes(raw: bytes) -> str:
    """`%q` of a byte slice: `strconv.Quote`, invalid UTF-8 bytes as `\\xNN`."""
    out = ['"']
    for ch in raw.decode("utf-8", "surrogateescape"):
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in '"\\':
            out.append("\\" + ch)
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif not ch.isprintable():
            out.append(f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out) + '"'


def read_mime_header(conn: BufferedConn, *, skip_empty_names: bool = False) -> dict[str, list[str]]:
    """The header block as `map[key][]value` (values as Latin-1 text), blank line consumed."""
    headers: dict[str, list[str]] = {}
    first = conn.peek(1)
    if first in (b" ", b"\t"):
        line = conn.read_line() or b""
        raise MimeHeaderError(f"malformed MIME header initial line: {go_quote_bytes(line[:80])}")
    while True:
        read = conn.read_line()
        if read is None:
            raise MimeHeaderEOF
        if not read:
            return headers
        line = read
        if b":" not in line:
            raise MimeHeaderError(f"malformed MIME header: missing colon: {go_quote_bytes(line)}")
        line = _trim(line)
        while True:  # continuation lines start with a space or a tab
            byte = conn.read_byte()
            if byte is None:
                break
            if byte not in (0x20, 0x09):
                conn.unread_byte()
                break
            while byte in (0x20, 0x09):
                byte = conn.read_byte()
            if byte is not None:
                conn.unread_byte()
            more = conn.read_line()
            if more is None:
                break
            line += b" " + _trim(more)
        key, _, value = line.partition(b":")
        name = canonical_key(key)
        if name is None and not (skip_empty_names and not key):
            raise MimeHeaderError(f"malformed MIME header line: {go_quote_bytes(line)}")
        if not all_in(value, _VALUE_BYTES):
            raise MimeHeaderError(f"malformed MIME header line: {go_quote_bytes(line)}")
        if name is None:
            continue  # Go 1.22: an empty name is skipped
        headers.setdefault(name, []).append(value.lstrip(b" \t").decode("latin-1"))


def _trim(line: bytes) -> bytes:
    return line.strip(b" \t")


@functools.lru_cache(maxsize=512)
def canonical_key(key: bytes) -> str | None:
    """`canonicalMIMEHeaderKey`: the canonical form, the key as sent when it holds a space, or None
    for a key textproto refuses (empty, or a byte that is neither a token byte nor a space).
    Cached: the same few keys come with every request."""
    if not key:
        return None
    rest = key.translate(None, TOKEN_BYTES)  # the bytes that are not token bytes
    if rest.strip(b" "):
        return None
    text = key.decode("latin-1")
    if rest:  # spaces only
        return text
    return "-".join(part[:1].upper() + part[1:].lower() for part in text.split("-"))
