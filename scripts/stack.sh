#!/usr/bin/env bash
# scripts/stack.sh - the local stack: PostgreSQL 15 -> PostgREST 12 -> nginx
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/stack.sh COMMAND [--dir DIR] [--fresh]

Commands
  run      start the stack, print the URLs and the token, stay in the
           foreground; Ctrl-C (or SIGTERM) stops everything cleanly
  start    start the stack in the background and return (a second start
           while it runs says so and exits 0)
  stop     stop nginx, PostgREST and PostgreSQL (pg_ctl stop -m fast)
  status   show what runs; exit 0 only if all three run
  destroy  stop, then delete DIR (cluster included)

Options
  --dir DIR  where everything lives (default: .run in the repository); tests
             use a private one such as .run/test-$$
  --fresh    (run/start) delete DIR's cluster and start from scratch

What `start` does
  - PostgreSQL 15 cluster in DIR/pgdata (initdb once), socket in DIR/sock,
    listening on 127.0.0.1 only; the socket (directory mode 700: the stack's
    OS user and root only) trusts its callers, TCP needs the superuser's
    scram-sha-256 password, generated into DIR/pgpass (mode 600); log in
    DIR/pg.log with no statements, parameters or bodies in it.
  - database scim with CREATE EXTENSION scim CASCADE (install it first with
    `make install`), the roles of http/roles.sql, tenant "default" and a new
    token for it in DIR/token (mode 600).  If the installed extension script
    changed since the database was made, the database is made anew (set
    SCIM_KEEP_DATA=1 to keep it).
  - PostgREST (node_modules, see scripts/deps.sh) on DIR/postgrest.sock,
    config rendered from http/postgrest.conf.in; log DIR/postgrest.log.
  - nginx on 127.0.0.1 (HTTP and HTTPS with a self-signed certificate in
    DIR/tls), config rendered from http/nginx.conf.in; logs in DIR.
  - DIR/env: a shell-sourceable file with SCIM_BASE_URL, SCIM_HTTPS_URL,
    SCIM_TOKEN, SCIM_CA_CERT, SCIM_STACK_DIR, PGHOST, PGPORT, PGUSER,
    PGDATABASE, PGPASSFILE.
  As root, the cluster, PostgREST and nginx's workers run as the `postgres`
  user (initdb refuses root); as a normal user, as that user.

Environment
  SCIM_PG_PORT, SCIM_HTTP_PORT, SCIM_HTTPS_PORT
            use exactly these ports (fail if busy).  When unset, free ports
            are probed from SCIM_PG_PORT_FROM (54320), SCIM_HTTP_PORT_FROM
            (8080) and HTTP+363 (8443).
  SCIM_STACK_SQL_INIT=FILE
            run FILE (psql) in the scim database instead of CREATE EXTENSION
            scim, e.g. test/http/noop.sql (the benchmark floor) or
            test/http/echo.sql (echoes the request, to check the plumbing).
            It must define scim_api.handle(bytea), scim.tenants,
            scim.tenant_create and scim.token_issue.
  SCIM_RATE_LIMIT=200r/s   nginx rate per bearer token ("off" disables every
            request limit below, e.g. for benchmarks); SCIM_RATE_BURST=400
  SCIM_ANON_RATE=20r/s     rate per client address of requests without a
            token; SCIM_ANON_BURST=40
  SCIM_ADDR_RATE=1000r/s   rate per client address of all requests;
            SCIM_ADDR_BURST=2000
  SCIM_CONN_PER_TOKEN      requests in progress per token (default: half of
            SCIM_PGRST_POOL, rounded up); SCIM_CONN_PER_ADDR=100 per address
  SCIM_PGRST_POOL=10       PostgREST connection pool size
  SCIM_NGINX_WORKERS=1     nginx worker processes
  SCIM_ACCESS_LOG=on|off   nginx access log (DIR/nginx-access.log)
  SCIM_KEEP_DATA=1         never re-create the scim database
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
SCIM_LOG_PREFIX=stack

cmd=${1:-}
[ $# -gt 0 ] && shift
DIR=$SCIM_REPO/.run
fresh=
while [ $# -gt 0 ]; do
	case $1 in
		--dir) [ $# -ge 2 ] || die "--dir needs a value"; DIR=$2; shift 2 ;;
		--dir=*) DIR=${1#--dir=}; shift ;;
		--fresh) fresh=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument: $1" ;;
	esac
done
case $cmd in
	run|start|stop|status|destroy) ;;
	-h|--help|help) usage; exit 0 ;;
	'') usage >&2; exit 2 ;;
	*) usage >&2; die "unknown command: $cmd" ;;
esac
case $DIR in /*) ;; *) DIR=$PWD/$DIR ;; esac

RUN_USER=$(stack_user)
PGSUPER=$RUN_USER
STATE=          # where the files really are (DIR, or a fallback, see below)

# --- the directory ------------------------------------------------------------

# find_state: STATE for an existing DIR (stop/status/destroy), no creation.
find_state() {
	if [ -L "$DIR/stack" ]; then
		STATE=$(readlink -f "$DIR/stack")
	else
		STATE=$(cd "$DIR" 2>/dev/null && pwd -P) || STATE=
	fi
}

# make_state: create DIR.  The stack user must reach it, and socket paths are
# limited to 107 bytes: when either fails, the files go to a directory under
# /tmp and DIR/stack points there.
make_state() {
	mkdir -p "$DIR"
	DIR=$(cd "$DIR" && pwd -P)
	if [ -L "$DIR/stack" ]; then
		STATE=$(readlink -f "$DIR/stack")
		mkdir -p "$STATE"
	else
		STATE=$DIR
	fi
	if is_root; then chown "$RUN_USER:" "$STATE"; fi
	if [ "$STATE" = "$DIR" ]; then
		local reason=
		if [ $((${#STATE} + 24)) -gt 100 ]; then
			reason="its path is too long for Unix sockets"
		elif is_root && ! runuser -u "$RUN_USER" -- test -w "$STATE" -a -x "$STATE"; then
			reason="user $RUN_USER cannot reach it (a parent directory is not searchable)"
		fi
		if [ -n "$reason" ]; then
			STATE=${TMPDIR:-/tmp}/scim-stack-$(printf '%s' "$DIR" | sha256sum | cut -c1-12)
			warn "$DIR: $reason; the stack lives in $STATE (linked as $DIR/stack)"
			mkdir -p "$STATE"
			chmod 755 "$STATE"
			if is_root; then chown "$RUN_USER:" "$STATE"; fi
			ln -sfn "$STATE" "$DIR/stack"
		fi
	fi
}

lock() {
	exec 9>>"$STATE/.lock"
	flock -w 300 9 || die "another stack.sh holds $STATE/.lock"
}
unlock() { exec 9>&-; }

# --- processes ----------------------------------------------------------------

# pid_is NAME PIDFILE: the pid file names a live process whose command is NAME
# (guards against a recycled pid).
pid_is() {
	local name=$1 f=$2 pid comm
	pid_alive "$f" || return 1
	pid=$(pid_of "$f")
	comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
	[ "$comm" = "$name" ]
}

pg_running() {
	[ -s "$STATE/pgdata/PG_VERSION" ] || return 1
	as_stack_user "$PGBIN/pg_ctl" -D "$STATE/pgdata" status >/dev/null 2>&1
}
postgrest_running() { pid_is postgrest "$STATE/postgrest.pid"; }
nginx_running() { pid_is nginx "$STATE/nginx.pid"; }

all_running() { pg_running && postgrest_running && nginx_running; }
any_running() { pg_running || postgrest_running || nginx_running; }

# wait_gone PID SECONDS
wait_gone() {
	local pid=$1 n=$(($2 * 10))
	while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	! kill -0 "$pid" 2>/dev/null
}

stop_nginx() {
	nginx_running || { rm -f "$STATE/nginx.pid"; return 0; }
	local pid
	pid=$(pid_of "$STATE/nginx.pid")
	kill -QUIT "$pid" 2>/dev/null || true
	wait_gone "$pid" 10 || { kill -TERM "$pid" 2>/dev/null || true; wait_gone "$pid" 5; } ||
		kill -KILL "$pid" 2>/dev/null || true
	rm -f "$STATE/nginx.pid"
	log "nginx stopped"
}

stop_postgrest() {
	postgrest_running || { rm -f "$STATE/postgrest.pid"; return 0; }
	local pid
	pid=$(pid_of "$STATE/postgrest.pid")
	kill -TERM "$pid" 2>/dev/null || true
	wait_gone "$pid" 10 || kill -KILL "$pid" 2>/dev/null || true
	rm -f "$STATE/postgrest.pid" "$STATE/postgrest.sock"
	log "PostgREST stopped"
}

stop_pg() {
	pg_running || return 0
	as_stack_user "$PGBIN/pg_ctl" -D "$STATE/pgdata" -m fast -w -t 60 -s stop
	log "PostgreSQL stopped"
}

stop_all() {
	stop_nginx
	stop_postgrest
	stop_pg
}

# --- PostgreSQL ---------------------------------------------------------------

psql_su() {
	PGHOST=$STATE/sock PGPORT=$PG_PORT PGUSER=$PGSUPER PGAPPNAME=stack.sh \
		PGOPTIONS="-c client_min_messages=warning" \
		"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"
}

start_pg() {
	if [ ! -s "$STATE/pgdata/PG_VERSION" ]; then
		local loc=C
		if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then loc=C.UTF-8; fi
		rm -rf "$STATE/pgdata"
		log "initdb $STATE/pgdata (locale $loc)"
		as_stack_user "$PGBIN/initdb" -D "$STATE/pgdata" -U "$PGSUPER" --auth=trust \
			--encoding=UTF8 --locale="$loc" >"$STATE/initdb.log" 2>&1 ||
			{ cat "$STATE/initdb.log" >&2; die "initdb failed"; }
		echo "include_if_exists = 'scim.conf'" |
			as_stack_user tee -a "$STATE/pgdata/postgresql.conf" >/dev/null
	fi
	mkdir -p "$STATE/sock"
	chmod 700 "$STATE/sock"
	if is_root; then chown "$RUN_USER:" "$STATE/sock"; fi

	# Rewritten at every start: the port may change, and so may this script.
	# The Unix socket trusts whoever reaches it: only the stack's OS user
	# (and root) can, its directory being mode 700 -- a stricter gate than
	# peer, which PostgreSQL 15 cannot map onto every role the tests and
	# tools log in as.  TCP (127.0.0.1, reachable by every local account)
	# asks for a scram-sha-256 password: the superuser's is generated at the
	# first start and kept in DIR/pgpass (mode 600, PGPASSFILE in DIR/env);
	# the other roles have none, so they cannot log in over TCP at all.
	as_stack_user tee "$STATE/pgdata/pg_hba.conf" >/dev/null <<-'EOF'
	# Written by scripts/stack.sh: a PRIVATE development cluster.  The socket
	# directory is mode 700 (only the stack's OS user and root reach it); TCP
	# listens on 127.0.0.1 only and needs a password.
	local all all                trust
	host  all all 127.0.0.1/32   scram-sha-256
	EOF
	as_stack_user tee "$STATE/pgdata/scim.conf" >/dev/null <<-EOF
	# Written by scripts/stack.sh at every start; edits are lost.
	listen_addresses = '127.0.0.1'
	port = $PG_PORT
	unix_socket_directories = '$STATE/sock'
	unix_socket_permissions = 0700
	max_connections = 100
	shared_buffers = 128MB
	fsync = on
	# Keep tokens and bodies out of the log: no statements, no parameters,
	# not even for failing statements.
	log_statement = none
	log_min_duration_statement = -1
	log_min_error_statement = panic
	log_parameter_max_length = 0
	log_parameter_max_length_on_error = 0
	log_line_prefix = '%m [%p] %q%u@%d '
	log_timezone = 'UTC'
	timezone = 'UTC'
	EOF
	log "starting PostgreSQL on port $PG_PORT"
	as_stack_user "$PGBIN/pg_ctl" -D "$STATE/pgdata" -l "$STATE/pg.log" -w -t 60 -s start 9>&- ||
		{ tail -n 20 "$STATE/pg.log" >&2; die "PostgreSQL did not start (see $STATE/pg.log)"; }
	set_password
}

# set_password: the superuser's password for TCP, made once (DIR/pgpass,
# mode 600, in the .pgpass format), set at every start (a cluster made by an
# older stack.sh had none).
set_password() {
	local pw
	if [ ! -s "$STATE/pgpass.secret" ]; then
		(umask 077; head -c 24 /dev/urandom | base64 | tr -d '/+=\n' >"$STATE/pgpass.secret")
	fi
	pw=$(cat "$STATE/pgpass.secret")
	[ ${#pw} -ge 24 ] || die "$STATE/pgpass.secret: too short a password"
	psql_su -d postgres -v "pw=$pw" -v "who=$PGSUPER" >/dev/null <<-'EOF'
	SET password_encryption = 'scram-sha-256';
	ALTER ROLE :"who" PASSWORD :'pw';
	EOF
	(umask 077; printf '127.0.0.1:%s:*:%s:%s\n' "$PG_PORT" "$PGSUPER" "$pw" >"$STATE/pgpass")
	if is_root; then chown "$RUN_USER:" "$STATE/pgpass" "$STATE/pgpass.secret"; fi
}

# The checksum of the installed extension (control file + install scripts).
extension_sum() {
	local d
	d="$("$PGBIN/pg_config" --sharedir)/extension"
	[ -f "$d/scim.control" ] || die "extension scim is not installed in $d: run \`make install\` first"
	cat "$d/scim.control" "$d"/scim--*.sql 2>/dev/null | sha256sum | cut -c1-16
}

setup_db() {
	local want have exists
	if [ -n "${SCIM_STACK_SQL_INIT:-}" ]; then
		[ -f "$SCIM_STACK_SQL_INIT" ] || die "SCIM_STACK_SQL_INIT: no such file: $SCIM_STACK_SQL_INIT"
		want="sql"
	else
		want="extension:$(extension_sum)"
	fi
	have=$(cat "$STATE/scim-db.kind" 2>/dev/null || true)
	exists=$(psql_su -d postgres -Atc "SELECT 1 FROM pg_database WHERE datname = 'scim'")
	if [ -n "$exists" ] && [ "$have" != "$want" ]; then
		if [ "${SCIM_KEEP_DATA:-}" = 1 ] && [ "${have%%:*}" = "${want%%:*}" ]; then
			warn "the installed extension changed; keeping the scim database (SCIM_KEEP_DATA=1): its SQL objects may be stale"
		else
			warn "re-creating database scim (it was made by ${have:-an unknown setup}, now: $want)"
			psql_su -d postgres -c "DROP DATABASE scim WITH (FORCE)"
			exists=
		fi
	fi
	if [ -z "$exists" ]; then
		psql_su -d postgres -c "CREATE DATABASE scim"
	fi
	if [ -n "${SCIM_STACK_SQL_INIT:-}" ]; then
		log "database scim: running $SCIM_STACK_SQL_INIT (instead of CREATE EXTENSION)"
		psql_su -d scim -f "$SCIM_STACK_SQL_INIT" >/dev/null
	else
		psql_su -d scim -c "CREATE EXTENSION IF NOT EXISTS scim CASCADE"
	fi
	echo "$want" >"$STATE/scim-db.kind"
	psql_su -d scim -f "$SCIM_REPO/http/roles.sql" >/dev/null

	if [ "$(psql_su -d scim -Atc "SELECT count(*) FROM scim.tenants WHERE tenant_id = 'default'")" = 0 ]; then
		psql_su -d scim -Atc "SELECT scim.tenant_create('default')" >/dev/null
		log "tenant \"default\" created"
	fi
	local token
	token=$(psql_su -d scim -Atc "SELECT scim.token_issue('default', 'make-run-' || to_char(clock_timestamp(), 'YYYYMMDD-HH24MISS-US'))")
	[ -n "$token" ] || die "scim.token_issue returned nothing"
	(umask 077; printf '%s\n' "$token" >"$STATE/token")
	TOKEN=$token
}

# --- PostgREST ----------------------------------------------------------------

start_postgrest() {
	[ -x "$POSTGREST_BIN" ] || die "$POSTGREST_BIN is missing: run scripts/deps.sh"
	render "$SCIM_REPO/http/postgrest.conf.in" "$STATE/postgrest.conf" \
		"PG_SOCKDIR=$STATE/sock" "PG_PORT=$PG_PORT" \
		"PGRST_POOL=${SCIM_PGRST_POOL:-10}" "PGRST_SOCKET=$STATE/postgrest.sock"
	chmod 644 "$STATE/postgrest.conf"
	rm -f "$STATE/postgrest.sock" "$STATE/postgrest.pid"
	local runas=()
	if is_root; then
		runas=(setpriv "--reuid=$RUN_USER" "--regid=$(id -g "$RUN_USER")" --init-groups)
	fi
	log "starting PostgREST on $STATE/postgrest.sock"
	# setpriv and setsid exec (no fork) and sh execs PostgREST: the pid written
	# is PostgREST's own.
	# shellcheck disable=SC2016
	"${runas[@]}" setsid sh -c 'echo $$ >"$1"; exec "$2" "$3" >>"$4" 2>&1 </dev/null' sh \
		"$STATE/postgrest.pid" "$POSTGREST_BIN" "$STATE/postgrest.conf" "$STATE/postgrest.log" 9>&- &
	local n=300 code
	while :; do
		if [ -S "$STATE/postgrest.sock" ]; then
			code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 \
				--unix-socket "$STATE/postgrest.sock" http://postgrest/ || true)
			case $code in 000|503) ;; *) break ;; esac
		fi
		if ! postgrest_running && [ $n -lt 290 ]; then
			tail -n 20 "$STATE/postgrest.log" >&2
			die "PostgREST exited (see $STATE/postgrest.log)"
		fi
		n=$((n - 1))
		[ $n -gt 0 ] || { tail -n 20 "$STATE/postgrest.log" >&2; die "PostgREST is not ready after 30s"; }
		sleep 0.1
	done
}

# --- nginx --------------------------------------------------------------------

make_cert() {
	[ -s "$STATE/tls/cert.pem" ] && [ -s "$STATE/tls/key.pem" ] && return 0
	mkdir -p "$STATE/tls"
	log "creating a self-signed certificate in $STATE/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=localhost \
		-addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
		-keyout "$STATE/tls/key.pem" -out "$STATE/tls/cert.pem" >/dev/null 2>&1 ||
		die "openssl could not make a certificate"
	chmod 600 "$STATE/tls/key.pem"
	chmod 644 "$STATE/tls/cert.pem"
}

start_nginx() {
	[ -x "$NGINX_BIN" ] || die "nginx not found: run scripts/deps.sh"
	make_cert
	mkdir -p "$STATE/nginx-tmp"
	# the replay server's socket (http/nginx.conf.in): nginx makes it mode
	# 666, so its directory keeps other local users out
	mkdir -p "$STATE/nginx-sock"
	chmod 700 "$STATE/nginx-sock"
	if is_root; then chown "$RUN_USER:" "$STATE/nginx-sock"; fi
	rm -f "$STATE/nginx-sock/replay.sock"
	local user_line zones outer replay access pool
	if is_root; then
		user_line="user $RUN_USER $(id -gn "$RUN_USER");"
	else
		user_line="# (not root: the workers run as $(id -un))"
	fi
	# Request limits (docs/security.md, "Limits at the HTTP front").
	pool=${SCIM_PGRST_POOL:-10}
	if [ "${SCIM_RATE_LIMIT:-200r/s}" = off ]; then
		zones="	# request limits disabled (SCIM_RATE_LIMIT=off)"
		outer="# request limits disabled (SCIM_RATE_LIMIT=off)"
		replay=$outer
	else
		zones="	limit_req_zone \$scim_token zone=scim_token:10m rate=${SCIM_RATE_LIMIT:-200r/s};
	limit_req_zone \$scim_anon_addr zone=scim_anon:10m rate=${SCIM_ANON_RATE:-20r/s};
	limit_req_zone \$binary_remote_addr zone=scim_addr:10m rate=${SCIM_ADDR_RATE:-1000r/s};
	limit_conn_zone \$scim_token zone=scim_conn_token:10m;
	limit_conn_zone \$binary_remote_addr zone=scim_conn_addr:10m;"
		replay="limit_req zone=scim_token burst=${SCIM_RATE_BURST:-400} nodelay;
			limit_req zone=scim_anon burst=${SCIM_ANON_BURST:-40} nodelay;
			limit_req zone=scim_addr burst=${SCIM_ADDR_BURST:-2000} nodelay;"
		outer="$replay
			limit_conn scim_conn_token ${SCIM_CONN_PER_TOKEN:-$(((pool + 1) / 2))};
			limit_conn scim_conn_addr ${SCIM_CONN_PER_ADDR:-100};"
	fi
	if [ "${SCIM_ACCESS_LOG:-on}" = off ]; then
		access="off"
	else
		access="$STATE/nginx-access.log scim buffer=32k flush=1s"
	fi
	render "$SCIM_REPO/http/nginx.conf.in" "$STATE/nginx.conf" \
		"DIR=$STATE" "NGINX_WORKERS=${SCIM_NGINX_WORKERS:-1}" "NGINX_USER=$user_line" \
		"ACCESS_LOG=$access" "LIMIT_ZONES=$zones" "LIMIT_OUTER=$outer" "LIMIT_REPLAY=$replay" \
		"PGRST_SOCKET=$STATE/postgrest.sock" "HTTP_PORT=$HTTP_PORT" "HTTPS_PORT=$HTTPS_PORT"
	"$NGINX_BIN" -q -t -c "$STATE/nginx.conf" -p "$STATE/" 2>&1 | grep -v 'the "user" directive makes sense only' >&2 || true
	"$NGINX_BIN" -q -t -c "$STATE/nginx.conf" -p "$STATE/" >/dev/null 2>&1 ||
		die "nginx rejects $STATE/nginx.conf"
	log "starting nginx on 127.0.0.1:$HTTP_PORT (HTTP) and 127.0.0.1:$HTTPS_PORT (HTTPS)"
	rm -f "$STATE/nginx.pid"
	"$NGINX_BIN" -c "$STATE/nginx.conf" -p "$STATE/" 9>&- ||
		{ tail -n 20 "$STATE/nginx-error.log" >&2; die "nginx did not start"; }
	local n=100
	until nginx_running && port_in_use "$HTTP_PORT" && port_in_use "$HTTPS_PORT"; do
		n=$((n - 1))
		[ $n -gt 0 ] || { tail -n 20 "$STATE/nginx-error.log" >&2; die "nginx is not listening after 10s"; }
		sleep 0.1
	done
}

# --- state written for users ----------------------------------------------------

write_env() {
	local f=$STATE/env
	(
		umask 077
		{
			echo "# scim stack environment, written by scripts/stack.sh start"
			echo "# use it with:  . $DIR/env"
			echo "export SCIM_STACK_DIR=$(shell_quote "$STATE")"
			echo "export SCIM_BASE_URL=$(shell_quote "http://127.0.0.1:$HTTP_PORT/scim/v2")"
			echo "export SCIM_HTTPS_URL=$(shell_quote "https://127.0.0.1:$HTTPS_PORT/scim/v2")"
			echo "export SCIM_CA_CERT=$(shell_quote "$STATE/tls/cert.pem")"
			echo "export SCIM_TOKEN=$(shell_quote "$TOKEN")"
			echo "export PGHOST=$(shell_quote "$STATE/sock")"
			echo "export PGPORT=$(shell_quote "$PG_PORT")"
			echo "export PGUSER=$(shell_quote "$PGSUPER")"
			echo "export PGDATABASE=scim"
			echo "# the superuser's password for TCP (psql -h 127.0.0.1), .pgpass format"
			echo "export PGPASSFILE=$(shell_quote "$STATE/pgpass")"
		} >"$f.tmp"
		mv "$f.tmp" "$f"
	)
	if [ "$STATE" != "$DIR" ]; then
		cp -p "$STATE/env" "$DIR/env"
		cp -p "$STATE/token" "$DIR/token"
	fi
	printf 'PG_PORT=%s\nHTTP_PORT=%s\nHTTPS_PORT=%s\n' "$PG_PORT" "$HTTP_PORT" "$HTTPS_PORT" >"$STATE/ports"
}

load_ports() {
	PG_PORT='' HTTP_PORT='' HTTPS_PORT='' TOKEN=''
	if [ -f "$STATE/ports" ]; then
		PG_PORT=$(sed -n 's/^PG_PORT=//p' "$STATE/ports")
		HTTP_PORT=$(sed -n 's/^HTTP_PORT=//p' "$STATE/ports")
		HTTPS_PORT=$(sed -n 's/^HTTPS_PORT=//p' "$STATE/ports")
	fi
	TOKEN=$(cat "$STATE/token" 2>/dev/null || true)
}

print_info() {
	local base="http://127.0.0.1:$HTTP_PORT/scim/v2"
	cat <<EOF

scim is running (files in $STATE)
  SCIM base URL  $base
  HTTPS          https://127.0.0.1:$HTTPS_PORT/scim/v2   (self-signed: curl --cacert $STATE/tls/cert.pem)
  bearer token   $TOKEN   (tenant "default"; also in $DIR/token)
  PostgreSQL     psql -h $STATE/sock -p $PG_PORT -U $PGSUPER scim
  environment    . $DIR/env

Try it:
  TOKEN=\$(cat $DIR/token) BASE=$base
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/scim+json' -d '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"alice@example.com","name":{"givenName":"Alice","familyName":"Smith"}}' \$BASE/Users
  curl -s -H "Authorization: Bearer \$TOKEN" "\$BASE/Users?filter=userName%20eq%20%22alice@example.com%22"

Read docs/ next: the guides and the SQL and HTTP references.
EOF
}

# --- commands -------------------------------------------------------------------

starting=
on_exit() {
	local rc=$?
	if [ -n "$starting" ] && [ $rc -ne 0 ]; then
		warn "start failed; stopping what was started (logs in $STATE)"
		stop_all || true
	fi
}
trap on_exit EXIT

ALREADY=
do_start() {
	make_state
	lock
	if [ -n "$fresh" ]; then
		stop_all
		log "--fresh: deleting the cluster and state in $STATE"
		find "$STATE" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
	fi
	if all_running; then
		load_ports
		log "already running in $STATE (stop it with: scripts/stack.sh stop${DIR:+ --dir $DIR})"
		unlock
		print_info
		ALREADY=1
		return 0
	fi
	if any_running; then
		warn "the stack was partly running: restarting it"
		stop_all
	fi
	starting=1
	PG_PORT=$(pick_port "${SCIM_PG_PORT:-}" "${SCIM_PG_PORT_FROM:-54320}")
	HTTP_PORT=$(pick_port "${SCIM_HTTP_PORT:-}" "${SCIM_HTTP_PORT_FROM:-8080}" "$PG_PORT")
	HTTPS_PORT=$(pick_port "${SCIM_HTTPS_PORT:-}" $((HTTP_PORT + 363)) "$PG_PORT" "$HTTP_PORT")
	start_pg
	setup_db
	start_postgrest
	start_nginx
	write_env
	starting=
	unlock
	ok "started"
	print_info
	return 0
}

case $cmd in
	start)
		do_start
		;;
	run)
		do_start
		if [ -n "$ALREADY" ]; then
			log "it was started in the background: this run does not own it, leaving it running"
			exit 0
		fi
		stopping=
		trap 'stopping=1' INT TERM HUP
		log "running in the foreground; Ctrl-C stops everything"
		died=
		while [ -z "$stopping" ]; do
			if ! pg_running; then died=PostgreSQL; elif ! postgrest_running; then died=PostgREST
			elif ! nginx_running; then died=nginx; fi
			[ -z "$died" ] || break
			sleep 1 &
			wait $! 2>/dev/null || true
		done
		trap '' INT TERM HUP
		lock
		if [ -n "$died" ] && ! any_running; then
			unlock
			log "the stack was stopped (scripts/stack.sh stop?); exiting"
			exit 0
		fi
		[ -z "$died" ] || warn "$died is no longer running; stopping the rest"
		stop_all
		unlock
		[ -z "$died" ] || exit 1
		ok "stopped"
		;;
	stop)
		find_state
		if [ -z "$STATE" ] || [ ! -d "$STATE" ]; then
			log "nothing to stop in $DIR"
			exit 0
		fi
		lock
		if any_running; then
			stop_all
			ok "stopped ($STATE)"
		else
			log "not running ($STATE)"
		fi
		unlock
		;;
	status)
		find_state
		if [ -z "$STATE" ] || [ ! -d "$STATE" ]; then
			echo "not created: $DIR"
			exit 3
		fi
		load_ports
		rc=0
		if pg_running; then echo "PostgreSQL  running  port $PG_PORT, socket $STATE/sock"; else echo "PostgreSQL  stopped"; rc=1; fi
		if postgrest_running; then echo "PostgREST   running  pid $(pid_of "$STATE/postgrest.pid"), $STATE/postgrest.sock"; else echo "PostgREST   stopped"; rc=1; fi
		if nginx_running; then echo "nginx       running  http://127.0.0.1:$HTTP_PORT/scim/v2  https://127.0.0.1:$HTTPS_PORT/scim/v2"; else echo "nginx       stopped"; rc=1; fi
		[ $rc -eq 0 ] && echo "environment . $DIR/env"
		exit $rc
		;;
	destroy)
		find_state
		if [ -n "$STATE" ] && [ -d "$STATE" ]; then
			lock
			stop_all
			unlock
			rm -rf "$STATE"
		fi
		rm -rf "$DIR"
		log "deleted $DIR"
		;;
esac
