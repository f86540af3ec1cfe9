"""`google.protobuf.Value` in protobuf's binary form, at any depth, and the depth limits Go applies.

A job's `data` travels as a `Value` packed in an `Any`: daprd reads HTTP JSON into it with protojson
(which allows 10,000 nested messages, and counts only the `Value`s), the Scheduler stores its bytes,
and daprd decodes those bytes again to render a GET or to deliver to an HTTP app (binary decoding
allows 10,000 nested messages too, but counts every `Value`, `ListValue`, `Struct` and map entry). So
data nested between about 5,000 and 9,999 levels is accepted, then cannot be read back or delivered
(`protowire.DefaultRecursionLimit`; protobuf-go `encoding/protojson/decode.go:unmarshalMessage`,
`internal/impl/decode.go`, `codec_map.go`).

Everything here is iterative, so no depth daprd accepts can exhaust Python's recursion limit.
"""

from __future__ import annotations

import struct
from typing import Any

#: protobuf-go's `protowire.DefaultRecursionLimit`.
RECURSION_LIMIT = 10_000
#: What protojson's decoder says beyond it (`decode.go`), and the binary decoder (`impl/decode.go`).
JSON_DEPTH_ERROR = "proto: exceeded max recursion depth"
BINARY_DEPTH_ERROR = "proto: exceeded maximum recursion depth"
INVALID_WIRE_ERROR = "proto: cannot parse invalid wire-format data"

# Value fields: null_value=1 (enum), number_value=2 (double), string_value=3, bool_value=4,
# struct_value=5 (Struct{map<string, Value> fields=1}), list_value=6 (ListValue{repeated Value values=1}).


class ValueWireError(ValueError):
    """Bytes that are not a `google.protobuf.Value`, or nest too deeply; str is Go's error text."""


def json_levels(value: Any) -> int:
    """How many nested `Value` messages protojson decodes for `value` (a scalar is 1, `[1]` is 2)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(current, dict):
            stack.extend((item, level + 1) for item in current.values())
        elif isinstance(current, (list, tuple)):
            stack.extend((item, level + 1) for item in current)
    return deepest


def binary_levels(value: Any) -> int:
    """How many nested messages the binary decoder counts for `value`: each `Value`, `ListValue`,
    `Struct` and map entry (`[1]` is 3: Value, ListValue, Value; `{"a": 1}` is 4)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        current, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(current, dict):
            deepest = max(deepest, level + (2 if current else 1))
            stack.extend((item, level + 3) for item in current.values())
        elif isinstance(current, (list, tuple)):
            deepest = max(deepest, level + 1)
            stack.extend((item, level + 2) for item in current)
    return deepest


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _scalar(value: Any) -> bytes:
    if value is None:
        return _varint(1 << 3) + b"\x00"
    if value is True or value is False:
        return _varint(4 << 3) + (b"\x01" if value else b"\x00")
    if isinstance(value, (int, float)):
        return _varint(2 << 3 | 1) + struct.pack("<d", float(value))
    if isinstance(value, str):
        return _field(3, value.encode("utf-8", "surrogatepass"))
    raise TypeError(f"not a JSON value: {type(value).__name__}")


_DONE: Any = object()


def encode_value(value: Any) -> bytes:
    """The binary `google.protobuf.Value` of a JSON value (what `structpb.NewValue` + Marshal give).

    Post-order on an explicit stack: a frame is [node, iterator over its items, encoded children,
    the key it has in its parent object].
    """
    stack: list[list[Any]] = [[value, None, [], None]]
    while True:
        frame = stack[-1]
        node = frame[0]
        is_object = isinstance(node, dict)
        if is_object or isinstance(node, (list, tuple)):
            if frame[1] is None:
                frame[1] = iter(node.items()) if is_object else iter(node)
            item = next(frame[1], _DONE)
            if item is not _DONE:
                stack.append([item[1], None, [], item[0]] if is_object else [item, None, [], None])
                continue
            encoded = _field(5 if is_object else 6, b"".join(frame[2]))
        else:
            encoded = _scalar(node)
        stack.pop()
        if not stack:
            return encoded
        parent = stack[-1]
        if isinstance(parent[0], dict):
            entry = _field(1, str(frame[3]).encode("utf-8", "surrogatepass")) + _field(2, encoded)
            parent[2].append(_field(1, entry))
        else:
            parent[2].append(_field(1, encoded))


#: A `Value` message with no kind set: an empty body when it is the whole data (1.18.3+), an error
#: ("none of the oneof fields is set") when protojson must write it.
NO_KIND = type("NoKind", (), {"__repr__": lambda self: "NO_KIND"})()


class _Frame:
    """One message being decoded: a Value, a ListValue, a Struct or a Struct map entry."""

    __slots__ = ("end", "items", "key", "kind", "level", "value")

    def __init__(self, kind: str, end: int, level: int) -> None:
        self.kind, self.end, self.level = kind, end, level
        self.value: Any = NO_KIND
        self.key = ""
        self.items: Any = [] if kind == "list" else {} if kind == "struct" else None

    def result(self) -> Any:
        if self.kind in ("list", "struct"):
            return self.items
        if self.kind == "entry":
            return (self.key, self.value)
        return self.value

    def accept(self, done: Any) -> None:
        if self.kind == "list":
            self.items.append(done)
        elif self.kind == "struct":
            key, value = done
            self.items[key] = value
        else:  # a Value receiving its list or struct, or an entry receiving its Value
            self.value = done


def _read_varint(data: bytes, pos: int, end: int) -> tuple[int, int]:
    result = shift = 0
    while pos < end and shift < 64:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
    raise ValueWireError(INVALID_WIRE_ERROR)


def decode_value(data: bytes, *, limit: int = RECURSION_LIMIT) -> Any:
    """A binary `google.protobuf.Value` as a JSON value (`NO_KIND` where no kind is set), with the
    binary decoder's recursion limit and error texts."""
    frames = [_Frame("value", len(data), 1)]
    pos = 0
    while True:
        frame = frames[-1]
        if pos >= frame.end:
            if pos > frame.end:
                raise ValueWireError(INVALID_WIRE_ERROR)
            frames.pop()
            done = frame.result()
            if not frames:
                return done
            frames[-1].accept(done)
            continue
        tag, pos = _read_varint(data, pos, frame.end)
        number, wire_type = tag >> 3, tag & 7
        child_end = pos
        if wire_type == 2:
            length, pos = _read_varint(data, pos, frame.end)
            child_end = pos + length
            if child_end > frame.end:
                raise ValueWireError(INVALID_WIRE_ERROR)
        child = _child_kind(frame.kind, number, wire_type)
        if child is not None:
            if frame.level + 1 > limit:
                raise ValueWireError(BINARY_DEPTH_ERROR)
            frames.append(_Frame(child, child_end, frame.level + 1))
            continue
        pos = _scalar_field(frame, number, wire_type, data, pos, child_end)


def _child_kind(kind: str, number: int, wire_type: int) -> str | None:
    """The message a length-delimited field opens, if any."""
    if wire_type != 2:
        return None
    if kind == "value":
        return {5: "struct", 6: "list"}.get(number)
    if kind == "list" and number == 1:
        return "value"
    if kind == "struct" and number == 1:
        return "entry"
    if kind == "entry" and number == 2:
        return "value"
    return None


def _scalar_field(frame: _Frame, number: int, wire_type: int, data: bytes, pos: int, end: int) -> int:
    """Read one non-message field into `frame`; unknown fields are skipped, as protobuf keeps them."""
    if frame.kind == "value" and number == 3 and wire_type == 2:
        try:
            frame.value = data[pos:end].decode("utf-8")
        except UnicodeDecodeError:
            raise ValueWireError(
                "proto: field google.protobuf.Value.string_value contains invalid UTF-8"
            ) from None
        return end
    if frame.kind == "value" and number == 2 and wire_type == 1:
        if pos + 8 > frame.end:
            raise ValueWireError(INVALID_WIRE_ERROR)
        frame.value = struct.unpack("<d", data[pos : pos + 8])[0]
        return pos + 8
    if frame.kind == "value" and number in (1, 4) and wire_type == 0:
        raw, pos = _read_varint(data, pos, frame.end)
        frame.value = None if number == 1 else bool(raw)
        return pos
    if frame.kind == "entry" and number == 1 and wire_type == 2:
        frame.key = data[pos:end].decode("utf-8", "replace")
        return end
    if wire_type == 0:
        return _read_varint(data, pos, frame.end)[1]
    skipped = {1: pos + 8, 2: end, 5: pos + 4}.get(wire_type)
    if skipped is None or skipped > frame.end:
        raise ValueWireError(INVALID_WIRE_ERROR)
    return skipped
