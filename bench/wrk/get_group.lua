-- GET /Groups/{id}?excludedAttributes=members (BENCH_GROUP: the group id).
local c = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
setup, response, done = c.setup, c.response, c.done

local gid = os.getenv("BENCH_GROUP") or error("BENCH_GROUP is not set")
local req
function init(args)
	-- wrk.format needs the Host header, which wrk sets before init
	req = wrk.format("GET", c.prefix .. "/Groups/" .. gid .. "?excludedAttributes=members", c.headers)
end

function request()
	return req
end
