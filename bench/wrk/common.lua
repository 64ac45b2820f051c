-- bench/wrk/common.lua - shared by the wrk scripts of bench/run.sh
--
-- Loaded with dofile() from each scenario script; it returns a table.
-- Environment (exported by bench/run.sh from the stack's env file):
--   SCIM_TOKEN         the bearer token (Authorization header)
--   BENCH_IDS          a file of lines for the scenario to pick from (ids,
--                      userNames), read once per wrk thread
--   BENCH_STOP_AFTER   stop each thread after this many responses (0: run
--                      for the duration given to wrk); the thread then writes
--                      "START_NS END_NS COUNT" to BENCH_DONE_DIR/thread-<tid>
--                      and bench/run.sh ends wrk (SIGINT) once all did: wrk
--                      itself always waits for its -d
--   BENCH_TAG          a word unique to this run (unique userNames)
--   BENCH_THREADS      wrk's -t, so that threads can split a list
local M = {}

M.token = os.getenv("SCIM_TOKEN") or error("SCIM_TOKEN is not set")
M.tag = os.getenv("BENCH_TAG") or tostring(os.time())
M.stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "0") or 0
M.nthreads = tonumber(os.getenv("BENCH_THREADS") or "1") or 1
M.prefix = "/scim/v2"
M.done_dir = os.getenv("BENCH_DONE_DIR") or ""

-- nanoseconds since the epoch (date(1): wrk's Lua has no fine clock)
function M.now_ns()
	local p = io.popen("date +%s%N")
	local t = p:read("*l")
	p:close()
	return t
end
-- a count-bound run starts its clock when the thread's script loads
M.start_ns = M.stop_after > 0 and M.now_ns() or "0"

M.headers = {
	["Authorization"] = "Bearer " .. M.token,
	["Content-Type"] = "application/scim+json",
	["Accept"] = "application/scim+json",
}

function M.read_lines(path)
	local t = {}
	if not path or path == "" then return t end
	local f = assert(io.open(path, "r"))
	for line in f:lines() do
		if line ~= "" then t[#t + 1] = line end
	end
	f:close()
	return t
end

function M.urlencode(s)
	return (s:gsub("[^%w%-%._~@]", function(c) return string.format("%%%02X", c:byte()) end))
end

-- Number the threads (setup runs in the main Lua state, once per thread).
local next_tid = 0
function M.setup(thread)
	thread:set("tid", next_tid)
	next_tid = next_tid + 1
end

-- Per thread: stop after BENCH_STOP_AFTER responses when it is set.
local seen, complained = 0, false
function M.response(status, headers, body)
	seen = seen + 1
	if status >= 400 and not complained then
		complained = true
		io.stderr:write(string.format("BENCH_ERROR first error response: %d %s\n", status,
			(body or ""):sub(1, 300)))
	end
	if M.stop_after > 0 and seen == M.stop_after then
		local stop_ns = M.now_ns()
		if M.done_dir ~= "" then
			local f = assert(io.open(M.done_dir .. "/thread-" .. tostring(tid or 0), "w"))
			f:write(M.start_ns, " ", stop_ns, " ", seen, "\n")
			f:close()
		end
		wrk.thread:stop()
	end
end

-- One machine-readable line for bench/run.sh (latency in microseconds).
function M.done(summary, latency, requests)
	local e = summary.errors
	local dur = summary.duration
	io.write(string.format(
		'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.3f,"bytes":%d,' ..
		'"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
		'"latency_us":{"mean":%.1f,"stdev":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d}}\n',
		summary.requests, dur, dur > 0 and summary.requests / (dur / 1e6) or 0, summary.bytes,
		e.connect, e.read, e.write, e.status, e.timeout,
		latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max))
end

return M
