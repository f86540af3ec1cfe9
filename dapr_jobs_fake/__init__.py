"""dapr-jobs-fake: a fake Dapr sidecar for the Jobs API, for tests.

Contract-checked against the chosen Dapr version, journaled, and fired on a virtual clock the test
moves. Start with `DaprJobsFake`, or the `dapr_jobs` pytest fixture. docs/architecture.md describes
the layers: `golang` < `contract` < `engine` < `delivery` < `journal` < `sidecar` < the facade
(`fake`, `options`) < `plugin` and `cli`.
"""

from ._version import __version__
from .contract.errors import DaprError
from .contract.profiles import PROFILES, Profile, get_profile
from .delivery.faults import AppFault, InjectedFault
from .delivery.handlers import JobEvent
from .engine.autoclock import AutoClock, ClockJump
from .engine.clock import ClockError, VirtualClock
from .engine.jobs_view import Job
from .fake import DaprJobsFake
from .journal.findings import ContractWarning, DaprJobsContractWarning, Violation
from .journal.records import Call, TriggerRecord
from .options import FakeOptions
from .sidecar.fault_specs import Fault
from .sidecar.faults import Faults

__all__ = [
    "PROFILES",
    "AppFault",
    "AutoClock",
    "Call",
    "ClockError",
    "ClockJump",
    "ContractWarning",
    "DaprError",
    "DaprJobsContractWarning",
    "DaprJobsFake",
    "FakeOptions",
    "Fault",
    "Faults",
    "InjectedFault",
    "Job",
    "JobEvent",
    "Profile",
    "TriggerRecord",
    "Violation",
    "VirtualClock",
    "__version__",
    "get_profile",
]
