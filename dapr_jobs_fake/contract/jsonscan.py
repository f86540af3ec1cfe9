"""Where protobuf-go's JSON decoder stops in a job body, and how it says so (contract §3).

protojson reads a body token by token (`encoding/protojson/decode.go`, `internal/encoding/json`), so
its errors name the first offending token and its position: `(line L:C)` with C counted in runes from
1 (`json.Decoder.Position`). This module finds the errors a parsed value cannot show:

- invalid UTF-8: `syntax error (line L:C): invalid UTF-8 in string` at the string's opening quote
  (`decode_string.go`), or `invalid value <byte>` for a byte outside any string;
- a repeated name, but only where protojson checks one: a field of a message given twice, under the
  same or its other name (`duplicate field "due_time"`, `unmarshalMessage`: field numbers are
  compared), and a key repeated in a `google.protobuf.Struct` of `data` at any depth (`duplicate map
  key "a"`, `unmarshalMap`). Keys of unknown fields, and of messages without fields (`drop`), are
  skipped unread (DiscardUnknown), so they may repeat.

`raw_token` gives the token text protojson quotes in type errors (`tok.RawString()`: `{` for an object).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any, NamedTuple

from jsonschema.exceptions import best_match

from .deepjson import dumps, loads

#: How deep the JSON Schemas look into a body (`{"job": {"failurePolicy": {"constant": {"interval":`);
#: deeper containers are emptied for the schema check (their type is all it can check there).
SCHEMA_DEPTH = 6
#: Fields inside a failure policy whose type protojson checks at their first token.
_POLICY_SCALARS = ("interval", "maxRetries", "max_retries")
_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?|true|false|null")
#: Kinds of values whose type protojson checks at their first token: a container there is its error.
_SCALARS = ("scalar", "duration")
_MESSAGES = ("request", "job", "policy", "drop", "constant")


def position(text: str, offset: int) -> tuple[int, int]:
    """protobuf-go's (line, column) of character `offset`."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def raw_token(text: str, offset: int) -> str:
    """The JSON token at `offset` as written (`{`/`[` for a container)."""
    char = text[offset : offset + 1]
    if char in ("{", "["):
        return char
    if char == '"':
        _, end = scanstring(text, offset + 1, True)
        return text[offset:end]
    match = _SCALAR.match(text, offset)
    return match.group(0) if match else char


def innermost(error: Any) -> Any:
    """The failure inside `anyOf` branches (`...OrNull`, the docs wrapper), ignoring the "is null"
    branch, so a bad `interval` or a drop+constant policy is reported where protojson reports it."""
    while error.context:
        branches = [e for e in error.context if not (e.validator == "type" and e.validator_value == "null")]
        if not branches:
            break
        error = best_match(branches) or branches[0]
    return error


def leaves(error: Any) -> list[Any]:
    """Every innermost failure under `error` (through `anyOf` branches, the "is null" one aside)."""
    branches = [e for e in error.context or [] if not (e.validator == "type" and e.validator_value == "null")]
    if not branches:
        return [error]
    first = innermost(error)  # jsonschema's best match first, for faults at the same place
    rest = [leaf for branch in branches for leaf in leaves(branch) if leaf is not first]
    return [first, *rest]


def token_of(instance: Any, text: str, offset: int) -> str:
    """The value's first token as protojson quotes it; from the text when it is found there."""
    if isinstance(instance, dict):
        return "{"
    if isinstance(instance, list):
        return "["
    token = raw_token(text, offset) if offset < len(text) else ""
    try:
        if token and loads(token) == instance:
            return token
    except ValueError:
        pass
    return dumps(instance)


def holds_typed_container(policy: Any) -> bool:
    """A failure policy whose constant gives an object or array to a typed field (`interval`)."""
    constant = policy.get("constant") if isinstance(policy, dict) else None
    return isinstance(constant, dict) and any(
        isinstance(constant.get(key), (dict, list)) for key in _POLICY_SCALARS
    )


def shallow(value: Any, levels: int = SCHEMA_DEPTH) -> Any:
    """`value` with every container deeper than `levels` emptied (same type)."""
    if not isinstance(value, (dict, list)):
        return value
    if levels == 0:
        return {} if isinstance(value, dict) else []
    if isinstance(value, dict):
        return {key: shallow(item, levels - 1) for key, item in value.items()}
    return [shallow(item, levels - 1) for item in value]


def utf8_error(raw: bytes, bad: int) -> tuple[str, str] | None:
    """protobuf-go's error for a body whose first invalid UTF-8 byte is at `bad`, as (detail,
    explanation); None when a syntax error before that byte comes first."""
    text = raw.decode("utf-8", "surrogateescape")
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        if len(text[: err.pos].encode("utf-8", "surrogateescape")) < bad:
            return None
    except ValueError:
        pass
    start = _string_start(raw, bad)
    first = len(raw) - len(raw.lstrip(b" \t\r\n"))
    if raw[first : first + 1] != b"{" and first != (bad if start is None else start):
        return None  # protojson wants an object first: "unexpected token" of the first token
    prefix = raw[: bad if start is None else start].decode("utf-8")
    line, column = position(prefix, len(prefix))
    if start is not None:
        return (
            f"proto: syntax error (line {line}:{column}): invalid UTF-8 in string",
            f"a string holds bytes that are not UTF-8 (byte 0x{raw[bad]:02x} at offset {bad})",
        )
    return (
        f"proto: syntax error (line {line}:{column}): invalid value \ufffd",
        f"the body holds a byte that is not UTF-8 outside any string (0x{raw[bad]:02x} at offset {bad})",
    )


def _string_start(raw: bytes, end: int) -> int | None:
    """The opening quote of the string that `end` lies in, or None outside strings."""
    i, start, inside = 0, 0, False
    while i < end:
        byte = raw[i]
        if inside and byte == 0x5C:  # backslash: skip the escaped byte
            i += 2
            continue
        if byte == 0x22:
            inside = not inside
            start = i
        i += 1
    return start if inside else None


class _Frame:
    __slots__ = ("is_object", "key", "kind", "parent", "seen", "spelled")

    def __init__(self, is_object: bool, kind: str, parent: _Frame | None) -> None:
        self.is_object = is_object
        self.kind = kind
        self.seen: set[str] = set()
        self.spelled: dict[str, str] = {}
        self.parent = parent  # the path is built only for a duplicate: deep bodies stay linear
        self.key: str | int = 0


class _Next(NamedTuple):
    kind: str
    pos: int


class Duplicate(NamedTuple):
    detail: str
    path: list[str | int]
    explanation: str
    offset: int


def in_document_order(text: str, errors: list[Any]) -> list[tuple[int, Any]]:
    """Schema errors (`jsonschema.ValidationError`) with the offset where protojson meets each (the
    key of the value at fault; for a `not`, the later of the two keys that clash), first first."""
    offsets = key_offsets(text)

    def where(error: Any) -> int:
        path = tuple(error.absolute_path)
        if error.validator == "not" and isinstance(error.instance, dict):  # dependentSchemas: a pair
            schema_path = list(error.schema_path)
            pair = [schema_path[-2], *error.validator_value.get("required", [])]
            return max(offsets.get((*path, key), len(text)) for key in pair)
        return offsets.get(path, len(text)) if path else 0

    # At one key, a clash of names (checked at the name) comes before its value's faults.
    return sorted(((where(e), e) for e in errors), key=lambda pair: (pair[0], pair[1].validator != "not"))


def first_duplicate(
    text: str, job_fields: dict[str, str], *, wrapper: str | None, data_is_value: bool
) -> Duplicate | None:
    """The first repeated name protojson refuses in `text` (valid JSON); None when there is none,
    or when a type error protojson meets first stops it. `job_fields` maps every accepted spelling of
    a job field (JSON and proto name) to one name."""
    messages: dict[str, dict[str, tuple[str, str]]] = {
        "request": {wrapper: (wrapper, "job")} if wrapper else {},
        "job": {k: (v, _job_child(v, data_is_value)) for k, v in job_fields.items()},
        "policy": {"drop": ("drop", "drop"), "constant": ("constant", "constant")},
        "drop": {},
        "constant": {
            "interval": ("interval", "duration"),
            "maxRetries": ("maxRetries", "scalar"),
            "max_retries": ("maxRetries", "scalar"),
        },
    }
    stack: list[_Frame] = []
    kind = "request" if wrapper else "job"
    pos = _ws(text, 0)
    while True:
        char = text[pos : pos + 1]
        step: _Next | Duplicate | None = None
        if char in ("{", "["):
            if kind in _SCALARS or (char == "[" and kind in _MESSAGES):
                return None  # "invalid value for ... field": protojson fails here first
            inner = kind if kind in _MESSAGES or kind == "skip" else ("struct" if char == "{" else "list")
            frame = _Frame(char == "{", inner, stack[-1] if stack else None)
            stack.append(frame)
            pos = _ws(text, pos + 1)
            if text[pos] not in "}]":
                if frame.is_object:
                    step = _enter(frame, text, pos, messages)
                else:
                    step = _Next("value" if inner == "list" else "skip", pos)
            else:
                pos += 1
                stack.pop()
        else:
            if kind in _MESSAGES and not text.startswith("null", pos):
                return None  # a message given a scalar: protojson's type error first
            pos = _skip_scalar(text, pos)
        while step is None and stack:  # the value is done: the next member, or close containers
            frame = stack[-1]
            pos = _ws(text, pos)
            if text[pos] == ",":
                pos = _ws(text, pos + 1)
                if frame.is_object:
                    step = _enter(frame, text, pos, messages)
                    if step is None:
                        return None
                else:
                    frame.key = int(frame.key) + 1
                    step = _Next("value" if frame.kind == "list" else "skip", pos)
                break
            stack.pop()
            pos += 1
        if step is None:
            return None  # done (or a oneof set twice)
        if isinstance(step, Duplicate):
            return step
        kind, pos = step


def key_offsets(text: str, max_depth: int = SCHEMA_DEPTH + 2) -> dict[tuple[str | int, ...], int]:
    """{path of a member: offset of its key} for the object members of `text` (valid JSON) down to
    `max_depth` levels (the schema's errors lie above that), the first of a repeated key; iterative,
    for any depth, in linear time."""
    offsets: dict[tuple[str | int, ...], int] = {}
    stack: list[list[Any]] = []  # [is_object, path of the container, current key or index]
    pos = _ws(text, 0)
    while True:
        if text[pos : pos + 1] in ("{", "["):
            path = None
            if not stack:
                path = ()
            elif stack[-1][1] is not None and len(stack) < max_depth:
                path = (*stack[-1][1], stack[-1][2])
            frame: list[Any] = [text[pos] == "{", path, 0]
            stack.append(frame)
            pos = _ws(text, pos + 1)
            if text[pos] in "}]":
                stack.pop()
                pos += 1
            else:
                if frame[0]:
                    pos = _member(text, pos, frame, offsets)
                continue
        else:
            pos = _skip_scalar(text, pos)
        while stack:
            frame = stack[-1]
            pos = _ws(text, pos)
            if text[pos] == ",":
                pos = _ws(text, pos + 1)
                if frame[0]:
                    pos = _member(text, pos, frame, offsets)
                else:
                    frame[2] += 1
                break
            stack.pop()
            pos += 1
        else:
            return offsets


def _member(text: str, pos: int, frame: list[Any], offsets: dict[tuple[str | int, ...], int]) -> int:
    """Read a member name at `pos` into `frame`; the position of its value."""
    name, end = scanstring(text, pos + 1, True)
    frame[2] = name
    if frame[1] is not None:
        offsets.setdefault((*frame[1], name), pos)
    return _ws(text, _ws(text, end) + 1)


def _ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _job_child(field: str, data_is_value: bool) -> str:
    if field == "data":
        return "value" if data_is_value else "skip"
    return "policy" if field == "failurePolicy" else "scalar"


def _enter(
    frame: _Frame, text: str, pos: int, messages: dict[str, dict[str, tuple[str, str]]]
) -> _Next | Duplicate | None:
    """Read a member name at `pos`: what its value is and where it starts, a duplicate, or None
    when protojson stops there for another reason (a oneof set twice)."""
    name, end = scanstring(text, pos + 1, True)
    spelled = text[pos:end]
    after = _ws(text, _ws(text, end) + 1)
    frame.key = name
    line, column = position(text, pos)
    if frame.kind == "struct":
        if name in frame.seen:
            detail = f"proto: (line {line}:{column}): duplicate map key {spelled}"
            explanation = f'the key "{name}" appears twice in one data object'
            return Duplicate(detail, [*_path(frame), name], explanation, pos)
        frame.seen.add(name)
        return _Next("value", after)
    field = messages.get(frame.kind, {}).get(name)
    if field is None:
        return _Next("skip", after)  # an unknown field (or inside one): skipped unread
    canonical, child = field
    if canonical in frame.seen:
        first = frame.spelled[canonical]
        both = f"({first} and {spelled})" if first != spelled else "twice"
        detail = f"proto: (line {line}:{column}): duplicate field {spelled}"
        return Duplicate(detail, [*_path(frame), name], f"the field {canonical} is given {both}", pos)
    if frame.kind == "policy" and frame.seen:
        return None  # drop and constant: "oneof ... is already set", which the schema words
    frame.seen.add(canonical)
    frame.spelled[canonical] = spelled
    return _Next(child, after)


def _path(frame: _Frame) -> list[str | int]:
    keys: list[str | int] = []
    parent = frame.parent
    while parent is not None:
        keys.append(parent.key)
        parent = parent.parent
    return keys[::-1]


def _skip_scalar(text: str, pos: int) -> int:
    if text[pos] == '"':
        return int(scanstring(text, pos + 1, True)[1])
    match = _SCALAR.match(text, pos)
    return match.end() if match else pos + 1


def spellings(names: Iterable[tuple[str, str]]) -> dict[str, str]:
    """{spelling: canonical} for (json_name, proto_name) pairs."""
    out: dict[str, str] = {}
    for json_name, proto_name in names:
        out[json_name] = json_name
        out[proto_name] = json_name
    return out
