"""One job's round trip through the installed Dapr Python SDK (`dapr`), written to a JSON file.

Run by tests/clients/test_python_sdk_versions.py with the interpreter of a venv holding one SDK release
(this script imports nothing but the SDK and the standard library):

    python jobs_client.py --grpc-port PORT --job NAME --out result.json

with DAPR_HTTP_PORT / DAPR_GRPC_PORT pointing at the fake, since `DaprClient()` first polls
`GET /v1.0/healthz/outbound` on the HTTP port (`dapr/clients/health.py`). It calls the SDK's own job
methods: `schedule_job`/`get_job`/`delete_job` where the SDK has them (1.18+), else the `..._alpha1`
ones (1.16, 1.17), as an application written for that release would. Each step records its result or
the `DaprGrpcError`'s status code name and message, and the warnings the SDK raised; a failing step does
not stop the next, so the fake's journal shows every RPC the SDK sends for each call.
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dapr.clients import DaprClient
from dapr.clients.exceptions import DaprGrpcError
from dapr.clients.grpc._jobs import Job
from dapr.version import __version__ as sdk_version
from google.protobuf.any_pb2 import Any as GrpcAny
from google.protobuf.wrappers_pb2 import StringValue


def _job_view(job: Job) -> dict[str, Any]:
    """The fields of a `Job` the SDK read back, JSON-ready (the data unpacked when it is a StringValue)."""
    view: dict[str, Any] = {
        "name": job.name,
        "schedule": job.schedule,
        "repeats": job.repeats,
        "dueTime": job.due_time,
        "ttl": job.ttl,
    }
    if job.data is not None:
        view["typeUrl"] = job.data.type_url
        text = StringValue()
        if job.data.Unpack(text):
            view["stringValue"] = text.value
    return view


def _step(call: Callable[[], Any]) -> dict[str, Any]:
    """Run one SDK call: {"ok": ...} or {"error": {"code", "message"}}, plus the warnings it raised."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = call()
            outcome: dict[str, Any] = {"ok": _job_view(value) if isinstance(value, Job) else None}
        except DaprGrpcError as err:
            outcome = {"error": {"code": err.code().name, "message": err.details()}}
    outcome["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grpc-port", type=int, required=True)
    parser.add_argument("--job", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    stable = hasattr(DaprClient, "schedule_job")
    suffix = "" if stable else "_alpha1"
    data = GrpcAny()
    data.Pack(StringValue(value=f"hello from dapr {sdk_version}"))
    job = Job(name=args.job, schedule="@every 1h", repeats=3, ttl="2h", data=data)
    result: dict[str, Any] = {
        "sdk": sdk_version,
        "methods": [f"{verb}_job{suffix}" for verb in ("schedule", "get", "delete")],
    }
    with DaprClient(f"127.0.0.1:{args.grpc_port}") as client:
        schedule = getattr(client, f"schedule_job{suffix}")
        get = getattr(client, f"get_job{suffix}")
        delete = getattr(client, f"delete_job{suffix}")
        result["schedule"] = _step(lambda: schedule(job))
        result["get"] = _step(lambda: get(args.job))
        result["delete"] = _step(lambda: delete(args.job))
        result["getAfterDelete"] = _step(lambda: get(args.job))
    args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
