-- POST /Users: a new, unique user per request (what an IdP sends on
-- assignment: userName, name, emails, externalId, active).
local c = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
setup, response, done = c.setup, c.response, c.done

local n = 0
function request()
	n = n + 1
	local name = string.format("w%s-%d-%d@example.com", c.tag, tid or 0, n)
	local body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],' ..
		'"userName":"' .. name .. '","externalId":"ext-' .. name .. '",' ..
		'"name":{"givenName":"Bench","familyName":"User ' .. n .. '"},' ..
		'"emails":[{"value":"' .. name .. '","type":"work","primary":true}],' ..
		'"active":true}'
	return wrk.format("POST", c.prefix .. "/Users", c.headers, body)
end
