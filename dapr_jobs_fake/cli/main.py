"""`dapr-jobs-fake`: serve the fake sidecar standalone, for suites in any language and for curl.

The clock ticks with real time by default, so jobs fire when they are due as with daprd; start it
frozen with `--clock manual` and move it through the control API (`/_dapr-jobs-fake/...`, see
`control_api`). One log line per request and per trigger attempt, with any contract violation.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import datetime, timezone

from .._version import __version__
from ..contract.profiles import DEFAULT_PROFILE, PROFILES
from ..fake import DaprJobsFake
from ..golang.calendar import ns_to_datetime
from ..golang.rfc3339 import RFC3339Error, format_rfc3339, parse_rfc3339
from ..journal.records import Call, Entry, TriggerRecord
from .control_api import PREFIX, ControlApi
from .realtime import RealTimeTicker


def build_parser() -> argparse.ArgumentParser:
    versions = "; ".join(f"{key}: {profile.summary}" for key, profile in PROFILES.items())
    parser = argparse.ArgumentParser(
        prog="dapr-jobs-fake",
        description="Serve a fake Dapr sidecar for the Jobs API: contract-checked answers, a journal, "
        "and jobs "
        "that fire on a clock you control.",
        epilog=f"Control API: GET/POST http://HOST:PORT{PREFIX}/... (clock, clock/advance, clock/advance-to, "
        "clock/run-next, clock/run-until-idle, clock/mode, jobs, calls, triggers, violations, reset).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: %(default)s, loopback only)"
    )
    parser.add_argument(
        "--port",
        type=int,
        default=3500,
        help="HTTP port, as daprd's --dapr-http-port (default: %(default)s; 0 picks a free one)",
    )
    parser.add_argument(
        "--grpc-port",
        type=int,
        default=50001,
        help="gRPC API port, as daprd's --dapr-grpc-port, served when the grpc extra is installed "
        "(default: %(default)s; 0 picks a free one)",
    )
    parser.add_argument("--no-grpc", action="store_true", help="serve the HTTP API only")
    parser.add_argument(
        "--dapr-version",
        default=DEFAULT_PROFILE.key,
        choices=sorted(PROFILES),
        help=f"Dapr version to emulate (default: %(default)s). {versions}",
    )
    parser.add_argument(
        "--api-token",
        default=os.environ.get("DAPR_API_TOKEN") or None,
        help="require this dapr-api-token on every route but the health checks "
        "(default: $DAPR_API_TOKEN, else none)",
    )
    parser.add_argument(
        "--app-url",
        default=None,
        help="where triggered jobs are delivered: POST <app-url>/job/<name> (default: none, so jobs "
        "stay due without firing, as with daprd and no app)",
    )
    parser.add_argument(
        "--app-grpc-address",
        default=None,
        metavar="HOST:PORT",
        help="deliver triggered jobs to a gRPC app instead (AppCallback/OnJobEvent, e.g. a "
        "dapr.ext.grpc.App), as daprd with --app-protocol grpc",
    )
    parser.add_argument(
        "--app-api-token",
        default=os.environ.get("APP_API_TOKEN") or None,
        help="sent to the app as dapr-api-token (default: $APP_API_TOKEN, else none)",
    )
    parser.add_argument(
        "--app-id", default="app", help="app ID used in Dapr's error texts (default: %(default)s)"
    )
    parser.add_argument(
        "--namespace",
        default=os.environ.get("NAMESPACE") or "default",
        help="namespace used in Dapr's error texts (default: $NAMESPACE, else %(default)s)",
    )
    parser.add_argument(
        "--clock",
        choices=("real", "manual"),
        default="real",
        help="real: the clock ticks with wall time and jobs fire when due; manual: the clock stands "
        "still until moved through the control API (default: %(default)s)",
    )
    parser.add_argument(
        "--start",
        default=None,
        metavar="RFC3339",
        help="virtual time to start at, e.g. 2030-01-01T00:00:00Z (default: now)",
    )
    parser.add_argument("--quiet", action="store_true", help="do not log requests and triggers")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser


def _log_call(call: Call) -> None:
    outcome = f"{call.status}" + (f" {call.error_code}" if call.error_code else "")
    print(f"{call.at:%H:%M:%S} {call.protocol} {call.request} -> {outcome}", flush=True)
    for finding in (*call.violations, *call.warnings):
        kind = "violation" if finding in call.violations else "warning"
        print(
            f"    {kind} [{finding.rule}] {finding.message}"
            + (f" (hint: {finding.hint})" if finding.hint else ""),
            flush=True,
        )


def _log_trigger(record: TriggerRecord) -> None:
    print(f"{record.scheduled_at:%H:%M:%S} trigger {record.line()}", flush=True)


def log_entry(entry: Entry) -> None:
    """The CLI's journal listener: one line per call (with its findings) and per trigger attempt."""
    if isinstance(entry, Call):
        _log_call(entry)
    else:
        _log_trigger(entry)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    start = None
    if args.start:
        try:
            start = ns_to_datetime(parse_rfc3339(args.start))
        except RFC3339Error as err:
            print(f"dapr-jobs-fake: --start: {err}", file=sys.stderr)
            return 2
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
    )
    ticker = RealTimeTicker(fake.clock)
    ticker.set_mode(args.clock)
    listeners = [] if args.quiet else [log_entry]
    control = ControlApi(fake, mode=lambda: ticker.mode, mode_setter=ticker.set_mode, listeners=listeners)
    control.mount()
    try:
        fake.start()
    except OSError as err:
        print(
            f"dapr-jobs-fake: cannot listen on {args.host}:{args.port}: {err.strerror or err} "
            "(another sidecar running? pick another --port or --grpc-port)",
            file=sys.stderr,
        )
        return 2
    ticker.start()
    print(
        f"dapr-jobs-fake {__version__} emulating Dapr {fake.profile.runtime_version} ({fake.profile.key}) "
        f"on {fake.url}",
        flush=True,
    )
    print(
        f"  clock: {args.clock}, now {format_rfc3339(fake.clock.now_ns())}; "
        f"control API: {fake.url}{PREFIX}/clock",
        flush=True,
    )
    if fake.grpc_port is not None:
        print(f"  gRPC API on {fake.env['DAPR_GRPC_ENDPOINT']} (DAPR_GRPC_PORT={fake.grpc_port})", flush=True)
    elif not args.no_grpc:
        print('  no gRPC API: pip install "dapr-jobs-fake[grpc]" to serve the Dapr SDKs', flush=True)
    app = args.app_grpc_address and f"grpc://{args.app_grpc_address}"
    print(
        f"  app: {app or args.app_url or 'none (jobs stay due until an app is set)'}; Ctrl-C stops",
        flush=True,
    )
    stopped = threading.Event()

    def _stop(*_: object) -> None:
        stopped.set()

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopped.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        ticker.stop()
        fake.stop()
    print(f"dapr-jobs-fake stopped at {datetime.now(timezone.utc):%H:%M:%S}", flush=True)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
