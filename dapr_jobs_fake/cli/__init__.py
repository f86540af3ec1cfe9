"""The CLI layer: `dapr-jobs-fake` serves a fake standalone, with its control API and real-time clock.

`main` (arguments, start-up, logging), `control_api` (the fake's own routes under `/_dapr-jobs-fake/`,
mounted on the sidecar's HTTP port from here) and `realtime` (the ticker that moves the virtual clock
with wall time). Nothing below this layer knows it exists.
"""

from .args import build_parser
from .main import main

__all__ = ["build_parser", "main"]
