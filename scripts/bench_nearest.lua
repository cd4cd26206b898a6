-- wrk script: GET /nearest?k=5 at points read from $WRK_POINTS (lon,lat per line), round robin;
-- $WRK_EXTRA (e.g. "&method=straight-line") is appended to every query.
-- The requests are formatted once in init (as bench_assign.lua does).
local reqs = {}
local i = 0
init = function(args)
  local extra = os.getenv("WRK_EXTRA") or ""
  for line in io.lines(os.getenv("WRK_POINTS") or "/tmp/wangge-bench/wrk-points.txt") do
    local lon, lat = line:match("([^,]+),([^,]+)")
    reqs[#reqs + 1] = wrk.format("GET", "/nearest?k=5&lon=" .. lon .. "&lat=" .. lat .. extra)
  end
end
request = function()
  i = i + 1
  return reqs[(i % #reqs) + 1]
end
