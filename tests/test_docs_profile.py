"""The three curl examples of the v1.14 alpha Jobs API reference, run verbatim against the
`docs-1.14-alpha` profile.

The document is read at test time: the repository's copy `docs/reference/jobs_api-v1.14-alpha.md`
first (so CI does not depend on anything outside the repository), else `../shared/spec/...`. Only
`localhost:3500` is replaced, by the fake's `host:port`.

"Verbatim" and the POST example: in the document the `-H "Content-Type: application/json"` line has no
trailing `\\`, so bash, given the literal text, runs `curl ... -H ...` (a POST without body) and then
tries to run a command named `-d`. The document plainly means one curl command (the prose says it
"creates a job ... specifying the dueTime and the data"). Decision: the tests run the command *as the
document intends*: the block's lines joined into one command line (the same words, split with POSIX
shell rules by `shlex`, run without a shell), and one more test runs the *literal* text with bash to
show and pin what happens then (400 "Schedule is empty" from the fake, `-d: command not found`).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from dapr_jobs_fake import DaprJobsFake

REPO = Path(__file__).resolve().parent.parent
CANDIDATES = (
    REPO / "docs" / "reference" / "jobs_api-v1.14-alpha.md",
    REPO / ".." / "shared" / "spec" / "jobs_api-v1.14-alpha.md",
)
DOCUMENT = next((p for p in CANDIDATES if p.is_file()), None)
CURL = shutil.which("curl")
BASH = shutil.which("bash")

pytestmark = [
    pytest.mark.skipif(
        DOCUMENT is None,
        reason="jobs_api-v1.14-alpha.md not found (docs/reference/ nor ../shared/spec/)",
    ),
    pytest.mark.skipif(CURL is None, reason="curl is not installed"),
]


def curl_examples() -> list[str]:
    """The `$ curl ...` commands of the document's ```bash blocks, in order, prompt removed."""
    assert DOCUMENT is not None
    text = DOCUMENT.read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.DOTALL)
    return [block.strip().removeprefix("$ ") for block in blocks if block.lstrip().startswith("$ curl")]


def pointed_at(command: str, fake: DaprJobsFake) -> str:
    assert "localhost:3500" in command
    return command.replace("localhost:3500", f"{fake.host}:{fake.http_port}")


def as_intended(command: str) -> list[str]:
    """One command from the block: `\\`-newline continuations and bare newlines both join lines."""
    return shlex.split(command.replace("\\\n", " "))


def curl_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = "*"
    env["HOME"] = str(REPO)  # no ~/.curlrc of the developer's
    return env


def run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=30, env=curl_env(), check=False)


@pytest.fixture
def fake(docs_fake: DaprJobsFake) -> DaprJobsFake:
    """The shared fake emulating the v1.14 alpha reference document."""
    return docs_fake


def test_document_has_the_three_curl_examples() -> None:
    post, get, delete = curl_examples()
    assert post.startswith("curl -X POST")
    assert '-H "Content-Type: application/json"\n-d \'' in post  # the missing continuation
    assert get.startswith("curl -X GET")
    assert delete.startswith("curl -X DELETE")


def test_repository_copy_matches_shared_spec() -> None:
    copy, shared = CANDIDATES
    if not shared.is_file():
        pytest.skip("../shared/spec is not beside this checkout")
    assert copy.read_text(encoding="utf-8") == shared.read_text(encoding="utf-8")


def test_curl_examples_as_the_document_intends(fake: DaprJobsFake) -> None:
    """POST (202), GET (202, `name`, `dueTime`, `data` as sent) and DELETE (202), as documented; no
    violations. The document's sample answer says `"name":"test1"`, a slip: the job is jobforjabba."""
    post, get, delete = (as_intended(pointed_at(c, fake)) for c in curl_examples())

    created = run(post)
    assert created.returncode == 0, created.stderr
    assert created.stdout == ""
    assert fake.calls[-1].status == 202

    fetched = run(get)
    assert fetched.returncode == 0, fetched.stderr
    assert fake.calls[-1].status == 202
    assert json.loads(fetched.stdout) == {
        "name": "jobforjabba",
        "dueTime": "30s",
        "data": {"HanSolo": "Running spice"},
    }

    deleted = run(delete)
    assert deleted.returncode == 0, deleted.stderr
    assert deleted.stdout == ""
    assert fake.calls[-1].status == 202
    assert "jobforjabba" not in fake.jobs

    assert fake.violations == []
    fake.assert_scheduled("jobforjabba", due_time="30s", data={"HanSolo": "Running spice"})


@pytest.mark.skipif(BASH is None, reason="bash is not installed")
def test_post_example_run_literally_by_bash(fake: DaprJobsFake) -> None:
    """The literal POST text in bash: the first line group is a body-less POST (the fake answers 400
    "Schedule is empty", as Dapr 1.14 would), then bash fails to run `-d` (exit 127)."""
    post = curl_examples()[0]
    assert BASH is not None
    result = run([BASH, "-c", pointed_at(post, fake)])
    assert result.returncode == 127
    assert "-d: command not found" in result.stderr
    assert json.loads(result.stdout) == {
        "errorCode": "SCHEDULER_SCHEDULE_EMPTY",
        "message": "Schedule is empty",
        "details": [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "domain": "dapr.io",
                "metadata": {"appID": "app", "namespace": "default"},
                "reason": "SCHEDULER_SCHEDULE_EMPTY",
            }
        ],
    }
    assert [(v.rule, v.location) for v in fake.violations] == [("schedule.empty", "$")]
    assert len(fake.jobs) == 0
