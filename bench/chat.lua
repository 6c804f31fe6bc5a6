-- wrk script: POSTs a chat request naming a model. BENCH_PROMPT_BYTES (default: a short
-- sentence) sets the size of the user message, for the large-prompt figure.
local size = tonumber(os.getenv("BENCH_PROMPT_BYTES") or "0")
local content = "Write a haiku about load balancers."
if size > 0 then
  content = string.rep("lorem ipsum ", math.ceil(size / 12)):sub(1, size)
end

wrk.method = "POST"
wrk.path = "/v1/chat/completions"
wrk.headers["Content-Type"] = "application/json"
-- BENCH_AUTH_KEY: sent as a bearer token, for the client-key figure.
local key = os.getenv("BENCH_AUTH_KEY")
if key then
  wrk.headers["Authorization"] = "Bearer " .. key
end
wrk.body = '{"model":"bench","messages":[{"role":"user","content":"' .. content .. '"}]}'

-- One machine-readable line for run.sh: requests/s, p50 and p99 in microseconds, errors.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %.1f %d %d %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.status + e.timeout))
end
