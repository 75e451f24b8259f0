-- Shared wrk instrumentation: counts answers by status per thread (response() slows wrk a little,
-- so every pass of a benchmark loads this, keeping the figures comparable) and prints one JSON
-- line from done() with p50/p90/p95/p99. A benchmark script defined after this may override init()
-- and request(); it must call stats_init() from its init().
local counter = 0
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function stats_init()
  statuses = {}
  sent = 0
  exhausted = 0
end

function init(args)
  stats_init()
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local function json_object(t)
  local parts = {}
  for k, v in pairs(t) do
    local value = type(v) == "table" and json_object(v) or tostring(v)
    table.insert(parts, string.format('"%s":%s', tostring(k), value))
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

function done(summary, latency, requests)
  local by_status, sent_total, exhausted_total = {}, 0, 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do
      by_status[tostring(code)] = (by_status[tostring(code)] or 0) + n
    end
    sent_total = sent_total + (t:get("sent") or 0)
    exhausted_total = exhausted_total + (t:get("exhausted") or 0)
  end
  local ms = function(us) return string.format("%.3f", us / 1000) end
  local out = {
    duration_s = string.format("%.3f", summary.duration / 1e6),
    requests = summary.requests,
    requests_per_sec = string.format("%.1f", summary.requests / (summary.duration / 1e6)),
    bytes = summary.bytes,
    requests_sent = sent_total,
    tokens_exhausted = exhausted_total,
    latency_ms = {
      mean = ms(latency.mean), stdev = ms(latency.stdev), max = ms(latency.max),
      p50 = ms(latency:percentile(50)), p90 = ms(latency:percentile(90)),
      p95 = ms(latency:percentile(95)), p99 = ms(latency:percentile(99)),
    },
    socket_errors = {
      connect = summary.errors.connect, read = summary.errors.read,
      write = summary.errors.write, timeout = summary.errors.timeout,
    },
    status_errors = summary.errors.status,
    statuses = by_status,
  }
  io.write("BENCH-JSON:" .. json_object(out) .. "\n")
end
