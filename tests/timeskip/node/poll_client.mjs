// A Node client of `dapr-jobs-fake --clock auto`: an app that receives POST /job/<name>, and code that
// schedules jobs due in a day and polls (as Awaitility does) until the app got them. No npm packages.
// Usage: node poll_client.mjs <fake base URL>; prints one JSON object.
import http from "node:http";

const base = process.argv[2];
const received = [];

const app = http.createServer((request, response) => {
  let body = "";
  request.on("data", (chunk) => (body += chunk));
  request.on("end", () => {
    received.push({ path: request.url, body });
    response.writeHead(200).end();
  });
});
await new Promise((resolve) => app.listen(0, "127.0.0.1", resolve));

async function call(method, path, body) {
  const answer = await fetch(base + path, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await answer.text();
  return { status: answer.status, body: text ? JSON.parse(text) : null };
}

async function pollUntil(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("timed out waiting for the job");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

try {
  const appUrl = `http://127.0.0.1:${app.address().port}`;
  await call("POST", "/_dapr-jobs-fake/app", { app_url: appUrl });
  const start = (await call("GET", "/_dapr-jobs-fake/clock")).body.now;

  const began = performance.now();
  const scheduled = await call("POST", "/v1.0/jobs/nightly", { dueTime: "24h", data: { n: 1 } });
  await pollUntil(() => received.length >= 1, 10_000);
  const firstMs = performance.now() - began;

  await call("POST", "/v1.0/jobs/hourly", { schedule: "@every 1h", repeats: 3 });
  await pollUntil(() => received.length >= 4, 10_000);
  let triggers = [];
  // the fake journals an attempt once the app's answer is back: poll its journal too
  await pollUntil(async () => (triggers = (await call("GET", "/_dapr-jobs-fake/triggers")).body).length >= 4, 10_000);
  const jumps = (await call("GET", "/_dapr-jobs-fake/jumps")).body;
  const clock = (await call("GET", "/_dapr-jobs-fake/clock")).body;
  console.log(
    JSON.stringify({ start, scheduled: scheduled.status, firstMs, received, triggers, jumps, clock })
  );
} finally {
  app.close();
}
