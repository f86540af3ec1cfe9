"""The journal layer: one ordered record of calls and trigger attempts, with the assertion helpers.

`records` (what is kept: `Call`, `TriggerRecord`), `findings` (violations and warnings), `journal`
(the record, its views and `assert_*`), `explain` (how assertion failures read). Imports `contract`
and `engine`.
"""
