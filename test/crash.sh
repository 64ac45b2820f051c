#!/usr/bin/env bash
# test/crash.sh - crash safety under write load, on a private stack (TAP)
#
# 1. Starts a private stack (test/lib/private-stack.sh).
# 2. Runs test/crash/load.mjs for CRASH_SECONDS (default 22): 8 workers each
#    create users and PATCH their own group with three operations at once.
# 3. Meanwhile: SIGKILL the PostgreSQL postmaster (pid = first line of
#    pgdata/postmaster.pid) after 4 s, start it again 2 s later with the
#    command scripts/stack.sh uses (crash recovery replays the WAL);
#    PostgREST and nginx are left alone and must recover by themselves.
#    Then SIGKILL PostgREST, and start it again 2 s later (the job of a
#    supervisor such as systemd in production).
# 4. test/crash/verify.mjs checks the database against what every client
#    was told: every 2xx is there, no PATCH half applied, every failure a
#    SCIM 503 with Retry-After, the service back without manual steps.
# Then stops and deletes the stack.  KEEP_STACK=1 keeps it.
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=test/lib/private-stack.sh
. "$REPO/test/lib/private-stack.sh"
# shellcheck source=test/crash/lib.sh
. "$REPO/test/crash/lib.sh"

SECONDS_LOAD=${CRASH_SECONDS:-22}
WORK=$(mktemp -d)
LOAD_PID=
cleanup() {
	[ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
	rm -rf "$WORK"
	private_stack_destroy
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

N=0
FAILED=0
tap() {	# tap OK|NOTOK DESCRIPTION
	N=$((N + 1))
	if [ "$1" = OK ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=$((FAILED + 1)); fi
}
now_ms() { date +%s%3N; }

if ! private_stack_start ".run/crash-$$" SCIM_RATE_LIMIT=off SCIM_ACCESS_LOG=off; then
	echo "not ok 1 - the private stack did not start"
	echo "1..1"
	exit 1
fi
STATE=$SCIM_STACK_DIR

CRASH_SECONDS=$SECONDS_LOAD CRASH_RUN=$$ node "$REPO/test/crash/load.mjs" "$WORK/load.jsonl" &
LOAD_PID=$!
START=$(now_ms)
# wait_until SECONDS: sleep until that many seconds after the load started
wait_until() {
	local left=$(( $1 * 1000 - ($(now_ms) - START) ))
	[ $left -gt 0 ] && sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
	return 0
}

# -- PostgreSQL ------------------------------------------------------------------
wait_until 4
PG_KILLED_AT=$(now_ms)
if pid=$(kill_postmaster "$STATE"); then
	tap OK "SIGKILL to the postmaster (pid $pid) under write load"
else
	tap NOTOK "SIGKILL to the postmaster: no postmaster.pid in $STATE/pgdata"
fi
sleep 2
if start_postgres "$STATE"; then
	PG_UP_AT=$(now_ms)
	tap OK "PostgreSQL started again after $(( (PG_UP_AT - PG_KILLED_AT) / 1000 )) s (crash recovery)"
else
	PG_UP_AT=$(now_ms)
	tap NOTOK "PostgreSQL did not start again"
	tail -n 20 "$STATE/pg.log" | sed 's/^/# /'
fi

# -- PostgREST -------------------------------------------------------------------
wait_until $((SECONDS_LOAD / 2 + 2))
PGRST_KILLED_AT=$(now_ms)
if pid=$(kill_postgrest "$STATE"); then
	tap OK "SIGKILL to PostgREST (pid $pid) under write load"
else
	tap NOTOK "SIGKILL to PostgREST: no pid file"
fi
sleep 2
if start_postgrest "$STATE"; then
	PGRST_UP_AT=$(now_ms)
	tap OK "PostgREST started again (as a supervisor would)"
else
	PGRST_UP_AT=$(now_ms)
	tap NOTOK "PostgREST did not start again"
	tail -n 20 "$STATE/postgrest.log" | sed 's/^/# /'
fi

wait "$LOAD_PID"
rc=$?
LOAD_PID=
if [ $rc -ne 0 ] || [ ! -s "$WORK/load.jsonl" ]; then
	tap NOTOK "the load generator finished (exit status $rc)"
	echo "1..$N"
	exit 1
fi

# the final state, from a fresh connection
if grep -q "database system was not properly shut down" "$STATE/pg.log" &&
	grep -q "redo done\|redo is not required" "$STATE/pg.log"; then
	tap OK "the server log shows crash recovery (WAL replay) after the SIGKILL"
else
	tap NOTOK "no crash recovery in the server log"
fi

TAP_START=$N PG_KILLED_AT=$PG_KILLED_AT PG_UP_AT=$PG_UP_AT \
	PGRST_KILLED_AT=$PGRST_KILLED_AT PGRST_UP_AT=$PGRST_UP_AT \
	node "$REPO/test/crash/verify.mjs" "$WORK/load.jsonl"
rc=$?
[ $FAILED -eq 0 ] && [ $rc -eq 0 ]
