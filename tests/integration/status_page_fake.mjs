// A stand-in for a daemon that has /metrics, for the status page test: it serves the page, a
// fixed /admin/backends pool (group m: m#0 healthy, m#1 ejected), and a /metrics whose counters
// grow by the same amounts at each scrape. Prints "listening on HOST:PORT" once it listens.
//   node status_page_fake.mjs PATH/TO/status_page.html
import { readFileSync } from "node:fs";
import http from "node:http";

const page = readFileSync(process.argv[2]);
const backends = JSON.stringify({
  replicas: [
    { id: "m#0", group: "m", state: "healthy", in_flight: 1, max_concurrent: 4 },
    { id: "m#1", group: "m", state: "ejected", in_flight: 0, max_concurrent: 4, last_error: "server error status" },
  ],
  groups: [{ name: "m", chain: ["m", "f"] }, { name: "f", chain: ["f"] }],
  queue: { waiting: 2, max_waiting: 9 },
});

// Scrape n: m#0 has answered 12n requests (n of them 500s, n 429s); 4n fell back out of group m;
// m#0's 11n first tokens came n within 0.1 s and 10n between 0.1 and 1 s. m#1 has no series.
let scrapes = 0;
function metrics(n) {
  return [
    "# HELP llmd_requests_total Requests by model, backend and status.",
    "# TYPE llmd_requests_total counter",
    `llmd_requests_total{model="m",backend="m#0",status="200"} ${10 * n}`,
    `llmd_requests_total{model="m",backend="m#0",status="500"} ${n}`,
    `llmd_requests_total{model="alias \\"quoted\\"",backend="m#0",status="429"} ${n}`,
    "# TYPE llmd_fallbacks_total counter",
    `llmd_fallbacks_total{from="m",to="f",reason="failed"} ${4 * n}`,
    `llmd_fallbacks_total{from="f",to="x",reason="full"} ${100 * n}`,
    "# TYPE llmd_time_to_first_token_seconds histogram",
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#0",le="0.1"} ${n}`,
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#0",le="1"} ${11 * n}`,
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#0",le="+Inf"} ${11 * n}`,
    `llmd_time_to_first_token_seconds_sum{model="m",backend="m#0"} NaN`,
    `llmd_time_to_first_token_seconds_count{model="m",backend="m#0"} ${11 * n}`,
    "",
  ].join("\n");
}

http
  .createServer((req, res) => {
    const path = req.url.split("?")[0];
    if (path === "/" || path === "/status") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(page);
    } else if (path === "/admin/backends") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(backends);
    } else if (path === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(metrics(scrapes++));
    } else {
      res.writeHead(404);
      res.end();
    }
  })
  .listen(0, "127.0.0.1", function () {
    console.log(`status page fake listening on 127.0.0.1:${this.address().port}`);
  });
