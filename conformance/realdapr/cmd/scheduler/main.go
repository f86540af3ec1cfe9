// Command scheduler runs the real Dapr Scheduler (embedded etcd), built from the github.com/dapr/dapr module.
// It exists only so the conformance suite can record real answers; nothing of it ships with dapr-jobs-fake.
package main

import "github.com/dapr/dapr/cmd/scheduler/app"

func main() { app.Run() }
