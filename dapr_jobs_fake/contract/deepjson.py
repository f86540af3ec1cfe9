"""JSON at any depth daprd accepts, without raising the interpreter's recursion limit.

Go's protojson reads job bodies nested up to 10,000 levels (`protowire.DefaultRecursionLimit`), while
Python's `json` module recurses and stops near 1,000. Everything here works with an explicit stack:
`loads` (the C parser first, this one when it runs out of recursion), `dumps` (compact), `copy`,
`depth`, and `walk_strings`. The parser keeps protojson's rules: duplicate keys, `NaN`/`Infinity`
and out-of-range numbers are refused.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_WHITESPACE = re.compile(r"[ \t\n\r]*")
_LITERALS = {"true": True, "false": False, "null": None}


class DuplicateKey(ValueError):
    """An object names the same key twice (protojson: `duplicate field`)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object from its pairs, refusing a repeated key; keys are interned, since the journal keeps
    every body and the same few keys come back in each."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise DuplicateKey(key)
        result[sys.intern(key)] = value
    return result


def _reject_constant(token: str) -> object:
    raise ValueError(f"unexpected token {token}")


def finite_float(token: str) -> float:
    """protojson parses numbers with strconv.ParseFloat: out of float64 range is an error."""
    value = float(token)
    if math.isinf(value):
        raise ValueError(f"invalid google.protobuf.Value: {token}")
    return value


def finite_int(token: str) -> int:
    if len(token) > 300 and math.isinf(float(token)):
        raise ValueError(f"invalid google.protobuf.Value: {token}")
    return int(token)


def _noting_duplicates(found: list[str]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in pairs:
            if key in result:
                found.append(key)
            result[sys.intern(key)] = value
        return result

    return pairs_hook


def loads(text: str, duplicates: list[str] | None = None) -> Any:
    """Strict JSON as protojson's tokenizer reads it, at any depth.

    Raises `DuplicateKey`, `json.JSONDecodeError` (with line and column) or `ValueError`. With a
    `duplicates` list, a repeated key is appended to it (the later value kept) instead of raising:
    whether protojson refuses it depends on where it is (`contract.jsonscan`).
    """
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates if duplicates is None else _noting_duplicates(duplicates),
            parse_constant=_reject_constant,
            parse_float=finite_float,
            parse_int=finite_int,
        )
    except RecursionError:
        return _Parser(text, duplicates).parse()


class _Parser:
    """An iterative JSON parser: containers on an explicit stack, strings by the C `scanstring`."""

    def __init__(self, text: str, duplicates: list[str] | None = None) -> None:
        self.text = text
        self.duplicates = duplicates

    def fail(self, message: str, pos: int) -> json.JSONDecodeError:
        return json.JSONDecodeError(message, self.text, pos)

    def skip(self, pos: int) -> int:
        match = _WHITESPACE.match(self.text, pos)
        assert match is not None
        return match.end()

    def scalar(self, pos: int) -> tuple[Any, int]:
        text = self.text
        char = text[pos : pos + 1]
        if char == '"':
            return scanstring(text, pos + 1, True)  # type: ignore[no-any-return]
        for word, literal in _LITERALS.items():
            if text.startswith(word, pos):
                return literal, pos + len(word)
        match = _NUMBER.match(text, pos)
        if match is None:
            for constant in ("NaN", "Infinity", "-Infinity"):
                if text.startswith(constant, pos):
                    raise ValueError(f"unexpected token {constant}")
            raise self.fail("Expecting value", pos)
        token = match.group(0)
        number = finite_float(token) if match.group(2) or match.group(3) else finite_int(token)
        return number, match.end()

    def parse(self) -> Any:
        text = self.text
        pos = self.skip(0)
        stack: list[tuple[list[Any] | dict[str, Any], str | None]] = []
        while True:
            char = text[pos : pos + 1]
            if char in ("[", "{"):
                container: list[Any] | dict[str, Any] = [] if char == "[" else {}
                pos = self.skip(pos + 1)
                closing = "]" if char == "[" else "}"
                if text[pos : pos + 1] == closing:
                    value: Any = container
                    pos += 1
                else:
                    key = None
                    if char == "{":
                        key, pos = self._key(pos)
                    stack.append((container, key))
                    continue
            else:
                value, pos = self.scalar(pos)
            # `value` is complete: store it into its parent, then close what can be closed.
            while True:
                if not stack:
                    pos = self.skip(pos)
                    if pos != len(text):
                        raise self.fail("Extra data", pos)
                    return value
                parent, key = stack[-1]
                if isinstance(parent, list):
                    parent.append(value)
                else:
                    assert key is not None
                    if key in parent:
                        if self.duplicates is None:
                            raise DuplicateKey(key)
                        self.duplicates.append(key)
                    parent[key] = value
                pos = self.skip(pos)
                char = text[pos : pos + 1]
                if char == ",":
                    pos = self.skip(pos + 1)
                    if isinstance(parent, dict):
                        new_key, pos = self._key(pos)
                        stack[-1] = (parent, new_key)
                    break
                if char == ("]" if isinstance(parent, list) else "}"):
                    stack.pop()
                    value, pos = parent, pos + 1
                    continue
                raise self.fail("Expecting ',' delimiter", pos)

    def _key(self, pos: int) -> tuple[str, int]:
        text = self.text
        if text[pos : pos + 1] != '"':
            raise self.fail("Expecting property name enclosed in double quotes", pos)
        key, pos = scanstring(text, pos + 1, True)
        pos = self.skip(pos)
        if text[pos : pos + 1] != ":":
            raise self.fail("Expecting ':' delimiter", pos)
        return key, self.skip(pos + 1)


_END: Any = object()


def dumps(value: Any, *, scalar: Callable[[Any], str] | None = None, sort_keys: bool = False) -> str:
    """Compact JSON of `value` at any depth; `scalar` writes non-container values (default `json`)."""
    write_scalar = scalar or (lambda v: json.dumps(v, ensure_ascii=False, default=str))
    out: list[str] = []
    firsts: list[bool] = []
    closers: list[str] = []
    stack: list[tuple[Iterator[Any], bool]] = []

    def emit_separator() -> None:
        if firsts:
            if firsts[-1]:
                firsts[-1] = False
            else:
                out.append(",")

    current = value
    while True:
        if isinstance(current, dict):
            out.append("{")
            items = sorted(current.items()) if sort_keys else current.items()
            stack.append((iter(items), True))
            firsts.append(True)
            closers.append("}")
        elif isinstance(current, (list, tuple)):
            out.append("[")
            stack.append((iter(current), False))
            firsts.append(True)
            closers.append("]")
        else:
            out.append(write_scalar(current))
        while stack:
            iterator, is_object = stack[-1]
            item = next(iterator, _END)
            if item is _END:
                stack.pop()
                firsts.pop()
                out.append(closers.pop())
                continue
            emit_separator()
            if is_object:
                out.append(json.dumps(item[0], ensure_ascii=False) + ":")
                current = item[1]
            else:
                current = item
            break
        else:
            return "".join(out)


def copy(value: Any) -> Any:
    """A deep copy of a JSON value (dicts and lists), at any depth."""
    if not isinstance(value, (dict, list)):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack = [(value, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, item in items:
            if isinstance(item, (dict, list)):
                child: Any = {} if isinstance(item, dict) else []
                stack.append((item, child))
                item = child
            if isinstance(target, dict):
                target[key] = item
            else:
                target.append(item)
    return root


def depth(value: Any) -> int:
    """How deeply containers nest in `value` (a scalar is 0, `[]` is 1, `[[1]]` is 2)."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        current, level = stack.pop()
        if isinstance(current, dict):
            stack.extend((item, level + 1) for item in current.values())
            deepest = max(deepest, level + 1)
        elif isinstance(current, (list, tuple)):
            stack.extend((item, level + 1) for item in current)
            deepest = max(deepest, level + 1)
    return deepest


def walk_strings(value: Any) -> Iterator[str]:
    """Every string in `value`, keys included, at any depth."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            yield current
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend(current)
