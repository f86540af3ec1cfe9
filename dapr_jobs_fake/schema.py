"""The JSON Schemas in `schemas/` and their format checkers (kept at this path, as the README documents).

`from dapr_jobs_fake.schema import validator` keeps working; the code lives in `contract.schema`.
"""

from .contract.schema import (
    DECODING_FORMAT_CHECKER,
    FORMAT_CHECKER,
    load_schema,
    schemas_dir,
    uint32_value,
    validator,
)

__all__ = [
    "DECODING_FORMAT_CHECKER",
    "FORMAT_CHECKER",
    "load_schema",
    "schemas_dir",
    "uint32_value",
    "validator",
]
