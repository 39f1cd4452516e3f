-- wrk's script for every measurement: the request comes from the environment, and the summary
-- goes to stdout as one JSON line. "{id}" in BENCH_PATH cycles through 1..BENCH_IDS, each thread
-- from its own starting point.
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
local ids = tonumber(os.getenv("BENCH_IDS") or "1")
local headers = {}
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  headers[name] = value
end
if body == "" then body = nil end

local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end

local counter = 0
function request()
  counter = counter + 1
  local id = ((offset or 0) + counter) % ids + 1
  return wrk.format(method, (string.gsub(path, "{id}", tostring(id))), headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
