#!/usr/bin/env bash
# bench/bulk.sh - N user creations in one POST /Bulk against N single POST /Users
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/bulk.sh [--smoke] [--keep] [--runs R]
       bench/bulk.sh N          (against the stack in the environment)

Standalone: starts a private stack in .run/bench-bulk (fresh cluster,
SCIM_RATE_LIMIT=off, ports probed from 54440 and 18300), seeds
BENCH_SEED users (default 10000; --smoke: 200) and runs ANALYZE, as in a
database in use, warms up, then R times (default 3, alternating):
  - bulk:    one POST /Bulk creating N users (N = 1000)
  - singles: N POST /Users, one after the other
both from one client over one keep-alive connection (concurrency 1, so
that neither side gains from parallelism), request bodies built before the
clock starts, every answer checked (200 with N "201" entries; 201 each).
It prints the medians and their ratio bulk/singles (target <= 0.5),
writes bench/results/bulk-<UTC date>.json and stops the stack.

  --smoke   N = 20, one run; the JSON goes to .run/bench-bulk/results
  --keep    leave the stack running
  --runs R  R measured runs of each kind (default 3; --smoke: 1)

With a number N instead: no stack of its own; SCIM_BASE_URL and SCIM_TOKEN
come from the environment (bench/run.sh exports its scenario stack's env
file), one warm-up bulk of 10 then one measured bulk of N, and a last line
  BENCH_JSON {"bulk_seconds": S, "n": N, "created": C, "http_status": H}
Needs node and the extension installed (make install).
EOF
}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$BENCH/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"
SCIM_LOG_PREFIX=bench-bulk

SMOKE= KEEP= RUNS= EMBEDDED_N=
while [ $# -gt 0 ]; do
	case $1 in
		--smoke) SMOKE=1 ;;
		--keep) KEEP=1 ;;
		--runs) shift; RUNS=${1:-} ;;
		-h|--help) usage; exit 0 ;;
		[0-9]*) EMBEDDED_N=$1 ;;
		*) usage >&2; die "unknown argument: $1" ;;
	esac
	shift
done
command -v node >/dev/null || die "node is required"

# The client: node, keep-alive, one socket.  Modes:
#   bulk N TAG      one POST /Bulk of N creations; prints {"seconds", "status", "created"}
#   singles N TAG   N POST /Users in a row;        prints {"seconds", "created"}
client() {
	node --input-type=module - "$@" <<'JS'
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';

const [mode, nArg, tag] = process.argv.slice(2);
const n = Number(nArg);
const base = new URL(process.env.SCIM_BASE_URL.replace(/\/$/, ''));
const token = process.env.SCIM_TOKEN;
const mod = base.protocol === 'https:' ? https : http;
const agent = new mod.Agent({ keepAlive: true, maxSockets: 1 });

const user = (i) => {
	const u = `${tag}-${i}@example.com`;
	return {
		schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
		userName: u, externalId: `ext-${u}`, active: true,
		name: { givenName: 'Bench', familyName: `User ${i}` },
		emails: [{ value: u, type: 'work', primary: true }],
	};
};

function post(path, payload) {
	return new Promise((resolve, reject) => {
		const req = mod.request(new URL(base.pathname + path, base), {
			method: 'POST', agent,
			headers: {
				authorization: `Bearer ${token}`,
				'content-type': 'application/scim+json',
				'content-length': payload.length,
			},
		}, (res) => {
			const chunks = [];
			res.on('data', (c) => chunks.push(c));
			res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(payload);
	});
}

let out;
if (mode === 'bulk') {
	const ops = Array.from({ length: n }, (_, i) =>
		({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: user(i) }));
	const payload = Buffer.from(JSON.stringify({
		schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: ops,
	}));
	const t0 = performance.now();
	const res = await post('/Bulk', payload);
	const seconds = (performance.now() - t0) / 1000;
	let created = 0;
	try {
		created = JSON.parse(res.text).Operations.filter((o) => o.status === '201').length;
	} catch {
		process.stderr.write(`bulk answer: ${res.status} ${res.text.slice(0, 300)}\n`);
	}
	out = { seconds, status: res.status, created, bytes: payload.length };
} else if (mode === 'singles') {
	const payloads = Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify(user(i))));
	let created = 0;
	const t0 = performance.now();
	for (const p of payloads) {
		const res = await post('/Users', p);
		if (res.status === 201)
			created += 1;
		else if (created === 0)
			process.stderr.write(`single answer: ${res.status} ${res.text.slice(0, 300)}\n`);
	}
	const seconds = (performance.now() - t0) / 1000;
	out = { seconds, created };
} else {
	throw new Error(`unknown mode ${mode}`);
}
agent.destroy();
process.stdout.write(JSON.stringify(out) + '\n');
JS
}

# a field of a one-line JSON object
field() { node -e 'const o = JSON.parse(process.argv[1]); process.stdout.write(String(o[process.argv[2]]))' "$1" "$2"; }

# --- embedded: the stack of the environment (bench/run.sh) ---------------------
if [ -n "$EMBEDDED_N" ]; then
	[ -n "${SCIM_BASE_URL:-}" ] && [ -n "${SCIM_TOKEN:-}" ] ||
		die "SCIM_BASE_URL and SCIM_TOKEN must be set (source a stack's env file)"
	tag="bulkbench-$(date +%s)-$$"
	client bulk 10 "$tag-warm" >/dev/null
	r=$(client bulk "$EMBEDDED_N" "$tag")
	log "bulk of $EMBEDDED_N: $r"
	echo "BENCH_JSON {\"bulk_seconds\": $(field "$r" seconds), \"n\": $EMBEDDED_N, \"created\": $(field "$r" created), \"http_status\": $(field "$r" status)}"
	[ "$(field "$r" created)" = "$EMBEDDED_N" ] || die "the bulk created $(field "$r" created) of $EMBEDDED_N users"
	exit 0
fi

# --- standalone: a private stack -----------------------------------------------
if [ -n "$SMOKE" ]; then
	N=20 RUNS=${RUNS:-1} SEED=${BENCH_SEED:-200}
else
	N=1000 RUNS=${RUNS:-3} SEED=${BENCH_SEED:-10000}
fi
case $RUNS in '' | *[!0-9]* | 0) die "--runs takes a positive integer" ;; esac
DIR=$REPO/.run/bench-bulk
if [ -n "$SMOKE" ]; then OUT=$DIR/results; else OUT=$BENCH/results; fi
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)

stop_stack() {
	if [ -z "$KEEP" ]; then
		"$REPO/scripts/stack.sh" stop --dir "$DIR" >/dev/null 2>&1 || true
	else
		log "--keep: the stack runs in $DIR (scripts/stack.sh stop --dir $DIR)"
	fi
}
trap stop_stack EXIT

log "starting a fresh stack in $DIR (rate limit off)"
start_stack() {
	SCIM_RATE_LIMIT=off SCIM_ACCESS_LOG=off \
		SCIM_PG_PORT_FROM=${SCIM_PG_PORT_FROM:-54440} SCIM_HTTP_PORT_FROM=${SCIM_HTTP_PORT_FROM:-18300} \
		"$REPO/scripts/stack.sh" start --fresh --dir "$DIR" >"$REPO/.run/bench-bulk.log" 2>&1
}
# a port probed free may be taken by another stack starting at the same time
start_stack || { sleep 2; start_stack; } ||
	{ cat "$REPO/.run/bench-bulk.log" >&2; die "the stack did not start"; }
set -a
# shellcheck disable=SC1091
. "$DIR/env"
set +a
mkdir -p "$OUT"

# A database in use: SEED users already there, and statistics, as
# autovacuum keeps them.  (On an empty or never-analyzed scim.users, the
# plans kept for lookups by id scan the tenant's users, and every creation,
# bulk or single, costs time linear in the table until the next ANALYZE.)
log "seeding $SEED users, then ANALYZE"
seed_sql() {
	echo "SELECT count(scim.user_create('default', jsonb_build_object(
		'userName', 'seed-' || i || '@example.com',
		'name', jsonb_build_object('givenName', 'Seed', 'familyName', 'User ' || i))))
		FROM generate_series($1, $2) i"
}
# an ANALYZE after the first few hundred, for the same reason
first=$((SEED < 500 ? SEED : 500))
"$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -c "$(seed_sql 1 "$first")" -c 'ANALYZE' \
	-c "$(seed_sql $((first + 1)) "$SEED")" -c 'ANALYZE' >/dev/null
# warm-up: every PostgREST connection gets its plans (its pool is 10)
tag="bb$(date +%s)"
client singles 40 "$tag-warm" >/dev/null
client bulk 20 "$tag-warmbulk" >/dev/null

bulk_runs=() single_runs=()
for ((i = 1; i <= RUNS; i++)); do
	# alternate which goes first, so that table growth favours neither
	if ((i % 2)); then order="bulk singles"; else order="singles bulk"; fi
	for kind in $order; do
		r=$(client "$kind" "$N" "$tag-$kind-$i")
		created=$(field "$r" created)
		[ "$created" = "$N" ] || die "$kind run $i created $created of $N users: $r"
		if [ "$kind" = bulk ]; then
			[ "$(field "$r" status)" = 200 ] || die "the bulk answered $(field "$r" status)"
			bulk_runs+=("$(field "$r" seconds)")
		else
			single_runs+=("$(field "$r" seconds)")
		fi
		log "run $i $kind: $(printf '%.3f' "$(field "$r" seconds)") s for $N users"
	done
done

commit=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$([ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ] && echo true || echo false)
result=$(node -e '
const [n, runs, bulk, singles, stamp, commit, dirty, smoke, cpus, seed] = process.argv.slice(1);
const nums = (s) => s.split(" ").filter(Boolean).map(Number);
const median = (a) => { const s = [...a].sort((x, y) => x - y); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const b = nums(bulk), s = nums(singles);
const bm = median(b), sm = median(s);
process.stdout.write(JSON.stringify({
	benchmark: "bulk", date: stamp, commit, dirty: dirty === "true", smoke: smoke === "1", cpus: Number(cpus),
	n: Number(n), runs: Number(runs), client: "node, keep-alive, one connection, concurrency 1",
	seed_users: Number(seed), bulk_seconds: bm, singles_seconds: sm, ratio: bm / sm, target: 0.5, pass: bm / sm <= 0.5,
	bulk_users_per_second: Number(n) / bm, singles_users_per_second: Number(n) / sm,
	bulk_runs: b, singles_runs: s, loadavg_at_end: require("os").loadavg(),
}, null, 2) + "\n");
' "$N" "$RUNS" "${bulk_runs[*]}" "${single_runs[*]}" "$STAMP" "$commit" "$dirty" "${SMOKE:-0}" "$(nproc)" "$SEED")
file=$OUT/bulk-$STAMP.json
printf '%s' "$result" >"$file"

bm=$(field "$(printf '%s' "$result" | tr -d '\n')" bulk_seconds)
sm=$(field "$(printf '%s' "$result" | tr -d '\n')" singles_seconds)
ratio=$(field "$(printf '%s' "$result" | tr -d '\n')" ratio)
pass=$(field "$(printf '%s' "$result" | tr -d '\n')" pass)
printf '\n%-34s %10s\n' "$N user creations (median of $RUNS)" seconds
printf '%-34s %10.3f\n' "one POST /Bulk" "$bm"
printf '%-34s %10.3f\n' "$N x POST /Users" "$sm"
printf '%-34s %10.3f   (target <= 0.5: %s)\n' "ratio bulk / singles" "$ratio" "$([ "$pass" = true ] && echo PASS || echo MISS)"
log "results in $file"
