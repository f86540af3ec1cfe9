"""The full concurrency run of `tests/reliability/test_concurrency.py`: 16 clients x 1,000 operations.

The suite runs 16 x 250 to stay fast (the full run takes well over 10 s on 2 cores). Same workload,
same checks (no call lost or duplicated, clients' answers equal the journal, the journal's replay
matches `fake.jobs` without contradiction), plus timings.

Run: python benchmarks/concurrency.py [operations per client] [clients]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "reliability"))

import test_concurrency  # the suite's workload and checks, not a copy

if __name__ == "__main__":
    ops = int(sys.argv[1]) if len(sys.argv) > 1 else test_concurrency.FULL_OPS
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else test_concurrency.THREADS
    run = test_concurrency.run_concurrently(clients, ops)
    result = test_concurrency.check(run)
    print(test_concurrency.describe(run, result))
    print(
        f"{run.requests / run.elapsed:,.0f} calls/s with switch interval {test_concurrency.SWITCH_INTERVAL}"
    )
