"""The contract layer: what one Dapr version accepts, how it answers, and what it stores.

`profiles` (a Dapr version as data), `model` (the validated job and its fields), `schema` and `decode`
(HTTP bodies as protojson reads them), `names` (the Scheduler's name validators), `errors` and `rows`
(every refusal with its finding, declared once), `rules` (the checks in daprd's and the Scheduler's
order) and `protojson` (how daprd writes jobs and data back). Imports only `golang`.
"""
