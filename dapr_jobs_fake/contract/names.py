"""The Scheduler's job-name validators, one per policy (contract §6; go-etcd-cron at each Dapr tag).

The Scheduler validates the composite key `app||<namespace>||<appID>||<name>`, never the name alone.

- "dns1123" (Dapr 1.14, go-etcd-cron v0.2.3 `api.go:validateName`): remove `_ : -`, lower-case, split
  on `||`; every segment must be a Kubernetes DNS-1123 subdomain of at most 253 characters. The error
  quotes the key as it was.
- "dns1123-space" (1.15 to 1.18.1 unless a patch below changed it, `internal/api/validator`): the same
  with spaces removed too; the error quotes the stripped key.
- "path-safe-byte" (1.16.17+, 1.17.11+, 1.18.2; go-etcd-cron v0.9.4 / v0.12.6): a key of at most 512
  bytes without `/ \\ # ?` or NUL, nor a byte below 0x20 or 0x7f.
- "path-safe-unicode" (1.18.3, go-etcd-cron v0.12.7 `validator.go:44-64`): at most 512 bytes, no
  `/ \\ # ?`, no rune Go's `unicode.IsControl` calls a control (C0, DEL and C1).
The path-traversal rule of the new validators (`.` or `..`) can never fire: the key is never `.`.
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
#: go-etcd-cron's `maxJobNameLength`: bytes of the whole key.
KEY_MAX_BYTES = 512
_FORBIDDEN = {
    "path-safe-byte": ("#?\x00/\\", "must not contain '/', '\\', '#', '?' or NUL"),
    "path-safe-unicode": ("#?/\\", "must not contain '/', '\\', '#' or '?'"),
}
_SAFE_ASCII = re.compile(r"[\x20-\x7e]*")


def _dns1123_errors(segment: str) -> list[str]:
    errors = []
    if len(segment) > _DNS1123_MAX:
        errors.append(f"must be no more than {_DNS1123_MAX} characters")
    if not _DNS1123_SUBDOMAIN.fullmatch(segment):
        errors.append(_DNS1123_MESSAGE)
    return errors


def invalid_name_reason(name: str, storage_key: str, policy: NamePolicy) -> str | None:
    """Why the Scheduler refuses job `name` stored as `storage_key` (the text after `desc = `), or None."""
    if policy in ("dns1123", "dns1123-space"):
        strip = "_:-" if policy == "dns1123" else "_:- "
        sanitised = storage_key.translate({ord(c): None for c in strip})
        quoted = storage_key if policy == "dns1123" else sanitised
        for segment in sanitised.lower().split("||"):
            errors = _dns1123_errors(segment)
            if errors:
                return f"job name is invalid {strconv_quote(quoted)}: {', '.join(errors)}"
        return None
    return _path_safe_reason(storage_key, policy)


def _path_safe_reason(key: str, policy: NamePolicy) -> str | None:
    forbidden, forbidden_text = _FORBIDDEN[policy]
    size = len(key.encode("utf-8", errors="surrogateescape"))
    if size <= KEY_MAX_BYTES and _SAFE_ASCII.fullmatch(key) and not any(c in key for c in forbidden):
        return None  # the common case, without the rune walk below
    quoted = strconv_quote(key)
    if size > KEY_MAX_BYTES:
        return f"job name is invalid {quoted}: must be at most {KEY_MAX_BYTES} characters"
    if any(c in key for c in forbidden):
        return f"job name is invalid {quoted}: {forbidden_text}"
    if policy == "path-safe-byte":
        raw = key.encode("utf-8", errors="surrogateescape")
        control = any(b < 0x20 or b == 0x7F for b in raw)
    else:
        control = any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in key)
    if control:
        return f"job name is invalid {quoted}: must not contain control characters"
    return None
