-- PATCH /Users/{id} active=false (Okta's deactivation) on a random
-- existing user (BENCH_IDS: "id userName" lines).
local c = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
setup, response, done = c.setup, c.response, c.done

local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
	'"Operations":[{"op":"replace","value":{"active":false}}]}'
local paths = {}
function init(args)
	math.randomseed(os.time() * 100 + (tid or 0))
	for _, line in ipairs(c.read_lines(os.getenv("BENCH_IDS"))) do
		paths[#paths + 1] = c.prefix .. "/Users/" .. line:match("^(%S+)")
	end
	assert(#paths > 0, "BENCH_IDS is empty")
end

function request()
	return wrk.format("PATCH", paths[math.random(#paths)], c.headers, body)
end
