#!/usr/bin/env bash
# test/memory.sh - a backend's memory stays flat over many requests (TAP)
#
# Starts a private stack whose PostgREST has a pool of ONE connection
# (SCIM_PGRST_POOL=1), so that one backend serves every request, and runs
# test/memory/flat.mjs: for each kind of request, after a warm-up,
# MEMORY_REQUESTS (default 500) requests of that kind must each get the
# right answer and must not grow the backend's private resident memory by
# MEMORY_MAX_GROWTH_KB (default 256 kB) or more.  Per-request memory lives
# in the executor's per-call context, freed when the call ends
# (docs/reliability.md); the 100,000-request version is a benchmark
# scenario (bench/).  Stops and deletes the stack.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=test/lib/private-stack.sh
. "$REPO/test/lib/private-stack.sh"
trap private_stack_destroy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! private_stack_start ".run/memory-$$" SCIM_RATE_LIMIT=off SCIM_ACCESS_LOG=off SCIM_PGRST_POOL=1; then
	echo "1..1"
	echo "not ok 1 - the private stack did not start"
	exit 1
fi
node "$REPO/test/memory/flat.mjs"
