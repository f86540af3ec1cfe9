"""The control API's fault routes (`/_dapr-jobs-fake/faults...`) and the auto clock's jumps: fault
injection and time skipping for suites in any language.

- `POST /faults` installs an API fault from JSON (`sidecar.fault_specs.fault_from_json`: `operations`,
  `protocol`, `job`, `condition` or `error`, `times`, `seconds`, `delay`, `applied`, `schedulerAddress`);
- `POST /faults/app` an app fault (`job`, `times`, `seconds`, and `status`, `hang` or `drop`);
- `GET /faults` lists the faults not cleared, with their hits; `POST /faults/clear` ends them all;
- `GET /jumps` lists the auto clock's jumps.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..golang.rfc3339 import format_rfc3339
from ..sidecar.fault_specs import app_fault_from_json, fault_from_json, fault_json

if TYPE_CHECKING:
    from ..fake import DaprJobsFake

FAULT_BODY = (
    '{"operations": "all" | ["schedule", ...], "condition": "unreachable" | "timeout" | "error": '
    '{"httpStatus", "grpcCode", "errorCode", "message"}, "protocol": "both", "times": N, "seconds": S, '
    '"delay": S, "applied": false, "job": "name"} (all optional)'
)
APP_FAULT_BODY = '{"job": "name", "times": N, "seconds": S, "status": 503 | "hang": true | "drop": true}'


class FaultRoutes:
    """The actions behind the fault routes, for one fake (ValueError: answered 400 with the reason)."""

    def __init__(self, fake: DaprJobsFake) -> None:
        self.fake = fake

    def add(self, body: dict[str, Any]) -> dict[str, Any]:
        return fault_json(self.fake.faults.add(fault_from_json(body)))

    def add_app(self, body: dict[str, Any]) -> dict[str, Any]:
        return fault_json(self.fake.faults.add(app_fault_from_json(body)))

    def installed(self, _: dict[str, Any]) -> list[dict[str, Any]]:
        return [fault_json(fault) for fault in self.fake.faults.installed]

    def clear(self, _: dict[str, Any]) -> list[dict[str, Any]]:
        self.fake.faults.clear()
        return []

    def jumps(self, _: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"from": format_rfc3339(jump.from_ns), "to": format_rfc3339(jump.to_ns)}
            for jump in self.fake.jumps
        ]
