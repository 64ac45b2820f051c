# test/crash/lib.sh - kill and restart pieces of a private stack (source it)
#
# Uses scripts/lib.sh for PGBIN, POSTGREST_BIN and as_stack_user.  The
# restart commands are the ones scripts/stack.sh runs (pg_ctl start with the
# same data directory and log; PostgREST under setsid with its pid file), so
# a restarted piece is what `scripts/stack.sh start` would have started.
# scripts/stack.sh start itself is no use here: on a partly running stack it
# stops everything and starts it all again.
# shellcheck shell=bash

CRASH_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$CRASH_REPO/scripts/lib.sh"

# postmaster_pid STATE: the first line of postmaster.pid
postmaster_pid() { head -n1 "$1/pgdata/postmaster.pid" 2>/dev/null | tr -dc '0-9'; }

# kill_postmaster STATE: SIGKILL the postmaster; prints its pid
kill_postmaster() {
	local pid
	pid=$(postmaster_pid "$1")
	[ -n "$pid" ] || return 1
	kill -KILL "$pid" || return 1
	echo "$pid"
}

# start_postgres STATE: pg_ctl start as stack.sh does it.  After a SIGKILL
# of the postmaster its backends linger until they notice; until then the
# old shared memory is in use and the start fails, so it is tried again
# for up to 60 s.
start_postgres() {
	local state=$1 n=0
	until as_stack_user "$PGBIN/pg_ctl" -D "$state/pgdata" -l "$state/pg.log" -w -t 60 -s start >/dev/null 2>&1; do
		n=$((n + 1))
		[ $n -lt 60 ] || return 1
		sleep 1
	done
}

# kill_postgrest STATE: SIGKILL PostgREST; prints its pid
kill_postgrest() {
	local pid
	pid=$(pid_of "$1/postgrest.pid")
	[ -n "$pid" ] || return 1
	kill -KILL "$pid" || return 1
	echo "$pid"
}

# start_postgrest STATE: as stack.sh starts it (same config, socket, log);
# waits until it answers on its socket
start_postgrest() {
	local state=$1 runas=() n=0 code
	rm -f "$state/postgrest.sock" "$state/postgrest.pid"
	if is_root; then
		runas=(setpriv "--reuid=$(stack_user)" "--regid=$(id -g "$(stack_user)")" --init-groups)
	fi
	# shellcheck disable=SC2016
	"${runas[@]}" setsid sh -c 'echo $$ >"$1"; exec "$2" "$3" >>"$4" 2>&1 </dev/null' sh \
		"$state/postgrest.pid" "$POSTGREST_BIN" "$state/postgrest.conf" "$state/postgrest.log" &
	while :; do
		if [ -S "$state/postgrest.sock" ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
				--unix-socket "$state/postgrest.sock" http://postgrest/ || true)
			case $code in 000|503) ;; *) return 0 ;; esac
		fi
		n=$((n + 1))
		[ $n -lt 300 ] || return 1
		sleep 0.1
	done
}
