"""Run by test_real_runtime.py inside a private network namespace (`netns.run_inside`), not by pytest:
the launcher starts real daprd + Scheduler, a job is stored, read back and deleted, and a job survives
a Scheduler restart. Exits non-zero (with the logs) when anything differs.

    python tests/conformance/real_checks.py <daprd> <scheduler>
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

from dapr_jobs_fake.conformance import netns
from dapr_jobs_fake.conformance.real_runtime import RealDapr


def call(method: str, url: str, body: object = None) -> tuple[int, bytes]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=40) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def main(daprd: str, scheduler: str) -> None:
    netns.enter()
    assert netns.interfaces() == ["lo"], netns.interfaces()
    with RealDapr(daprd, scheduler) as dapr:
        url = dapr.jobs_url("x")
        assert call("POST", url, {"dueTime": "1h", "data": {"a": 1}}) == (204, b""), dapr.logs()
        status, body = call("GET", url)
        assert status == 200, body
        job = json.loads(body)  # parsed: protojson's whitespace differs from build to build
        assert job["dueTime"] == "1h"
        assert job["data"] == {"@type": "type.googleapis.com/google.protobuf.Value", "value": {"a": 1}}
        assert call("DELETE", url) == (204, b"")
        assert call("GET", url)[0] == 500
        kept = dapr.jobs_url("kept")
        assert call("POST", kept, {"dueTime": "1h", "data": "kept"})[0] == 204
        dapr.restart_scheduler()
        assert call("GET", kept)[0] == 200, dapr.logs()
        assert call("DELETE", kept)[0] == 204
    print("ok")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
