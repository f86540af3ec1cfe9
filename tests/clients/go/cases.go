package main

// The client cases: each calls the SDK as an application would and records what came back.

import (
	"context"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// runner holds the client and collects one result per case, keyed by case name.
type runner struct {
	ctx     context.Context
	client  dapr.Client
	control string
	results map[string]any
}

// runFull: every case, against a sidecar with the stable job RPCs (Dapr 1.18).
func (r *runner) runFull() {
	r.results["scheduleGetAlpha1"] = r.scheduleGetAlpha1()
	r.results["scheduleGetStable"] = r.scheduleGetStable()
	r.results["deleteThenGet"] = r.deleteThenGet()
	r.results["deleteMissing"] = map[string]any{"delete": errJSON(r.client.DeleteJob(r.ctx, "go-never-existed"))}
	r.results["getMissing"] = r.get("go-never-existed", false)
	r.results["duplicate"] = r.duplicate()
	r.results["emptySchedule"] = r.schedule(dapr.NewJob("go-empty"), false)
	r.results["badCron"] = r.schedule(dapr.NewJob("go-bad-cron", dapr.WithJobSchedule("not a cron")), false)
	r.results["badDueTime"] = r.schedule(dapr.NewJob("go-bad-due", dapr.WithJobDueTime("tomorrow")), false)
	// The SDK refuses an empty name itself: this one must never reach the sidecar.
	r.results["emptyName"] = r.schedule(dapr.NewJob("", dapr.WithJobDueTime("1s")), false)
}

// runRoundTrip: schedule, get, delete, get of one job ("go-roundtrip").
func (r *runner) runRoundTrip() {
	job := dapr.NewJob("go-roundtrip",
		dapr.WithJobDueTime("30s"),
		dapr.WithJobData(&anypb.Any{Value: []byte(`{"roundTrip":true}`)}),
	)
	r.results["roundTrip"] = map[string]any{
		"schedule":       errJSON(r.client.ScheduleJob(r.ctx, job)),
		"get":            r.get("go-roundtrip", false),
		"delete":         errJSON(r.client.DeleteJob(r.ctx, "go-roundtrip")),
		"getAfterDelete": r.get("go-roundtrip", false),
	}
}

// scheduleGetAlpha1: every field, through the Alpha1-named methods, read back.
func (r *runner) scheduleGetAlpha1() map[string]any {
	data, err := anypb.New(wrapperspb.String("hello from go"))
	if err != nil {
		fail("pack data: %v", err)
	}
	job := dapr.NewJob("go-echo",
		dapr.WithJobSchedule("@every 1h"),
		dapr.WithJobRepeats(3),
		dapr.WithJobDueTime("30s"),
		dapr.WithJobTTL("2h"),
		dapr.WithJobData(data),
		dapr.WithJobConstantFailurePolicyMaxRetries(2),
		dapr.WithJobConstantFailurePolicyInterval(5*time.Second),
	)
	return map[string]any{"schedule": r.schedule(job, true)["error"], "get": r.get("go-echo", true)}
}

// scheduleGetStable: an RFC 3339 dueTime, raw (untyped) Any data and a drop policy, stable methods.
func (r *runner) scheduleGetStable() map[string]any {
	job := dapr.NewJob("go-raw",
		dapr.WithJobDueTime("2030-01-01T01:00:00Z"),
		dapr.WithJobData(&anypb.Any{Value: []byte(`{"k":"v"}`)}),
		dapr.WithJobDropFailurePolicy(),
	)
	return map[string]any{"schedule": r.schedule(job, false)["error"], "get": r.get("go-raw", false)}
}

// deleteThenGet: both delete methods, then get: the job is gone.
func (r *runner) deleteThenGet() map[string]any {
	return map[string]any{
		"deleteAlpha1":       errJSON(r.client.DeleteJobAlpha1(r.ctx, "go-echo")),
		"getAlpha1AfterDel":  r.get("go-echo", true),
		"deleteStable":       errJSON(r.client.DeleteJob(r.ctx, "go-raw")),
		"getStableAfterDel":  r.get("go-raw", false),
		"deleteAgainStable":  errJSON(r.client.DeleteJob(r.ctx, "go-raw")),
		"getStableAfterDel2": r.get("go-raw", false),
	}
}

// duplicate: the same name twice without overwrite (refused), then with overwrite (replaces it).
func (r *runner) duplicate() map[string]any {
	first := r.schedule(dapr.NewJob("go-dup", dapr.WithJobSchedule("@every 1m")), false)
	second := r.schedule(dapr.NewJob("go-dup", dapr.WithJobSchedule("@every 2m")), false)
	replacement := dapr.NewJob("go-dup", dapr.WithJobSchedule("@every 3m"), dapr.WithJobRepeats(7))
	replacement.Overwrite = true
	overwrite := r.schedule(replacement, false)
	return map[string]any{
		"first":     first["error"],
		"second":    second["error"],
		"overwrite": overwrite["error"],
		"get":       r.get("go-dup", false),
	}
}

// schedule calls ScheduleJob (or the deprecated ScheduleJobAlpha1) and records the error, if any.
func (r *runner) schedule(job *dapr.Job, alpha1 bool) map[string]any {
	var err error
	if alpha1 {
		err = r.client.ScheduleJobAlpha1(r.ctx, job) //nolint:staticcheck // the deprecated name is under test
	} else {
		err = r.client.ScheduleJob(r.ctx, job)
	}
	return map[string]any{"error": errJSON(err)}
}

// get calls GetJob (or GetJobAlpha1) and records the job or the error.
func (r *runner) get(name string, alpha1 bool) map[string]any {
	var job *dapr.Job
	var err error
	if alpha1 {
		job, err = r.client.GetJobAlpha1(r.ctx, name) //nolint:staticcheck // the deprecated name is under test
	} else {
		job, err = r.client.GetJob(r.ctx, name)
	}
	if err != nil {
		return map[string]any{"error": errJSON(err)}
	}
	return map[string]any{"job": jobJSON(job)}
}
