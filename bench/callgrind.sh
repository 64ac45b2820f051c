#!/usr/bin/env bash
# bench/callgrind.sh - instruction counts of the hot C paths, free of noise
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/callgrind.sh SCENARIO [--dir DIR] [-n N]

Replays N (default 300) requests of SCENARIO through scim_api.handle(bytea)
exactly as PostgREST calls it (request.headers set, raw body) in ONE
single-user backend (postgres --single) under valgrind --tool=callgrind,
then prints the inclusive costs of the extension's functions per request.

  SCENARIO  post | get | filter | patch
  --dir DIR a stack made by bench/run.sh --keep (default .run/bench) or any
            scripts/stack.sh stack with users in tenant "default" and its
            token in DIR/token.  The stack is STOPPED for the replay (single
            user mode needs the cluster to itself) and started again after.

Output: DIR.callgrind/<scenario>.<pid> (open it with callgrind_annotate or
kcachegrind) and a summary on stdout.  See bench/README.md, "Findings".
EOF
}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$BENCH/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"
SCIM_LOG_PREFIX=callgrind

scenario= DIR=$REPO/.run/bench N=300
while [ $# -gt 0 ]; do
	case $1 in
		post|get|filter|patch) scenario=$1; shift ;;
		--dir) DIR=$2; shift 2 ;;
		-n) N=$2; shift 2 ;;
		-h|--help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument: $1" ;;
	esac
done
[ -n "$scenario" ] || { usage >&2; exit 2; }
case $DIR in /*) ;; *) DIR=$REPO/$DIR ;; esac
command -v valgrind >/dev/null || die "valgrind is not installed (apt-get install valgrind)"
[ -f "$DIR/env" ] || die "no stack in $DIR (bench/run.sh --keep makes one)"
if [ -L "$DIR/stack" ]; then STATE=$(readlink -f "$DIR/stack"); else STATE=$DIR; fi
PGDATA_DIR=$STATE/pgdata
OUT=$DIR.callgrind
mkdir -p "$OUT"
chmod 755 "$OUT"
if is_root; then chown "$(stack_user)" "$OUT"; fi
TOKEN=$(cat "$DIR/token")

# the sample of users (while the stack runs)
set -a
# shellcheck disable=SC1091
. "$DIR/env"
set +a
"$PGBIN/psql" -X -At -F' ' -c "SELECT id, user_name FROM scim.users WHERE tenant_id = 'default' ORDER BY random() LIMIT $N" >"$OUT/users"
[ -s "$OUT/users" ] || die "no users in tenant default"

# the replay script: one statement per line (single-user mode)
SQL=$OUT/$scenario.sql
node - "$scenario" "$TOKEN" "$OUT/users" "$N" >"$SQL" <<'EOF'
const [scenario, token, usersFile, n] = process.argv.slice(2);
const fs = require('fs');
const users = fs.readFileSync(usersFile, 'utf8').trim().split('\n').map((l) => l.split(' '));
const q = (s) => s.replace(/'/g, "''");
const headers = (method, uri, body) => JSON.stringify({
	'x-scim-method': method, 'x-scim-uri': uri, 'x-scim-authorization': `Bearer ${token}`,
	'x-scim-host': '127.0.0.1', 'x-scim-scheme': 'http', 'x-scim-accept': 'application/scim+json',
	...(body ? { 'x-scim-content-type': 'application/scim+json' } : {}),
});
const tag = Date.now().toString(36);
for (let i = 0; i < Number(n); i++) {
	const [id, name] = users[i % users.length];
	let method = 'GET', uri, body = '';
	if (scenario === 'post') {
		const u = `cg${tag}-${i}@example.com`;
		method = 'POST'; uri = '/scim/v2/Users';
		body = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: u,
			externalId: `ext-${u}`, name: { givenName: 'Bench', familyName: `User ${i}` },
			emails: [{ value: u, type: 'work', primary: true }], active: true });
	} else if (scenario === 'get') {
		uri = `/scim/v2/Users/${id}`;
	} else if (scenario === 'filter') {
		uri = '/scim/v2/Users?filter=' + encodeURIComponent(`userName eq "${name}"`);
	} else {
		method = 'PATCH'; uri = `/scim/v2/Users/${id}`;
		body = JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
			Operations: [{ op: 'replace', value: { active: i % 2 === 0 } }] });
	}
	console.log(`SELECT set_config('request.headers', '${q(headers(method, uri, body))}', false)`);
	console.log(`SELECT length(scim_api.handle(convert_to('${q(body)}', 'UTF8'))::text)`);
}
EOF
chmod 644 "$SQL" "$OUT/users"

log "stopping the stack in $DIR for the single-user replay"
"$REPO/scripts/stack.sh" stop --dir "$DIR" >/dev/null 2>&1
restart() { SCIM_KEEP_DATA=1 "$REPO/scripts/stack.sh" start --dir "$DIR" >/dev/null 2>&1 || warn "could not restart the stack in $DIR"; }
trap restart EXIT

log "valgrind --tool=callgrind: $N x $scenario (this takes a minute or two)"
as_stack_user valgrind --tool=callgrind --callgrind-out-file="$OUT/$scenario.%p" \
	"$PGBIN/postgres" --single -D "$PGDATA_DIR" scim <"$SQL" >"$OUT/$scenario.out" 2>"$OUT/$scenario.err" ||
	{ tail -n 20 "$OUT/$scenario.err" >&2; die "the replay failed"; }
file=$(ls -t "$OUT/$scenario".[0-9]* | head -n1)
errors=$(grep -c 'ERROR' "$OUT/$scenario.out" || true)
[ "$errors" -eq 0 ] || warn "$errors statement(s) failed: see $OUT/$scenario.out"

total=$(sed -n 's/.*I *refs: *//p' "$OUT/$scenario.err" | tr -d ',')
echo "$scenario: $N requests, $total instructions in all, $((total / N)) per request (startup included)"
echo "inclusive instructions per request of the extension's functions and PostgreSQL's big ones:"
callgrind_annotate --inclusive=yes --auto=no "$file" 2>/dev/null |
	awk -v n="$N" '/^ *[0-9,]+ \(/ {
		c = $1; gsub(",", "", c); f = $0; sub(/^ *[0-9,]+ \([ 0-9.]+%\) +/, "", f)
		if (f ~ /\/src\/[a-z_]+\.c:/ || f ~ /:(fmgr_sql|FormIndexDatum|ExecInsertIndexTuples|standard_planner|pg_analyze_and_rewrite_fixedparams|raw_parser|stringToNode|CommitTransactionCommand|SPI_execute_plan|SPI_execute_with_args) /) {
			sub(/ \[.*/, "", f); sub(/.*\/src\//, "src/", f); sub(/^\?\?\?:/, "postgres:", f)
			if (!seen[f]++) printf "  %10d  %s\n", c / n, f
		}
	}' | head -n 40
echo "full profile: callgrind_annotate --inclusive=yes --tree=calling $file"
