"""`dapr-jobs-fake-conformance`: replay the shipped recordings against the fake, record a new one from
real daprd + Scheduler binaries, or compare a fresh recording with the shipped one.

    dapr-jobs-fake-conformance replay [--dapr-version 1.18.3]
    dapr-jobs-fake-conformance record --daprd ~/.dapr/bin/daprd --scheduler ~/.dapr/bin/scheduler --out DIR
    dapr-jobs-fake-conformance compare DIR

`record` runs the real runtime, its test apps and itself inside a private network namespace (it
re-executes itself under `unshare`, see `netns`), and refuses, saying why, where none can be made.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from . import netns
from .compare import compare
from .recording import RECORDINGS, load, save, shipped
from .session import print_report, record, replay

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dapr-jobs-fake-conformance",
        description="The conformance suite: the same cases against real daprd + Scheduler and the fake.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    play = commands.add_parser("replay", help="replay recordings against the fake and compare")
    play.add_argument("--dapr-version", help="only this recorded version (default: every recording)")
    play.add_argument("--recordings", type=Path, default=RECORDINGS, help="where the recordings are")
    play.add_argument("-k", dest="pattern", help="only cases whose name matches (a glob or a word)")
    play.add_argument("-v", "--verbose", action="store_true", help="show documented values too")
    rec = commands.add_parser("record", help="record the cases against real daprd + Scheduler")
    rec.add_argument("--daprd", type=Path, required=True, help="the daprd binary")
    rec.add_argument("--scheduler", type=Path, required=True, help="the Scheduler binary")
    rec.add_argument("--out", type=Path, default=Path("conformance-recordings"), help="output directory")
    rec.add_argument("--dapr-version", help="the profile to record as (default: what daprd --version says)")
    rec.add_argument("--log-dir", type=Path, help="keep daprd's and the Scheduler's logs here")
    rec.add_argument("-k", dest="pattern", help="only cases whose name matches (a partial recording)")
    cmp = commands.add_parser("compare", help="compare fresh recordings with the shipped ones")
    cmp.add_argument("directory", type=Path, help="a directory of recordings made with `record`")
    return parser


def _replay(args: argparse.Namespace) -> int:
    available = shipped(args.recordings)
    versions = [args.dapr_version] if args.dapr_version else list(available)
    if not versions:
        print(f"no recordings in {args.recordings}", file=sys.stderr)
        return 2
    ok = True
    for version in versions:
        if version not in available:
            print(f"no recording of {version} in {args.recordings} (have: {', '.join(available)})")
            return 2
        report = replay(load(available[version]), args.pattern)
        print_report(report, verbose=args.verbose)
        ok = ok and report.ok
    return 0 if ok else 1


def _record(args: argparse.Namespace) -> int:
    if not netns.inside():
        try:
            netns.exec_inside([sys.executable, "-m", "dapr_jobs_fake.conformance", *sys.argv[1:]])
        except netns.NamespaceUnavailable as error:
            print(f"dapr-jobs-fake-conformance record: {error}", file=sys.stderr)
            return 2
    netns.enter()
    done = 0

    def progress(message: str) -> None:
        nonlocal done
        done += 1
        if done % 25 == 0 or " cases in " in message:
            print(f"  {message if ' cases in ' in message else f'{done} cases done'}", file=sys.stderr)

    recording = record(
        args.daprd.resolve(),
        args.scheduler.resolve(),
        version=args.dapr_version,
        pattern=args.pattern,
        log_dir=args.log_dir,
        progress=progress,
    )
    path = save(recording, args.out)
    count = len(recording.recorded_cases())
    print(
        f"recorded {count} cases ({len(recording.not_recorded())} not recorded on this version) of "
        f"daprd {recording.meta['daprd_reported_version']} in {recording.meta['wall_seconds']} s -> {path}"
    )
    return 0


def _compare(args: argparse.Namespace) -> int:
    ours = shipped()
    given = shipped(args.directory)
    if not given:
        print(f"no recordings in {args.directory}", file=sys.stderr)
        return 2
    ok = True
    for version, path in given.items():
        theirs = load(path)
        if version not in ours:
            print(f"{version}: no shipped recording to compare with; replaying the fake against it")
            report = replay(theirs)
        else:
            mine = load(ours[version]).recorded_cases()
            fresh = theirs.recorded_cases()  # a partial recording (-k) is compared on its cases only
            report = compare(version, {name: mine[name] for name in fresh if name in mine}, fresh, [])
            report.stale = sorted(name for name in fresh if name not in mine)
        print_report(report)
        ok = ok and report.ok
    return 0 if ok else 1


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = {"replay": _replay, "record": _record, "compare": _compare}[args.command]
    return command(args)
