"""One HTTP request to daprd (or the fake) exactly as a case wrote it, on a fresh connection, and the
answer as the recording keeps it: status, every header, the body bytes."""

from __future__ import annotations

import http.client
import socket
from typing import Any

from .app_http import body_view

__all__ = ["send"]


def send(
    port: int,
    method: str,
    path: str,
    body: bytes | None,
    headers: tuple[tuple[str, str], ...] = (),
    timeout: float = 60.0,
) -> dict[str, Any]:
    """`method path` to 127.0.0.1:`port` (`path` as written, escapes included). The observation:
    `status`, `headers` ([name, value] pairs, names lower-cased, in order) and `body`; or `error` when
    nothing answered within `timeout` seconds (daprd's own deadline for Scheduler calls is 30 s)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body)
        response = connection.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException) as error:
        kind = "timeout" if isinstance(error, (TimeoutError, socket.timeout)) else type(error).__name__
        return {"error": kind}
    finally:
        connection.close()
    return {
        "status": response.status,
        "headers": [[name.lower(), value] for name, value in response.getheaders()],
        "body": body_view(data),
    }
