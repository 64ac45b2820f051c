-- The memory scenario: a mix of the request kinds, in a cycle of ten --
-- GET /Users/{id} x3, GET /Users?filter=userName eq x3, GET
-- /Groups/{id}?excludedAttributes=members x2, PATCH active=false, POST
-- /Users (unique).  Writes are 2 in 10: on one backend every write waits
-- for its own WAL flush, and 100,000 requests must fit the time budget.
--   BENCH_IDS    "id userName" lines;  BENCH_GROUP  a group id
local c = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
setup, response, done = c.setup, c.response, c.done

local users = {}
local k, n = 0, 0
local group = c.prefix .. "/Groups/" .. (os.getenv("BENCH_GROUP") or error("BENCH_GROUP is not set")) ..
	"?excludedAttributes=members"
local patch = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
	'"Operations":[{"op":"replace","value":{"active":false}}]}'

function init(args)
	math.randomseed(os.time() * 100 + (tid or 0))
	for _, line in ipairs(c.read_lines(os.getenv("BENCH_IDS"))) do
		local id, name = line:match("^(%S+)%s+(%S+)")
		users[#users + 1] = { id = id, name = name }
	end
	assert(#users > 0, "BENCH_IDS is empty")
end

function request()
	k = k % 10 + 1
	local u = users[math.random(#users)]
	if k == 1 or k == 6 or k == 9 then
		return wrk.format("GET", c.prefix .. "/Users/" .. u.id, c.headers)
	elseif k == 2 or k == 5 or k == 8 then
		return wrk.format("GET", c.prefix .. "/Users?filter=" .. c.urlencode('userName eq "' .. u.name .. '"'), c.headers)
	elseif k == 3 then -- the one PATCH
		return wrk.format("PATCH", c.prefix .. "/Users/" .. u.id, c.headers, patch)
	elseif k == 4 then -- the one POST
		n = n + 1
		local name = string.format("m%s-%d-%d@example.com", c.tag, tid or 0, n)
		return wrk.format("POST", c.prefix .. "/Users", c.headers,
			'{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"' .. name ..
			'","name":{"givenName":"Mem","familyName":"User"},"emails":[{"value":"' .. name .. '","type":"work"}]}')
	else
		return wrk.format("GET", group, c.headers)
	end
end
