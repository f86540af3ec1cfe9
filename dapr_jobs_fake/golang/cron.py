"""The Scheduler's schedule grammar: dapr/kit's fork of robfig/cron, exactly (contract §7).

The Scheduler validates and evaluates `schedule` with `cron.ParseStandard` from `K:cron/parser.go`, built
as `NewParser(Second|Minute|Hour|Dom|Month|Dow|Descriptor)`: six mandatory fields, descriptors, `@every
<Go duration>` and an optional `TZ=`/`CRON_TZ=` prefix. `parse_schedule` reproduces that parser,
including every error message byte for byte (daprd prefixes them with "job failed validation: ", which is
the contract layer's business). `CronSchedule.next` (in `cron_next.py`) reproduces `SpecSchedule.Next`,
`EverySchedule.next` reproduces `ConstantDelaySchedule.Next` (`K:cron/constantdelay.go`).

Version switches (contract §1, §7):
* `exact_every` - kit >= v0.16 (Dapr 1.16+) keeps `@every` delays exact; before (`robfig`), a delay under
  1 s became 1 s, the sub-second part was dropped and each activation was aligned to a whole second.
* `strict_tz_prefix` - kit v0.18.3 (Dapr 1.18.3) rejects a prefix with nothing after it (before: the
  Scheduler panicked slicing at index -1) and a prefix in front of `@every` (before: silently ignored).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Protocol

from .cron_next import STAR_BIT, CronSchedule, load_zone
from .duration import GoDurationError, parse_go_duration
from .strconv import strconv_quote

__all__ = [
    "EVERY_EXACT",
    "EVERY_LEGACY_SECOND",
    "EVERY_MILLISECOND",
    "TZ_EVERY_MESSAGE",
    "CronError",
    "CronSchedule",
    "EverySchedule",
    "Schedule",
    "SchedulerPanicError",
    "parse_schedule",
]

#: `EverySchedule.resolution_ns` values: exact (contract §7 for kit >= v0.16; kit's own parser_test
#: expects `@every 5ns` to stay 5 ns), the millisecond grid of the stored kit `constantdelay.go`
#: versions (`Every`: d < 1 ms -> 1 ms, sub-ms dropped, `Next` aligned to the ms; which Dapr release
#: shipped it is unknown, so `parse_schedule` never picks it), and robfig's whole seconds (Dapr <= 1.15).
EVERY_EXACT = 1
EVERY_MILLISECOND = 1_000_000
EVERY_LEGACY_SECOND = 1_000_000_000


class CronError(ValueError):
    """A schedule the Scheduler rejects; `str()` is the kit parser's message (contract §7)."""


class SchedulerPanicError(CronError):
    """A schedule on which the real Scheduler (kit < v0.18.3) panicked instead of answering."""


class Schedule(Protocol):
    """go-etcd-cron's view of a schedule: `cron.Schedule.Next` on epoch nanoseconds."""

    def next(self, after_ns: int) -> int | None:
        """First activation strictly after `after_ns`; None where Go returns the zero time."""
        ...


@dataclass(frozen=True, slots=True)
class EverySchedule:
    """`ConstantDelaySchedule` for `@every <duration>` (`K:cron/constantdelay.go`, contract §7).

    `next(t) = t + delay_ns - (t mod resolution_ns)`. With `resolution_ns == 1` (Dapr 1.16+) that is
    exactly `t + delay_ns`, also for 0 and negative delays, which the parser accepts (§16: behaviour
    UNCONFIRMED; the engine must guard against a non-advancing schedule). Build through `from_duration`
    to get the constructor's clamping and truncation.
    """

    delay_ns: int
    resolution_ns: int = EVERY_EXACT

    @classmethod
    def from_duration(cls, duration_ns: int, resolution_ns: int = EVERY_EXACT) -> EverySchedule:
        """`cron.Every(d)`: below one `resolution_ns` the delay is raised to it, and any remainder
        below `resolution_ns` is truncated (robfig: whole seconds; exact: unchanged)."""
        if resolution_ns == EVERY_EXACT:
            return cls(duration_ns, EVERY_EXACT)
        duration_ns = max(duration_ns, resolution_ns)
        return cls(duration_ns - duration_ns % resolution_ns, resolution_ns)

    def next(self, after_ns: int) -> int:
        r = self.resolution_ns
        if r == 1:
            return after_ns + self.delay_ns
        return after_ns + self.delay_ns - after_ns % r


# -- field grammar (`K:cron/parser.go`, bounds from `K:cron/spec.go`) --------------------------------

_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6}
_MONTHS |= {"jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}
_DOWS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_BOUNDS: tuple[tuple[int, int, dict[str, int] | None], ...] = (
    (0, 59, None),
    (0, 59, None),
    (0, 23, None),
    (1, 31, None),
    (1, 12, _MONTHS),
    (0, 6, _DOWS),
)

# Go's unicode.IsSpace (strings.Fields / TrimSpace / IndexFunc); narrower than Python's str.split(),
# which also splits on U+001C..U+001F.
_GO_SPACE_CHARS = (
    "\t\n\v\f\r \x85\xa0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + ("\u2028\u2029\u202f\u205f\u3000")
)
_GO_SPACE_RE = re.compile(f"[{re.escape(_GO_SPACE_CHARS)}]")
_GO_SPACES_RE = re.compile(f"[{re.escape(_GO_SPACE_CHARS)}]+")
_INT64_MAX = (1 << 63) - 1
_UINT64_MAX = (1 << 64) - 1

_DESCRIPTORS = {
    # name: (second, minute, hour, dom, month, dow) with `all()` = every value plus the star bit.
    "@yearly": (1, 1, 1, 1 << 1, 1 << 1, -1),
    "@annually": (1, 1, 1, 1 << 1, 1 << 1, -1),
    "@monthly": (1, 1, 1, 1 << 1, -1, -1),
    "@weekly": (1, 1, 1, -1, -1, 1),
    "@daily": (1, 1, 1, -1, -1, -1),
    "@midnight": (1, 1, 1, -1, -1, -1),
    "@hourly": (1, 1, -1, -1, -1, -1),
}
_EVERY = "@every "


def _atoi(s: str) -> int:
    """`strconv.Atoi` (base 10, optional sign, ASCII digits); raises CronError with `mustParseInt`'s text."""
    body = s[1:] if s[:1] in ("+", "-") else s
    err = "invalid syntax"
    n = 0
    if body:
        for ch in body:
            if not "0" <= ch <= "9":
                break
            n = n * 10 + ord(ch) - 48
            if n > _UINT64_MAX:  # ParseUint reports overflow before looking further
                err = "value out of range"
                break
        else:
            if n <= _INT64_MAX + (s[:1] == "-"):
                return -n if s[:1] == "-" else n
            err = "value out of range"
    raise CronError(f"failed to parse int from {s}: strconv.Atoi: parsing {strconv_quote(s)}: {err}")


def _must_parse_int(expr: str) -> int:
    num = _atoi(expr)
    if num < 0:
        raise CronError(f"negative number ({num}) not allowed: {expr}")
    return num


def _parse_int_or_name(expr: str, names: dict[str, int] | None) -> int:
    # strings.ToLower maps U+0130 to "i" where Python yields "i̇"; nothing else can reach an ASCII name.
    if names is not None and (hit := names.get(expr.replace("\u0130", "i").lower())) is not None:
        return hit
    return _must_parse_int(expr)


def _get_range(expr: str, lo: int, hi: int, names: dict[str, int] | None) -> int:
    """`getRange`: `*`/`?` | N | N-M, optionally `/step`; `N/step` means N-max/step."""
    range_and_step = expr.split("/")
    low_and_high = range_and_step[0].split("-")
    extra = 0
    if low_and_high[0] in ("*", "?"):  # anything after a star's hyphen is ignored, as in Go
        start, end, extra = lo, hi, STAR_BIT
    else:
        start = _parse_int_or_name(low_and_high[0], names)
        if len(low_and_high) == 1:
            end = start
        elif len(low_and_high) == 2:
            end = _parse_int_or_name(low_and_high[1], names)
        else:
            raise CronError(f"too many hyphens: {expr}")
    if len(range_and_step) == 1:
        step = 1
    elif len(range_and_step) == 2:
        step = _must_parse_int(range_and_step[1])
        if len(low_and_high) == 1:
            end = hi
        if step > 1:
            extra = 0
    else:
        raise CronError(f"too many slashes: {expr}")
    if start < lo:
        raise CronError(f"beginning of range ({start}) below minimum ({lo}): {expr}")
    if end > hi:
        raise CronError(f"end of range ({end}) above maximum ({hi}): {expr}")
    if start > end:
        raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {expr}")
    if step == 0:
        raise CronError(f"step of range should be a positive number: {expr}")
    bits = 0
    for i in range(start, end + 1, step):
        bits |= 1 << i
    return bits | extra


def _get_field(text: str, lo: int, hi: int, names: dict[str, int] | None) -> int:
    """`getField`: a comma list of ranges; empty items are skipped (`strings.FieldsFunc`)."""
    bits = 0
    for expr in text.split(","):
        if expr:
            bits |= _get_range(expr, lo, hi, names)
    return bits


#: `all(bounds)` per field: every value plus the star bit (`parser.go:all`).
_BOUNDS_ALL = tuple(_get_field("*", lo, hi, None) for lo, hi, _ in _BOUNDS)


def _spec(b: list[int], location: str) -> CronSchedule:
    return CronSchedule(b[0], b[1], b[2], b[3], b[4], b[5], location)


def _load_location(name: str) -> str:
    """`time.LoadLocation`, returning the location name this module keys zones by."""
    if name in ("", "UTC", "Local"):  # Go: UTC, UTC and time.Local (= the UTC input time, §7)
        return "UTC"
    if ".." in name or name[0] in "/\\":
        raise CronError(f"provided bad location {name}: time: invalid location name")
    try:
        load_zone(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise CronError(f"provided bad location {name}: unknown time zone {name}") from None
    return name


def _descriptor(spec: str, location: str, exact_every: bool) -> Schedule:
    """`parseDescriptor`: exact, case-sensitive names, or `@every ` + a Go duration."""
    bits = _DESCRIPTORS.get(spec)
    if bits is not None:
        full = [_BOUNDS_ALL[i] if b == -1 else b for i, b in enumerate(bits)]
        return _spec(full, location)
    if spec.startswith(_EVERY):
        try:
            duration = parse_go_duration(spec[len(_EVERY) :])
        except GoDurationError as e:
            raise CronError(f"failed to parse duration {spec}: {e}") from None
        return EverySchedule.from_duration(duration, EVERY_EXACT if exact_every else EVERY_LEGACY_SECOND)
    raise CronError(f"unrecognized descriptor: {spec}")


#: Message for `TZ=... @every ...` under kit v0.18.3+ (`K@v0.18.3:cron/parser.go:116-141`; the whole
#: original spec is quoted).
TZ_EVERY_MESSAGE = "timezone is not supported for @every schedules: {spec}"


@functools.lru_cache(maxsize=1024)  # pure, and schedules are immutable: a job stream repeats its specs
def parse_schedule(
    spec: str, *, exact_every: bool = True, strict_tz_prefix: bool = True, seconds_field: bool = True
) -> Schedule:
    """`Parser.Parse` of the Scheduler's parser (`K:cron/parser.go`, contract §7); raises `CronError`.

    `exact_every=False` gives Dapr <= 1.15 `@every` rounding (kit < v0.16); `strict_tz_prefix=False`
    gives kit < v0.18.3 prefix handling: split at the first ASCII space only, `TZ=` prefix ignored
    before `@every`, and a prefix without a space raises `SchedulerPanicError` (the real Scheduler
    crashed on it). `seconds_field=False` is `cron.ParseStandard`, five fields without seconds, as
    go-etcd-cron v0.2.3 parsed (Dapr 1.14, `C@v0.2.3:internal/scheduler/builder.go:44,85`).
    """
    if not spec:
        raise CronError("empty spec string")
    location = "UTC"
    if spec.startswith(("TZ=", "CRON_TZ=")):
        eq = spec.index("=")
        if strict_tz_prefix:
            m = _GO_SPACE_RE.search(spec)
            if m is None:
                raise CronError(f"timezone prefix {spec} is not followed by a schedule")
            i = m.start()
        else:
            i = spec.find(" ")
            if i == -1:
                raise SchedulerPanicError(
                    f"panic: runtime error: slice bounds out of range [:-1] (the Scheduler crashed "
                    f"parsing {spec!r}: timezone prefix without a schedule; fixed in kit v0.18.3)"
                )
        location = _load_location(spec[eq + 1 : i])
        rest = spec[i:].strip(_GO_SPACE_CHARS)
        if strict_tz_prefix and rest.startswith(_EVERY):
            raise CronError(TZ_EVERY_MESSAGE.format(spec=spec))
        spec = rest
    if spec.startswith("@"):
        return _descriptor(spec, location, exact_every)
    fields = [f for f in _GO_SPACES_RE.split(spec) if f]
    expected = 6 if seconds_field else 5
    if len(fields) != expected:
        raise CronError(f"expected exactly {expected} fields, found {len(fields)}: [{' '.join(fields)}]")
    if not seconds_field:
        fields.insert(0, "0")  # `normalizeFields`: the second defaults to 0
    bits = [_get_field(f, lo, hi, names) for f, (lo, hi, names) in zip(fields, _BOUNDS, strict=True)]
    return _spec(bits, location)
