-- PATCH …/sidTokens/disable and …/enable in turn on one token (per wrk thread).
-- Set by admin_api.py: BENCH_JWT, BENCH_BASE (path prefix), BENCH_USER_ID, BENCH_SERIAL.
local user = os.getenv("BENCH_USER_ID")
local prefix = os.getenv("BENCH_BASE") .. "/v1/users/" .. user .. "/sidTokens/"
local paths = { prefix .. "disable", prefix .. "enable" }
local body = '{"tokenSerialNumber":"' .. os.getenv("BENCH_SERIAL") .. '"}'
local headers = {
  ["Authorization"] = "Bearer " .. os.getenv("BENCH_JWT"),
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json",
}
local n = 0

request = function()
  n = n + 1
  return wrk.format("PATCH", paths[n % 2 + 1], headers, body)
end
