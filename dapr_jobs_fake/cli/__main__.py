"""`python -m dapr_jobs_fake.cli`: the same as the `dapr-jobs-fake` command."""

import sys

from .main import main

sys.exit(main())
