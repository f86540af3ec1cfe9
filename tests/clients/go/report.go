package main

// JSON views of what the SDK hands back: jobs, gRPC errors with their details, Any payloads.

import (
	"encoding/base64"

	dapr "github.com/dapr/go-sdk/client"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// errJSON: nil for no error; else the gRPC code (or "" for an error the SDK made itself), the
// message and every ErrorInfo detail.
func errJSON(err error) any {
	if err == nil {
		return nil
	}
	st, isStatus := status.FromError(err)
	if !isStatus {
		return map[string]any{"code": "", "message": err.Error(), "error": err.Error()}
	}
	details := []map[string]any{}
	for _, detail := range st.Details() {
		if info, ok := detail.(*errdetails.ErrorInfo); ok {
			details = append(details, map[string]any{
				"reason": info.GetReason(), "domain": info.GetDomain(), "metadata": info.GetMetadata(),
			})
		}
	}
	return map[string]any{
		"code":    st.Code().String(),
		"message": st.Message(),
		"error":   err.Error(),
		"details": details,
	}
}

// jobJSON: every field of a job read back through the SDK (pointers the SDK always sets).
func jobJSON(job *dapr.Job) map[string]any {
	out := map[string]any{
		"name":     job.Name,
		"schedule": deref(job.Schedule),
		"repeats":  deref(job.Repeats),
		"dueTime":  deref(job.DueTime),
		"ttl":      deref(job.TTL),
		"data":     anyJSON(job.Data),
	}
	switch policy := job.FailurePolicy.(type) {
	case *dapr.JobFailurePolicyConstant:
		constant := map[string]any{"kind": "constant"}
		if policy.MaxRetries != nil {
			constant["maxRetries"] = *policy.MaxRetries
		}
		if policy.Interval != nil {
			constant["intervalSeconds"] = policy.Interval.Seconds()
		}
		out["failurePolicy"] = constant
	case *dapr.JobFailurePolicyDrop:
		out["failurePolicy"] = map[string]any{"kind": "drop"}
	default:
		out["failurePolicy"] = nil
	}
	return out
}

// anyJSON: type URL and bytes of an Any, and the string inside when it packs a StringValue.
func anyJSON(data *anypb.Any) any {
	if data == nil {
		return nil
	}
	out := map[string]any{
		"typeUrl": data.GetTypeUrl(),
		"value":   base64.StdEncoding.EncodeToString(data.GetValue()),
		"text":    string(data.GetValue()),
	}
	if data.GetTypeUrl() == "type.googleapis.com/google.protobuf.StringValue" {
		var s wrapperspb.StringValue
		if err := proto.Unmarshal(data.GetValue(), &s); err == nil {
			out["stringValue"] = s.GetValue()
		}
	}
	return out
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
