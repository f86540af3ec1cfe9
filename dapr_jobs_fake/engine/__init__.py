"""The engine layer: the Scheduler's job store and trigger queue, and the virtual clock that drives it.

`engine` (jobs, lifecycle, failure policy: pure, no clock, no threads of its own), `clock` (the only
thing that moves time, firing due attempts in order) and `attempt` (the values they exchange with
delivery targets and the journal). Imports `golang` and `contract.model` only.
"""
