#!/usr/bin/env bash
# test/race.sh - concurrency over HTTP on a private stack (TAP; `make test`)
#
# Starts its own stack (scripts/stack.sh start --dir .run/race-<pid>, rate
# limit off, so that bursts reach the database), runs test/race.mjs (a
# bounded parallel client: simultaneous creates, member adds and removes,
# If-Match writers, renames, owner demotions, a random mix), prints its
# TAP, then stops and deletes the stack.  docs/reliability.md says what each
# scenario guarantees.
#
# Environment: RACE_SECONDS (length of the random mix, default 10),
# RACE_CONCURRENCY (requests in flight, default 32), KEEP_STACK=1 (leave the
# stack and its logs in place).
set -uo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd -P)
# shellcheck source=test/lib/private-stack.sh
. "$REPO/test/lib/private-stack.sh"

trap private_stack_destroy EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if ! private_stack_start ".run/race-$$" SCIM_RATE_LIMIT=off SCIM_ACCESS_LOG=off; then
	echo "1..1"
	echo "not ok 1 - the private stack did not start"
	exit 1
fi

node "$REPO/test/race.mjs"
rc=$?
if [ $rc -ne 0 ] && [ -f "$SCIM_STACK_DIR/pg.log" ]; then
	echo "# last lines of the server log:"
	grep -vE 'LOG:  (checkpoint|database system)' "$SCIM_STACK_DIR/pg.log" | tail -n 15 | sed 's/^/#   /'
fi
exit $rc
