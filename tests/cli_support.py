"""A running `dapr-jobs-fake` process for CLI tests, and JSON requests to it."""

from __future__ import annotations

import json
import subprocess
import urllib.error
import urllib.request
from typing import Any


class Served:
    """The CLI process and its base URL; `request` answers (status, decoded JSON or text)."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url

    def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=10) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as err:
            raw = err.read()
            return err.code, json.loads(raw) if raw.startswith(b"{") else raw.decode()
