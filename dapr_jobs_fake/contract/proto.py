"""The job's `data` as the `google.protobuf.Any` the Scheduler stores (contract §4, §10.2, §14).

A job reads back over gRPC and is delivered to a gRPC app with the same `Any`: verbatim for jobs
created over gRPC, a packed `google.protobuf.Value` for jobs created over HTTP. Needs the `grpc` extra
(protobuf); importing this module without it raises an ImportError naming the extra.
"""

from __future__ import annotations

from typing import Any

from .model import VALUE_TYPE_URL, JobData
from .valuewire import encode_value

GRPC_EXTRA_HINT = 'gRPC support needs the grpc extra: pip install "dapr-jobs-fake[grpc]"'

try:
    from google.protobuf import any_pb2
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(f"{GRPC_EXTRA_HINT} ({exc})") from exc


def data_to_any(data: JobData) -> Any:
    """The stored `Any`: verbatim for gRPC-created jobs; a `google.protobuf.Value` for HTTP ones (§4)."""
    if data.raw is not None:
        return any_pb2.Any(type_url=data.type_url, value=data.raw)
    # Encoded by hand: protobuf's own ParseDict and parser recurse, and stop at 100 levels.
    return any_pb2.Any(type_url=VALUE_TYPE_URL, value=encode_value(data.json_value))
