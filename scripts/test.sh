#!/usr/bin/env bash
# scripts/test.sh - every test suite, against a private stack; used by `make test`
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/test.sh [SUITE...]

Runs the test suites and prints, as its very last line, `N passed, M failed`.
`make test` installs what is missing, builds with -Werror, installs the
extension, then calls this.  Exit status: 0 only if nothing failed.

Suites (run in this order; a suite with no files yet is skipped silently):
  unit     make -C test/unit check                  (TAP)
  fuzz     make -C test/fuzz smoke FUZZ_SECONDS=30  (TAP)
  regress  make installcheck (pg_regress: sql/ vs expected/), one count per test
  pgtap    test/pgtap/*.sql, each file with psql in the scim database (TAP)
  http     node --test test/http/ (files *.test.mjs; TAP)
  extra    test/*.sh and test/*/run.sh printing TAP (each must be executable:
           one without its run bit counts as a failure)
Give suite names to run only those.

A suite (for pgtap and extra: each file) that runs longer than
SCIM_SUITE_TIMEOUT seconds is stopped and counts one more failure.

Before the suites after fuzz, the test-only extension scim_test (the test
aids, test/scim_test/: an SQL script and scim_test.so) is built and
installed with `make -C test/scim_test install` into the server tree of
$PG_CONFIG (default $SCIM_PGBIN/pg_config); the regression suite loads it,
the pgTAP files that use it create it.

The suites after fuzz run against a PRIVATE stack, started with
  scripts/stack.sh start --dir .run/test-<pid>
on free ports (never the developer's stack), with its env file exported
(SCIM_BASE_URL, SCIM_TOKEN, SCIM_HTTPS_URL, SCIM_CA_CERT, SCIM_STACK_DIR,
PGHOST, PGPORT, PGUSER, PGDATABASE).  It is stopped and deleted at the end.

Counting
  TAP: every `ok`/`not ok` line that is a leaf counts once; a line closing a
  group of subtests (node's suites and tests with subtests: the line right
  after an indented `1..N` plan) is not counted, unless it failed for a
  reason of its own.  `# SKIP` and `# TODO` count as skipped.  One more
  failure when fewer top-level results came than the top-level plans
  (1..N, summed over a suite's TAP streams) announced, for `Bail out!`, and
  for a suite that exits non-zero without a counted failure.
  pg_regress: each `test NAME ... ok|FAILED` line.
  A suite stopped by its time limit: one failure more.

Environment
  FUZZ_SECONDS=30     length of the fuzz smoke run
  SCIM_SUITE_TIMEOUT=1200  time limit of a suite (pgtap, extra: of a file), s
  KEEP_STACK=1        leave the private stack running (and its directory)
  SCIM_TEST_RATE_LIMIT=1000r/s   nginx rate limit of the private stack
  SCIM_STACK_SQL_INIT=FILE       passed to stack.sh (harness self-tests only:
                                 the real run uses CREATE EXTENSION scim)
  Logs: .run/test-logs/<suite>.log
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
SCIM_LOG_PREFIX="test"

for a in "$@"; do
	case $a in
		-h|--help|help) usage; exit 0 ;;
		unit|fuzz|regress|pgtap|http|extra) ;;
		*) usage >&2; die "unknown suite: $a" ;;
	esac
done
want_suite() {
	[ $# -ge 1 ] || return 1
	local s=$1
	shift
	[ ${#ONLY[@]} -eq 0 ] && return 0
	local x
	for x in "${ONLY[@]}"; do [ "$x" = "$s" ] && return 0; done
	return 1
}
ONLY=("$@")

cd "$SCIM_REPO"
LOGDIR=$SCIM_REPO/.run/test-logs
mkdir -p "$LOGDIR"
STACK_DIR=$SCIM_REPO/.run/test-$$
STACK_UP=

TOTAL_PASS=0
TOTAL_FAIL=0
SUMMARY=()
LIMIT=${SCIM_SUITE_TIMEOUT:-1200}

# --- counting -------------------------------------------------------------------

# tap_count FILE: print "PASS FAIL SKIP" for the TAP in FILE (see --help).
tap_count() {
	awk '
	function indent(s) { match(s, /^ */); return RLENGTH }
	BEGIN { pass = 0; fail = 0; skip = 0; inyaml = 0; pending = 0; lastres = 0
	        prevplan = -1; topplan = 0; plans = 0; topcount = 0 }
	{
		line = $0; sub(/\r$/, "", line)
		ind = indent(line); t = substr(line, ind + 1)
		if (inyaml) {
			if (t == "...") { inyaml = 0; if (pending) { fail++; pending = 0 } }
			else if (t ~ /failureType: *.subtestsFailed/) pending = 0
			next
		}
		if (t == "---" && lastres) { inyaml = 1; lastres = 0; next }
		lastres = 0
		if (pending) { fail++; pending = 0 }
		if (t == "" || t ~ /^#/) next
		if (t ~ /^Bail out!/) { fail++; prevplan = -1; next }
		if (t ~ /^1\.\.[0-9]+/) {
			if (ind == 0) { n = t; sub(/^1\.\./, "", n); topplan += n + 0; plans++ }
			prevplan = ind; next
		}
		if (t ~ /^(not )?ok([ \t]|$)/) {
			parent = (prevplan == ind + 4)
			prevplan = -1; lastres = 1
			if (ind == 0) topcount++
			if (parent) { if (t ~ /^not ok/) pending = 1; next }
			if (toupper(t) ~ /#[ \t]*(SKIP|TODO)/) skip++
			else if (t ~ /^not ok/) fail++
			else pass++
			next
		}
		prevplan = -1
	}
	END {
		if (pending) fail++
		if (plans > 0 && topcount < topplan) fail++
		print pass, fail, skip
	}' "$1"
}

# regress_count FILE: pg_regress (PG 15) result lines.
regress_count() {
	awk '
	/^(test +| +)[^ ]+ +\.\.\. +ok/            { pass++; next }
	/^(test +| +)[^ ]+ +\.\.\. +failed \(ignored\)/ { skip++; next }
	/^(test +| +)[^ ]+ +\.\.\. +FAILED/        { fail++; next }
	END { print pass + 0, fail + 0, skip + 0 }' "$1"
}

# record SUITE PASS FAIL SKIP RC [NOTE]: add to the totals; a non-zero RC with
# no counted failure counts as one failure, a time-out (RC 124, or 137 when it
# had to be killed) one more failure in any case.
record() {
	local s=$1 p=$2 f=$3 k=$4 rc=$5 note=${6:+ ($6)}
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		f=$((f + 1))
		note=" (stopped after its time limit, $LIMIT s)"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		note=" (exit status $rc)"
	fi
	TOTAL_PASS=$((TOTAL_PASS + p))
	TOTAL_FAIL=$((TOTAL_FAIL + f))
	SUMMARY+=("$(printf '%-8s %5d passed, %d failed, %d skipped%s' "$s" "$p" "$f" "$k" "$note")")
}

# run_logged SUITE CMD...: run CMD, for at most LIMIT seconds, with its output
# on the terminal and in the suite's log; sets RC (124: timed out).
run_logged() {
	local s=$1
	shift
	echo
	echo "=== $s: $*"
	set +e
	timeout --kill-after=30 "$LIMIT" "$@" 2>&1 | tee "$LOGDIR/$s.log"
	RC=${PIPESTATUS[0]}
	set -e
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		echo "# $s: stopped after its time limit of $LIMIT s (SCIM_SUITE_TIMEOUT)" | tee -a "$LOGDIR/$s.log"
	fi
}

# --- the private stack ------------------------------------------------------------

stop_stack() {
	[ -n "$STACK_UP" ] || return 0
	STACK_UP=
	if [ "${KEEP_STACK:-}" = 1 ]; then
		log "KEEP_STACK=1: leaving the stack in $STACK_DIR (stop it with scripts/stack.sh destroy --dir $STACK_DIR)"
		return 0
	fi
	"$SCIM_REPO/scripts/stack.sh" destroy --dir "$STACK_DIR" >>"$LOGDIR/stack.log" 2>&1 || true
}
trap stop_stack EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_stack() {
	echo
	echo "=== stack: scripts/stack.sh start --dir $STACK_DIR"
	STACK_UP=1
	set +e
	env -u SCIM_PG_PORT -u SCIM_HTTP_PORT -u SCIM_HTTPS_PORT \
		SCIM_PG_PORT_FROM=54340 SCIM_HTTP_PORT_FROM=18080 \
		SCIM_RATE_LIMIT="${SCIM_TEST_RATE_LIMIT:-1000r/s}" SCIM_RATE_BURST=2000 \
		SCIM_ANON_RATE=1000r/s SCIM_ANON_BURST=2000 SCIM_ADDR_RATE=100000r/s SCIM_ADDR_BURST=200000 \
		SCIM_CONN_PER_TOKEN=1000 SCIM_CONN_PER_ADDR=1000 \
		"$SCIM_REPO/scripts/stack.sh" start --dir "$STACK_DIR" >"$LOGDIR/stack.log" 2>&1
	local rc=$?
	set -e
	if [ $rc -ne 0 ] || [ ! -f "$STACK_DIR/env" ]; then
		cat "$LOGDIR/stack.log"
		return 1
	fi
	grep -v '^  \(curl\|TOKEN\)' "$LOGDIR/stack.log" | sed -n '/^scim is running/,/environment/p'
	set -a
	# shellcheck disable=SC1091
	. "$STACK_DIR/env"
	set +a
	return 0
}

# --- the suites ---------------------------------------------------------------------

suite_unit() {
	[ -f test/unit/Makefile ] || return 0
	run_logged unit make -C test/unit check
	read -r p f k < <(tap_count "$LOGDIR/unit.log")
	record unit "$p" "$f" "$k" "$RC"
}

suite_fuzz() {
	[ -f test/fuzz/Makefile ] || return 0
	run_logged fuzz make -C test/fuzz smoke "FUZZ_SECONDS=${FUZZ_SECONDS:-30}"
	read -r p f k < <(tap_count "$LOGDIR/fuzz.log")
	record fuzz "$p" "$f" "$k" "$RC"
}

suite_regress() {
	compgen -G 'sql/*.sql' >/dev/null || return 0
	rm -f regression.diffs regression.out
	run_logged regress make -C "$SCIM_REPO" installcheck
	read -r p f k < <(regress_count "$LOGDIR/regress.log")
	if [ "$RC" -ne 0 ] || [ "$f" -gt 0 ]; then
		if [ -s regression.diffs ]; then
			echo "--- regression.diffs (first 400 lines; all of it in $SCIM_REPO/regression.diffs)"
			head -n 400 regression.diffs
		fi
	fi
	record regress "$p" "$f" "$k" "$RC"
}

suite_pgtap() {
	compgen -G 'test/pgtap/*.sql' >/dev/null || return 0
	: >"$LOGDIR/pgtap.log"
	local p=0 f=0 k=0 fp ff fk rc file
	echo
	echo "=== pgtap: psql -f test/pgtap/*.sql (database $PGDATABASE)"
	if ! "$PGBIN/psql" -X -q -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION IF NOT EXISTS pgtap' >>"$LOGDIR/pgtap.log" 2>&1; then
		cat "$LOGDIR/pgtap.log"
		record pgtap 0 0 0 1
		return 0
	fi
	for file in test/pgtap/*.sql; do
		echo "# $file" | tee -a "$LOGDIR/pgtap.log"
		set +e
		PGOPTIONS="-c client_min_messages=warning" \
			timeout --kill-after=30 "$LIMIT" \
			"$PGBIN/psql" -X -q -t -A -v ON_ERROR_STOP=1 -P pager=off -f "$file" \
			>"$LOGDIR/pgtap.one" 2>&1
		rc=$?
		set -e
		tee -a "$LOGDIR/pgtap.log" <"$LOGDIR/pgtap.one"
		read -r fp ff fk < <(tap_count "$LOGDIR/pgtap.one")
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			ff=$((ff + 1))
			echo "not ok - $file: stopped after its time limit of $LIMIT s" | tee -a "$LOGDIR/pgtap.log"
		elif [ $rc -ne 0 ] && [ "$ff" -eq 0 ]; then
			ff=1
			echo "not ok - $file: psql exited with status $rc" | tee -a "$LOGDIR/pgtap.log"
		elif ! grep -q '^1\.\.[0-9]' "$LOGDIR/pgtap.one"; then
			ff=$((ff + 1))
			echo "not ok - $file: no plan (1..N) printed" | tee -a "$LOGDIR/pgtap.log"
		fi
		p=$((p + fp)) f=$((f + ff)) k=$((k + fk))
	done
	rm -f "$LOGDIR/pgtap.one"
	record pgtap "$p" "$f" "$k" 0
}

suite_http() {
	compgen -G 'test/http/*.test.mjs' >/dev/null || return 0
	run_logged http node --test --test-reporter=tap test/http/
	read -r p f k < <(tap_count "$LOGDIR/http.log")
	record http "$p" "$f" "$k" "$RC"
}

suite_extra() {
	local s name
	for s in test/*.sh test/*/run.sh; do
		[ -f "$s" ] || continue
		name=$(echo "${s#test/}" | sed 's|/run\.sh$||; s|\.sh$||; s|/|-|g')
		if [ ! -x "$s" ]; then
			echo
			echo "=== $name: $s is not executable (chmod +x): not run"
			record "$name" 0 1 0 0 "not executable"
			continue
		fi
		run_logged "$name" "$s"
		read -r p f k < <(tap_count "$LOGDIR/$name.log")
		record "$name" "$p" "$f" "$k" "$RC"
	done
}

# suites that need the stack, and whether they have files
needs_stack() {
	compgen -G 'sql/*.sql' >/dev/null && want_suite regress && return 0
	compgen -G 'test/pgtap/*.sql' >/dev/null && want_suite pgtap && return 0
	compgen -G 'test/http/*.test.mjs' >/dev/null && want_suite http && return 0
	if want_suite extra; then
		local s
		for s in test/*.sh test/*/run.sh; do [ -f "$s" ] && return 0; done
	fi
	return 1
}

want_suite unit && suite_unit
want_suite fuzz && suite_fuzz

# install_test_module: the scim_test extension into the server tree
install_test_module() {
	echo
	echo "=== scim_test: make -C test/scim_test install"
	make -C test/scim_test install PG_CONFIG="${PG_CONFIG:-$PGBIN/pg_config}" >"$LOGDIR/scim_test.log" 2>&1 || {
		cat "$LOGDIR/scim_test.log"
		return 1
	}
}

if needs_stack; then
	if ! install_test_module; then
		record scim_test 0 0 0 1
		echo "the test-only extension scim_test did not install: the suites that need the stack did not run"
	elif start_stack; then
		want_suite regress && suite_regress
		want_suite pgtap && suite_pgtap
		want_suite http && suite_http
		want_suite extra && suite_extra
	else
		record stack 0 0 0 1
		echo "the private stack did not start: the suites that need it did not run"
	fi
	stop_stack
fi

echo
echo "=== summary"
if [ ${#SUMMARY[@]} -eq 0 ]; then
	echo "(no suite has any test yet)"
else
	printf '%s\n' "${SUMMARY[@]}"
fi
echo "$TOTAL_PASS passed, $TOTAL_FAIL failed"
[ "$TOTAL_FAIL" -eq 0 ]
