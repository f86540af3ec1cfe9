"""The declared transformers: how a raw observation becomes what a recording stores and a replay is
compared with. Both targets' observations go through the same transformers; nothing is compared loosely.

Each `Transformer` says what it rewrites and why the value is volatile or not daprd's. The list's names
are part of the recordings' hash (`model.cases_hash`): changing a transformer asks for a new recording.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TRANSFORMERS", "Transformer", "normalise", "transformer_names"]


@dataclass(frozen=True)
class Transformer:
    name: str
    why: str


TRANSFORMERS = [
    Transformer(
        "time-placeholders",
        "an RFC 3339 time a case asked for as `{in:<duration>}` reads as the placeholder again: the real "
        "target's times come from the wall clock, the fake's from its virtual clock",
    ),
    Transformer(
        "loopback-ports",
        "`127.0.0.1:<n>` and `localhost:<n>` read `127.0.0.1:<port>`: every port is picked at random",
    ),
    Transformer(
        "headers-as-map",
        "headers and gRPC metadata are compared as name -> value maps (lower-case names); their order on "
        "the wire is the HTTP library's, not daprd's",
    ),
    Transformer("http-date", "the `date` response header is the wall clock"),
    Transformer(
        "json-body",
        "an `application/json` body is compared as parsed JSON and its `content-length` dropped: protojson "
        'randomises its whitespace per binary (`{"a":1, "b":2}` or `{"a":1,"b":2}`)',
    ),
    Transformer(
        "json-callback-body",
        "an HTTP callback body that is JSON is compared parsed (`json`) and its `content-length` dropped: "
        "daprd writes the job's data with protojson, whose whitespace is random per binary",
    ),
    Transformer(
        "protojson-nbsp",
        "protobuf-go writes `proto:` + U+00A0 or + a space at random per binary; it reads `proto: `",
    ),
    Transformer(
        "grpc-message-size",
        "in gRPC's `larger than max (N vs. M)` the message size N (the Scheduler's etcd request; on 1.14 "
        "also daprd's request to the Scheduler) reads `<size>`: it changes by a byte or two from run to run "
        "for the same job, as it holds a random partition id (the limit M stays)",
    ),
    Transformer(
        "grpc-transport-metadata",
        "`user-agent`, `grpc-accept-encoding` and `grpc-timeout` of a callback are the gRPC library's "
        "(grpc-go in daprd, grpc-python in the fake)",
    ),
]
_PORT = re.compile(r"\b(?:127\.0\.0\.1|localhost):\d{1,5}\b")
_NBSP = "proto:\u00a0"
_MESSAGE_SIZE = re.compile(r"larger than max \(\d+ vs\. (\d+)\)")
_GRPC_TRANSPORT = {"user-agent", "grpc-accept-encoding", "grpc-timeout"}


def transformer_names() -> list[str]:
    return [transformer.name for transformer in TRANSFORMERS]


def _strings(value: Any, rewrite: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return rewrite(value)
    if isinstance(value, list):
        return [_strings(item, rewrite) for item in value]
    if isinstance(value, dict):
        return {key: _strings(item, rewrite) for key, item in value.items()}
    return value


def _headers(pairs: list[list[str]], drop: set[str]) -> dict[str, str]:
    return {name.lower(): value for name, value in pairs if name.lower() not in drop}


def _http_answer(observed: dict[str, Any]) -> dict[str, Any]:
    """Status, headers (no `date`), and the body: `json` when it is an application/json body that parses."""
    if "status" not in observed:
        return observed
    headers = _headers(observed["headers"], {"date"})
    body = observed["body"]
    out: dict[str, Any] = {"status": observed["status"], "headers": headers}
    text = body.get("text")
    if text is not None and headers.get("content-type", "").startswith("application/json"):
        try:
            out["json"] = json.loads(text)
            headers.pop("content-length", None)
            return out
        except ValueError:
            pass
    out["body"] = body
    return out


def _json_or_none(text: str | None) -> Any:
    """`text` parsed as JSON; None when it is empty, not JSON, or JSON `null`."""
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _received(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for record in records:
        record = dict(record)
        if "headers" in record:
            record["headers"] = _headers(record["headers"], set())
            parsed = _json_or_none(record.get("body", {}).get("text"))
            if parsed is not None:
                del record["body"]
                record["json"] = parsed
                record["headers"].pop("content-length", None)
        if "metadata" in record:
            record["metadata"] = _headers(record["metadata"], _GRPC_TRANSPORT)
        out.append(record)
    return out


def normalise(observations: list[dict[str, Any]], placeholders: Mapping[str, str]) -> list[dict[str, Any]]:
    """Apply every transformer to one case's observations (one per step); `placeholders` maps each
    time the runner rendered for the case to the placeholder the case wrote."""

    def rewrite(text: str) -> str:
        for rendered, placeholder in placeholders.items():
            text = text.replace(rendered, placeholder)
        text = _MESSAGE_SIZE.sub(r"larger than max (<size> vs. \1)", text)
        return _PORT.sub("127.0.0.1:<port>", text)

    out = []
    for observed in observations:
        step = dict(observed)
        if "received" in step:
            step["received"] = _received(step["received"])
        elif "http" in step:
            step = {"http": step["http"], **_http_answer({k: v for k, v in step.items() if k != "http"})}
        step = _strings(step, rewrite)
        out.append(_strings(step, lambda text: text.replace(_NBSP, "proto: ")))
    return out
