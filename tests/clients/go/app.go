package main

// The trigger case: a Go app built on the SDK's service/grpc receives the fake's job events.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	dapr "github.com/dapr/go-sdk/client"
	"github.com/dapr/go-sdk/service/common"
	daprd "github.com/dapr/go-sdk/service/grpc"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// trigger serves an app on addr (the address the fake was started with as --app-grpc-address),
// schedules two due jobs, moves the fake's manual clock past them and reports what the handlers got.
func (r *runner) trigger(addr string) map[string]any {
	server, err := daprd.NewService(addr) // listens at once: the fake may connect before Start
	if err != nil {
		fail("serve the app on %s: %v", addr, err)
	}
	events := make(chan map[string]any, 8)
	handler := func(_ context.Context, in *common.JobEvent) error {
		event := map[string]any{"jobType": in.JobType, "data": string(in.Data)}
		var s wrapperspb.StringValue
		if in.JobType == "go-trigger-typed" && proto.Unmarshal(in.Data, &s) == nil {
			event["stringValue"] = s.GetValue()
		}
		events <- event
		return nil
	}
	for _, name := range []string{"go-trigger", "go-trigger-typed"} {
		if err := server.AddJobEventHandler(name, handler); err != nil {
			fail("add job handler %s: %v", name, err)
		}
	}
	go func() { _ = server.Start() }()
	defer func() { _ = server.Stop() }()

	typed, err := anypb.New(wrapperspb.String("typed payload"))
	if err != nil {
		fail("pack data: %v", err)
	}
	scheduled := map[string]any{
		"go-trigger": errJSON(r.client.ScheduleJob(r.ctx, dapr.NewJob("go-trigger",
			dapr.WithJobDueTime("5s"),
			dapr.WithJobData(&anypb.Any{Value: []byte(`{"hello":"go"}`)})))),
		"go-trigger-typed": errJSON(r.client.ScheduleJob(r.ctx, dapr.NewJob("go-trigger-typed",
			dapr.WithJobDueTime("6s"), dapr.WithJobData(typed)))),
	}
	advance := r.controlPost("/_dapr-jobs-fake/clock/advance", `{"duration":"10s"}`)

	received := []map[string]any{}
	deadline := time.After(10 * time.Second)
	for len(received) < 2 {
		select {
		case event := <-events:
			received = append(received, event)
		case <-deadline:
			return map[string]any{"scheduled": scheduled, "advance": advance, "received": received, "timedOut": true}
		}
	}
	return map[string]any{"scheduled": scheduled, "advance": advance, "received": received, "timedOut": false}
}

// controlPost sends a JSON body to the fake's control API and returns its decoded JSON answer.
func (r *runner) controlPost(path, body string) any {
	req, err := http.NewRequestWithContext(r.ctx, http.MethodPost, r.control+path, bytes.NewBufferString(body))
	if err != nil {
		fail("control request %s: %v", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fail("control request %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		fail("control request %s: status %d, %v: %s", path, resp.StatusCode, err, raw)
	}
	var decoded any
	if err := json.Unmarshal(raw, &decoded); err != nil {
		fail("control answer %s: %v", path, fmt.Errorf("%w: %s", err, raw))
	}
	return decoded
}
