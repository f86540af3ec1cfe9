"""Raw HTTP helpers for the wire-fidelity tests: exact status, Content-Type and body bytes."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any

from dapr_jobs_fake import DaprJobsFake

STABLE = "/v1.0/jobs/"
ALPHA = "/v1.0-alpha1/jobs/"


@dataclass
class Answer:
    status: int
    content_type: str | None
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def exchange(
    conn: http.client.HTTPConnection,
    method: str,
    path: str,
    body: bytes | str | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on an open (possibly kept-alive) connection."""
    if isinstance(body, dict):
        body = json.dumps(body)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    return Answer(response.status, response.getheader("Content-Type"), response.read())


def send(
    fake: DaprJobsFake,
    method: str,
    path: str,
    body: bytes | str | dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """One request on a fresh connection."""
    conn = http.client.HTTPConnection(fake.host, fake.http_port, timeout=10)
    try:
        return exchange(conn, method, path, body, headers)
    finally:
        conn.close()
