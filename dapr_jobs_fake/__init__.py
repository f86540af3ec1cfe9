"""dapr-jobs-fake: a fake Dapr sidecar for the Jobs API, for tests.

Contract-checked against the chosen Dapr version, journaled, and fired on a virtual clock the test
moves. Start with `DaprJobsFake`, or the `dapr_jobs` pytest fixture.
"""

__version__ = "0.1.0"

from .clock import ClockError, VirtualClock
from .delivery import JobEvent
from .errors import DaprError
from .fake import DaprJobsFake
from .jobs_view import Job
from .journal import Call
from .profiles import PROFILES, Profile, get_profile
from .triggers import TriggerRecord
from .violations import ContractWarning, Violation

__all__ = [
    "PROFILES",
    "Call",
    "ClockError",
    "ContractWarning",
    "DaprError",
    "DaprJobsFake",
    "Job",
    "JobEvent",
    "Profile",
    "TriggerRecord",
    "Violation",
    "VirtualClock",
    "__version__",
    "get_profile",
]
