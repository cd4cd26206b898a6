-- wrk script for the intake load (issue 12 §1), driven by scripts/bench_load_wrk.py.
-- WRK_MODE=cases: every request is a POST /cases with a unique Idempotency-Key
--   (TAG-THREAD-N); each request's key and body go to OUT/sent-THREAD.tsv, each acknowledged
--   one (201, or 200 for a replayed key) to OUT/acked-THREAD.tsv with the server's body, so the
--   afterward check can compare the store with exactly what the clients were told.
-- WRK_MODE=reads: GET /assign and a grids items page, alternately; WRK_MODE=assign: GET /assign.
-- Every non-2xx answer goes to OUT/errors-THREAD.tsv (status and the start of the body).
-- WRK_THINK_MS (optional): each connection waits that many ms on average (exponentially
--   distributed) before its next request: reporters that pace themselves, instead of the
--   back-to-back clients that measure the server's saturation.
-- WRK_POINTS: lon,lat per line; WRK_CATEGORIES: category codes, comma-separated;
-- WRK_TOKEN: a reporter token; WRK_OUT: the folder for the files; WRK_TAG: a key prefix.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

local mode, out, tag, token, think
local points, categories = {}, {}
local sent_f, acked_f, errors_f
local n, unflushed = 0, 0
statuses = {}  -- global: done() reads it from every thread (thread:get)
local reads = {}

function init(args)
  mode = os.getenv("WRK_MODE") or "cases"
  out = os.getenv("WRK_OUT")
  tag = os.getenv("WRK_TAG") or "wrk"
  token = os.getenv("WRK_TOKEN")
  think = tonumber(os.getenv("WRK_THINK_MS") or "0")
  for line in io.lines(os.getenv("WRK_POINTS")) do
    local lon, lat = line:match("([^,]+),([^,]+)")
    points[#points + 1] = { lon, lat }
  end
  for c in (os.getenv("WRK_CATEGORIES") or ""):gmatch("[^,]+") do categories[#categories + 1] = c end
  math.randomseed(tid * 7919)
  sent_f = io.open(out .. "/sent-" .. mode .. "-" .. tid .. ".tsv", "w")
  acked_f = io.open(out .. "/acked-" .. mode .. "-" .. tid .. ".tsv", "w")
  errors_f = io.open(out .. "/errors-" .. mode .. "-" .. tid .. ".tsv", "w")
  for k = 1, #points do
    reads[#reads + 1] = wrk.format("GET", "/assign?lon=" .. points[k][1] .. "&lat=" .. points[k][2])
    if mode == "reads" then reads[#reads + 1] = wrk.format("GET", "/collections/grids/items?limit=5&offset=" .. (k % 50)) end
  end
end

function delay()
  if think <= 0 then return 0 end
  return math.floor(-think * math.log(1 - math.random()))
end

function request()
  n = n + 1
  if mode ~= "cases" then return reads[(n % #reads) + 1] end
  local p = points[math.random(#points)]
  local key = tag .. "-" .. tid .. "-" .. n
  local body = '{"lon":' .. p[1] .. ',"lat":' .. p[2] .. ',"category":"' .. categories[math.random(#categories)] ..
      '","description":"load ' .. key .. ' 垃圾满溢","contact":"13800000000"}'
  sent_f:write(key, "\t", body, "\n")
  return wrk.format("POST", "/cases", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = key,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status >= 300 then
    errors_f:write(status, "\t", (body or ""):sub(1, 300):gsub("[\t\n]", " "), "\n")
  elseif mode == "cases" then
    local key = body:match('"description":"load ([^ "]+) ')
    acked_f:write(key or "?", "\t", body, "\n")
  end
  unflushed = unflushed + 1
  if unflushed >= 500 then
    acked_f:flush(); errors_f:flush(); sent_f:flush()
    unflushed = 0
  end
end

function done(summary, latency, requests)
  local counts = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s or {}) do counts[k] = (counts[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(counts) do parts[#parts + 1] = '"' .. k .. '":' .. v end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%d,"duration_us":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"connect":%d,"read":%d,"write":%d,"timeout":%d,"non2xx":%d,"statuses":{%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.timeout, e.status, table.concat(parts, ",")))
end
