"""The JSON Schema files in `schemas/` and the format checkers that give their custom formats meaning.

Each profile names one schema file holding `$defs` for the POST body (`ScheduleJobRequest`), the GET
answer (`Job`) and error bodies (`Error`). The same files are public: users can validate their own
payloads with `validator(profile_key, "ScheduleJobRequest")` or with any Draft 2020-12 validator plus
`FORMAT_CHECKER`.

Formats come in two classes, because Dapr rejects them at different layers (contract §3 vs §7/§8):
`uint32` and `proto-duration` are protojson decoding rules (daprd, 400), `dapr-schedule` and
`dapr-point-in-time` are Scheduler rules (500). `DECODING_FORMAT_CHECKER` holds only the first class.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.protocols import Validator

from ..golang.cron import CronError, parse_schedule
from ..golang.pointintime import PointInTimeError, parse_point_in_time
from ..golang.protoduration import ProtoDurationError, parse_proto_duration

_UINT32_MAX = 2**32 - 1
_JSON_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")


def uint32_value(instance: object) -> int | None:
    """The uint32 protojson reads from a JSON number or numeric string, or None if it rejects it.

    protojson accepts `3`, `3.0`, `"3"`, `"1e2"`; it rejects fractions, negatives, values above
    2^32-1, and strings that are not JSON numbers (contract §3).
    """
    if isinstance(instance, bool):
        return None
    if isinstance(instance, str):
        if not _JSON_NUMBER.fullmatch(instance):
            return None
        try:
            number: float | int = int(instance) if instance.lstrip("-").isdigit() else float(instance)
        except ValueError:
            return None
    elif isinstance(instance, (int, float)):
        number = instance
    else:
        return None
    if isinstance(number, float):
        if not math.isfinite(number) or not number.is_integer():
            return None
        number = int(number)
    return number if 0 <= number <= _UINT32_MAX else None


def _check_uint32(instance: object) -> bool:
    return uint32_value(instance) is not None


def _check_proto_duration(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        parse_proto_duration(instance)
    except ProtoDurationError:
        return False
    return True


def _check_schedule(instance: object, *, seconds_field: bool = True, strict_tz_prefix: bool = True) -> bool:
    """`dapr-schedule`: Dapr 1.18.3+'s cron (six fields; a bare or `@every` TZ= prefix refused)."""
    if not isinstance(instance, str):
        return True
    try:
        parse_schedule(instance, seconds_field=seconds_field, strict_tz_prefix=strict_tz_prefix)
    except CronError:
        return False
    return True


def _check_schedule_legacy_tz(instance: object) -> bool:
    """`dapr-schedule-legacy-tz`: Dapr 1.15 to 1.18.2, where kit let a lone or `@every` TZ= prefix by."""
    return _check_schedule(instance, strict_tz_prefix=False)


def _check_schedule_5(instance: object) -> bool:
    """`dapr-schedule-5`: Dapr 1.14's cron, five fields without seconds (and the lenient TZ= rule)."""
    return _check_schedule(instance, seconds_field=False, strict_tz_prefix=False)


def _check_point_in_time(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        parse_point_in_time(instance, 0)
    except PointInTimeError:
        return False
    return True


DECODING_FORMAT_CHECKER = FormatChecker(formats=())
DECODING_FORMAT_CHECKER.checks("uint32")(_check_uint32)
DECODING_FORMAT_CHECKER.checks("proto-duration")(_check_proto_duration)

#: Every custom format, for users validating their own payloads.
FORMAT_CHECKER = FormatChecker()
for _name, _check in (
    ("uint32", _check_uint32),
    ("proto-duration", _check_proto_duration),
    ("dapr-schedule", _check_schedule),
    ("dapr-schedule-5", _check_schedule_5),
    ("dapr-schedule-legacy-tz", _check_schedule_legacy_tz),
    ("dapr-point-in-time", _check_point_in_time),
):
    FORMAT_CHECKER.checks(_name)(_check)


def schemas_dir() -> Path:
    """Where the schema files are: inside the installed package, or `schemas/` of a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "schemas", package.parent / "schemas"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"dapr-jobs-fake schema files not found next to {package}")


@cache
def load_schema(file_name: str) -> dict[str, Any]:
    """One schema file, parsed once."""
    with (schemas_dir() / file_name).open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = json.load(handle)
    return loaded


@cache
def validator(file_name: str, definition: str, *, decoding_only: bool = False) -> Validator:
    """A compiled validator for `$defs/<definition>` of `file_name`.

    With `decoding_only`, only the protojson formats are asserted (the request decoding stage).
    """
    schema = load_schema(file_name)
    if definition not in schema["$defs"]:
        raise KeyError(f"{file_name} has no definition {definition!r}")
    # The definition itself at the root (not a `$ref` to it): one reference lookup less per request.
    root = {**schema["$defs"][definition], "$schema": schema["$schema"], "$defs": schema["$defs"]}
    checker = DECODING_FORMAT_CHECKER if decoding_only else FORMAT_CHECKER
    return Draft202012Validator(root, format_checker=checker)
