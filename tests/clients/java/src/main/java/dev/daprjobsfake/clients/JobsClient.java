package dev.daprjobsfake.clients;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.dapr.client.DaprClient;
import io.dapr.client.DaprClientBuilder;
import io.dapr.client.domain.ConstantFailurePolicy;
import io.dapr.client.domain.DeleteJobRequest;
import io.dapr.client.domain.DropFailurePolicy;
import io.dapr.client.domain.FailurePolicy;
import io.dapr.client.domain.GetJobRequest;
import io.dapr.client.domain.GetJobResponse;
import io.dapr.client.domain.JobSchedule;
import io.dapr.client.domain.ScheduleJobRequest;
import io.dapr.exceptions.DaprErrorDetails;
import io.dapr.exceptions.DaprException;
import io.dapr.utils.TypeRef;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Drives the real Dapr Java SDK against a running dapr-jobs-fake and writes what the SDK saw as one
 * JSON object to a file: values read back, exception types, gRPC codes, messages, ErrorInfo reasons.
 *
 * <p>The client is built with {@code new DaprClientBuilder().build()}: the sidecar's address comes
 * from the SDK's own settings, {@code DAPR_SIDECAR_IP}, {@code DAPR_GRPC_PORT} and
 * {@code DAPR_HTTP_PORT} in the environment, which the pytest driver sets. The judging is left to
 * that driver (tests/clients/test_java_sdk.py). Exits 2 with a message on stderr only when the
 * sidecar cannot be reached at all.
 *
 * <p>Modes: {@code full} runs every case; {@code roundtrip} runs one schedule/get/delete/get round trip
 * (for a sidecar without the stable RPCs, where SDK 1.18+ falls back to the Alpha1 ones, or one that
 * wants the {@code DAPR_API_TOKEN} the SDK sends).
 *
 * <p>It ends with {@code System.exit}: the SDK's client leaves non-daemon threads behind after
 * {@code close()}, which would keep the JVM alive.
 */
public final class JobsClient {
  private static final Instant DUE = Instant.parse("2030-01-01T00:10:00Z");
  private static final Instant TTL = Instant.parse("2030-01-02T00:00:00Z");

  private final DaprClient client;
  private final Map<String, Object> results = new LinkedHashMap<>();

  private JobsClient(DaprClient client) {
    this.client = client;
  }

  /** Entry point: {@code JobsClient full|roundtrip RESULT.json}. */
  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: JobsClient full|roundtrip RESULT.json");
      System.exit(2);
    }
    String mode = args[0];
    try (DaprClient client = new DaprClientBuilder().build()) {
      try {
        client.waitForSidecar(10_000).block(); // GET /v1.0/healthz/outbound on DAPR_HTTP_PORT
      } catch (RuntimeException e) {
        System.err.println("JobsClient: the sidecar did not answer its health check: " + e);
        System.exit(2);
      }
      JobsClient runner = new JobsClient(client);
      if ("full".equals(mode)) {
        runner.runFull();
      } else if ("roundtrip".equals(mode)) {
        runner.runRoundTrip();
      } else {
        System.err.println("JobsClient: unknown mode " + mode);
        System.exit(2);
      }
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      mapper.writeValue(new File(args[1]), runner.results);
    }
    System.exit(0);
  }

  /** Every case, against a sidecar with the stable job RPCs. */
  private void runFull() {
    ScheduleJobRequest echo = new ScheduleJobRequest("java-echo", JobSchedule.fromString("@every 1h"))
        .setRepeat(3)
        .setDueTime(DUE)
        .setTtl(TTL)
        .setData("hello from java".getBytes(StandardCharsets.UTF_8))
        .setFailurePolicy(new ConstantFailurePolicy(2).setDurationBetweenRetries(Duration.ofMillis(2500)));
    results.put("scheduleGet", scheduleThenGet(echo));

    ScheduleJobRequest once = new ScheduleJobRequest("java-once", DUE)
        .setData("{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8))
        .setFailurePolicy(new DropFailurePolicy());
    results.put("dueTimeOnly", scheduleThenGet(once));

    // fromPeriod renders "@every 1h30m0s0ms": a Go duration with a zero "ms" term.
    results.put("period", scheduleThenGet(
        new ScheduleJobRequest("java-period", JobSchedule.fromPeriod(Duration.ofMinutes(90)))));
    results.put("daily", scheduleThenGet(new ScheduleJobRequest("java-daily", JobSchedule.daily())));

    Map<String, Object> deleted = new LinkedHashMap<>();
    deleted.put("delete", call(() -> client.deleteJob(new DeleteJobRequest("java-echo")).block()));
    deleted.put("getAfterDelete", get("java-echo"));
    deleted.put("deleteAgain", call(() -> client.deleteJob(new DeleteJobRequest("java-echo")).block()));
    results.put("deleteThenGet", deleted);
    results.put("getMissing", get("java-never-existed"));

    Map<String, Object> duplicate = new LinkedHashMap<>();
    duplicate.put("first", schedule(new ScheduleJobRequest("java-dup", JobSchedule.hourly())));
    duplicate.put("second", schedule(new ScheduleJobRequest("java-dup", JobSchedule.daily())));
    duplicate.put("overwrite", schedule(
        new ScheduleJobRequest("java-dup", JobSchedule.weekly()).setRepeat(7).setOverwrite(true)));
    duplicate.put("get", get("java-dup"));
    results.put("duplicate", duplicate);

    // The SDK refuses a request with neither schedule nor dueTime before sending it...
    results.put("noScheduleClientSide", schedule(new ScheduleJobRequest("java-empty", (Instant) null)));
    // ...but an empty schedule string is sent as a present, empty "schedule" field.
    results.put("emptySchedule", schedule(new ScheduleJobRequest("java-empty", JobSchedule.fromString(""))));
    results.put("badCron", schedule(new ScheduleJobRequest("java-bad-cron", JobSchedule.fromString("not a cron"))));
  }

  /** Schedule, get, delete, get of one job ("java-roundtrip"). */
  private void runRoundTrip() {
    Map<String, Object> trip = new LinkedHashMap<>();
    trip.put("schedule", schedule(new ScheduleJobRequest("java-roundtrip", DUE)
        .setData("{\"roundTrip\":true}".getBytes(StandardCharsets.UTF_8))));
    trip.put("get", get("java-roundtrip"));
    trip.put("delete", call(() -> client.deleteJob(new DeleteJobRequest("java-roundtrip")).block()));
    trip.put("getAfterDelete", get("java-roundtrip"));
    results.put("roundTrip", trip);
  }

  private Map<String, Object> scheduleThenGet(ScheduleJobRequest request) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("schedule", schedule(request));
    out.put("get", get(request.getName()));
    return out;
  }

  private Map<String, Object> schedule(ScheduleJobRequest request) {
    return call(() -> client.scheduleJob(request).block());
  }

  private Map<String, Object> get(String name) {
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      out.put("job", jobJson(client.getJob(new GetJobRequest(name)).block()));
      out.put("error", null);
    } catch (RuntimeException e) {
      out.put("error", errorJson(e));
    }
    return out;
  }

  /** Runs a call that answers nothing: {"error": null} or {"error": {...}}. */
  private static Map<String, Object> call(Runnable action) {
    Map<String, Object> out = new LinkedHashMap<>();
    try {
      action.run();
      out.put("error", null);
    } catch (RuntimeException e) {
      out.put("error", errorJson(e));
    }
    return out;
  }

  /** A job as the SDK's GetJobResponse shows it. */
  private static Map<String, Object> jobJson(GetJobResponse job) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", job.getName());
    out.put("schedule", job.getSchedule() == null ? null : job.getSchedule().getExpression());
    out.put("dueTime", str(job::getDueTime));
    out.put("ttl", str(job::getTtl));
    out.put("repeats", job.getRepeats());
    out.put("data", job.getData() == null ? null : new String(job.getData(), StandardCharsets.UTF_8));
    FailurePolicy policy = job.getFailurePolicy();
    if (policy == null) {
      out.put("failurePolicy", null);
    } else {
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("type", policy.getFailurePolicyType().name());
      if (policy instanceof ConstantFailurePolicy) {
        ConstantFailurePolicy constant = (ConstantFailurePolicy) policy;
        p.put("maxRetries", constant.getMaxRetries());
        p.put("interval", str(constant::getDurationBetweenRetries));
      }
      out.put("failurePolicy", p);
    }
    return out;
  }

  /** An exception as the application sees it: type, DaprException code, message, ErrorInfo reason. */
  private static Map<String, Object> errorJson(RuntimeException e) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", e.getClass().getName());
    out.put("message", e.getMessage());
    if (e instanceof DaprException) {
      DaprException dapr = (DaprException) e;
      out.put("errorCode", dapr.getErrorCode());
      DaprErrorDetails details = dapr.getErrorDetails();
      out.put("reason", details.get(DaprErrorDetails.ErrorDetailType.ERROR_INFO, "reason", TypeRef.STRING));
      out.put("domain", details.get(DaprErrorDetails.ErrorDetailType.ERROR_INFO, "domain", TypeRef.STRING));
    }
    return out;
  }

  private static String str(Supplier<Object> value) {
    Object v = value.get();
    return v == null ? null : v.toString();
  }
}
