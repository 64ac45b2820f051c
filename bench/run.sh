#!/usr/bin/env bash
# bench/run.sh - the benchmark behind `make bench` (read bench/README.md)
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/run.sh [--smoke] [--keep]

Starts two private stacks, seeds data, runs every scenario and its floor,
then prints the table (target, PASS/MISS per row) and writes
  bench/results/<date>.json   every run's numbers, medians, spreads, verdicts
  bench/results/<date>.png    latency against data size (gnuplot)
Needs the extension installed (`make bench` does it) and wrk, pgbench,
gnuplot (scripts/deps.sh installs them).

  --smoke  tiny sizes, 2 s per scenario, 1 run, no targets enforced; stacks
           in .run/bench-smoke-<pid>, results in .run/bench-smoke-<pid>.work
           (deleted when it passes; not bench/results); exit 0 when every
           scenario ran without errors.  test/bench_smoke.sh runs it in
           `make test`.
  --keep   leave both stacks running at the end (default: destroy them)

Environment
  BENCH_DURATION=10  seconds per wrk/pgbench run     BENCH_RUNS=3
  BENCH_STRICT=1     exit 1 when a target is missed (default: exit 0 once
                     everything ran; the table says PASS or MISS)
  BENCH_DIR=.run/bench  where the scenario stack lives (the floor stack:
                     the same with -floor)
Exit status: 0 when every scenario ran (and, with BENCH_STRICT=1, every
target was met); 1 otherwise.
EOF
}

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$BENCH/.." && pwd -P)
# shellcheck source=scripts/lib.sh
. "$REPO/scripts/lib.sh"
SCIM_LOG_PREFIX=bench

SMOKE= KEEP=
for a in "$@"; do
	case $a in
		--smoke) SMOKE=1 ;;
		--keep) KEEP=1 ;;
		-h|--help) usage; exit 0 ;;
		*) usage >&2; die "unknown argument: $a" ;;
	esac
done

# --- sizes and durations ---------------------------------------------------------
if [ -n "$SMOKE" ]; then
	MODE=smoke
	D=${BENCH_DURATION:-2} RUNS=${BENCH_RUNS:-1}
	SIZE_SMALL=200 SIZE_MID=1000 SIZE_BIG=6000
	PROVISION=300 BIG_GROUP=1000 SMALL_GROUPS=10
	MEM_A=100 MEM_B=1000 BULK_N=50
	STACK=${BENCH_DIR:-$REPO/.run/bench-smoke-$$}
	OUT=$STACK.work/results
	PORT_PG=54500 PORT_HTTP=18300
else
	MODE=full
	D=${BENCH_DURATION:-10} RUNS=${BENCH_RUNS:-3}
	SIZE_SMALL=1000 SIZE_MID=10000 SIZE_BIG=1000000
	PROVISION=100000 BIG_GROUP=100000 SMALL_GROUPS=100
	MEM_A=1000 MEM_B=100000 BULK_N=1000
	STACK=${BENCH_DIR:-$REPO/.run/bench}
	OUT=$BENCH/results
	PORT_PG=54700 PORT_HTTP=18600
fi
case $STACK in /*) ;; *) STACK=$REPO/$STACK ;; esac
FLOOR=$STACK-floor
HALF=$(( D > 2 ? D / 2 : 1 ))
CONNS=16 THREADS=2
STAMP=$(date -u +%Y-%m-%dT%H%M%SZ)
WORK=$STACK.work
mkdir -p "$OUT" "$WORK"
RAW=$WORK/raw.jsonl
: >"$RAW"
STARTED=$(date +%s)
FAILED=0

for tool in wrk pgbench gnuplot node curl; do
	command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run scripts/deps.sh (or make bench)"
done

# Same settings for both stacks: no rate limit, no access log (both would be
# part of the measured cost otherwise), default pool (10) and 1 nginx worker.
export SCIM_RATE_LIMIT=off SCIM_ACCESS_LOG=off
unset SCIM_PG_PORT SCIM_HTTP_PORT SCIM_HTTPS_PORT SCIM_KEEP_DATA SCIM_STACK_SQL_INIT SCIM_PGRST_POOL

phase() { printf '%s\n' "bench: [$(($(date +%s) - STARTED))s] $*" >&2; }

# --- the stacks ---------------------------------------------------------------------
# main_env / floor_env: the variables of one stack's env file, with
# MAIN_*/FLOOR_* names; PG* of the main stack are exported for psql/pgbench.
load_envs() {
	local v
	for v in SCIM_BASE_URL SCIM_TOKEN PGHOST PGPORT PGUSER PGDATABASE SCIM_STACK_DIR; do
		eval "MAIN_$v=\$(. \"\$STACK/env\"; printf '%s' \"\${$v}\")"
		eval "FLOOR_$v=\$(. \"\$FLOOR/env\"; printf '%s' \"\${$v}\")"
	done
	export PGHOST=$MAIN_PGHOST PGPORT=$MAIN_PGPORT PGUSER=$MAIN_PGUSER PGDATABASE=$MAIN_PGDATABASE
	export PGAPPNAME=bench PGOPTIONS="-c client_min_messages=warning"
	MAIN_URL=${MAIN_SCIM_BASE_URL%/scim/v2}
	FLOOR_URL=${FLOOR_SCIM_BASE_URL%/scim/v2}
}

# start_one DIR LOG [VAR=VALUE...]: scripts/stack.sh start --fresh, retried on
# other ports (another run may take a probed port before it is bound)
start_one() {
	local dir=$1 log=$2 try base
	shift 2
	for try in 1 2 3; do
		base=$((RANDOM % 40 * 4))
		if env "$@" SCIM_PG_PORT_FROM=$((PORT_PG + base)) SCIM_HTTP_PORT_FROM=$((PORT_HTTP + base)) \
			"$REPO/scripts/stack.sh" start --fresh --dir "$dir" >>"$log" 2>&1; then
			return 0
		fi
		warn "stack start failed in $dir (try $try); retrying on other ports"
		sleep 1
	done
	cat "$log" >&2
	return 1
}

start_stacks() {
	phase "starting the floor stack (test/http/noop.sql) in $FLOOR"
	start_one "$FLOOR" "$WORK/stack-floor.log" SCIM_STACK_SQL_INIT="$REPO/test/http/noop.sql" ||
		die "the floor stack did not start"
	phase "starting the scenario stack (CREATE EXTENSION scim) in $STACK"
	start_one "$STACK" "$WORK/stack.log" || die "the scenario stack did not start"
	load_envs
}

# restart_main POOL: the scenario stack again, data kept, PostgREST pool POOL
restart_main() {
	local try
	for try in 1 2 3; do
		"$REPO/scripts/stack.sh" stop --dir "$STACK" >>"$WORK/stack.log" 2>&1 || true
		if SCIM_KEEP_DATA=1 SCIM_PGRST_POOL=$1 SCIM_PG_PORT_FROM=$((PORT_PG + RANDOM % 40 * 4)) \
			SCIM_HTTP_PORT_FROM=$((PORT_HTTP + RANDOM % 40 * 4)) \
			"$REPO/scripts/stack.sh" start --dir "$STACK" >>"$WORK/stack.log" 2>&1; then
			load_envs
			return 0
		fi
		warn "restart failed (try $try)"
	done
	tail -n 30 "$WORK/stack.log" >&2
	die "the scenario stack did not restart"
}

cleanup() {
	local rc=$?
	if [ -z "$KEEP" ]; then
		"$REPO/scripts/stack.sh" destroy --dir "$FLOOR" >/dev/null 2>&1 || true
		"$REPO/scripts/stack.sh" destroy --dir "$STACK" >/dev/null 2>&1 || true
		if [ -n "$SMOKE" ] && [ $rc -eq 0 ] && [ -z "${BENCH_DIR:-}" ]; then
			rm -rf "$WORK"
		fi
	else
		log "--keep: stacks left running in $STACK and $FLOOR (scripts/stack.sh destroy --dir ...)"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- measuring ---------------------------------------------------------------------------

q() { "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
users_now() { q -c "SELECT count(*) FROM scim.users WHERE tenant_id = 'default'"; }

# record JSON: one line of $RAW (a JSON object)
record() { printf '%s\n' "$1" >>"$RAW"; }

# ids_file NAME FROM TO [LIMIT]: "id userName" lines of bench.ids n in FROM..TO
# (a random sample of LIMIT when given) -> $WORK/NAME
ids_file() {
	local name=$1 from=$2 to=$3 limit=${4:-}
	if [ -n "$limit" ]; then
		q -F' ' -c "SELECT id, user_name FROM bench.ids WHERE n BETWEEN $from AND $to ORDER BY random() LIMIT $limit" >"$WORK/$name"
	else
		q -F' ' -c "SELECT id, user_name FROM bench.ids WHERE n BETWEEN $from AND $to ORDER BY n" >"$WORK/$name"
	fi
	[ -s "$WORK/$name" ] || die "no users for $name (bench.ids $from..$to)"
	echo "$WORK/$name"
}

# wrk_run ID KIND RUN SIZE TARGET(main|floor) SCRIPT THREADS CONNS DURATION [VAR=VALUE...]
#   one wrk run; its BENCH_JSON line goes to $RAW with the labels.  With
#   BENCH_STOP_AFTER=N among the variables the run is count-bound: each thread
#   stops after N responses and writes its clock (bench/wrk/common.lua), and
#   wrk, which would wait out its -d, is ended with SIGINT once all did;
#   elapsed_s is then the threads' own first-to-last time.
wrk_run() {
	local id=$1 kind=$2 run=$3 size=$4 target=$5 script=$6 t=$7 c=$8 d=$9
	shift 9
	local url token json log=$WORK/wrk-$id-$kind-$run.log done=$WORK/done-$id-$kind-$run
	local counted= v wpid rc=0 elapsed=null
	for v in "$@"; do case $v in BENCH_STOP_AFTER=*) counted=1 ;; esac; done
	if [ "$target" = floor ]; then url=$FLOOR_URL token=$FLOOR_SCIM_TOKEN; else url=$MAIN_URL token=$MAIN_SCIM_TOKEN; fi
	rm -rf "$done"
	mkdir -p "$done"
	env "$@" SCIM_TOKEN="$token" BENCH_WRK_DIR="$BENCH/wrk" BENCH_THREADS="$t" BENCH_DONE_DIR="$done" \
		BENCH_TAG="${BENCH_TAG_BASE}${id//[^a-z0-9]/}$kind$run" \
		wrk -t "$t" -c "$c" -d "${d}s" --timeout 60s -s "$BENCH/wrk/$script.lua" "$url" >"$log" 2>&1 &
	wpid=$!
	if [ -n "$counted" ]; then
		while kill -0 "$wpid" 2>/dev/null && [ "$(find "$done" -name 'thread-*' | wc -l)" -lt "$t" ]; do
			sleep 0.05
		done
		sleep 0.1
		kill -INT "$wpid" 2>/dev/null || true
	fi
	wait "$wpid" || rc=$?
	if [ -n "$counted" ] && [ "$(find "$done" -name 'thread-*' | wc -l)" -eq "$t" ]; then
		elapsed=$(cat "$done"/thread-* | awk 'NR == 1 || $1 < s {s = $1} NR == 1 || $2 > e {e = $2} END {printf "%.3f", (e - s) / 1e9}')
	elif [ -n "$counted" ]; then
		warn "$id $kind run $run: wrk ended before its threads made their count"
		rc=1
	fi
	rm -rf "$done"
	if [ $rc -ne 0 ]; then
		cat "$log" >&2
		warn "wrk failed: $id $kind run $run"
		FAILED=$((FAILED + 1))
		return 0
	fi
	json=$(sed -n 's/^BENCH_JSON //p' "$log" | tail -n1)
	if [ -z "$json" ]; then
		cat "$log" >&2
		warn "wrk printed no result: $id $kind run $run"
		FAILED=$((FAILED + 1))
		return 0
	fi
	record "{\"id\":\"$id\",\"kind\":\"$kind\",\"run\":$run,\"size\":$size,\"tool\":\"wrk\",\"threads\":$t,\"connections\":$c,\"target\":\"$target\",\"elapsed_s\":$elapsed,\"wrk\":$json}"
}

# pgb_run ID KIND RUN SIZE SCRIPT CLIENTS DURATION [pgbench options...]
pgb_run() {
	local id=$1 kind=$2 run=$3 size=$4 script=$5 c=$6 d=$7
	shift 7
	local log=$WORK/pgbench-$id-$kind-$run.log tps lat failed rc=0
	local j=$(( c < 2 ? 1 : 2 ))
	"$PGBIN/pgbench" -n -M prepared -c "$c" -j "$j" -T "$d" "$@" \
		-f "$BENCH/pgbench/$script.sql" >"$log" 2>&1 || rc=$?
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$log" | tail -n1)
	lat=$(sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' "$log" | tail -n1)
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$log" | tail -n1)
	if [ $rc -ne 0 ] || [ -z "$tps" ] || grep -q 'aborted' "$log"; then
		cat "$log" >&2
		warn "pgbench failed: $id $kind run $run"
		FAILED=$((FAILED + 1))
		return 0
	fi
	record "{\"id\":\"$id\",\"kind\":\"$kind\",\"run\":$run,\"size\":$size,\"tool\":\"pgbench\",\"clients\":$c,\"pgbench\":{\"tps\":$tps,\"latency_ms\":${lat:-null},\"failed\":${failed:-0}}}"
}

# pair ID SCRIPT THREADS CONNS [VAR=VALUE...]: RUNS x (floor run, scenario run),
# interleaved so that drift hits both alike.
pair() {
	local id=$1 script=$2 t=$3 c=$4 i size
	shift 4
	size=$(users_now)
	for ((i = 1; i <= RUNS; i++)); do
		wrk_run "$id" floor "$i" "$size" floor "$script" "$t" "$c" "$D" "$@"
		wrk_run "$id" scenario "$i" "$size" main "$script" "$t" "$c" "$D" "$@"
	done
}

# curve_point DURATION RUNS: one-connection latency at this data size for the
# chart: the filter RUNS x DURATION (rows 10's two ends use 3 x 10 s), GET
# /Users/{id} and SQL user_get once for HALF seconds.
curve_point() {
	local runs=$2 d=$1 i size ids nids
	size=$(users_now)
	q -c "SELECT bench.refresh_ids()" >/dev/null
	nids=$(q -c "SELECT count(*) FROM bench.ids")
	ids=$(ids_file "sample-$size" 1 "$nids" 20000)
	phase "data size $size users: one-connection latency (filter $runs x ${d}s)"
	for ((i = 1; i <= runs; i++)); do
		wrk_run lat_filter curve "$i" "$size" main filter_user 1 1 "$d" BENCH_IDS="$ids"
	done
	wrk_run lat_get curve 1 "$size" main get_user 1 1 "$HALF" BENCH_IDS="$ids"
	pgb_run lat_sql_get curve 1 "$size" user_get 1 "$HALF" -D nids="$nids"
}

# rss PID: "vmrss_kb rssanon_kb" of a process
rss() { awk '/^VmRSS:/ {v = $2} /^RssAnon:/ {a = $2} END {print v + 0, a + 0}' "/proc/$1/status"; }

so_sum() { sha256sum "$("$PGBIN/pg_config" --pkglibdir)/scim.so" 2>/dev/null | cut -c1-16; }

# --- the run --------------------------------------------------------------------------------
SO_BEFORE=$(so_sum)
BENCH_TAG_BASE=$(date +%s)
start_stacks
phase "mode $MODE: ${RUNS} run(s) of ${D}s per scenario; results in $OUT"
q -f "$BENCH/sql/setup.sql" >/dev/null
record "{\"meta\":{\"mode\":\"$MODE\",\"stamp\":\"$STAMP\",\"duration_s\":$D,\"runs\":$RUNS,\"connections\":$CONNS,\"threads\":$THREADS,\"nproc\":$(nproc),\"so\":\"$SO_BEFORE\",\"git\":\"$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo none)$(git -C "$REPO" diff --quiet HEAD -- src 2>/dev/null || echo +dirty)\",\"postgres\":\"$("$PGBIN/postgres" --version | awk '{print $3}')\",\"wrk\":\"$(wrk -v 2>&1 | head -n1 | awk '{print $2}')\"}}"

# 1. small data: the filter's latency at SIZE_SMALL users (the 1M/1k ratio)
phase "seeding $SIZE_SMALL users"
q -c "SELECT bench.seed_users($SIZE_SMALL)" -c "ANALYZE scim.users" >/dev/null
curve_point "$D" "$RUNS"
wrk_run lat_floor curve 1 "$(users_now)" floor get_user 1 1 "$HALF" BENCH_IDS="$WORK/sample-$(users_now)"

# 2. a middle point of the chart
q -c "SELECT bench.seed_users($SIZE_MID)" -c "ANALYZE scim.users" >/dev/null
curve_point "$HALF" 1

# 3. POST /Users against F1 (16 connections)
phase "POST /Users vs F1 (${RUNS} x ${D}s each)"
pair http_post_user post_user "$THREADS" "$CONNS"
# the same with the tenant's NOTIFY off (docs/events.md: NOTIFY
# serialises committing transactions; an information row, no target)
q -c "SELECT scim.tenant_configure('default', '{\"notify\": false}')" >/dev/null
RUNS_SAVED=$RUNS RUNS=1
pair http_post_user_nonotify post_user "$THREADS" "$CONNS"
RUNS=$RUNS_SAVED
q -c "SELECT scim.tenant_configure('default', '{\"notify\": true}')" >/dev/null

# 4. provisioning PROVISION users over HTTP with 16 clients
phase "provisioning $PROVISION users over HTTP (16 connections)"
before=$(users_now)
wrk_run provision scenario 1 "$before" main post_user "$THREADS" "$CONNS" 3600 \
	BENCH_STOP_AFTER=$((PROVISION / THREADS))
after=$(users_now)
record "{\"id\":\"provision_count\",\"kind\":\"info\",\"created\":$((after - before)),\"wanted\":$PROVISION}"
q -c "ANALYZE scim.users" >/dev/null
curve_point "$HALF" 1

# 5. big data: SIZE_BIG users
phase "seeding up to $SIZE_BIG users (SQL)"
q -c "SELECT bench.seed_users($SIZE_BIG)" -c "VACUUM ANALYZE scim.users" >/dev/null
curve_point "$D" "$RUNS"
NIDS=$(q -c "SELECT count(*) FROM bench.ids")
SAMPLE=$(ids_file sample-big 1 "$NIDS" 20000)

phase "GET /Users/{id}, filter, PATCH active at $NIDS users vs F1"
pair http_get_user get_user "$THREADS" "$CONNS" BENCH_IDS="$SAMPLE"
pair http_filter_user filter_user "$THREADS" "$CONNS" BENCH_IDS="$SAMPLE"
pair http_patch_user patch_user "$THREADS" "$CONNS" BENCH_IDS="$SAMPLE"
# and with NOTIFY off, as for POST (information)
q -c "SELECT scim.tenant_configure('default', '{\"notify\": false}')" >/dev/null
RUNS_SAVED=$RUNS RUNS=1
pair http_patch_user_nonotify patch_user "$THREADS" "$CONNS" BENCH_IDS="$SAMPLE"
RUNS=$RUNS_SAVED
q -c "SELECT scim.tenant_configure('default', '{\"notify\": true}')" >/dev/null

# 6. the SQL API against F2 and F3 (pgbench, 16 clients, interleaved)
phase "SQL: user_create vs F2, user_get vs F3 (pgbench)"
size=$(users_now)
for ((i = 1; i <= RUNS; i++)); do
	pgb_run sql_user_create floor "$i" "$size" f2_insert "$CONNS" "$D" -D n=0 -D run="$i"
	pgb_run sql_user_create scenario "$i" "$size" user_create "$CONNS" "$D" -D n=0 -D run="$i" \
		-D urn=urn:ietf:params:scim:schemas:core:2.0:User
done
# one pair with NOTIFY off (information)
q -c "SELECT scim.tenant_configure('default', '{\"notify\": false}')" >/dev/null
pgb_run sql_user_create_nonotify floor 1 "$size" f2_insert "$CONNS" "$D" -D n=0 -D run=99
pgb_run sql_user_create_nonotify scenario 1 "$size" user_create "$CONNS" "$D" -D n=0 -D run=99 \
	-D urn=urn:ietf:params:scim:schemas:core:2.0:User
q -c "SELECT scim.tenant_configure('default', '{\"notify\": true}')" >/dev/null
for ((i = 1; i <= RUNS; i++)); do
	pgb_run sql_user_get floor "$i" "$size" f3_select "$CONNS" "$D" -D nids="$NIDS"
	pgb_run sql_user_get scenario "$i" "$size" user_get "$CONNS" "$D" -D nids="$NIDS"
done

# 7. groups: one of BIG_GROUP members, SMALL_GROUPS of 10
phase "groups: $BIG_GROUP members and $SMALL_GROUPS x 10 members"
first_free=$(q -c "SELECT bench.make_groups($BIG_GROUP, $SMALL_GROUPS)")
BIG_ID=$(q -c "SELECT id FROM scim.groups WHERE tenant_id = 'default' AND display_name = 'bench-big'")
q -c "SELECT id FROM scim.groups WHERE tenant_id = 'default' AND display_name = 'bench-big'" >"$WORK/group-big"
q -c "SELECT id FROM scim.groups WHERE tenant_id = 'default' AND display_name LIKE 'bench-small-%'" >"$WORK/group-small"
pair http_get_group get_group "$THREADS" "$CONNS" BENCH_GROUP="$BIG_ID"
# PATCH add one member, one connection (latency; no lock waits on the group
# row), each request a user not yet in the group; the small groups are used
# in turn so that each stays near 10 members.
span=$(( (NIDS - first_free) / 2 ))
ADD_BIG=$(ids_file add-big "$first_free" $((first_free + span - 1)))
ADD_SMALL=$(ids_file add-small $((first_free + span)) "$NIDS")
size=$(users_now)
for ((i = 1; i <= RUNS; i++)); do
	wrk_run http_patch_group small "$i" "$size" main patch_group 1 1 "$D" \
		BENCH_GROUPS="$WORK/group-small" BENCH_IDS="$ADD_SMALL"
	wrk_run http_patch_group big "$i" "$size" main patch_group 1 1 "$D" \
		BENCH_GROUPS="$WORK/group-big" BENCH_IDS="$ADD_BIG"
done

# 8. Bulk: one /Bulk of BULK_N creations against BULK_N single POSTs (one
# connection each way)
phase "Bulk of $BULK_N creations vs $BULK_N single POSTs"
wrk_run bulk singles 1 "$size" main post_user 1 1 3600 BENCH_STOP_AFTER="$BULK_N"
bulk_json=
if [ -x "$BENCH/bulk.sh" ]; then
	# bench/bulk.sh (its own author's): called with the scenario stack's env
	# exported and N; prints a line `BENCH_JSON {"bulk_seconds": S, ...}`.
	if (set -a; . "$STACK/env"; set +a; "$BENCH/bulk.sh" "$BULK_N") >"$WORK/bulk.log" 2>&1; then
		bulk_json=$(sed -n 's/^BENCH_JSON //p' "$WORK/bulk.log" | tail -n1)
	fi
	[ -n "$bulk_json" ] || { cat "$WORK/bulk.log" >&2; warn "bench/bulk.sh printed no BENCH_JSON line"; }
	record "{\"id\":\"bulk\",\"kind\":\"bulk\",\"source\":\"bench/bulk.sh\",\"result\":${bulk_json:-null}}"
else
	# built in: one POST /Bulk with curl
	awk -v n="$BULK_N" -v tag="b$BENCH_TAG_BASE" 'BEGIN {
		printf "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":["
		for (i = 1; i <= n; i++) {
			u = tag "-" i "@example.com"
			printf "%s{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"b%d\",\"data\":{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"userName\":\"%s\",\"externalId\":\"ext-%s\",\"name\":{\"givenName\":\"Bench\",\"familyName\":\"User %d\"},\"emails\":[{\"value\":\"%s\",\"type\":\"work\",\"primary\":true}],\"active\":true}}", (i > 1 ? "," : ""), i, u, u, i, u
		}
		printf "]}"
	}' >"$WORK/bulk-body.json"
	res=$(curl -s -o "$WORK/bulk-response.json" -w '%{http_code} %{time_total}' \
		-H "Authorization: Bearer $MAIN_SCIM_TOKEN" -H 'Content-Type: application/scim+json' \
		--data-binary @"$WORK/bulk-body.json" "$MAIN_SCIM_BASE_URL/Bulk" || echo "000 0")
	created=$(grep -o '"status" *: *"201"' "$WORK/bulk-response.json" 2>/dev/null | wc -l || true)
	record "{\"id\":\"bulk\",\"kind\":\"bulk\",\"source\":\"curl\",\"http_status\":${res%% *},\"seconds\":${res#* },\"created\":${created:-0},\"wanted\":$BULK_N,\"detail\":$(head -c 300 "$WORK/bulk-response.json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.stringify(s)))')}"
fi

# 9. backend memory: PostgREST pool of 1, so that one backend serves every
# request; its RSS after MEM_A requests and after MEM_B
phase "backend memory: $MEM_A then $MEM_B requests on one backend (pool 1)"
restart_main 1
# one request to make PostgREST connect, then find its backend
curl -s -o /dev/null -H "Authorization: Bearer $MAIN_SCIM_TOKEN" "$MAIN_SCIM_BASE_URL/ServiceProviderConfig" || true
pids=$(q -c "SELECT pid FROM pg_stat_activity WHERE usename = 'scim_web' AND backend_type = 'client backend'")
if [ "$(printf '%s\n' "$pids" | grep -c .)" -ne 1 ]; then
	warn "expected one PostgREST backend with pool 1, found: $(echo $pids)"
	FAILED=$((FAILED + 1))
else
	pid=$pids
	size=$(users_now)
	wrk_run mem a 1 "$size" main mixed 1 4 3600 BENCH_STOP_AFTER="$MEM_A" BENCH_IDS="$SAMPLE" BENCH_GROUP="$BIG_ID"
	read -r va aa < <(rss "$pid")
	wrk_run mem b 1 "$size" main mixed 1 4 3600 BENCH_STOP_AFTER=$((MEM_B - MEM_A)) BENCH_IDS="$SAMPLE" BENCH_GROUP="$BIG_ID"
	read -r vb ab < <(rss "$pid")
	still=$(q -c "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid")
	record "{\"id\":\"mem\",\"kind\":\"rss\",\"pid\":$pid,\"same_backend\":$([ "$still" = 1 ] && echo true || echo false),\"after_a\":$MEM_A,\"after_b\":$MEM_B,\"vmrss_a_kb\":$va,\"rssanon_a_kb\":$aa,\"vmrss_b_kb\":$vb,\"rssanon_b_kb\":$ab}"
fi

SO_AFTER=$(so_sum)
record "{\"meta_end\":{\"seconds\":$(($(date +%s) - STARTED)),\"so_changed\":$([ "$SO_BEFORE" = "$SO_AFTER" ] && echo false || echo true),\"failed_steps\":$FAILED}}"
[ "$SO_BEFORE" = "$SO_AFTER" ] || warn "scim.so was reinstalled during the run: results are suspect"

# --- the report --------------------------------------------------------------------------------
phase "report"
rc=0
node "$BENCH/report.mjs" --raw "$RAW" --out "$OUT/$STAMP" --mode "$MODE" ${BENCH_STRICT:+--strict} || rc=$?
cp "$RAW" "$WORK/raw-$STAMP.jsonl"
if [ "$FAILED" -gt 0 ]; then
	warn "$FAILED step(s) failed (logs in $WORK)"
	rc=1
fi
phase "done in $(($(date +%s) - STARTED))s"
exit $rc
