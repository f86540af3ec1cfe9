"""`data` as Dapr 1.14.0 to 1.14.2 read it over HTTP: a `google.protobuf.Any` in protojson form.

Those versions decoded the POST body as a `runtime.v1.Job`, whose `data` is an `Any`: the JSON object
must name a type daprd knows in `@type` (`{"@type": "type.googleapis.com/google.protobuf.StringValue",
"value": "x"}`), else protojson refuses the body (contract §3 "Legacy bodies"). Resolving the type
needs protobuf (the grpc extra); the well-known types and whatever the test imported are known.
"""

from __future__ import annotations

from typing import Any

from . import rows
from .errors import ErrorCatalogue
from .model import JobData


def any_from_json(value: Any, errors: ErrorCatalogue) -> JobData:
    """The stored `Any` for a legacy `data` object, or the 400 protojson gives (`body.malformed`)."""
    try:
        # The well-known types daprd resolves, registered in protobuf's pool by importing them.
        from google.protobuf import (  # noqa: F401
            any_pb2,
            duration_pb2,
            empty_pb2,
            json_format,
            struct_pb2,
            timestamp_pb2,
            wrappers_pb2,
        )
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            'Dapr 1.14.0-1.14.2 bodies carry a protobuf Any: pip install "dapr-jobs-fake[grpc]"'
        ) from exc
    type_url = value.get("@type") if isinstance(value, dict) else None
    message = any_pb2.Any()
    try:
        json_format.ParseDict(value, message)
    except json_format.ParseError as err:
        text = str(err)
        if "Can not find message descriptor" in text or "Invalid type url" in text:
            detail = f'proto: (line 1:1): unable to resolve "{type_url}": "not found"'
        else:
            detail = f"proto: (line 1:1): invalid google.protobuf.Any: {text}"
        raise rows.BODY_MALFORMED.reject(
            errors,
            detail=detail,
            path="$.data",
            explanation=f"Dapr 1.14.0-1.14.2 read data as a protobuf Any and cannot resolve it ({text})",
        ) from None
    return JobData(type_url=message.type_url, raw=message.value)
