// Command jobsclient drives the real Dapr Go SDK (github.com/dapr/go-sdk) against a running
// dapr-jobs-fake and writes what the SDK saw as one JSON object to the -out file (stdout is not
// used: the SDK logs there).
//
// It reports facts (values read back, gRPC codes, messages, ErrorInfo details) and leaves the
// judging to the pytest driver (tests/clients/test_go_sdk.py), which also reads the fake's journal.
// It exits non-zero, with a message on stderr, only when it cannot do its work at all (no sidecar,
// no app port, a control API call that fails).
//
//	jobsclient -dapr 127.0.0.1:50001 -control http://127.0.0.1:3500 -app 127.0.0.1:50070 -mode full -out r.json
//
// Modes: "full" runs every case; "roundtrip" runs one schedule/get/delete/get round trip (for a
// sidecar without the stable RPCs, where the SDK falls back to Alpha1, or one that wants a token).
// With -app, both end with the trigger case. DAPR_API_TOKEN, if set, is sent by the SDK.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"time"

	dapr "github.com/dapr/go-sdk/client"
)

func main() {
	daprAddr := flag.String("dapr", "", "the fake's gRPC address, host:port")
	control := flag.String("control", "", "the fake's HTTP base URL, for its control API")
	appAddr := flag.String("app", "", "where to serve the Go app (service/grpc), host:port; empty: no trigger case")
	mode := flag.String("mode", "full", "full | roundtrip")
	outPath := flag.String("out", "", "the JSON result file")
	flag.Parse()
	if *daprAddr == "" || *control == "" || *outPath == "" {
		fail("usage: jobsclient -dapr HOST:PORT -control URL -out FILE [-app HOST:PORT] [-mode full|roundtrip]")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := dapr.NewClientWithAddressContext(ctx, *daprAddr)
	if err != nil {
		fail("connect to the fake at %s: %v", *daprAddr, err)
	}
	defer client.Close()

	r := &runner{ctx: ctx, client: client, control: *control, results: map[string]any{}}
	switch *mode {
	case "full":
		r.runFull()
	case "roundtrip":
		r.runRoundTrip()
	default:
		fail("unknown -mode %q", *mode)
	}
	if *appAddr != "" {
		r.results["trigger"] = r.trigger(*appAddr)
	}

	encoded, err := json.MarshalIndent(r.results, "", "  ")
	if err != nil {
		fail("encode the result: %v", err)
	}
	if err := os.WriteFile(*outPath, encoded, 0o644); err != nil {
		fail("write the result: %v", err)
	}
}

// fail stops the program: the driver reports stderr as the reason.
func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "jobsclient: "+format+"\n", args...)
	os.Exit(2)
}
