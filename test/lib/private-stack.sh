# test/lib/private-stack.sh - a private stack for one test script (source it)
#
#   . test/lib/private-stack.sh
#   private_stack_start .run/NAME-$$ [VAR=VALUE...]   # exports its env file
#   ...
#   private_stack_destroy
#
# The stack gets free ports from a random base above the kernel's ephemeral
# range (32768-60999 here: outgoing connections of load generators would
# otherwise take "free" ports before PostgreSQL binds them), and a failed
# start is tried again on other ports (several stacks share this machine).
# The caller's stack variables (scripts/test.sh exports its own) are unset
# first.  On failure the start log is printed as TAP comments.
# shellcheck shell=bash

PRIVATE_STACK_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
PRIVATE_STACK_DIR=

# private_stack_start DIR [VAR=VALUE...]: start it (3 tries), export its env
private_stack_start() {
	local dir=$1 try base log
	shift
	case $dir in /*) ;; *) dir=$PRIVATE_STACK_REPO/$dir ;; esac
	PRIVATE_STACK_DIR=$dir
	log=$(mktemp)
	unset SCIM_BASE_URL SCIM_HTTPS_URL SCIM_TOKEN SCIM_CA_CERT SCIM_STACK_DIR \
		PGHOST PGPORT PGUSER PGDATABASE PGPASSFILE
	for try in 1 2 3; do
		base=$((RANDOM % 150))
		if env -u SCIM_PG_PORT -u SCIM_HTTP_PORT -u SCIM_HTTPS_PORT -u SCIM_STACK_SQL_INIT \
			SCIM_PG_PORT_FROM=$((61000 + base * 4)) SCIM_HTTP_PORT_FROM=$((62000 + base * 4)) \
			"$@" "$PRIVATE_STACK_REPO/scripts/stack.sh" start --dir "$dir" >"$log" 2>&1; then
			rm -f "$log"
			set -a
			# shellcheck disable=SC1091
			. "$dir/env"
			set +a
			return 0
		fi
		"$PRIVATE_STACK_REPO/scripts/stack.sh" destroy --dir "$dir" >/dev/null 2>&1 || true
	done
	sed 's/^/# /' "$log" | tail -n 30
	rm -f "$log"
	return 1
}

# private_stack_destroy: stop it and delete its directory (KEEP_STACK=1 keeps it)
private_stack_destroy() {
	[ -n "$PRIVATE_STACK_DIR" ] || return 0
	if [ "${KEEP_STACK:-}" = 1 ]; then
		echo "# KEEP_STACK=1: the stack stays in $PRIVATE_STACK_DIR (scripts/stack.sh destroy --dir $PRIVATE_STACK_DIR)"
	else
		"$PRIVATE_STACK_REPO/scripts/stack.sh" destroy --dir "$PRIVATE_STACK_DIR" >/dev/null 2>&1 || true
	fi
	PRIVATE_STACK_DIR=
}
