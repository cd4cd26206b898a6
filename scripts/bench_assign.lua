-- wrk script: GET /assign at points read from $WRK_POINTS (lon,lat per line), round robin.
local pts = {}
local i = 0
init = function(args)
  for line in io.lines(os.getenv("WRK_POINTS") or "/tmp/wangge-bench/wrk-points.txt") do
    pts[#pts + 1] = line
  end
end
request = function()
  i = i + 1
  local lon, lat = pts[(i % #pts) + 1]:match("([^,]+),([^,]+)")
  return wrk.format("GET", "/assign?lon=" .. lon .. "&lat=" .. lat)
end
