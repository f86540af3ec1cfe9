"""The conformance suite: the same cases against real daprd + Scheduler and against the fake.

`cases` (the scenarios, as data) are played by `runner` against `target_real` (real binaries, inside a
private network namespace, `netns`) to make a recording (`recording`, shipped in `recordings/`), and
against `target_fake` to replay it; `normalise` and `compare` decide what matches, `differences` what
may differ and why. `cli` is `dapr-jobs-fake-conformance`; `doc` writes docs/conformance.md. Nothing
here is needed to use the fake, and nothing here needs Go: only recording needs the binaries."""
