"""Job-name rules of the Scheduler's validator, per policy (contract §6).

The Scheduler validates the composite key `app||<namespace>||<appID>||<name>`. The old policy (Dapr
1.14.0 to 1.18.1, go-etcd-cron `internal/api/validator`) strips `_ : -` (and, from 1.15, spaces),
lower-cases, and requires every `||` segment to be a Kubernetes DNS-1123 subdomain. The new policy
(1.16.17+, 1.17.11+, 1.18.2+) only refuses what is unsafe in an etcd key or a callback URL.
"""

from __future__ import annotations

import re

from ..golang.strconv import strconv_quote
from .profiles import NamePolicy

_DNS1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1123_MAX = 253
_DNS1123_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
#: The new policy's length bound. Dapr's tests show a 600-character name is rejected; the exact bound
#: is not in any source we could read (contract §16), so the old per-segment bound is kept.
PATH_SAFE_MAX_LENGTH = 253


def _dns1123_errors(segment: str) -> list[str]:
    errors = []
    if len(segment) > _DNS1123_MAX:
        errors.append(f"must be no more than {_DNS1123_MAX} characters")
    if not _DNS1123_SUBDOMAIN.fullmatch(segment):
        errors.append(_DNS1123_MESSAGE)
    return errors


def invalid_name_reason(name: str, storage_key: str, policy: NamePolicy) -> str | None:
    """Why the Scheduler refuses `name` (the text after `desc = `), or None if it accepts it."""
    if policy == "path-safe":
        return _path_safe_reason(name)
    strip = "_:-" if policy == "dns1123" else "_:- "
    sanitised = storage_key.translate({ord(c): None for c in strip})
    for segment in sanitised.lower().split("||"):
        errors = _dns1123_errors(segment)
        if errors:
            return f"job name is invalid {strconv_quote(sanitised)}: {', '.join(errors)}"
    return None


_UNSAFE = re.compile(r"[\x00-\x1f\x7f#?/\\]")


def _path_safe_reason(name: str) -> str | None:
    if (
        name.isascii()
        and len(name) <= PATH_SAFE_MAX_LENGTH
        and name not in (".", "..")
        and not _UNSAFE.search(name)
    ):
        return None  # the common case, without the byte-by-byte walk below
    for forbidden in "#?\x00/\\":
        if forbidden in name:
            return f"job name is invalid: name contains forbidden character: {strconv_quote(name)}"
    for position, byte in enumerate(name.encode("utf-8", errors="surrogateescape")):
        if byte < 0x20 or byte == 0x7F:
            return (
                "job name is invalid: name contains control character "
                f"at position {position}: {strconv_quote(name)}"
            )
    if name in (".", ".."):
        return f"job name is invalid: name is a path traversal sequence: {strconv_quote(name)}"
    if len(name.encode("utf-8", errors="surrogateescape")) > PATH_SAFE_MAX_LENGTH:
        return (
            f"job name is invalid: name is longer than {PATH_SAFE_MAX_LENGTH} characters: "
            f"{strconv_quote(name)}"
        )
    return None
