#!/usr/bin/env bash
# scripts/asan.sh - the extension under AddressSanitizer + UBSan, or valgrind
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/asan.sh [--valgrind] [--short] [--keep] [SUITE...]

Builds the extension with instrumentation and runs suites against a PRIVATE
stack whose server loads that build; the system-wide install (`make
install`, used by every other stack on this machine) is never touched.

  (default)   gcc -fsanitize=address,undefined -fno-omit-frame-pointer;
              the postmaster runs with LD_PRELOAD=$(gcc -print-file-name=libasan.so)
              (plus scripts/asan_preinit.c, see there) and
              ASAN_OPTIONS=detect_leaks=0 (PostgreSQL's allocator confuses
              LeakSanitizer).  `make check-asan` runs this.
  --valgrind  the normal build (-O0 -g), the postmaster runs under
              valgrind --trace-children=no (backends are forks: they are
              followed) with scripts/valgrind.supp.  `make valgrind` runs
              this with the regress suite only.
  --short     the regress suite only (what test/sanitizers.sh runs in
              `make test`)
  --keep      leave the stack and the build directory in place

Suites: regress (pg_regress + isolation specs, run from a copy of the tree),
pgtap, http (node --test test/http/).  Default: regress pgtap http.

How the server finds the instrumented scim.so: PostgreSQL resolves $libdir
and its share directory relative to the postgres executable.  A private
tree is made under $TMPDIR with a copy of the server binaries (postgres
behind a small wrapper that sets LD_PRELOAD or starts valgrind, initdb,
pg_ctl, pg_config), symbolic links to every other file of the system
installation, and the instrumented scim.so and its control and SQL files
in place of the installed ones.  scripts/stack.sh runs on it through
SCIM_PGBIN.

Result: TAP on stdout; the last line is `# sanitizers: clean` or names what
was found.  Exit status 0 only when every suite passed and no report was
found in the server log (ASan/UBSan) or in the valgrind logs.

Environment
  SCIM_ASAN_CC=gcc     compiler of the ASan build (gcc or clang)
  SCIM_ASAN_DIR=DIR    where the build and the private tree go
                       (default ${TMPDIR:-/tmp}/scim-san-<pid>)
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
SCIM_LOG_PREFIX=asan

MODE=asan
SHORT=
KEEP=
SUITES=()
while [ $# -gt 0 ]; do
	case $1 in
		--valgrind) MODE=valgrind ;;
		--short) SHORT=1 ;;
		--keep) KEEP=1 ;;
		-h|--help) usage; exit 0 ;;
		regress|pgtap|http) SUITES+=("$1") ;;
		*) usage >&2; die "unknown argument: $1" ;;
	esac
	shift
done
if [ ${#SUITES[@]} -eq 0 ]; then
	if [ -n "$SHORT" ] || [ $MODE = valgrind ]; then SUITES=(regress); else SUITES=(regress pgtap http); fi
fi

cd "$SCIM_REPO"
SYS_BIN=$("$PGBIN/pg_config" --bindir)
SYS_LIB=$("$PGBIN/pg_config" --pkglibdir)
SYS_SHARE=$("$PGBIN/pg_config" --sharedir)
WORK=${SCIM_ASAN_DIR:-${TMPDIR:-/tmp}/scim-san-$$}
BUILD=$WORK/build
STACK_DIR=$SCIM_REPO/.run/$MODE-$$
STACK_UP=
# the private installation: same layout as the system one, under $WORK/pg
PRIV_BIN=$WORK/pg$SYS_BIN
PRIV_LIB=$WORK/pg$SYS_LIB
PRIV_SHARE=$WORK/pg$SYS_SHARE

cleanup() {
	local rc=$?
	if [ -n "$STACK_UP" ] && [ -z "$KEEP" ]; then
		SCIM_PGBIN=$PRIV_BIN "$SCIM_REPO/scripts/stack.sh" destroy --dir "$STACK_DIR" >/dev/null 2>&1 || true
	fi
	if [ -z "$KEEP" ]; then
		rm -rf "$WORK"
	else
		log "kept: $WORK and $STACK_DIR"
	fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- build ------------------------------------------------------------------------

build() {
	local cflags dir
	rm -rf "$BUILD"
	mkdir -p "$BUILD"
	cp -r Makefile scim.control src sql expected specs upgrade "$BUILD/"
	# the test aids (test/scim_test/): scim_test.so, built the same way
	mkdir -p "$BUILD/test"
	cp -r test/scim_test "$BUILD/test/"
	find "$BUILD" \( -name '*.o' -o -name '*.d' -o -name '*.so' -o -name '*.bc' \) -delete
	rm -rf "$BUILD/sql_built"
	if [ $MODE = asan ]; then
		cflags="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize=alignment -g -O1"
		log "building the extension with ${SCIM_ASAN_CC:-gcc} $cflags in $BUILD"
		for dir in "$BUILD" "$BUILD/test/scim_test"; do
			make -C "$dir" -s -j"$(nproc)" with_llvm=no CC="${SCIM_ASAN_CC:-gcc}" \
				SCIM_CFLAGS="$cflags" >>"$WORK/build.log" 2>&1 ||
				{ cat "$WORK/build.log" >&2; die "the instrumented build failed"; }
		done
	else
		cflags="-g -O0"
		log "building the extension with $cflags in $BUILD"
		for dir in "$BUILD" "$BUILD/test/scim_test"; do
			make -C "$dir" -s -j"$(nproc)" with_llvm=no SCIM_CFLAGS="$cflags" \
				>>"$WORK/build.log" 2>&1 ||
				{ cat "$WORK/build.log" >&2; die "the build failed"; }
		done
	fi
}

# --- the private installation tree -----------------------------------------------

# link_dir SRC DST [EXCLUDE-GLOB...]: DST gets a symbolic link to every entry
# of SRC but those matching one of the globs.
link_dir() {
	local src=$1 dst=$2 f name pat skip
	shift 2
	mkdir -p "$dst"
	for f in "$src"/* "$src"/.[!.]*; do
		[ -e "$f" ] || [ -L "$f" ] || continue
		name=${f##*/}
		skip=
		for pat in "$@"; do
			# shellcheck disable=SC2053
			[[ $name == $pat ]] && skip=1
		done
		[ -n "$skip" ] || ln -s "$f" "$dst/$name"
	done
}

make_tree() {
	local asan_rt wrapper f
	mkdir -p "$PRIV_BIN"
	link_dir "$SYS_BIN" "$PRIV_BIN" postgres postmaster initdb pg_ctl pg_config
	# real copies: these find the server, $libdir and the share directory
	# relative to their own location
	ln -s postgres "$PRIV_BIN/postmaster"
	cp "$SYS_BIN/postgres" "$PRIV_BIN/postgres.bin"
	cp "$SYS_BIN/initdb" "$SYS_BIN/pg_ctl" "$SYS_BIN/pg_config" "$PRIV_BIN/"

	link_dir "$SYS_LIB" "$PRIV_LIB" scim.so scim_test.so bitcode
	if [ -d "$SYS_LIB/bitcode" ]; then
		link_dir "$SYS_LIB/bitcode" "$PRIV_LIB/bitcode" scim scim.index.bc \
			scim_test scim_test.index.bc
	fi
	cp "$BUILD/scim.so" "$PRIV_LIB/scim.so"
	cp "$BUILD/test/scim_test/scim_test.so" "$PRIV_LIB/scim_test.so"

	link_dir "$SYS_SHARE" "$PRIV_SHARE" extension
	link_dir "$SYS_SHARE/extension" "$PRIV_SHARE/extension" scim.control 'scim--*' 'scim_test*'
	cp "$BUILD/scim.control" "$BUILD"/sql_built/scim--*.sql "$PRIV_SHARE/extension/"
	# the test aids (the extension scim_test, test/scim_test/, its library
	# copied above): the suites use them
	cp test/scim_test/scim_test.control test/scim_test/scim_test--*.sql "$PRIV_SHARE/extension/"
	# the scripts of the releases before it (upgrade/), as make install does
	for f in "$BUILD"/upgrade/scim--*.sql; do
		if [ -f "$f" ] && [ ! -e "$PRIV_SHARE/extension/${f##*/}" ]; then
			cp "$f" "$PRIV_SHARE/extension/"
		fi
	done

	wrapper=$PRIV_BIN/postgres
	if [ $MODE = asan ]; then
		if [ "${SCIM_ASAN_CC:-gcc}" = clang ]; then
			asan_rt=$(clang -print-file-name=libclang_rt.asan-x86_64.so)
		else
			asan_rt=$(gcc -print-file-name=libasan.so)
		fi
		[ -f "$asan_rt" ] || die "the ASan runtime $asan_rt is missing"
		# see scripts/asan_preinit.c: without it the server hangs at start
		gcc -shared -fPIC -O2 -o "$WORK/asan_preinit.so" scripts/asan_preinit.c \
			-Wl,--version-script=scripts/asan_preinit.map -ldl ||
			die "could not build scripts/asan_preinit.c"
		cat >"$wrapper" <<-EOF
		#!/bin/sh
		# Written by scripts/asan.sh: the server with the ASan runtime preloaded
		# (the instrumented scim.so needs it loaded first).
		export LD_PRELOAD='$asan_rt $WORK/asan_preinit.so'
		export ASAN_OPTIONS='detect_leaks=0:halt_on_error=1:abort_on_error=0:exitcode=66:detect_stack_use_after_return=0:print_summary=1:disable_coredump=1'
		export UBSAN_OPTIONS='print_stacktrace=1:print_summary=1'
		exec "\$(dirname "\$0")/postgres.bin" "\$@"
		EOF
	else
		mkdir -p "$WORK/valgrind"
		chmod 777 "$WORK/valgrind"
		cat >"$wrapper" <<-EOF
		#!/bin/sh
		# Written by scripts/asan.sh: the server under valgrind (memcheck).
		# initdb's runs (--boot, --single, --check) and queries are not checked
		case "\$1" in -V|--version|-C|--describe-config|--boot|--single|--check) exec "\$(dirname "\$0")/postgres.bin" "\$@" ;; esac
		exec valgrind --quiet --tool=memcheck --trace-children=no --track-origins=yes \\
			--leak-check=no --read-var-info=no --num-callers=30 --error-limit=no \\
			--suppressions='$SCIM_REPO/scripts/valgrind.supp' \\
			--log-file='$WORK/valgrind/%p.log' \\
			"\$(dirname "\$0")/postgres.bin" "\$@"
		EOF
	fi
	chmod 755 "$wrapper"
	chmod -R a+rX "$WORK"
	chmod a+x "$WORK"
	# sanity: the copied pg_config resolves into the private tree
	[ "$("$PRIV_BIN/pg_config" --pkglibdir)" = "$PRIV_LIB" ] ||
		die "the private tree is not relocatable ($("$PRIV_BIN/pg_config" --pkglibdir))"
}

# --- the suites ---------------------------------------------------------------

N=0
FAILED=0
tap() {	# tap OK|NOTOK DESCRIPTION
	N=$((N + 1))
	if [ "$1" = OK ]; then echo "ok $N - $2"; else echo "not ok $N - $2"; FAILED=$((FAILED + 1)); fi
}

run_regress() {
	local out=$WORK/regress.log rc=0
	set +e
	make -C "$BUILD" installcheck >"$out" 2>&1
	rc=$?
	set -e
	sed 's/^/# /' "$out" | grep -E '\.\.\. |tests? (passed|failed)|FAILED' || true
	if [ $rc -ne 0 ]; then
		[ -f "$BUILD/regression.diffs" ] && head -n 100 "$BUILD/regression.diffs" | sed 's/^/# /'
		[ -f "$BUILD/output_iso/regression.diffs" ] && head -n 100 "$BUILD/output_iso/regression.diffs" | sed 's/^/# /'
		tap NOTOK "regress under $MODE (pg_regress and isolation)"
	else
		tap OK "regress under $MODE (pg_regress and isolation)"
	fi
}

run_pgtap() {
	local f rc all=0
	"$SYS_BIN/psql" -X -q -c 'CREATE EXTENSION IF NOT EXISTS pgtap' >/dev/null 2>&1 || true
	for f in test/pgtap/*.sql; do
		[ -f "$f" ] || continue
		set +e
		PGOPTIONS="-c client_min_messages=warning" "$SYS_BIN/psql" -X -q -t -A \
			-v ON_ERROR_STOP=1 -P pager=off -f "$f" >"$WORK/pgtap.one" 2>&1
		rc=$?
		set -e
		if [ $rc -ne 0 ] || grep -q '^not ok' "$WORK/pgtap.one"; then
			all=1
			grep '^not ok' "$WORK/pgtap.one" | head -n 20 | sed 's/^/# /'
			tail -n 5 "$WORK/pgtap.one" | sed 's/^/# /'
		fi
	done
	if [ $all -eq 0 ]; then tap OK "pgtap under $MODE"; else tap NOTOK "pgtap under $MODE"; fi
}

run_http() {
	local out=$WORK/http.log rc
	set +e
	node --test --test-reporter=tap test/http/ >"$out" 2>&1
	rc=$?
	set -e
	grep -E '^# (tests|pass|fail|skipped)' "$out" || true
	if [ $rc -ne 0 ]; then
		grep -E '^ *not ok' "$out" | head -n 30 | sed 's/^/# /'
		tap NOTOK "http suite under $MODE"
	else
		tap OK "http suite under $MODE"
	fi
}

# reports in the server log (ASan, UBSan) or the valgrind logs
scan_reports() {
	local log=$SCIM_STACK_DIR/pg.log found=0 f
	if [ $MODE = asan ]; then
		if grep -qE 'ERROR: AddressSanitizer|runtime error:|SUMMARY: (Address|UndefinedBehavior)Sanitizer' "$log"; then
			found=1
			grep -nE -A 30 'ERROR: AddressSanitizer|runtime error:' "$log" | head -n 120 | sed 's/^/# /'
		fi
		if grep -qE 'terminated by signal|was terminated by|server process .* exited with exit code [^0]' "$log"; then
			found=1
			grep -nE 'terminated by signal|was terminated by|exited with exit code [^0]' "$log" | head -n 20 | sed 's/^/# /'
		fi
		if [ $found -eq 0 ]; then tap OK "no AddressSanitizer or UBSan report in the server log"
		else tap NOTOK "AddressSanitizer or UBSan reports in the server log ($log)"; fi
	else
		for f in "$WORK"/valgrind/*.log; do
			[ -s "$f" ] || continue
			if grep -qE '^==[0-9]+== (Invalid|Conditional|Use of uninit|Syscall param|Mismatched|Source and destination)' "$f"; then
				found=$((found + 1))
				head -n 60 "$f" | sed 's/^/# /'
				cp "$f" "$SCIM_REPO/.run/valgrind-$(basename "$f")"
			fi
		done
		echo "# valgrind: $(find "$WORK/valgrind" -name '*.log' | wc -l) process logs"
		if [ $found -eq 0 ]; then tap OK "valgrind: no memcheck error in any server process"
		else tap NOTOK "valgrind: memcheck errors in $found server processes (copies in .run/valgrind-*.log)"; fi
	fi
	if [ $found -eq 0 ]; then echo "# sanitizers: clean ($MODE)"; else echo "# sanitizers: REPORTS FOUND ($MODE)"; fi
}

# --- main ---------------------------------------------------------------------------

build
make_tree
echo "# $MODE build: $BUILD/scim.so in the private tree $WORK/pg"
echo "1..$((${#SUITES[@]} + 2))"

STACK_UP=1
# free ports from a random base above the ephemeral range (32768-60999:
# outgoing connections take ports in it); on a failed start, other ones
for try in 1 2 3; do
	base=$((RANDOM % 150))
	set +e
	env -u SCIM_PG_PORT -u SCIM_HTTP_PORT -u SCIM_HTTPS_PORT -u SCIM_STACK_SQL_INIT \
		SCIM_PGBIN="$PRIV_BIN" SCIM_PG_PORT_FROM=$((64000 + base * 4)) \
		SCIM_HTTP_PORT_FROM=$((63000 + base * 4)) SCIM_RATE_LIMIT=off SCIM_PGRST_POOL=4 \
		"$SCIM_REPO/scripts/stack.sh" start --dir "$STACK_DIR" >"$WORK/stack.log" 2>&1
	rc=$?
	set -e
	[ $rc -eq 0 ] && break
	SCIM_PGBIN=$PRIV_BIN "$SCIM_REPO/scripts/stack.sh" destroy --dir "$STACK_DIR" >/dev/null 2>&1 || true
done
if [ $rc -ne 0 ]; then
	sed 's/^/# /' "$WORK/stack.log"
	echo "Bail out! the private stack did not start"
	exit 1
fi
set -a
# shellcheck disable=SC1091
. "$STACK_DIR/env"
set +a

# the server must really run the instrumented build
maps=$("$SYS_BIN/psql" -X -At -c "CREATE EXTENSION IF NOT EXISTS scim_test" \
	-c "SELECT scim._filter_to_sql('User', 'userName eq \"x\"') IS NOT NULL" \
	-c "SELECT pg_read_file('/proc/self/maps')" 2>&1 || true)
if grep -q "$PRIV_LIB/scim.so" <<<"$maps" && grep -q "$PRIV_LIB/scim_test.so" <<<"$maps" &&
	{ [ $MODE = valgrind ] || grep -qE 'lib(asan|clang_rt\.asan)' <<<"$maps"; }; then
	tap OK "the server loads $PRIV_LIB/scim.so and scim_test.so$([ $MODE = asan ] && echo ' with the ASan runtime')"
else
	grep -E 'scim|asan|ERROR' <<<"$maps" | head -n 5 | sed 's/^/# /'
	tap NOTOK "the server loads the $MODE build of scim.so and scim_test.so"
fi

for s in "${SUITES[@]}"; do
	case $s in
		regress) run_regress ;;
		pgtap) run_pgtap ;;
		http) run_http ;;
	esac
done
# stop the server cleanly so that every backend has written its report
SCIM_PGBIN=$PRIV_BIN "$SCIM_REPO/scripts/stack.sh" stop --dir "$STACK_DIR" >/dev/null 2>&1 || true
scan_reports
[ $FAILED -eq 0 ]
