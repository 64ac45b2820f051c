-- PATCH /Groups/{id}: add ONE member that is not yet in the group.
--   BENCH_GROUPS  file of group ids, used round-robin (one line: one group)
--   BENCH_IDS     file of "id userName" lines: the users to add, split
--                 between the threads; each is added once (the list must be
--                 longer than the requests of the run; when it runs out the
--                 script wraps around and says so: re-adding is a no-op)
local c = dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")
setup, response, done = c.setup, c.response, c.done

local groups, ids = {}, {}
local gi, ui = 0, 0
local wrapped = false
function init(args)
	for _, line in ipairs(c.read_lines(os.getenv("BENCH_GROUPS"))) do
		groups[#groups + 1] = c.prefix .. "/Groups/" .. line:match("^(%S+)")
	end
	local all = c.read_lines(os.getenv("BENCH_IDS"))
	for i = (tid or 0) + 1, #all, c.nthreads do
		ids[#ids + 1] = all[i]:match("^(%S+)")
	end
	assert(#groups > 0 and #ids > 0, "BENCH_GROUPS or BENCH_IDS is empty")
	gi = (tid or 0) % #groups
end

function request()
	ui = ui + 1
	if ui > #ids then
		ui = 1
		if not wrapped then
			io.stderr:write("patch_group.lua: BENCH_IDS ran out; re-adding members\n")
			wrapped = true
		end
	end
	gi = gi % #groups + 1
	local body = '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],' ..
		'"Operations":[{"op":"add","path":"members","value":[{"value":"' .. ids[ui] .. '"}]}]}'
	return wrk.format("PATCH", groups[gi], c.headers, body)
end
