#!/usr/bin/env bash
# test/scimctl.sh - scripts/scimctl against the test stack (TAP).
#
# Needs the PG* variables of a stack (scripts/test.sh exports them) and a
# superuser as PGUSER, as .run/env gives; SCIM_BASE_URL, when set, is used to
# check that issued tokens work over HTTP and revoked or expired ones do not.
# Every tenant it makes is named scimctl-<pid>-*, and removed at the end, as
# is the login role it makes for the scim_admin tests.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd -P) || exit 1
CTL=$REPO/scripts/scimctl
T=scimctl-$$
ADMIN=scimctl_admin_$$

if [ -z "${PGDATABASE:-}${PGHOST:-}" ]; then
	echo "1..1"
	echo "not ok 1 - the PG* variables of a test stack are set (run through scripts/test.sh)"
	exit 1
fi

work=$(mktemp -d)
psql_q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
cleanup() {
	psql_q -v prefix="$T-%" -v admin="$ADMIN" >/dev/null 2>&1 <<-'SQL'
	DELETE FROM scim.events WHERE tenant_id LIKE :'prefix';
	DELETE FROM scim.tenants WHERE tenant_id LIKE :'prefix';
	SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = :'admin') AS has_admin \gset
	\if :has_admin
	DROP OWNED BY :"admin";
	DROP ROLE :"admin";
	\endif
	SQL
	rm -rf "$work"
}
trap cleanup EXIT

# --- TAP ------------------------------------------------------------------------------------

n=0
fails=0
passing=1
why=
report() {	# report NAME: ok unless an expectation since the last report failed
	n=$((n + 1))
	if [ -n "$passing" ]; then
		echo "ok $n - $1"
	else
		fails=$((fails + 1))
		echo "not ok $n - $1"
		{ printf '%s\n' "$why"; echo "--- stdout"; cat "$work/out"; echo "--- stderr"; cat "$work/err"; } 2>/dev/null |
			head -n 30 | sed 's/^/#   /'
	fi
	passing=1
	why=
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
fail_because() { passing=; why+="$1"$'\n'; }

# run ARGS...: scimctl, stdout in $work/out, stderr in $work/err, status in RC
run() {
	"$CTL" "$@" >"$work/out" 2>"$work/err" </dev/null
	RC=$?
}
expect_rc() { [ "$RC" -eq "$1" ] || fail_because "exit status $RC, expected $1"; }
expect_out() { grep -qE -- "$1" "$work/out" || fail_because "stdout does not match /$1/"; }
expect_no_out() { ! grep -qE -- "$1" "$work/out" || fail_because "stdout matches /$1/"; }
expect_err() { grep -qE -- "$1" "$work/err" || fail_because "stderr does not match /$1/"; }
expect_no_err() { ! grep -qE -- "$1" "$work/err" || fail_because "stderr matches /$1/"; }
expect_eq() { [ "$1" = "$2" ] || fail_because "got \"$1\", expected \"$2\""; }

# sql -v NAME=VALUE ... <<< QUERY: one value from the database
sql() { psql_q "$@"; }

# http TOKEN: the status of GET /Users with that bearer token
http() {
	curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$SCIM_BASE_URL/Users?count=1"
}

# --- help and usage ---------------------------------------------------------------------

run --help
expect_rc 0
for c in "tenant create" "tenant configure" "tenant list" "token issue" "token list" "token revoke" "show TENANT"; do
	expect_out "$c"
done
report "--help exits 0 and names every command"

for c in "tenant create" "tenant configure" "tenant list" "token issue" "token list" "token revoke" "show"; do
	read -ra words <<<"$c"
	run "${words[@]}" --help
	expect_rc 0
	expect_out "^usage: scripts/scimctl $c"
	report "$c --help explains it"
done

run help token issue
expect_rc 0
expect_out "^usage: scripts/scimctl token issue"
report "help token issue is token issue --help"

run
expect_rc 2
expect_err "^usage:"
report "no command: usage on stderr, exit 2"

run frobnicate
expect_rc 2
expect_err "unknown command"
report "unknown command: exit 2"

run token issue
expect_rc 2
expect_err "TENANT is missing"
report "token issue without TENANT: exit 2"

run tenant create "$T-x" --settings '[1]'
expect_rc 2
report "--settings must be a JSON object: exit 2"

run --env "$work/nope.env" tenant list
expect_rc 1
expect_err "cannot read env file"
report "--env with a missing file: exit 1"

# --- tenants --------------------------------------------------------------------------------

run tenant create "$T-a"
expect_rc 0
expect_out "created"
report "tenant create"

run tenant create "$T-b" --settings '{"default_role": "guest", "max_results": 50}'
expect_rc 0
expect_eq "$(sql -v t="$T-b" <<<"SELECT settings ->> 'default_role' FROM scim.tenants WHERE tenant_id = :'t';")" guest
report "tenant create --settings stores the settings"

run tenant create "$T-a"
expect_rc 1
expect_err "already exists"
expect_no_err "^psql:"
report "tenant create of an existing tenant: exit 1 with the database's message"

run tenant create "$T-bad" --settings '{"no_such_setting": 1}'
expect_rc 1
expect_err "unknown setting"
expect_eq "$(sql -v t="$T-bad" <<<"SELECT count(*) FROM scim.tenants WHERE tenant_id = :'t';")" 0
report "an unknown setting: exit 1, nothing created"

run tenant configure "$T-a" '{"put_mode": "merge"}'
expect_rc 0
expect_out '"put_mode": "merge"'
expect_out '"max_results": 200'
expect_out '"roles"'
report "tenant configure merges and prints every effective setting"

run tenant configure "$T-a" '{"put_mode": "sideways"}'
expect_rc 1
expect_err "put_mode"
report "tenant configure with a bad value: exit 1"

run tenant configure "$T-nobody" '{}'
expect_rc 1
expect_err "does not exist"
report "tenant configure of an unknown tenant: exit 1"

run tenant list
expect_rc 0
expect_out "$T-a"
expect_out "$T-b"
report "tenant list shows the tenants"

# --- values are data, never SQL ------------------------------------------------------------

evil="$T-it's'; DROP TABLE scim.users; --"
run tenant create "$evil"
expect_rc 0
expect_eq "$(sql -v t="$evil" <<<"SELECT count(*) FROM scim.tenants WHERE tenant_id = :'t';")" 1
expect_eq "$(sql <<<"SELECT to_regclass('scim.users') IS NOT NULL;")" t
report "a tenant name with quotes and SQL in it is stored as it is"

label=":'x' \\gexec"
run token issue "$evil" "$label"
expect_rc 0
expect_eq "$(sql -v t="$evil" <<<"SELECT label FROM scim.tokens WHERE tenant_id = :'t';")" "$label"
report "a label with psql syntax in it is stored as it is"

run show "$evil"
expect_rc 0
expect_out "users"
report "show works on such a tenant"

# --- tokens -----------------------------------------------------------------------------------

run token issue "$T-a" okta
tok=$(cat "$work/out")
expect_rc 0
[[ $tok =~ ^scim_[0-9a-f]{64}$ ]] || fail_because "not a token: $tok"
expect_eq "$(sql -v tok="$tok" <<<"SELECT count(*) FROM scim.tokens WHERE token_hash = sha256(convert_to(:'tok', 'UTF8'));")" 1
report "token issue prints the token alone; only its SHA-256 is stored"

run token issue "$T-a" okta
expect_rc 1
expect_err "already has a token labelled"
report "a second token with the same label: exit 1"

run token issue "$T-a"
expect_rc 0
expect_out "^scim_"
report "token issue without a label makes one up"

run token issue "$T-a" old --expires 2001-02-03
old=$(cat "$work/out")
expect_rc 0
expect_out "^scim_"
report "token issue --expires"

run token issue "$T-a" when --expires 'not a date'
expect_rc 1
report "token issue --expires with a bad timestamp: exit 1"

run token issue "$T-nobody" x
expect_rc 1
expect_err "does not exist"
report "token issue for an unknown tenant: exit 1"

run token list "$T-a"
expect_rc 0
expect_out "okta"
expect_out "old"
expect_out "token-[0-9a-f]{8}"
expect_out "expired"
expect_out "active"
expect_no_out "scim_[0-9a-f]{16}"
report "token list shows labels and states, never a token"

run token list "$T-nobody"
expect_rc 1
expect_err "does not exist"
report "token list of an unknown tenant: exit 1"

if [ -n "${SCIM_BASE_URL:-}" ]; then
	expect_eq "$(http "$tok")" 200
	report "the issued token works over HTTP"
	expect_eq "$(http "$old")" 401
	report "the expired token is refused over HTTP"
else
	skip "the issued token works over HTTP" "SCIM_BASE_URL is not set"
	skip "the expired token is refused over HTTP" "SCIM_BASE_URL is not set"
fi

run token revoke "$T-a" okta
expect_rc 0
expect_out "revoked"
report "token revoke"

if [ -n "${SCIM_BASE_URL:-}" ]; then
	expect_eq "$(http "$tok")" 401
	report "the revoked token is refused over HTTP"
else
	skip "the revoked token is refused over HTTP" "SCIM_BASE_URL is not set"
fi

run token revoke "$T-a" okta
expect_rc 1
expect_err "has no token labelled"
report "revoking it again: exit 1"

# --- show ---------------------------------------------------------------------------------------

sql -v t="$T-a" >"$work/setup" 2>&1 <<-'SQL'
SELECT scim.user_create(:'t', '{"userName": "one@ctl.test"}') ->> 'id' AS one \gset
SELECT scim.user_create(:'t', '{"userName": "two@ctl.test", "active": false}') ->> 'id' AS two \gset
SELECT scim.group_create(:'t', format('{"displayName": "G", "members": [{"value": "%s"}, {"value": "%s"}]}', :'one', :'two')::jsonb) IS NOT NULL;
SQL
run show "$T-a"
expect_rc 0
grep -qE '^ +2 \| +1 \| +1 \| +2 \|' "$work/out" || fail_because "no row: 2 users, 1 active, 1 group, 2 memberships"
report "show: counts of users, active users, groups and memberships"

expect_out "expired"
expect_out "old"
report "show: the tokens and their states"

expect_out "put_mode"
report "show: the settings that differ from the defaults"

first=$(awk '/last 10 events/ { p = 1 } p' "$work/out" | grep -oE '\| (members_added|created) ' | head -n 1)
expect_eq "$first" "| members_added "
report "show: the last events, newest first"

run show "$T-nobody"
expect_rc 1
expect_err "does not exist"
report "show of an unknown tenant: exit 1"

# --- the connection ------------------------------------------------------------------------------

envf=$work/stack.env
for v in PGHOST PGPORT PGUSER PGDATABASE; do
	if [ -n "${!v:-}" ]; then printf 'export %s=%q\n' "$v" "${!v}"; fi
done >"$envf"

run --env "$envf" tenant list
expect_rc 0
expect_out "$T-a"
report "--env FILE reaches the database"

env -u PGHOST -u PGPORT -u PGUSER -u PGDATABASE "$CTL" --env "$envf" show "$T-a" >"$work/out" 2>"$work/err" </dev/null
RC=$?
expect_rc 0
expect_out "tenant $T-a"
report "--env FILE alone, with no PG* in the environment"

# --- as an operator: scim_admin, not a superuser ------------------------------------------------------

if sql -v admin="$ADMIN" >"$work/err" 2>&1 <<-'SQL'
	CREATE ROLE :"admin" LOGIN;
	GRANT scim_admin TO :"admin";
	SQL
then
	PGUSER=$ADMIN run tenant create "$T-ops"
	expect_rc 0
	report "as scim_admin: tenant create"

	PGUSER=$ADMIN run token issue "$T-ops" ops
	expect_rc 0
	expect_out "^scim_"
	report "as scim_admin: token issue"

	PGUSER=$ADMIN run token revoke "$T-ops" ops
	expect_rc 0
	report "as scim_admin: token revoke"

	PGUSER=$ADMIN run token list "$T-ops"
	expect_rc 1
	expect_err "permission denied"
	expect_err "a superuser"
	report "as scim_admin: token list is refused, with a hint (scim.tokens is for superusers)"
else
	passing=
	why="could not make a login role with scim_admin: $(cat "$work/err")"
	report "a login role with scim_admin for the operator tests"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
