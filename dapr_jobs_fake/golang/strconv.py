"""Go's string quoting, as Go's error messages write values: `time.quote` and `strconv.Quote` (`%q`)."""

from __future__ import annotations


def utf8(text: str) -> bytes:
    """The bytes Go holds for `text`; lone surrogates (undecodable input kept by Python) pass through."""
    return text.encode("utf-8", "surrogatepass")


def is_digit(b: bytes, i: int) -> bool:
    """Whether byte `i` of `b` exists and is an ASCII digit (Go's `isDigit` helpers)."""
    return i < len(b) and 0x30 <= b[i] <= 0x39


def go_quote(raw: bytes) -> str:
    """Go `time.quote` (used by every `time` error): `"`-wrapped, `"` and `\\` backslashed, and every
    byte that is non-ASCII (valid UTF-8 or not) or a control character written as `\\xNN`."""
    if raw.isascii():
        text = raw.decode("ascii")
        if text.isprintable() and '"' not in text and "\\" not in text:  # nothing to escape
            return '"' + text + '"'
    out = ['"']
    for c in raw:
        if c >= 0x80 or c < 0x20:
            out.append(f"\\x{c:02x}")
        else:
            out.append("\\" + chr(c) if c in (0x22, 0x5C) else chr(c))
    out.append('"')
    return "".join(out)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def strconv_quote(text: str) -> str:
    """Go `strconv.Quote` (`%q` of a string), used in parser and name-validation messages."""
    out = ['"']
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        else:
            out.append(f"\\u{o:04x}" if o < 0x10000 else f"\\U{o:08x}")
    return "".join(out) + '"'
