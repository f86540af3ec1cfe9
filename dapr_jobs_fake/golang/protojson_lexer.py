"""protobuf-go's JSON tokenizer, for its errors and positions (google.golang.org/protobuf v1.36
`internal/encoding/json/decode.go`, read by `encoding/protojson.Unmarshal`).

daprd decodes job bodies with protojson, so a malformed body is refused in protobuf-go's words:
`unexpected EOF` (the input ends inside a value), `syntax error (line L:C): invalid value x` (a byte no
token starts with; the rest of the word, or one character), `syntax error (line L:C): unexpected token
T` (a token where none of its kind may be: after the object, or an empty body), string errors, and
`unexpected character :, missing ":" after field name`. Lines count from 1, columns are characters
from 1. `syntax_error` finds the first, reading one object then the end as `Unmarshal` does;
`name_tokens` gives every object key with its container's path and position, for the errors protojson
raises at a key (`duplicate field`, a oneof set twice).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NameToken", "name_tokens", "position", "syntax_error"]

_ERR_WORD = re.compile(r"[-+._a-zA-Z0-9]{1,32}|.", re.S)
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_NOT_DELIM = re.compile(r"[-+._a-zA-Z0-9]")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_SCALAR = ("null", "bool", "number", "string")
#: A run of string characters that need no look: no quote, no backslash, no control character.
_PLAIN_RUN = re.compile(r'[^"\\\x00-\x1f]+')


@dataclass(frozen=True)
class NameToken:
    """An object key: the path of its object (keys and array indexes), the key, its position."""

    path: tuple[str | int, ...]
    key: str
    offset: int


class _Failure(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def position(text: str, offset: int) -> tuple[int, int]:
    """(line, column) of `offset` as protobuf-go counts them."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


class _Decoder:
    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0
        self.stack: list[str] = []
        self.last = ""
        self.names: list[NameToken] = []
        self.path: list[str | int] = []

    def fail(self, offset: int, message: str) -> _Failure:
        line, column = position(self.text, offset)
        return _Failure(f"syntax error (line {line}:{column}): {message}")

    def _string(self) -> tuple[str, int]:
        text, i = self.text, self.pos + 1
        out: list[str] = []
        plain = _PLAIN_RUN.match
        while i < len(text):
            run = plain(text, i)
            if run is not None:  # taken whole: a 4 MiB string is one slice, not 4 million appends
                out.append(run.group())
                i = run.end()
                continue
            char = text[i]
            if char == '"':
                return "".join(out), i + 1
            if char < " ":
                raise self.fail(i, f"invalid character {_go_quote(char)} in string")
            if char != "\\":
                out.append(char)
                i += 1
                continue
            if i + 1 >= len(text):
                raise _Failure("unexpected EOF")
            code = text[i + 1]
            if code in _ESCAPES:
                out.append(_ESCAPES[code])
                i += 2
            elif code == "u":
                if i + 6 > len(text):
                    raise _Failure("unexpected EOF")
                digits = text[i + 2 : i + 6]
                if not re.fullmatch(r"[0-9a-fA-F]{4}", digits):
                    raise self.fail(i, f'invalid escape code "{text[i : i + 6]}" in string')
                out.append(chr(int(digits, 16)))
                i += 6
            else:
                raise self.fail(i, f'invalid escape code "{text[i : i + 2]}" in string')
        raise _Failure("unexpected EOF")

    def _next(self) -> tuple[str, int, str]:
        """(kind, offset, raw text) of the next token (`parseNext`)."""
        text = self.text
        while self.pos < len(text) and text[self.pos] in " \n\r\t":
            self.pos += 1
        start = self.pos
        if start == len(text):
            return "eof", start, ""
        char = text[start]
        for word, kind in (("null", "null"), ("true", "bool"), ("false", "bool")):
            if text.startswith(word, start) and not _NOT_DELIM.match(text, start + len(word)):
                self.pos += len(word)
                return kind, start, word
        if char in "-0123456789":
            match = _NUMBER.match(text, start)
            if match and not _NOT_DELIM.match(text, match.end()):
                self.pos = match.end()
                return "number", start, match.group(0)
        if char == '"':
            value, self.pos = self._string()
            return "string", start, value
        if char in "{}[],":
            self.pos += 1
            kinds = {"{": "object", "}": "object-close", "[": "array", "]": "array-close", ",": "comma"}
            return kinds[char], start, char
        found = _ERR_WORD.match(text, start)
        raise self.fail(start, f"invalid value {found.group(0) if found else ''}")

    def _value_next(self) -> bool:
        if not self.stack:
            return self.last == ""
        return self.last == "name" if self.stack[-1] == "object" else self.last in ("array", "comma")

    def _unexpected(self, offset: int) -> _Failure:
        """A token where none of its kind may be (its position is worked out only when it fails:
        counting lines for every token would make long bodies quadratic)."""
        return self.fail(offset, f"unexpected token {self.text[offset : self.pos]}")

    def read(self) -> tuple[str, int, str]:
        """The next token, checked against what came before (`Decoder.Read`)."""
        kind, offset, raw = self._next()
        if kind == "eof":
            if self.stack:
                raise _Failure("unexpected EOF")
        elif kind in ("null", "bool", "number") and not self._value_next():
            raise self._unexpected(offset)
        elif kind == "string" and not self._value_next():
            if self.last not in ("object", "comma"):
                raise self._unexpected(offset)
            while self.pos < len(self.text) and self.text[self.pos] in " \n\r\t":
                self.pos += 1
            if self.pos == len(self.text):
                raise _Failure("unexpected EOF")
            if self.text[self.pos] != ":":
                found = self.text[self.pos]
                raise self.fail(self.pos, f'unexpected character {found}, missing ":" after field name')
            self.pos += 1
            kind = "name"
            self.names.append(NameToken(tuple(self.path), raw, offset))
        elif kind in ("object", "array"):
            if not self._value_next():
                raise self._unexpected(offset)
            self.stack.append(kind)
        elif kind == "object-close":
            if not self.stack or self.last in ("name", "comma") or self.stack[-1] != "object":
                raise self._unexpected(offset)
            self.stack.pop()
        elif kind == "array-close":
            if not self.stack or self.last == "comma" or self.stack[-1] != "array":
                raise self._unexpected(offset)
            self.stack.pop()
        elif kind == "comma" and (
            not self.stack or self.last not in (*_SCALAR, "object-close", "array-close")
        ):
            raise self._unexpected(offset)
        self.last = kind
        return kind, offset, raw

    def value(self) -> None:
        """Read one value, keeping `path` (the keys and indexes leading to where the reader is).

        Iterative, one entry in `frames` per open container (-1 for an object, else the index of the
        array's next item), so no nesting depth exhausts Python's stack; it reads the tokens, and fails
        at the token, that protobuf-go's recursive reader would."""
        frames: list[int] = []
        kind, offset, raw = self.read()
        while True:
            opened = kind in ("object", "array")
            if opened:
                frames.append(-1 if kind == "object" else 0)
            elif kind not in _SCALAR:
                raise self.fail(offset, f"unexpected token {raw}")
            following = self._next_value(frames, opened)
            if following is None:
                return
            kind, offset, raw = following

    def _next_value(self, frames: list[int], opened: bool) -> tuple[str, int, str] | None:
        """After a value (or the opening of a container, `opened`): close what ends and return the
        token that begins the next value, or None once the outermost value is complete."""
        while frames:
            top = frames[-1]
            if top < 0:  # an object: members until its `}`
                if not opened:
                    self.path.pop()
                while True:
                    kind, offset, raw = self.read()
                    if kind == "object-close":
                        break
                    if kind == "comma":
                        continue
                    if kind != "name":
                        raise self.fail(offset, f"unexpected token {raw}")
                    self.path.append(raw)
                    return self.read()
            else:  # an array: items until its `]`
                closed = False
                if not opened:
                    self.path.pop()
                    frames[-1] = top = top + 1
                    closed = self.read()[0] == "array-close"  # else the comma `read` allowed
                if not closed and self._peek_close("]"):
                    self.read()
                    closed = True
                if not closed:
                    self.path.append(top)
                    return self.read()
            frames.pop()
            opened = False
        return None

    def _peek_close(self, char: str) -> bool:
        text, i = self.text, self.pos
        while i < len(text) and text[i] in " \n\r\t":
            i += 1
        return text.startswith(char, i)


def _go_quote(char: str) -> str:
    """Go's %q of a control character rune: '\\n', '\\t', '\\x00' ..."""
    named = {"\a": "a", "\b": "b", "\f": "f", "\n": "n", "\r": "r", "\t": "t", "\v": "v"}
    return f"'\\{named[char]}'" if char in named else f"'\\x{ord(char):02x}'"


def _decode(text: str) -> _Decoder:
    """Read `text` as `protojson.Unmarshal` reads a message: one object, then the end."""
    decoder = _Decoder(text)
    kind, offset, _ = decoder.read()
    if kind != "object":
        raise decoder.fail(offset, f"unexpected token {text[offset : decoder.pos]}")
    decoder.pos, decoder.stack, decoder.last = offset, [], ""
    decoder.value()
    kind, offset, _ = decoder.read()
    if kind != "eof":
        raise decoder.fail(offset, f"unexpected token {text[offset : decoder.pos]}")
    return decoder


def syntax_error(text: str) -> str | None:
    """protobuf-go's words (without `proto: `) for the first syntax error in a body, or None."""
    try:
        _decode(text)
    except _Failure as failure:
        return failure.message
    return None


def name_tokens(text: str) -> list[NameToken]:
    """Every object key of a well-formed body, in order (empty when it is not well-formed)."""
    try:
        return _decode(text).names
    except _Failure:
        return []
