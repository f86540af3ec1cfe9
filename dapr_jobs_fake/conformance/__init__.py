"""Conformance tooling: running the real Dapr runtime (daprd and the Scheduler) next to the fake, so the
same requests can be sent to both and the real answers recorded. Nothing here is needed to use the fake."""
