"""The command line of `dapr-jobs-fake`: every flag, its default and its help text."""

from __future__ import annotations

import argparse
import os

from .._version import __version__
from ..contract.profiles import DEFAULT_PROFILE, PROFILES, get_profile
from .control_api import PREFIX


def dapr_version(text: str) -> str:
    """argparse type: a version `get_profile` knows (its error lists the known ones)."""
    try:
        get_profile(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def build_parser() -> argparse.ArgumentParser:
    versions = "; ".join(f"{key}: {profile.summary}" for key, profile in PROFILES.items())
    parser = argparse.ArgumentParser(
        prog="dapr-jobs-fake",
        description="Serve a fake Dapr sidecar for the Jobs API: contract-checked answers, a journal, "
        "and jobs "
        "that fire on a clock you control.",
        epilog=f"Control API: GET http://HOST:PORT{PREFIX}/ lists its routes (clock, clock/advance, "
        "clock/advance-to, clock/run-next, clock/run-until-idle, clock/mode, app, jobs, calls, triggers, "
        "jumps, violations, faults, faults/app, faults/clear, reset). It asks for --api-token too, when "
        "one is set.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: %(default)s, loopback only). On any other address the Dapr API "
        "and the control API (which can reset the fake and move its clock) are reachable by anyone on the "
        "network unless --api-token is set",
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
        type=dapr_version,
        metavar="VERSION",
        help=f"Dapr version to emulate: a line (its latest patch), a full version such as 1.16.17, or "
        f"docs-1.14-alpha (default: %(default)s). {versions}",
    )
    parser.add_argument(
        "--api-token",
        default=os.environ.get("DAPR_API_TOKEN") or None,
        help="require this dapr-api-token on every route but the two health checks, the control API "
        "included (default: $DAPR_API_TOKEN, else none)",
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
        choices=("real", "manual", "auto"),
        default="real",
        help="real: the clock ticks with wall time and jobs fire when due; manual: the clock stands "
        "still until moved through the control API; auto: time skipping, the clock jumps to the next due "
        "trigger whenever the fake has been idle for --auto-quiet (default: %(default)s)",
    )
    parser.add_argument(
        "--auto-quiet",
        type=float,
        default=0.02,
        metavar="SECONDS",
        help="with --clock auto: how long no request, move or delivery must be in flight before the clock "
        "jumps (default: %(default)s)",
    )
    parser.add_argument(
        "--auto-horizon",
        default=None,
        metavar="RFC3339",
        help="with --clock auto: never jump past this virtual time (default: no bound)",
    )
    parser.add_argument(
        "--start",
        default=None,
        metavar="RFC3339",
        help="virtual time to start at, e.g. 2030-01-01T00:00:00Z (default: now)",
    )
    parser.add_argument(
        "--delivery-timeout",
        type=float,
        default=10.0,
        metavar="SECONDS",
        help="how long an app has to answer one trigger attempt before it fails and the failure policy "
        "applies (default: %(default)s)",
    )
    parser.add_argument(
        "--journal-limit",
        type=int,
        default=10_000,
        metavar="N",
        help="keep the newest N journal entries (calls and trigger attempts); older ones are dropped and "
        "counted (GET /_dapr-jobs-fake/calls answers the count in a dapr-jobs-fake-dropped header; "
        "default: %(default)s; 0 keeps everything)",
    )
    parser.add_argument(
        "--ready-file",
        default=None,
        metavar="PATH",
        help='write {"http": PORT, "grpc": PORT} to PATH once serving (the same JSON line is printed on '
        "start), for --port 0 and --grpc-port 0",
    )
    parser.add_argument(
        "--quiet", action="store_true", help="log nothing but errors: no requests, no triggers, no tracebacks"
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    return parser
