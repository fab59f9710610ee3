-- POST /scim/v2/Users with a new user each time (unique per wrk thread and run).
-- Set by scim.py: BENCH_TOKEN, BENCH_RUN.
local headers = {
  ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
  ["Content-Type"] = "application/scim+json",
}
local run = os.getenv("BENCH_RUN")
local threads = 0
tag = "t"
local n = 0

setup = function(thread)
  threads = threads + 1
  thread:set("tag", run .. "t" .. threads)
end

request = function()
  n = n + 1
  local name = tag .. "u" .. n
  local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name
    .. '","externalId":"' .. name .. '","name":{"givenName":"Bench","familyName":"' .. name
    .. '"},"emails":[{"primary":true,"type":"work","value":"' .. name
    .. '@bench.example"}],"active":true}'
  return wrk.format("POST", "/scim/v2/Users", headers, body)
end
