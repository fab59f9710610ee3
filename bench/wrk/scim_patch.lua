-- PATCH /scim/v2/Users/{id} as Entra ID sends it ("Replace", a string boolean), turning each
-- user of BENCH_IDS (comma-separated) off and on in turn: every request is a real change.
-- Set by scim.py: BENCH_TOKEN, BENCH_IDS.
local headers = {
  ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
  ["Content-Type"] = "application/scim+json",
}
local ids = {}
for id in string.gmatch(os.getenv("BENCH_IDS"), "[^,]+") do
  ids[#ids + 1] = id
end
local threads = 0
offset = 0
local n = 0

setup = function(thread)
  thread:set("offset", threads)
  threads = threads + 1
end

local bodies = {
  '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],'
    .. '"Operations":[{"op":"Replace","path":"active","value":"False"}]}',
  '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],'
    .. '"Operations":[{"op":"Replace","path":"active","value":"True"}]}',
}

request = function()
  -- threads take every other id, so no two threads patch the same user at once
  local slot = offset + 2 * n
  local id = ids[slot % #ids + 1]
  local body = bodies[math.floor(slot / #ids) % 2 + 1]
  n = n + 1
  return wrk.format("PATCH", "/scim/v2/Users/" .. id, headers, body)
end
