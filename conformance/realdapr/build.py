#!/usr/bin/env python3
"""Build real daprd and Scheduler of one Dapr version through the Go module proxy, into a cache outside
the repo.

    python conformance/realdapr/build.py 1.18.3    # -> ~/.cache/dapr-jobs-fake/dapr-1.18.3/{daprd,scheduler}
    DAPR_JOBS_FAKE_CACHE=/somewhere python conformance/realdapr/build.py 1.17.11

`github.com/dapr/dapr` is required as an ordinary module dependency of a small module assembled from this
folder's `cmd/` sources. What a dependent module needs that Dapr's own build has for free:

- Dapr's go.mod carries `replace` directives (forks with licence or performance fixes) that a dependent
  module does not inherit: they are copied from the go.mod the proxy serves for that version.
- Dapr's go.sum is copied too, so every module Dapr pins is verified against Dapr's own hashes.
- Some versions Dapr pins are refused by this machine's module proxy (403). Each refused module is
  replaced by the nearest version the proxy serves (same minor first), and the substitution is printed
  and written to `build-info.json` next to the binaries. Substitutes are not in Dapr's go.sum, so the
  checksum database is skipped for exactly those modules (GONOSUMDB); the proxy's own hashes apply.
  A substitute that lacks a package Dapr imports is swapped for the next candidate (a higher minor is
  tried after the same minor's patches). A substitute that resolves but does not compile is final: e.g.
  1.17.11 pins durabletask-go v0.11.5, refused, and no served version both has its packages and compiles.
- The checksum database answers through the proxy for some Dapr versions only (1.16.8: 404). Then Dapr's
  own module is taken on the proxy's hash (GONOSUMDB) and `not_in_checksum_db` in build-info.json says so.

Which daprd main is built:

1. `cmd/daprd-app`: Dapr's own `cmd/daprd/app.Run()` with `-tags stablecomponents`, i.e. exactly what the
   released daprd is. Tried first.
2. Only when that cannot be built because of refused modules (a module the proxy serves at no nearby
   version, e.g. github.com/iskorotkov/avro/v2 of the Pulsar component in 1.18), the conformance runtime
   main of `RUNTIME_MAINS` for that version: the same runtime and flag parser with empty component
   registries (the Jobs API touches no component).

The Scheduler is Dapr's own `cmd/scheduler/app.Run()`, unmodified. Dapr is never built from modified
source here: it is an ordinary module dependency, read from the module cache as the proxy served it.
(The Scheduler's healthz server listens on every interface whatever --healthz-listen-address says; the
recorder keeps every real listener on loopback by running the runtime inside a private network namespace
whose only interface is `lo`, see dapr_jobs_fake/conformance/namespace.py.)

Slow the first time: a large download and a long compile (10-30 minutes on 2 cores). Nothing built here
is ever committed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROXY = os.environ.get("DAPR_JOBS_FAKE_GOPROXY", "https://proxy.golang.org")
REFUSED = re.compile(r"([\w.\-/~]+)@(v[\w.\-+]+): reading \S+: (?:403|404|410)")
# A package no module in the graph provides: `go` then asks the proxy for modules named like its path.
MISSING = re.compile(r"module ([\w.\-/~]+): reading \S+/@v/list: (?:403|404|410)")
APP_MAIN = "daprd-app"
APP_TAGS = "stablecomponents"
# (oldest Dapr version, source dir under cmd/) of the conformance runtime mains, newest first: a version
# uses the first entry it is not older than.
RUNTIME_MAINS: list[tuple[tuple[int, int, int], str]] = [((1, 18, 0), "daprd")]
_served: dict[str, bool] = {}


class Unbuildable(Exception):
    """The chosen main cannot be built from what the proxy serves; the message says why."""


def cache_root() -> Path:
    return Path(os.environ.get("DAPR_JOBS_FAKE_CACHE", Path.home() / ".cache" / "dapr-jobs-fake"))


def go(*args: str, cwd: Path, env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["go", *args], cwd=cwd, env=env, text=True, capture_output=True)
    if check and result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"go {' '.join(args)} failed")
    return result


def served(module: str, version: str) -> bool:
    """Whether the proxy serves everything `go` reads of a module version: .info, .mod and .zip (some
    versions are listed, or serve the zip, and still refuse the others with 403)."""
    key = f"{module}@{version}"
    if key not in _served:
        escaped = re.sub(r"[A-Z]", lambda m: "!" + m.group(0).lower(), module)
        _served[key] = all(
            _answers_200(f"{PROXY}/{escaped}/@v/{version}.{kind}") for kind in ("info", "mod", "zip")
        )
    return _served[key]


def _answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=60) as response:
            return bool(response.status == 200)
    except urllib.error.URLError:
        return False


def semver(version: str) -> tuple[int, int, int] | None:
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", version)
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def candidates(version: str) -> list[str]:
    """Versions to try in place of a refused one, nearest first: the same minor (closest patch, lower
    first), the next minor up (lowest patch first: a lower patch may lack a package Dapr imports), then
    lower minors of the same major, newest first. (The proxy here refuses @v/list, so versions are probed
    one by one: a few dozen HEAD requests for one module at most.)"""
    wanted = semver(version)
    if wanted is None:
        return []
    major, minor, patch = wanted
    found = [f"v{major}.{minor}.{p}" for p in range(patch - 1, -1, -1)]
    found += [f"v{major}.{minor}.{p}" for p in range(patch + 1, patch + 10)]
    found += [f"v{major}.{minor + 1}.{p}" for p in range(10)]
    for lower in range(minor - 1, max(minor - 4, -1), -1):
        found += [f"v{major}.{lower}.{p}" for p in range(15, -1, -1)]
    return found


def next_served(module: str, tried: list[str]) -> str | None:
    """The first candidate after the ones in `tried` (tried[0] is the refused version) that is served."""
    for candidate in candidates(tried[0]):
        if candidate not in tried and served(module, candidate):
            return candidate
    return None


def copy_replaces(dapr_mod: Path, module_dir: Path, env: dict[str, str]) -> None:
    """Every active `replace` of Dapr's go.mod (blocks and single lines), except local paths."""
    lines = dapr_mod.read_text().splitlines()
    in_block = False
    for line in lines:
        text = line.split("//", 1)[0].strip()
        if text == "replace (":
            in_block = True
            continue
        if in_block and text == ")":
            in_block = False
            continue
        if not in_block:
            if not text.startswith("replace "):
                continue
            text = text[len("replace ") :]
        if "=>" not in text:
            continue
        old, new = (part.split() for part in text.split("=>", 1))
        if new[0].startswith("."):
            continue
        go("mod", "edit", f"-replace={'@'.join(old)}={'@'.join(new)}", cwd=module_dir, env=env)


def runtime_main(version: str) -> str:
    wanted = semver(version) or (0, 0, 0)
    for oldest, source in RUNTIME_MAINS:
        if wanted >= oldest:
            return source
    raise Unbuildable(f"no conformance runtime main in RUNTIME_MAINS covers Dapr {version}")


def prepare(
    version: str, out: Path, daprd_main: str, tags: str
) -> tuple[Path, dict[str, str], dict[str, str], list[str]]:
    """A module with `cmd/scheduler` and `cmd/daprd` (copied from `cmd/<daprd_main>`) whose whole build
    graph the proxy serves, refused modules substituted. Raises Unbuildable when one has no substitute."""
    module_dir = out / "module"
    if module_dir.exists():
        shutil.rmtree(module_dir)
    for command, source in (("daprd", daprd_main), ("scheduler", "scheduler")):
        (module_dir / "cmd" / command).mkdir(parents=True)
        shutil.copy(HERE / "cmd" / source / "main.go", module_dir / "cmd" / command / "main.go")
    env = {**os.environ, "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    go("mod", "init", "dapr-jobs-fake/realdapr", cwd=module_dir, env=env)
    dapr = f"github.com/dapr/dapr@v{version}"
    unverified: list[str] = []
    info = json.loads(go("mod", "download", "-json", dapr, cwd=module_dir, env=env, check=False).stdout)
    if "sumdb" in info.get("Error", ""):
        # The checksum database answers through the proxy for some versions only (404 for others): then
        # Dapr's module is taken on the proxy's hash alone, and build-info.json says so.
        print(f"{dapr} is not in the checksum database as the proxy serves it: {info['Error']}", flush=True)
        unverified.append(dapr)
        env["GONOSUMDB"] = "github.com/dapr/dapr"
        info = json.loads(go("mod", "download", "-json", dapr, cwd=module_dir, env=env, check=False).stdout)
    if "Error" in info:
        raise SystemExit(f"the module proxy does not serve Dapr {version}: {info['Error']}")
    dapr_mod, dapr_dir = Path(info["GoMod"]), Path(info["Dir"])
    go_line = next(line.split()[1] for line in dapr_mod.read_text().splitlines() if line.startswith("go "))
    go("mod", "edit", f"-go={go_line}", f"-require=github.com/dapr/dapr@v{version}", cwd=module_dir, env=env)
    copy_replaces(dapr_mod, module_dir, env)
    shutil.copy(dapr_dir / "go.sum", module_dir / "go.sum")
    (module_dir / "go.sum").chmod(0o644)
    tried: dict[str, list[str]] = {}  # module -> [refused version, substitutes tried so far...]
    for _ in range(40):
        listed = go(
            "list",
            "-tags",
            tags,
            "-deps",
            "./cmd/daprd",
            "./cmd/scheduler",
            cwd=module_dir,
            env=env,
            check=False,
        )
        if listed.returncode == 0:
            substitutions = {f"{m}@{versions[0]}": versions[-1] for m, versions in tried.items()}
            return module_dir, env, substitutions, unverified
        refused = {module: [bad] for module, bad in REFUSED.findall(listed.stderr) if module not in tried}
        for path in MISSING.findall(listed.stderr):
            owner = next((m for m in tried if path.startswith(m + "/")), None)
            if owner is None:
                sys.stderr.write(listed.stderr)
                raise Unbuildable(f"no module in the build graph provides package {path}")
            print(f"{owner}@{tried[owner][-1]} lacks package {path}", flush=True)
            refused[owner] = tried[owner]
        if not refused:
            sys.stderr.write(listed.stderr)
            raise SystemExit("go list failed for a reason other than a refused module")
        for module, versions in sorted(refused.items()):
            found = next_served(module, versions)
            if found is None:
                raise Unbuildable(
                    f"the module proxy refuses {module}@{versions[0]} and serves no nearby version"
                    + (f" that works (tried {', '.join(versions[1:])})" if versions[1:] else "")
                )
            print(f"substituting {module}@{versions[0]} (refused by the proxy) with {found}", flush=True)
            tried[module] = [*versions, found]
            go("mod", "edit", f"-replace={module}={module}@{found}", cwd=module_dir, env=env)
        env["GONOSUMDB"] = ",".join([*(key.rsplit("@", 1)[0] for key in unverified), *tried])
    raise SystemExit("still refused modules after 40 rounds of substitution")


def build(version: str, out: Path, daprd_main: str, tags: str) -> dict[str, object]:
    """Prepare and compile both binaries; the timings and substitutions, for build-info.json."""
    started = time.monotonic()
    module_dir, env, substitutions, unverified = prepare(version, out, daprd_main, tags)
    seconds: dict[str, int] = {"prepare": round(time.monotonic() - started)}
    # As Dapr's Makefile does for a release, minus the git fields.
    ldflags = (
        f"-s -w -X github.com/dapr/dapr/pkg/buildinfo.version={version}"
        f" -X github.com/dapr/kit/logger.DaprVersion={version}"
    )
    for command in ("daprd", "scheduler"):
        begun = time.monotonic()
        result = go(
            "build",
            "-trimpath",
            "-tags",
            tags,
            "-ldflags",
            ldflags,
            "-o",
            str(out / command),
            f"./cmd/{command}",
            cwd=module_dir,
            env=env,
            check=False,
        )
        if result.returncode != 0:
            (out / command).unlink(missing_ok=True)
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
            if command == "daprd" and substitutions:
                raise Unbuildable(f"cmd/{daprd_main} does not compile with the substitutes:\n{tail}")
            sys.stderr.write(result.stdout + result.stderr)
            raise SystemExit(f"go build ./cmd/{command} failed")
        seconds[command] = round(time.monotonic() - begun)
        print(f"built {command} in {seconds[command]} s", flush=True)
    seconds["total"] = round(time.monotonic() - started)
    return {
        "seconds": seconds,
        "substitutions": substitutions,
        "not_in_checksum_db": unverified,
        "go": go("version", cwd=module_dir, env=env).stdout.strip(),
    }


def failed(out: Path, version: str, reason: str) -> int:
    """Record why `version` cannot be built (build-failed.json) and say so."""
    (out / "build-failed.json").write_text(
        json.dumps({"version": version, "reason": reason, "built": time.strftime("%Y-%m-%d")}, indent=2)
        + "\n"
    )
    print(f"dapr {version} cannot be built here:\n{reason}", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("version", help="a Dapr release, e.g. 1.18.3")
    parser.add_argument("--force", action="store_true", help="rebuild even when the binaries exist")
    parser.add_argument(
        "--runtime-main",
        action="store_true",
        help="skip Dapr's own cmd/daprd/app and build the conformance runtime main",
    )
    args = parser.parse_args()
    version = args.version.removeprefix("v")
    out = cache_root() / f"dapr-{version}"
    if not args.force and (out / "daprd").exists() and (out / "scheduler").exists():
        print(f"already built: {out}")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    for stale in ("daprd", "scheduler", "build-info.json", "build-failed.json", "overlay.json"):
        (out / stale).unlink(missing_ok=True)
    for stale_dir in ("dapr-src", "overlay"):  # left by earlier builds that swapped a Scheduler file
        shutil.rmtree(out / stale_dir, ignore_errors=True)
    started = time.monotonic()
    fallback_reason = None
    daprd_main, tags = APP_MAIN, APP_TAGS
    if args.runtime_main:
        daprd_main, tags, fallback_reason = runtime_main(version), "", "--runtime-main given"
    try:
        result = build(version, out, daprd_main, tags)
    except Unbuildable as error:
        if daprd_main != APP_MAIN:
            return failed(out, version, str(error))
        fallback_reason = str(error)
        print(f"Dapr's cmd/daprd/app cannot be built: {error}", flush=True)
        try:
            daprd_main, tags = runtime_main(version), ""
            print(f"building cmd/{daprd_main} instead", flush=True)
            result = build(version, out, daprd_main, tags)
        except Unbuildable as again:
            return failed(out, version, f"{error}\nruntime main: {again}")
    sizes = {command: (out / command).stat().st_size for command in ("daprd", "scheduler")}
    info = {
        "version": version,
        "daprd_main": "dapr cmd/daprd/app.Run (-tags stablecomponents)"
        if daprd_main == APP_MAIN
        else f"conformance/realdapr/cmd/{daprd_main} (empty component registries)",
        "daprd_fallback_reason": fallback_reason,
        "scheduler_main": "dapr cmd/scheduler/app.Run (unmodified)",
        "seconds_wall": round(time.monotonic() - started),
        **result,
        "bytes": sizes,
        "built": time.strftime("%Y-%m-%d"),
    }
    (out / "build-info.json").write_text(json.dumps(info, indent=2) + "\n")
    mib = {k: round(v / 2**20) for k, v in sizes.items()}
    print(
        f"built dapr {version} in {info['seconds_wall']} s ({info['daprd_main']}): "
        f"daprd {mib['daprd']} MiB, scheduler {mib['scheduler']} MiB -> {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
