-- wrk script: POST a JSON body picked at random from a prepared file, one body per line.
-- Arguments (after `--`): the bodies file and the bearer token.
-- Prints one line `BENCH_RESULT {json}` with throughput, latency percentiles and failures:
-- a failure is a non-200 status or an answer that carries GraphQL `"errors"`.

local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end

function init(args)
  local path, token = args[1], args[2]
  bodies = {}
  for line in io.lines(path) do
    if #line > 0 then bodies[#bodies + 1] = line end
  end
  if #bodies == 0 then error("no request bodies in " .. path) end
  headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token }
  failures = 0
  math.randomseed(os.time() * 1000 + (id or 0))
end

function request()
  return wrk.format("POST", nil, headers, bodies[math.random(#bodies)])
end

function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + (thread:get("failures") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, "failed": %d, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"latency_us": {"p50": %d, "p95": %d, "p99": %d, "mean": %.1f, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes, failed,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max))
end
