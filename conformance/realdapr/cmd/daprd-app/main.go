// Command daprd is Dapr's own sidecar main: it calls github.com/dapr/dapr/cmd/daprd/app.Run, and build.py
// compiles it with -tags stablecomponents, as the released daprd is. Used for the conformance recordings
// of dapr-jobs-fake whenever the module proxy serves every module it needs; never committed built.
package main

import "github.com/dapr/dapr/cmd/daprd/app"

func main() { app.Run() }
