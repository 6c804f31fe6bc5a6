// The status page's script without a browser: its Prometheus parser, histogram_quantile and the
// per-replica rates, on scrapes written here. The page runs its script only where there is a
// document, so in a bare vm context the functions are just defined.
//   node status_page_script_test.mjs PATH/TO/status_page.html
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import test from "node:test";
import vm from "node:vm";

const html = readFileSync(process.argv[2], "utf8");
const scripts = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)];
assert.equal(scripts.length, 1, "the page has one inline script");
const page = vm.createContext({});
vm.runInContext(scripts[0][1], page);
// Objects made in the page's context have its prototypes: copy them into this one to compare.
const call = (name, ...args) => structuredClone(page[name](...args));

test("the parser skips comments and blank lines, and reads labels, exponents, timestamps and specials", () => {
  const text = [
    "# HELP llmd_requests_total Requests by \"model\", backend and status.",
    "# TYPE llmd_requests_total counter",
    "",
    "   # an indented comment",
    'llmd_requests_total{model="m",backend="a",status="200"} 12',
    'llmd_requests_total{ model = "m" , backend="b" , status="503", } 3 1700000000000',
    "plain_metric 1.5e3",
    "no_labels_either_spaced\t\t-2",
    'x_bucket{le="+Inf"} 7',
    'x_bucket{le="0.25"} 4',
    "nan_value NaN",
    "pos_inf +Inf",
    "neg_inf -Inf",
    "empty_braces{} 4\r",
    "# EOF",
  ].join("\n");
  assert.deepEqual(call("parsePrometheus", text), [
    { name: "llmd_requests_total", labels: { model: "m", backend: "a", status: "200" }, value: 12 },
    { name: "llmd_requests_total", labels: { model: "m", backend: "b", status: "503" }, value: 3 },
    { name: "plain_metric", labels: {}, value: 1500 },
    { name: "no_labels_either_spaced", labels: {}, value: -2 },
    { name: "x_bucket", labels: { le: "+Inf" }, value: 7 },
    { name: "x_bucket", labels: { le: "0.25" }, value: 4 },
    { name: "nan_value", labels: {}, value: NaN },
    { name: "pos_inf", labels: {}, value: Infinity },
    { name: "neg_inf", labels: {}, value: -Infinity },
    { name: "empty_braces", labels: {}, value: 4 },
  ]);
});

test("label values unescape quotes, backslashes and newlines, and may hold any other character", () => {
  const text = String.raw`m{a="say \"hi\"",b="C:\\dir\\",c="two\nlines",d="} 9 # not a comment",e="ünï, {x=\"y\"}"} 1`;
  assert.deepEqual(call("parsePrometheus", text), [
    {
      name: "m",
      labels: { a: 'say "hi"', b: "C:\\dir\\", c: "two\nlines", d: "} 9 # not a comment", e: 'ünï, {x="y"}' },
      value: 1,
    },
  ]);
});

test("a malformed line is skipped and the others are kept", () => {
  const text = [
    'bad{a="unterminated} 1',
    "bad{a=unquoted} 1",
    'bad{a="x"',
    "bad_no_value",
    "bad_value abc",
    "bad_value 1 2 3",
    "9starts_with_a_digit 1",
    'bad{a="x"}1',
    "good 2",
  ].join("\n");
  assert.deepEqual(call("parsePrometheus", text), [{ name: "good", labels: {}, value: 2 }]);
});

const buckets = [
  { le: 0.1, count: 10 },
  { le: 0.5, count: 60 },
  { le: 1, count: 90 },
  { le: Infinity, count: 100 },
];

test("histogram_quantile interpolates within the bucket as Prometheus does", () => {
  assert.equal(page.histogramQuantile(0.05, buckets), 0.05);  // from 0 within the first bucket
  assert.ok(Math.abs(page.histogramQuantile(0.5, buckets) - 0.42) < 1e-12);
  assert.equal(page.histogramQuantile(0.9, buckets), 1);
  // In the +Inf bucket: the highest finite bound.
  assert.equal(page.histogramQuantile(0.99, buckets), 1);
  // Order does not matter; counts that go down are raised to the one before.
  assert.ok(Math.abs(page.histogramQuantile(0.5, [...buckets].reverse()) - 0.42) < 1e-12);
  assert.equal(page.histogramQuantile(0.5, [{ le: 1, count: 4 }, { le: 2, count: 3 }, { le: Infinity, count: 4 }]), 0.5);
});

test("histogram_quantile is NaN without a +Inf bucket, observations or a second bucket", () => {
  assert.ok(Number.isNaN(page.histogramQuantile(0.5, buckets.slice(0, 3))));
  assert.ok(Number.isNaN(page.histogramQuantile(0.5, buckets.map((b) => ({ le: b.le, count: 0 })))));
  assert.ok(Number.isNaN(page.histogramQuantile(0.5, [{ le: Infinity, count: 3 }])));
  assert.equal(page.histogramQuantile(-1, buckets), -Infinity);
  assert.equal(page.histogramQuantile(2, buckets), Infinity);
});

// One scrape: requests, fallbacks and the TTFT histogram of replicas m#0 and m#1 of group m.
function scrape({ ok, failed, limited, other, fallbacks, fast, slow, total }) {
  return call("parsePrometheus", [
    "# TYPE llmd_requests_total counter",
    `llmd_requests_total{model="m",backend="m#0",status="200"} ${ok}`,
    `llmd_requests_total{model="alias",backend="m#0",status="503"} ${failed}`,
    limited === undefined ? "" : `llmd_requests_total{model="m",backend="m#0",status="429"} ${limited}`,
    `llmd_requests_total{model="m",backend="m#1",status="500"} ${other}`,
    "# TYPE llmd_fallbacks_total counter",
    `llmd_fallbacks_total{from="m",to="f",reason="full"} ${fallbacks}`,
    `llmd_fallbacks_total{from="f",to="g",reason="failed"} 100`,
    "# TYPE llmd_time_to_first_token_seconds histogram",
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#0",le="0.1"} ${fast}`,
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#0",le="1"} ${slow}`,
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#0",le="+Inf"} ${total}`,
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#1",le="0.1"} 0`,
    `llmd_time_to_first_token_seconds_bucket{model="m",backend="m#1",le="+Inf"} 1000`,
  ].join("\n"));
}

test("the first scrape has no rates, and TTFT from the whole histogram", () => {
  const first = scrape({ ok: 10, failed: 1, other: 5, fallbacks: 2, fast: 10, slow: 20, total: 20 });
  const f = call("replicaFigures", first, null, 0, "m#0", "m");
  assert.equal(f.requestRate, null);
  assert.equal(f.errorRate, null);
  assert.equal(f.fallbackRate, null);
  assert.equal(f.ttftP50, 0.1);  // rank 10 is the first bucket's last observation
  assert.ok(Math.abs(f.ttftP99 - (0.1 + 0.9 * (9.8 / 10))) < 1e-12);
});

test("rates and TTFT come from what changed between two scrapes, per second", () => {
  const before = scrape({ ok: 10, failed: 1, other: 5, fallbacks: 2, fast: 10, slow: 20, total: 20 });
  // A 429 series appears; 40 new observations, all between 0.1 and 1 s.
  const after = scrape({ ok: 14, failed: 3, limited: 1, other: 9, fallbacks: 6, fast: 10, slow: 60, total: 60 });
  const f = call("replicaFigures", after, before, 2, "m#0", "m");
  assert.equal(f.requestRate, (4 + 2 + 1) / 2);
  assert.equal(f.errorRate, (2 + 1) / 2);
  assert.equal(f.fallbackRate, 4 / 2);
  assert.ok(Math.abs(f.ttftP50 - (0.1 + 0.9 * 0.5)) < 1e-12);
  assert.ok(Math.abs(f.ttftP99 - (0.1 + 0.9 * 0.99)) < 1e-12);
  // Nothing observed in between: no TTFT to show.
  const idle = call("replicaFigures", before, before, 2, "m#0", "m");
  assert.equal(idle.requestRate, 0);
  assert.equal(idle.ttftP50, null);
});

test("a counter that went down was reset, and all of its value is new", () => {
  const before = scrape({ ok: 50, failed: 1, other: 5, fallbacks: 9, fast: 10, slow: 20, total: 20 });
  const after = scrape({ ok: 3, failed: 1, other: 5, fallbacks: 1, fast: 10, slow: 20, total: 20 });
  const f = call("replicaFigures", after, before, 1, "m#0", "m");
  assert.equal(f.requestRate, 3);
  assert.equal(f.fallbackRate, 1);
});

test("without /metrics, or without a metric, nothing is made up", () => {
  assert.deepEqual(call("replicaFigures", null, null, 2, "m#0", "m"),
                   { requestRate: null, errorRate: null, ttftP50: null, ttftP99: null, fallbackRate: null });
  const other = call("parsePrometheus", "process_cpu_seconds_total 1\n");
  assert.deepEqual(call("replicaFigures", other, other, 2, "m#0", "m"),
                   { requestRate: null, errorRate: null, ttftP50: null, ttftP99: null, fallbackRate: null });
  // A replica the metrics do not name yet has had no requests.
  const known = scrape({ ok: 1, failed: 0, other: 0, fallbacks: 0, fast: 0, slow: 0, total: 0 });
  assert.equal(call("replicaFigures", known, known, 2, "new", "new").requestRate, 0);
});

test("a label value with quotes selects the replica of that id", () => {
  const at = (n) => call("parsePrometheus", String.raw`llmd_requests_total{model="m",backend="we\"ird\\",status="200"} ` + n);
  assert.equal(call("replicaFigures", at(5), at(1), 2, 'we"ird\\', "m").requestRate, 2);
});

test("errors are 5xx, 429 and answers without a status", () => {
  for (const s of ["500", "502", "503", "599", "429", "5xx", "error", "timeout", ""]) assert.equal(page.isErrorStatus(s), true, s);
  for (const s of ["200", "201", "304", "400", "404", "408", "499", "2xx", "4xx"]) assert.equal(page.isErrorStatus(s), false, s);
});

test("the fetches go to the page's directory, /status standing for its directory", () => {
  const cases = { "/": "/", "/status": "/", "/llmd/": "/llmd/", "/llmd": "/llmd/", "/llmd/status": "/llmd/",
                  "/mystatus": "/mystatus/", "/a/b/status": "/a/b/" };
  for (const [path, base] of Object.entries(cases)) assert.equal(page.apiBase(path), base, path);
});

test("figures are formatted for people", () => {
  assert.equal(page.formatRate(null), "—");
  assert.equal(page.formatRate(0), "0.00");
  assert.equal(page.formatRate(3.456), "3.46");
  assert.equal(page.formatRate(1234.5), "1235");
  assert.equal(page.formatSeconds(null), "—");
  assert.equal(page.formatSeconds(0.0042), "4.2 ms");
  assert.equal(page.formatSeconds(0.42), "420 ms");
  assert.equal(page.formatSeconds(2.5), "2.50 s");
});
