#!/usr/bin/env bash
# test/indent.sh - the C sources are formatted as scripts/indent.sh makes them (TAP)
#
# 1. pg_bsd_indent is installed (Debian package pg-bsd-indent).
# 2. scripts/indent.sh --check fails on a badly formatted probe file and
#    names it; formatting the probe makes --check pass, and formatting it
#    a second time changes nothing (the formatting is idempotent).
# 3. scripts/indent.sh --check passes on the tree: every tracked *.c and
#    *.h file is formatted and src/typedefs.list is up to date.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd -P) || exit 1
cd "$REPO" || exit 1
INDENT=${PG_BSD_INDENT:-pg_bsd_indent}

echo "1..3"
if ! command -v "$INDENT" >/dev/null 2>&1; then
	echo "not ok 1 - $INDENT is installed (Debian package pg-bsd-indent, scripts/deps.sh)"
	echo "not ok 2 - --check reports a file that is not formatted # $INDENT missing"
	echo "not ok 3 - the C sources are formatted # $INDENT missing"
	exit 1
fi
echo "ok 1 - $INDENT is installed"

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/probe.c" <<'EOF'
/* probe */
static int probe(ScimJson *v, int n) {
  int i; for (i = 0; i < n; i++) if (v == NULL) return -1;
  return n*2;
}
EOF
problems=
out=$(scripts/indent.sh --check "$tmp/probe.c" 2>&1)
rc=$?
[ "$rc" -eq 1 ] || problems+="--check on the probe exited $rc, not 1; "
[[ $out == *"$tmp/probe.c"* ]] || problems+="--check did not name the probe: $out; "
scripts/indent.sh "$tmp/probe.c" 2>/dev/null || problems+="formatting the probe failed; "
cp "$tmp/probe.c" "$tmp/once.c"
scripts/indent.sh --check "$tmp/probe.c" >/dev/null 2>&1 || problems+="--check fails on the formatted probe; "
scripts/indent.sh "$tmp/probe.c" 2>/dev/null
cmp -s "$tmp/probe.c" "$tmp/once.c" || problems+="a second run changed the probe; "
grep -q '^probe(ScimJson \*v, int n)$' "$tmp/probe.c" || problems+="the probe was not formatted PostgreSQL's way: $(cat "$tmp/probe.c"); "
if [ -z "$problems" ]; then
	echo "ok 2 - --check reports a file that is not formatted; formatting is idempotent"
else
	echo "not ok 2 - --check reports a file that is not formatted; formatting is idempotent"
	echo "#   $problems"
fi

out=$(scripts/indent.sh --check 2>&1)
rc=$?
if [ "$rc" -eq 0 ]; then
	echo "ok 3 - the C sources are formatted (scripts/indent.sh --check)"
else
	echo "not ok 3 - the C sources are formatted (scripts/indent.sh --check)"
	printf '%s\n' "$out" | sed 's/^/#   /'
	echo "#   run scripts/indent.sh to format them"
fi
[ -z "$problems" ] && [ "$rc" -eq 0 ]
