"""Turning an HTTP POST body into job fields the way daprd's protojson decoding does (contract §3).

The JSON Schema of the profile is the authority on shapes; this module adds what a schema cannot say
(duplicate keys, non-finite numbers, where in the text an error is) and words each failure the way
protobuf-go does, so `ERR_MALFORMED_REQUEST` messages read like the real ones.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from jsonschema import ValidationError

from ..golang.protoduration import ProtoDurationError, parse_proto_duration
from ..golang.protojson_lexer import name_tokens, position, syntax_error
from .deepjson import DuplicateKey, depth, dumps, loads, walk_strings
from .jsonscan import (
    SCHEMA_DEPTH,
    first_duplicate,
    holds_typed_container,
    in_document_order,
    key_offsets,
    leaves,
    shallow,
    spellings,
    token_of,
    utf8_error,
)
from .model import JOB_FIELDS
from .schema import uint32_value, validator
from .valuewire import JSON_DEPTH_ERROR, RECURSION_LIMIT, json_levels

#: JSON name -> proto name for every field of the HTTP job body whose names differ.
PROTO_NAMES = {f.json_name: f.proto_name for f in JOB_FIELDS if f.json_name != f.proto_name}
PROTO_NAMES["maxRetries"] = "max_retries"
JSON_NAMES = {proto: json_name for json_name, proto in PROTO_NAMES.items()}
#: protojson's word for each scalar field's type, as its error messages name it.
_KIND: dict[str, str] = {f.json_name: f.kind for f in JOB_FIELDS if f.kind in ("string", "uint32", "bool")}
_KIND.update({"maxRetries": "uint32", "interval": "google.protobuf.Duration"})


class DecodeError(Exception):
    """A body protojson would refuse: `detail` is protobuf-go's wording, `path` a JSON path."""

    def __init__(self, detail: str, path: str, explanation: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.path = path
        self.explanation = explanation


@dataclass
class DecodedBody:
    """The body's recognised fields (JSON names) plus the keys protojson would silently drop."""

    fields: dict[str, Any]
    body: Any = None
    dropped_keys: list[str] = field(default_factory=list)
    wrapper_seen: bool = False


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _reject_surrogates(value: Any) -> None:
    """protobuf-go's JSON decoder refuses an unpaired `\\uD800`-style escape ("invalid escape code")."""
    for text in walk_strings(value):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("invalid escape code (an unpaired UTF-16 surrogate)") from None


def position_of(text: str, path: Iterable[str | int]) -> tuple[int, int]:
    """Best-effort (line, column) of the value at `path`, for protobuf-go style messages."""
    return position(text, _offset_of(text, path))


def _offset_of(text: str, path: Iterable[str | int]) -> int:
    offset = 0
    for part in path:
        if isinstance(part, str):
            found = text.find(json.dumps(part), offset)
            if found < 0:
                break
            colon = text.find(":", found + len(json.dumps(part)))
            offset = colon + 1 if colon >= 0 else found
            while offset < len(text) and text[offset] in " \t\r\n":
                offset += 1
    return offset


def _repeated_key_position(text: str, key: str) -> tuple[int, int]:
    """Where protobuf-go reports a repeated key: at the key's second occurrence in its object."""
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    for token in name_tokens(text):
        if (token.path, token.key) in seen and token.key == key:
            return position(text, token.offset)
        seen.add((token.path, token.key))
    return position_of(text, [key])


def _key_position(text: str, path: list[str | int], key: str) -> tuple[int, int] | None:
    """The (line, column) of `key` in the object at `path` (protojson's errors about a field point
    at its key), or None when the text does not show it."""
    offset = key_offsets(text).get((*path, key))  # iterative: bodies nest up to 10,000 levels
    return None if offset is None else position(text, offset)


def json_path(parts: Iterable[str | int]) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def parse_json(raw: bytes, duplicates: list[str] | None = None) -> Any:
    """Parse like protojson's tokenizer: strict UTF-8 and JSON, NaN/Infinity refused, duplicate keys
    refused (or, with a `duplicates` list, noted there: see `contract.jsonscan.first_duplicate`)."""
    try:
        text = raw.decode("utf-8") if raw else ""
    except UnicodeDecodeError as err:
        found = utf8_error(raw, err.start)
        if found is not None:
            raise DecodeError(found[0], "$", found[1]) from None
        text = raw.decode("utf-8", "surrogateescape")  # a syntax error before the bad byte: below
    try:
        value = loads(text, duplicates)
        if "\\u" in text and _SURROGATE_ESCAPE.search(text):
            _reject_surrogates(value)
        return value
    except DuplicateKey as dup:
        line, col = _repeated_key_position(text, dup.key)
        raise DecodeError(
            f'proto: (line {line}:{col}): duplicate field "{dup.key}"',
            "$",
            f'the key "{dup.key}" appears twice in one object',
        ) from None
    except json.JSONDecodeError as err:
        words = syntax_error(text) or f"syntax error (line {err.lineno}:{err.colno}): {err.msg}"
        raise DecodeError(f"proto: {words}", "$", f"the body is not valid JSON: {err.msg}") from None
    except ValueError as err:  # NaN / Infinity
        raise DecodeError(
            f"proto: syntax error (line 1:1): {err}", "$", f"the body is not valid JSON: {err}"
        ) from None


def _out_of_range(text: str) -> bool:
    try:
        parse_proto_duration(text)
    except ProtoDurationError as err:
        return "out of range" in str(err)
    return False


def _field_name(path: list[str | int]) -> str | None:
    for part in reversed(path):
        if isinstance(part, str):
            return JSON_NAMES.get(part, part)
    return None


def _describe(error: ValidationError, text: str, field_names: bool = True) -> DecodeError:
    """Word one schema failure as protobuf-go would: the first token of the value (`tok.RawString()`,
    `{` for an object), and, from protobuf-go 1.36 (Dapr 1.15+), the field's name."""
    path = list(error.absolute_path)
    offset = _offset_of(text, path)
    line, col = position(text, offset)
    where = f"(line {line}:{col})"
    raw = token_of(error.instance, text, offset)
    name = _field_name(path)
    if error.validator == "not":
        # The two spellings this dependentSchemas entry keeps apart (protojson names the later one).
        required: Any = error.validator_value
        pair = {list(error.schema_path)[-2], *required.get("required", [])}
        both = [k for k in error.instance if k in pair] if isinstance(error.instance, dict) else []
        if isinstance(error.instance, dict) and "drop" in error.instance and "constant" in error.instance:
            later = [k for k in error.instance if k in ("drop", "constant")][-1]
            at = _key_position(text, path, later)
            where = f"(line {at[0]}:{at[1]})" if at else where
            return DecodeError(
                f'proto: {where}: error parsing "{later}", '
                "oneof dapr.proto.common.v1.JobFailurePolicy.policy "
                "is already set",
                json_path(path),
                "a failure policy is either drop or constant, not both",
            )
        second = both[-1] if both else "?"
        at = _key_position(text, path, second) if both else None
        where = f"(line {at[0]}:{at[1]})" if at else where
        return DecodeError(
            f'proto: {where}: duplicate field "{second}"',
            json_path([*path, second]) if both else json_path(path),
            f"the same field is given under both its JSON name and its proto name ({', '.join(both)})",
        )
    kind = _KIND.get(name or "")
    if kind is None or path == [] or name in ("failurePolicy", "constant", "drop", "job"):
        return DecodeError(
            f"proto: syntax error {where}: unexpected token {raw}",
            json_path(path),
            f"expected a JSON object, got {raw}",
        )
    if (
        kind == "uint32"
        and isinstance(error.instance, (int, float, str))
        and uint32_value(error.instance) is None
    ):
        explanation = f"{name} must be a whole number from 0 to 4294967295, got {raw}"
    elif kind == "google.protobuf.Duration":
        if not isinstance(error.instance, str):  # unmarshalDuration wants a string token
            return DecodeError(
                f"proto: syntax error {where}: unexpected token {raw}",
                json_path(path),
                f'interval must be a protobuf Duration string in seconds (e.g. "1s"), got {raw}',
            )
        wording = "invalid google.protobuf.Duration value"
        if _out_of_range(error.instance):
            wording = "google.protobuf.Duration value out of range:"
        return DecodeError(
            f"proto: {where}: {wording} {raw}",
            json_path(path),
            f'interval must be a protobuf Duration in seconds with an "s" suffix '
            f'(e.g. "1s", "0.2s"), got {raw}',
        )
    else:
        explanation = f"{name} must be a {kind}, got {raw}"
    field = f"{kind} field {name}" if field_names else f"{kind} type"
    return DecodeError(f"proto: {where}: invalid value for {field}: {raw}", json_path(path), explanation)


def _dropped(obj: object, known: set[str], prefix: list[str | int]) -> list[str]:
    if not isinstance(obj, dict):
        return []
    return [json_path([*prefix, key]) for key in obj if key not in known]


_JOB_KEYS = {name for f in JOB_FIELDS if not f.policy_era for name in (f.json_name, f.proto_name)}
_POLICY_KEYS = {name for f in JOB_FIELDS if f.policy_era for name in (f.json_name, f.proto_name)}


class ValidBodies:
    """Recent bodies the schema found no fault in, per contract (one per fake, never shared).

    Validation is a pure function of the schema file and the bytes, and tests send the same body under
    many job names (the name is in the URL), so a repeat skips `iter_errors`, the costliest step of a
    POST. Bounded: cleared when full; big bodies are not kept.
    """

    MAX_ENTRIES = 512
    MAX_BODY_BYTES = 4096

    def __init__(self) -> None:
        self._seen: set[tuple[str, bytes]] = set()

    def __contains__(self, key: tuple[str, bytes]) -> bool:
        return key in self._seen

    def add(self, key: tuple[str, bytes]) -> None:
        if len(key[1]) > self.MAX_BODY_BYTES:
            return
        if len(self._seen) >= self.MAX_ENTRIES:
            self._seen.clear()
        self._seen.add(key)


def _schema_errors(
    raw: bytes, body: Any, schema_file: str, valid_bodies: ValidBodies
) -> list[ValidationError]:
    """The schema's faults in `body` (parsed from `raw`), outermost last; [] for a known-valid body."""
    key = (schema_file, raw)
    if key in valid_bodies:
        return []
    errors = sorted(
        validator(schema_file, "JobHTTPRequest", decoding_only=True).iter_errors(body),
        key=lambda e: (len(e.absolute_path) == 0, list(map(str, e.absolute_path))),
    )
    if not errors:
        valid_bodies.add(key)
    return errors


def _not_an_object(text: str, token: str, kind: str) -> DecodeError:
    """protojson's answer to a body that is not a JSON object: its first token is unexpected."""
    offset = len(text) - len(text.lstrip(" \t\r\n"))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return DecodeError(
        f"proto: syntax error (line {line}:{column}): unexpected token {token}",
        "$",
        f"the body must be a JSON object, got {kind}",
    )


def _check_depth(body: dict[str, Any], wrapper: str | None) -> int:
    """protojson's recursion limit (10,000 nested messages, §3): `data` is a `google.protobuf.Value`
    one level below the request, so it may nest 9,999 `Value`s; an unknown key's value is skipped
    with the limit left at that point (`skipJSONValue`), inside a message too (`failurePolicy`,
    `drop`). Beyond: `exceeded max recursion depth`. A container in a scalar field (`schedule`,
    `interval`) is refused at its first token instead, however deep it is. Returns how deep the
    job's fields nest."""
    wrapped = body.get(wrapper) if wrapper is not None else None
    job: dict[str, Any] = wrapped if isinstance(wrapped, dict) else body
    limit = RECURSION_LIMIT - 1 - (1 if job is not body else 0)
    deepest = 0
    for key, value in job.items():
        if not isinstance(value, (dict, list)):
            continue
        levels = json_levels(value) if key == "data" else depth(value)
        deepest = max(deepest, levels)
        name = JSON_NAMES.get(key, key)
        if name in _KIND or (name == "failurePolicy" and holds_typed_container(value)):
            continue  # protojson's type error comes first: the schema check words it
        if levels > limit:
            raise DecodeError(
                JSON_DEPTH_ERROR,
                f"$.{key}",
                f"{key} nests more than protojson's limit of {RECURSION_LIMIT} messages",
            )
    return deepest


def decode_job_body(
    raw: bytes,
    schema_file: str,
    *,
    wrapper: str | None,
    policy_fields: bool,
    valid_bodies: ValidBodies,
    field_names: bool = True,
    data_is_value: bool = True,
) -> DecodedBody:
    """Decode a POST body into job fields (JSON names), or raise `DecodeError` (400 malformed).

    An empty body counts as `{}` (contract §3). Keys unknown to the emulated version are dropped, as
    protojson's DiscardUnknown does, and reported so that the caller can warn about them.
    `field_names`: protojson's type errors name the field (protobuf-go 1.36+); `data_is_value`:
    `data` is a google.protobuf.Value (a Struct's keys may not repeat), not an Any.
    """
    text = raw.decode("utf-8", errors="replace")
    opening = text.lstrip(" \t\r\n")[:1]
    if opening == "[":  # protojson stops at the first token; a deep array is never parsed
        raise _not_an_object(text, "[", "array")
    repeated: list[str] = []
    found = None
    body: Any = {} if not raw else parse_json(raw, repeated)
    if not isinstance(body, dict):
        raise _not_an_object(text, dumps(body) if not isinstance(body, list) else "[", type(body).__name__)
    if repeated:  # refused only where protojson checks names: fields of messages, keys of data
        names = spellings(
            (f.json_name, f.proto_name) for f in JOB_FIELDS if policy_fields or not f.policy_era
        )
        found = first_duplicate(text, names, wrapper=wrapper, data_is_value=data_is_value)
    levels = _check_depth(body, wrapper)
    checked = shallow(body) if levels >= SCHEMA_DEPTH - 1 else body
    errors = _schema_errors(raw, checked, schema_file, valid_bodies)
    if errors or found is not None:  # protojson reads in order: the first fault in the text wins
        first = in_document_order(text, [leaf for error in errors for leaf in leaves(error)])[:1]
        if found is not None and (not first or found.offset <= first[0][0]):
            raise DecodeError(found.detail, json_path(found.path), found.explanation)
        # Descend into anyOf branches (`FailurePolicyOrNull`, `uint32OrNull`, the docs wrapper) so the
        # innermost failure is reported, as protojson does (e.g. a bad `interval`, drop+constant).
        raise _describe(first[0][1], text, field_names)
    known = _JOB_KEYS | (_POLICY_KEYS if policy_fields else set())
    decoded = DecodedBody(fields={}, body=body)
    job: Any = body
    prefix: list[str | int] = []
    if wrapper is not None:
        decoded.dropped_keys += _dropped(body, {wrapper}, [])
        job = body.get(wrapper) or {}
        prefix = [wrapper]
    elif "job" in body and isinstance(body["job"], dict):
        decoded.wrapper_seen = True
    decoded.dropped_keys += _dropped(job, known, prefix)
    for key, value in job.items():
        if key in known and value is not None:
            decoded.fields[JSON_NAMES.get(key, key)] = value
    if "data" in job and job["data"] is None:
        decoded.fields["data"] = None  # `null` data is a JSON null Value, not unset (§3)
    policy = decoded.fields.get("failurePolicy")
    if isinstance(policy, dict):
        decoded.dropped_keys += _dropped(policy, {"drop", "constant"}, [*prefix, "failurePolicy"])
        constant = policy.get("constant")
        if isinstance(constant, dict):
            decoded.dropped_keys += _dropped(
                constant, {"interval", "maxRetries", "max_retries"}, [*prefix, "failurePolicy", "constant"]
            )
    return decoded
