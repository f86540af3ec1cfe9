"""`dapr-jobs-fake`: serve the fake sidecar standalone, for suites in any language and for curl.

The clock ticks with real time by default, so jobs fire when they are due as with daprd; start it
frozen with `--clock manual` and move it through the control API (`/_dapr-jobs-fake/...`, see
`control_api`). One log line per request and per trigger attempt, with any contract violation
(`log`). Start-up problems are one line on stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path

from .._version import __version__
from ..fake import DaprJobsFake
from ..golang.calendar import ns_to_datetime
from ..golang.rfc3339 import RFC3339Error, format_rfc3339, parse_rfc3339
from ..sidecar.http_server import ListenError
from .args import build_parser
from .control_api import PREFIX, ControlApi
from .log import Log
from .realtime import RealTimeTicker

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _fail(message: str) -> int:
    print(f"dapr-jobs-fake: {message}", file=sys.stderr, flush=True)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    start = horizon = None
    if args.start:
        try:
            start = ns_to_datetime(parse_rfc3339(args.start))
        except RFC3339Error as err:
            return _fail(f"--start: {err}")
    if args.auto_horizon:
        try:
            horizon = ns_to_datetime(parse_rfc3339(args.auto_horizon))
        except RFC3339Error as err:
            return _fail(f"--auto-horizon: {err}")
    if not args.auto_quiet >= 0:
        return _fail(f"--auto-quiet: must be 0 or more seconds, not {args.auto_quiet}")
    try:
        fake = DaprJobsFake(
            dapr_version=args.dapr_version,
            start=start,
            app_url=args.app_url,
            api_token=args.api_token,
            app_api_token=args.app_api_token,
            app_id=args.app_id,
            namespace=args.namespace,
            host=args.host,
            http_port=args.port,
            grpc=False if args.no_grpc else None,
            grpc_port=args.grpc_port,
            app_grpc_address=args.app_grpc_address,
            delivery_timeout=args.delivery_timeout,
            journal_limit=args.journal_limit or None,
            clock="auto" if args.clock == "auto" else "manual",
            auto_quiet=args.auto_quiet,
            auto_horizon=horizon,
        )
    except ImportError as err:  # --app-grpc-address without the grpc extra
        return _fail(f"--app-grpc-address: {err}")
    except ValueError as err:  # a malformed --app-url, an unknown version
        return _fail(str(err))
    log = Log()
    ticker = RealTimeTicker(fake.clock, on_error=log.line)
    fake.auto_clock.on_error = log.line
    modes = ClockModes(fake, ticker)
    ticker.set_mode("manual" if args.clock == "auto" else args.clock)
    control = ControlApi(
        fake,
        mode=modes.get,
        mode_setter=modes.set,
        listeners=[] if args.quiet else [log.entry],
    )
    control.mount()
    try:
        fake.start()
    except ListenError as err:
        return _fail(f"{err} (another sidecar running? pick another --port or --grpc-port)")
    ticker.start()
    if not args.quiet:
        _banner(fake, args.clock, args.no_grpc)
    ports = json.dumps({"http": fake.http_port, "grpc": fake.grpc_port})
    print(ports, flush=True)  # machine-readable, for --port 0
    if args.ready_file:
        Path(args.ready_file).write_text(ports + "\n")
    if args.host not in _LOOPBACK:
        guard = "only with the API token" if args.api_token else "by anyone on the network: set --api-token"
        print(
            f"dapr-jobs-fake: warning: listening on {args.host}, not loopback: the Dapr API and the control "
            f"API (which can reset the fake and move its clock) are reachable {guard}",
            file=sys.stderr,
            flush=True,
        )
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    try:
        while not stopped.wait(0.2):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        ticker.stop(wait=0.0)  # no new moves; a move in progress is aborted by fake.stop()
        fake.stop()
        ticker.stop()
    if not args.quiet:
        log.line(f"dapr-jobs-fake stopped at {datetime.now(timezone.utc):%H:%M:%S}")
    log.close()
    return 0


def _banner(fake: DaprJobsFake, clock: str, no_grpc: bool) -> None:
    profile = fake.profile
    print(
        f"dapr-jobs-fake {__version__} emulating Dapr {profile.runtime_version} ({profile.key}) on {fake.url}"
    )
    now = format_rfc3339(fake.clock.now_ns())
    print(f"  clock: {clock}, virtual now {now}; control API: {fake.url}{PREFIX}/")
    if fake.grpc_port is not None:
        print(f"  gRPC API on {fake.env['DAPR_GRPC_ENDPOINT']} (DAPR_GRPC_PORT={fake.grpc_port})")
    elif not no_grpc:
        print('  no gRPC API: pip install "dapr-jobs-fake[grpc]" to serve the Dapr SDKs')
    print(
        f"  app: {fake.router.target_name or 'none (triggers fail: set --app-url or --app-grpc-address)'}; "
        "Ctrl-C stops",
        flush=True,
    )


class ClockModes:
    """The CLI's clock modes: "real" (the ticker follows wall time), "manual", "auto" (the fake's auto
    clock, with the ticker paused)."""

    def __init__(self, fake: DaprJobsFake, ticker: RealTimeTicker) -> None:
        self._fake = fake
        self._ticker = ticker

    def get(self) -> str:
        return "auto" if self._fake.options.clock == "auto" else self._ticker.mode

    def set(self, mode: str) -> None:
        if mode == "auto":
            self._ticker.set_mode("manual")
            self._fake.configure(clock="auto")
        else:
            self._fake.configure(clock="manual")
            self._ticker.set_mode(mode)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
