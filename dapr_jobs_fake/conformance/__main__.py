"""`python -m dapr_jobs_fake.conformance`: the `dapr-jobs-fake-conformance` console script."""

import sys

from .cli import main

sys.exit(main())
