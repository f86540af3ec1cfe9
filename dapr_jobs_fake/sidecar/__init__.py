"""The sidecar layer: daprd's Jobs API on the wire, HTTP and gRPC, over one protocol-neutral service.

`service` (the use cases: check, apply, journal), `http_api` + `http_server` (routes; Go's framing on
pytest-httpserver), `grpc_api` + `grpc_server` + `grpc_convert` (the Dapr gRPC service; the grpc
extra). Imports every layer below; nothing below imports it.
"""
