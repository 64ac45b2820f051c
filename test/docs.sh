#!/usr/bin/env bash
# test/docs.sh - run the examples of the documentation, so that it cannot rot.
#
# Every ```sql block of docs/sql-api.md is run, in order, in one psql session
# against the scim database of the test stack (PG* from its env file);
# each block is one TAP test that passes when psql reports no error.
set -euo pipefail
cd "$(dirname "$0")/.."

files=(docs/sql-api.md)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# cut the sql blocks out, one file each, numbered in document order
n=0
for f in "${files[@]}"; do
	awk -v dir="$work" -v src="$f" -v start="$n" '
		/^```sql$/ { inblock = 1; k++; out = sprintf("%s/%04d.sql", dir, start + k); print "-- " src " block " k > out; next }
		/^```$/ && inblock { inblock = 0; close(out); next }
		inblock { print > out }
	' "$f"
	n=$(ls "$work" | wc -l)
done

blocks=("$work"/*.sql)
echo "1..${#blocks[@]}"
# one session for all blocks: later blocks use the \gset variables of earlier ones
script=$work/all.psql
: > "$script"
i=0
for b in "${blocks[@]}"; do
	i=$((i + 1))
	{
		echo "\\echo BEGIN-BLOCK $i"
		cat "$b"
		echo
		echo "\\echo END-BLOCK $i"
	} >> "$script"
done
psql -X -q -v ON_ERROR_STOP=0 -f "$script" > "$work/out.txt" 2>&1 || true

i=0
for b in "${blocks[@]}"; do
	i=$((i + 1))
	section=$(sed -n "/^BEGIN-BLOCK $i\$/,/^END-BLOCK $i\$/p" "$work/out.txt")
	name=$(head -1 "$b" | sed 's/^-- //')
	if [ -z "$section" ] || ! printf '%s\n' "$section" | grep -q "^END-BLOCK $i\$"; then
		echo "not ok $i - $name (did not run)"
	elif printf '%s\n' "$section" | grep -qE '(^|:)[0-9]*: *ERROR:|^ERROR:|^psql:.*ERROR'; then
		echo "not ok $i - $name"
		printf '%s\n' "$section" | grep -E 'ERROR' | sed 's/^/# /'
	else
		echo "ok $i - $name"
	fi
done
