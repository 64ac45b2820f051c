#!/usr/bin/env bash
# test/bench_smoke.sh - keeps `make bench` working: runs bench/run.sh --smoke
# (tiny sizes, 2 s per scenario, one run, no targets enforced: timings never
# decide a test) and prints TAP.  scripts/test.sh runs it in its "extra"
# suite.  The bench starts stacks of its own (.run/bench-smoke-<pid>).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd -P)
echo "1..1"
log=$(mktemp)
if "$here/bench/run.sh" --smoke >"$log" 2>&1; then
	sed 's/^/# /' "$log"
	echo "ok 1 - bench smoke"
else
	rc=$?
	sed 's/^/# /' "$log"
	echo "not ok 1 - bench smoke (bench/run.sh --smoke exited $rc)"
fi
rm -f "$log"
exit 0
