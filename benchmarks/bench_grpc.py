"""ScheduleJob calls per second: the fake's gRPC API vs a bare servicer that stores requests in a dict.

The bare servicer is what the Dapr SDK's own test fake does (`tests/clients/fake_dapr_server.py`):
no validation, no journal, no clock. The ratio says what the contract checks, the engine and the
journal cost on top of gRPC itself (goal: >= 0.8). Both run in this process on loopback, driven by
one client thread with a raw stub (the SDK client would add the same cost to both sides).

Run: python benchmarks/bench_grpc.py [rounds [calls per round]]   (prints figures; asserts nothing)
"""

from __future__ import annotations

import sys
import time
from concurrent import futures
from typing import Any

import grpc
from dapr.proto import api_service_v1, api_v1
from google.protobuf import any_pb2

from dapr_jobs_fake import DaprJobsFake


class BareServicer(api_service_v1.DaprServicer):  # type: ignore[misc]
    """Stores each job in a dict, like the SDK's test fake; rejects duplicates like daprd."""

    def __init__(self) -> None:
        self.jobs: dict[str, Any] = {}

    def ScheduleJob(self, request: Any, context: grpc.ServicerContext) -> Any:
        job = request.job
        if job.name in self.jobs and not request.overwrite:
            context.abort(grpc.StatusCode.ALREADY_EXISTS, f"job {job.name} already exists")
        stored = api_v1.Job()
        stored.CopyFrom(job)
        self.jobs[job.name] = stored
        return api_v1.ScheduleJobResponse()


def requests_for(count: int, tag: str) -> list[Any]:
    data = any_pb2.Any(value=b'{"message": "hi"}')  # what the SDK examples send
    return [
        api_v1.ScheduleJobRequest(
            job=api_v1.Job(name=f"{tag}-{i}", schedule="@every 1m", due_time="10s", data=data)
        )
        for i in range(count)
    ]


def calls_per_second(schedule: Any, requests: list[Any]) -> float:
    start = time.perf_counter()
    for request in requests:
        schedule(request)
    return len(requests) / (time.perf_counter() - start)


def main(rounds: int = 10, per_round: int = 1000) -> None:
    bare_server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    api_service_v1.add_DaprServicer_to_server(BareServicer(), bare_server)
    bare_port = bare_server.add_insecure_port("127.0.0.1:0")
    bare_server.start()
    pairs: list[tuple[float, float]] = []
    try:
        with (
            DaprJobsFake(grpc=True) as fake,
            grpc.insecure_channel(f"127.0.0.1:{bare_port}") as bare_channel,
            grpc.insecure_channel(f"127.0.0.1:{fake.grpc_port}") as fake_channel,
        ):
            bare = api_service_v1.DaprStub(bare_channel).ScheduleJob
            faked = api_service_v1.DaprStub(fake_channel).ScheduleJob
            calls_per_second(bare, requests_for(200, "warm"))  # connections, thread pools, caches
            calls_per_second(faked, requests_for(200, "warm"))
            # Short interleaved rounds: a shared machine's noise hits both sides alike.
            for n in range(rounds):
                pairs.append(
                    (
                        calls_per_second(bare, requests_for(per_round, f"bare{n}")),
                        calls_per_second(faked, requests_for(per_round, f"fake{n}")),
                    )
                )
            jobs = len(fake.jobs)
    finally:
        bare_server.stop(0)
    ratios = sorted(f / b for b, f in pairs)
    print(f"ScheduleJob over gRPC on loopback, {rounds} interleaved rounds of {per_round} calls:")
    print(f"  bare dict servicer : {max(b for b, _ in pairs):8.0f} calls/s (best round)")
    print(
        f"  dapr-jobs-fake     : {max(f for _, f in pairs):8.0f} calls/s "
        f"(best round; {jobs} jobs, all journaled)"
    )
    print(
        f"  ratio fake/bare    : {ratios[len(ratios) // 2]:8.2f} median of rounds "
        f"(min {ratios[0]:.2f}, max {ratios[-1]:.2f}; goal >= 0.80)"
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
