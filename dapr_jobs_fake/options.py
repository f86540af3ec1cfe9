"""`FakeOptions`: every option of a fake, declared once with its default and its documentation.

The constructor of `DaprJobsFake`, `reset(**changes)`, the fake's option properties, the pytest
marker, the ini options and their help texts are all derived from these fields. Adding an option is
one field here (plus the code that uses it).

Options are of two kinds (`OptionInfo.scope`): "state" options can change at any time, through
`reset(...)`, the marker or the property setter; "server" options (host, ports, whether gRPC is served)
are fixed when the fake is built, because they decide which sockets it listens on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal

from .contract.profiles import DEFAULT_PROFILE, Profile
from .delivery.faults import AppFault
from .sidecar.fault_specs import Fault

Scope = Literal["state", "server"]


@dataclass(frozen=True)
class OptionInfo:
    """What the rest of the package needs to know about one option."""

    doc: str
    scope: Scope = "state"
    #: The pytest ini option that sets its default for a run, if any.
    ini: str | None = None


def _about(doc: str, *, scope: Scope = "state", ini: str | None = None) -> dict[str, OptionInfo]:
    """A field's metadata: its `OptionInfo`."""
    return {"info": OptionInfo(doc, scope, ini)}


@dataclass(frozen=True)
class FakeOptions:
    """The options of one `DaprJobsFake` (all keyword arguments of its constructor)."""

    dapr_version: str | Profile = field(
        default=DEFAULT_PROFILE.key,
        metadata=_about(
            "the Dapr version to emulate: a profile key such as '1.18' (see dapr_jobs_fake.PROFILES)",
            ini="dapr_jobs_version",
        ),
    )
    start: datetime | None = field(
        default=None,
        metadata=_about("an aware datetime the virtual clock starts at (default: the current time, frozen)"),
    )
    app_url: str | None = field(
        default=None, metadata=_about("where triggers are POSTed: <app_url>/job/<name> (an HTTP app)")
    )
    wsgi_app: Any = field(
        default=None, metadata=_about("a WSGI app (Flask, Django, ...) that receives triggers in process")
    )
    asgi_app: Any = field(
        default=None,
        metadata=_about(
            "an ASGI app (FastAPI, Starlette, ...) that receives triggers in process, its lifespan run "
            "(the asgi extra)"
        ),
    )
    app_grpc_address: str | None = field(
        default=None,
        metadata=_about(
            '"host:port" of a gRPC app (e.g. dapr.ext.grpc.App) that receives triggers via OnJobEvent'
        ),
    )
    app_connected: bool = field(
        default=True,
        metadata=_about(
            "whether a sidecar is connected for the app ID and the app is healthy: while False the Scheduler "
            "holds due triggers and delivers them, in order, once it is True again (Dapr 1.14 drops them)"
        ),
    )
    api_token: str | None = field(
        default=None, metadata=_about("require this dapr-api-token on every route but the health checks")
    )
    app_api_token: str | None = field(
        default=None, metadata=_about("sent to the app as dapr-api-token with every trigger")
    )
    app_id: str = field(default="app", metadata=_about("the app ID, as it appears in Dapr's error texts"))
    namespace: str = field(
        default="default", metadata=_about("the namespace, as it appears in Dapr's error texts")
    )
    travel: bool = field(
        default=False,
        metadata=_about(
            "let the process clock (time-machine) follow the virtual clock", ini="dapr_jobs_travel"
        ),
    )
    delivery_timeout: float = field(
        default=10.0,
        metadata=_about(
            "seconds an HTTP or gRPC app has to answer one trigger attempt (connect, send, answer) before "
            "the attempt fails and the failure policy applies",
            ini="dapr_jobs_delivery_timeout",
        ),
    )
    clock: str = field(
        default="manual",
        metadata=_about(
            '"manual": the virtual clock moves only when the test moves it; "auto": whenever the fake has '
            "been idle for auto_quiet seconds it jumps to the next due trigger and fires it (time skipping)",
            ini="dapr_jobs_clock",
        ),
    )
    auto_quiet: float = field(
        default=0.02,
        metadata=_about(
            "with clock='auto': seconds without requests, moves or deliveries before the clock jumps",
            ini="dapr_jobs_auto_quiet",
        ),
    )
    auto_horizon: datetime | timedelta | None = field(
        default=None,
        metadata=_about(
            "with clock='auto': never jump past this time (a datetime, or a timedelta from the clock's "
            "time when applied)"
        ),
    )
    faults: Sequence[Fault | AppFault] = field(
        default=(),
        metadata=_about("faults to inject (Fault and AppFault values, see fake.faults); reset() clears them"),
    )
    journal_limit: int | None = field(
        default=None,
        metadata=_about(
            "keep only the newest N journal entries, dropping and counting older ones (default: keep all; "
            "the CLI keeps 10,000)"
        ),
    )
    host: str = field(default="127.0.0.1", metadata=_about("the address to listen on", scope="server"))
    http_port: int = field(default=0, metadata=_about("the HTTP port (0: an ephemeral port)", scope="server"))
    grpc: bool | None = field(
        default=None,
        metadata=_about(
            "serve daprd's gRPC API too: True, False, or None (when the grpc extra is installed)",
            scope="server",
        ),
    )
    grpc_port: int = field(default=0, metadata=_about("the gRPC port (0: an ephemeral port)", scope="server"))

    def replace(self, **changes: Any) -> FakeOptions:
        """These options with `changes` applied; an unknown name is a TypeError listing the known ones."""
        check_names(changes, OPTION_NAMES, "option")
        return dataclasses.replace(self, **changes)

    def state(self) -> dict[str, Any]:
        """The "state" options as keywords (what `reset()` takes)."""
        return {name: getattr(self, name) for name in STATE_OPTIONS}


def info(name: str) -> OptionInfo:
    """The declaration of option `name`."""
    return _INFOS[name]


def check_names(given: dict[str, Any], known: tuple[str, ...], what: str) -> None:
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise TypeError(f"unknown {what}(s) {', '.join(unknown)}; known: {', '.join(known)}")


_INFOS: dict[str, OptionInfo] = {f.name: f.metadata["info"] for f in dataclasses.fields(FakeOptions)}
#: Every option, in declaration order.
OPTION_NAMES: tuple[str, ...] = tuple(_INFOS)
#: The options `reset()`, the marker and the property setters may change.
STATE_OPTIONS: tuple[str, ...] = tuple(name for name, i in _INFOS.items() if i.scope == "state")
#: The options fixed when the fake is built (its sockets).
SERVER_OPTIONS: tuple[str, ...] = tuple(name for name, i in _INFOS.items() if i.scope == "server")
#: The defaults of the state options (what the pytest fixture resets to between tests).
STATE_DEFAULTS: dict[str, Any] = FakeOptions().state()
