"""How the fake writes what daprd writes: protojson renderings of stored jobs and their data (§4, §10.1).

protojson differs from Python's `json` in ways a test can see: a `google.protobuf.Value` holds
numbers as float64 (`1.0` is written `1`, big integers lose precision, `1e-07` is `1e-7`) and a
Struct's keys are sorted. Dicts built here keep their key order (proto field order) except inside a
`StructValue`, which marks a `google.protobuf.Value` to be written by `protojson_value`.
"""

from __future__ import annotations

import base64
import json
import math
from decimal import Decimal
from typing import Any

from ..golang.protoduration import duration_error, format_proto_duration
from .deepjson import dumps
from .model import ECHOED_FIELDS, VALUE_TYPE_URL, FailurePolicy, JobData, JobPlan
from .profiles import DAPR_1_18, Profile
from .valuewire import (
    BINARY_DEPTH_ERROR,
    NO_KIND,
    RECURSION_LIMIT,
    ValueWireError,
    binary_levels,
    decode_value,
)


class StructValue:
    """A JSON value held as a `google.protobuf.Value`: written with protojson's rules."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return f"StructValue({self.value!r})"


def protojson_value(value: object) -> str:
    """`structpb.Value.MarshalJSON`: compact, object keys sorted, numbers as float64 (`protojson`), at
    any depth."""
    return dumps(value, scalar=_scalar, sort_keys=True)


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return go_float(float(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if value is NO_KIND:
        raise UnrenderableData("proto: google.protobuf.Value: none of the oneof fields is set")
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def go_float(f: float) -> str:
    """A float64 as protojson writes it (`internal/encoding/json/encode.go:appendFloat`)."""
    if math.isnan(f) or math.isinf(f):
        raise ValueError(f"{f} is not representable in a google.protobuf.Value")
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    if abs(f) < 1e-6 or abs(f) >= 1e21:
        mantissa, _, exponent = f"{f!r}".partition("e")
        sign, digits = exponent[0], exponent[1:].lstrip("0")
        return f"{mantissa.removesuffix('.0')}e{sign}{digits.zfill(2) if sign == '+' else digits or '0'}"
    text = format(Decimal(repr(f)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def render_data(data: JobData, profile: Profile = DAPR_1_18) -> Any:
    """`data` as protojson renders the stored Any (§4); verbatim for the docs profile."""
    if profile.data_mode == "verbatim" and data.is_json_value:
        return data.json_value
    if data.is_json_value:
        return {"@type": VALUE_TYPE_URL, "value": StructValue(data.json_value)}
    try:
        return render_any(data)
    except UnrenderableData:  # shown for inspection only (control API); daprd's GET fails instead
        return {"@type": data.type_url, "value": (data.raw or b"").decode("utf-8", errors="replace")}


class UnrenderableData(Exception):
    """protojson cannot marshal this `Any`; the message is protobuf-go's error text."""


def render_any(data: JobData) -> Any:
    """protojson of a gRPC-created `Any` (`protojson.marshalAny`, §4).

    Empty type URL and value render as `{}`; an empty type URL with a value (what the Python SDK's
    examples send) fails with "type_url is not set". Any other type renders if the process's
    protobuf descriptor pool knows it (well-known types, the Dapr protos, whatever the test
    imported), else fails with "unable to resolve": daprd links other types than this process, so
    the fake errs on the side of rendering what it can decode.
    """
    if data.raw is None:
        if binary_levels(data.json_value) > RECURSION_LIMIT:
            raise UnrenderableData(
                f'proto: google.protobuf.Any: unable to unmarshal "{VALUE_TYPE_URL}": {BINARY_DEPTH_ERROR}'
            )
        return {"@type": VALUE_TYPE_URL, "value": StructValue(data.json_value)}
    if data.type_url == VALUE_TYPE_URL:  # decoded here: protobuf's own parser stops at 100 levels
        try:
            value = decode_value(data.raw)
        except ValueWireError as err:
            raise UnrenderableData(
                f'proto: google.protobuf.Any: unable to unmarshal "{VALUE_TYPE_URL}": {err}'
            ) from None
        protojson_value(value)  # raises for a Value without kind, as protojson does
        return {"@type": VALUE_TYPE_URL, "value": StructValue(value)}
    if not data.type_url:
        if not data.raw:
            return {}
        raise UnrenderableData("proto: google.protobuf.Any: type_url is not set")
    try:
        from google.protobuf import any_pb2, json_format
    except ImportError:  # without protobuf no type can be resolved
        raise UnrenderableData(
            f'proto: google.protobuf.Any: unable to resolve "{data.type_url}": not found'
        ) from None
    message = any_pb2.Any(type_url=data.type_url, value=data.raw)
    try:
        return json_format.MessageToDict(message)
    except TypeError:
        raise UnrenderableData(
            f'proto: google.protobuf.Any: unable to resolve "{data.type_url}": not found'
        ) from None
    except Exception as err:
        raise UnrenderableData(
            f'proto: google.protobuf.Any: unable to unmarshal "{data.type_url}": {err}'
        ) from None


def _unmarshal_error(detail: str) -> str:
    """protojson's `marshalAny` error when the packed Value's bytes do not decode."""
    return f'proto: google.protobuf.Any: unable to unmarshal "{VALUE_TYPE_URL}": {detail}'


def render_policy(policy: FailurePolicy) -> dict[str, Any]:
    """protojson of `JobFailurePolicy` (§4): `{"drop":{}}` or `{"constant":{...}}`, unset fields omitted."""
    if policy.kind == "drop":
        return {"drop": {}}
    if policy.kind == "unset":
        return {}
    constant: dict[str, Any] = {}
    if policy.interval_raw is not None:
        raise UnrenderableData(
            duration_error(*policy.interval_raw) or "proto: invalid google.protobuf.Duration"
        )
    if policy.interval_ns is not None:
        constant["interval"] = format_proto_duration(policy.interval_ns)
    if policy.max_retries is not None:
        constant["maxRetries"] = policy.max_retries
    return {"constant": constant}


def job_json(plan: JobPlan, profile: Profile) -> dict[str, Any]:
    """The GET body: fields in proto order, echoed as submitted, the stored data and the effective
    policy rendered (§4)."""
    spec, stored, effective_policy = plan.spec, plan.stored_data, plan.failure_policy
    body: dict[str, Any] = {"name": spec.name}
    for job_field in ECHOED_FIELDS:
        value = getattr(spec, job_field.attr)
        if value is not None:
            body[job_field.json_name] = value
    if stored is not None:
        body["data"] = render_data(stored, profile)
    if profile.failure_policy_exposed:
        body["failurePolicy"] = render_policy(effective_policy)
    return body


def compact_json(value: Any) -> bytes:
    """Compact JSON as Go's encoders write it; protojson rules for numbers and `StructValue`s."""
    return _dumps(value).encode()


def _dumps(value: Any) -> str:
    """The shallow structure around `StructValue`s (field order kept); values below them at any depth."""
    if isinstance(value, StructValue):
        return protojson_value(value.value)
    if isinstance(value, dict):
        return (
            "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_dumps(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    if isinstance(value, float):
        return go_float(value)
    return json.dumps(value, ensure_ascii=False)


def plain(value: Any) -> Any:
    """`value` with `StructValue` markers removed (for journals and the control API)."""
    if isinstance(value, StructValue):
        return value.value
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def http_job_body(data: JobData | None, *, kindless_fails: bool = False, go_json_any: bool = False) -> bytes:
    """The body of `POST /job/<name>` (`http_channel.go:constructJobRequest`), or `UnrenderableData`.

    A `google.protobuf.Value` is decoded from the stored bytes (at most 10,000 nested messages) and
    re-serialised as compact protojson; a Value without kind sends an empty body (1.18.3+) or fails
    (`kindless_fails`, before); any other `Any` sends its raw value bytes with surrounding whitespace
    trimmed; no data sends an empty body. `go_json_any`: Dapr 1.14.0 to 1.14.2 send Go's
    `json.Marshal(anypb.Any)` instead, `{"type_url":"...","value":"<base64 bytes>"}`.
    """
    if data is None:
        return b""
    if go_json_any and data.raw is not None:  # Go's encoding/json of the struct: omitempty fields
        fields = {"type_url": data.type_url, "value": base64.b64encode(data.raw).decode()}
        return compact_json({k: v for k, v in fields.items() if v})
    if data.is_json_value:
        if binary_levels(data.json_value) > RECURSION_LIMIT:
            raise UnrenderableData(BINARY_DEPTH_ERROR)
        return protojson_value(data.json_value).encode()
    if data.type_url == VALUE_TYPE_URL and data.raw is not None:
        try:
            value = decode_value(data.raw)
        except ValueWireError as err:
            raise UnrenderableData(str(err)) from None
        if value is NO_KIND and not kindless_fails:
            return b""
        return protojson_value(value).encode()
    return (data.raw or b"").strip()
