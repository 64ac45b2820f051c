#!/usr/bin/env bash
# scripts/indent.sh - format the C sources the way PostgreSQL's pgindent does
set -euo pipefail

usage() {
	cat <<'EOF'
usage: scripts/indent.sh [--check] [FILE...]
       scripts/indent.sh --typedefs

Formats C files with pg_bsd_indent (Debian package pg-bsd-indent, installed
by scripts/deps.sh), with the options of PostgreSQL 15's pgindent and the
typedef names of src/typedefs.list.  Without FILEs: every tracked *.c and
*.h file (src/, test/unit/, test/fuzz/, scripts/).

  (no option)  rewrite the files that are not formatted
  --check      change nothing; print the files that would change, and
               whether src/typedefs.list is out of date; exit 1 if any
  --typedefs   rewrite src/typedefs.list: the typedef names declared in
               our C files, the ones of PostgreSQL's server headers that
               our C files use, and a few of the C library

Formatting is deterministic and idempotent: a second run changes nothing.
Environment: PG_BSD_INDENT (default pg_bsd_indent), PG_CONFIG (the headers
for --typedefs; default $SCIM_PGBIN/pg_config, then /usr/lib/postgresql/15).
EOF
}

# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
SCIM_LOG_PREFIX=indent
cd "$SCIM_REPO"

INDENT=${PG_BSD_INDENT:-pg_bsd_indent}
TYPEDEFS=src/typedefs.list

# pgindent's options for pg_bsd_indent 2.1.1 (PostgreSQL 15): blank lines
# after declaration blocks and function bodies, before block comments;
# declarations one per line; braces on their own lines; case labels half
# indented; 4-column indents with tabs of 4; declarators at column 13
# (-di12); comments of declarations at column 33 (-cp33); lines of 79;
# continuation lines under the open parenthesis (-lp, -lpl); no space after
# a cast; function names at the start of their line (-tpg: PostgreSQL's
# switch); block comments with the delimiters on their own lines (-cdb);
# comments starting in column 1 left alone (-nfc1); no .indent.pro (-npro).
OPTS=(-bad -bap -bbb -bc -bl -cli1 -cp33 -cdb -nce -d0 -di12 -nfc1 -i4 -l79
      -lp -lpl -nip -npro -sac -tpg -ts4)

mode=format
case "${1:-}" in
	-h|--help|help) usage; exit 0 ;;
	--check) mode=check; shift ;;
	--typedefs) mode=typedefs; shift ;;
	-*) usage >&2; exit 2 ;;
esac

c_files() {
	if [ $# -gt 0 ]; then
		printf '%s\n' "$@"
	elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- '*.c' '*.h' | LC_ALL=C sort
	else
		find src test/unit test/fuzz scripts -name '*.[ch]' | LC_ALL=C sort
	fi
}

# extract_typedefs FILE...: every name a typedef declares, one a line
# (struct, union and enum bodies, plain and pointer types, arrays,
# function pointers and function types).
extract_typedefs() {
	perl -e '
	local $/;
	for my $f (@ARGV) {
		open my $fh, "<", $f or next;
		my $s = <$fh>;
		$s =~ s{/\*.*?\*/}{ }gs;              # comments
		$s =~ s{//[^\n]*}{}g;
		$s =~ s{^[ \t]*#(?:[^\n]*\\\n)*[^\n]*}{}gm;  # preprocessor lines
		while ($s =~ /\btypedef\b/g) {
			my $pos = pos($s);
			my ($depth, $i, $n) = (0, $pos, length $s);
			for (; $i < $n; $i++) {
				my $c = substr($s, $i, 1);
				if ($c eq "{" || $c eq "(") { $depth++ }
				elsif ($c eq "}" || $c eq ")") { $depth-- }
				elsif ($c eq ";" && $depth == 0) { last }
			}
			my $decl = substr($s, $pos, $i - $pos);
			pos($s) = $i;
			$decl =~ s/\{.*\}/ /s;                 # the body of a struct
			if ($decl =~ /\(\s*\*+\s*(\w+)\s*\)\s*\(/) { print "$1\n"; next }
			$decl =~ s/\[[^\]]*\]//g;              # array bounds
			$decl =~ s/\(.*\)\s*$//s;              # a function type
			for my $d (split /,/, $decl) {
				print "$1\n" if $d =~ /(\w+)\s*$/;
			}
		}
	}' "$@"
}

# the typedefs list as it should be, on stdout
make_typedefs() {
	local pgc=${PG_CONFIG:-$PGBIN/pg_config} inc tmp
	[ -x "$pgc" ] || pgc=/usr/lib/postgresql/15/bin/pg_config
	inc=$("$pgc" --includedir-server) || die "cannot run $pgc"
	[ -f "$inc/postgres.h" ] || die "no PostgreSQL server headers in $inc (postgresql-server-dev-15)"
	tmp=$(mktemp -d)
	# our own
	mapfile -t ours < <(c_files)
	extract_typedefs "${ours[@]}" | sort -u >"$tmp/own"
	# PostgreSQL's, only those our files name
	find "$inc" -name '*.h' | LC_ALL=C sort >"$tmp/headers"
	mapfile -t hdrs <"$tmp/headers"
	extract_typedefs "${hdrs[@]}" | sort -u >"$tmp/pg"
	# the identifiers of our code (comments and literals left out)
	perl -0777 -ne '
		s{/\*.*?\*/}{ }gs; s{//[^\n]*}{}g;
		s{"(?:[^"\\\n]|\\.)*"}{""}g; s{\x27(?:[^\x27\\\n]|\\.)*\x27}{0}g;
		print "$_\n" for /\b([A-Za-z_]\w*)\b/g;' "${ours[@]}" | sort -u >"$tmp/words"
	# a few of the C library's (not in PostgreSQL's headers)
	printf '%s\n' FILE int16_t locale_t int32_t int64_t int8_t intptr_t ptrdiff_t size_t \
		ssize_t uint16_t uint32_t uint64_t uint8_t uintptr_t va_list >"$tmp/libc"
	{
		cat "$tmp/own"
		comm -12 "$tmp/pg" "$tmp/words"
		comm -12 <(sort "$tmp/libc") "$tmp/words"
	} | LC_ALL=C sort -u
	rm -rf "$tmp"
}

if [ "$mode" = typedefs ]; then
	[ $# -eq 0 ] || { usage >&2; exit 2; }
	make_typedefs >"$TYPEDEFS.new"
	mv "$TYPEDEFS.new" "$TYPEDEFS"
	ok "$TYPEDEFS: $(wc -l <"$TYPEDEFS") names"
	exit 0
fi

command -v "$INDENT" >/dev/null 2>&1 ||
	die "$INDENT not found: install the Debian package pg-bsd-indent (scripts/deps.sh)"
case "$("$INDENT" --version 2>&1)" in
	*"pg_bsd_indent 2.1."*) ;;
	*) die "$INDENT is not pg_bsd_indent 2.1.x: $("$INDENT" --version 2>&1 | head -n 1)" ;;
esac
[ -f "$TYPEDEFS" ] || die "$TYPEDEFS is missing: run scripts/indent.sh --typedefs"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The names pg_bsd_indent treats as types: the list, plus "bool" (a macro
# in <stdbool.h>), minus PostgreSQL typedef names that are also common
# variable names, which would be formatted as types ("p->text +n"): the
# ones pgindent leaves out, and "text", a field and parameter name in our
# parsers (the after-step below mends "f(text * t)" in parameter lists).
{
	cat "$TYPEDEFS"
	echo bool
} | grep -vxE 'ANY|FD_SET|U|abs|allocfunc|boolean|date|digit|ilist|interval|iterator|other|pointer|printfunc|reference|string|text|timestamp|type|wrap' \
	| LC_ALL=C sort -u >"$work/typedefs"

# format_one SRC OUT: OUT is SRC formatted; fails with pg_bsd_indent's
# complaint on stderr.
format_one() {
	local src=$1 out=$2 err
	# before: // comments at the start of a line become /* */ comments;
	# "/* ---" comments (hand-drawn boxes) are hidden from the reflow.
	perl -pe 's{^([ \t]*)//(.*)$}{$1/* $2 */}; s{/\* +---}{/*---X_X}g' "$src" >"$work/in.c"
	rm -f "$work/out.c"
	err=$("$INDENT" "${OPTS[@]}" "-U$work/typedefs" "$work/in.c" "$work/out.c" 2>&1) || true
	if [ -n "$err" ] || [ ! -f "$work/out.c" ]; then
		echo "$src: $err" >&2
		return 1
	fi
	# after: the boxes back; two comments run together get a tab between
	# them; one space between a return type and a lone "*" on its line;
	# "text * name" back to "text *name" (a text pointer is never
	# multiplied, and "text" is not in the typedefs above).
	perl -pe 's{/\*---X_X}{/* ---}g; s{\*/(/\*.*\*/)$}{*/\t$1}; s{^([A-Za-z_]\S*)[ \t]+\*$}{$1 *};
		s{\btext \* (?=[A-Za-z_])}{text *}g' \
		"$work/out.c" >"$out"
}

mapfile -t files < <(c_files "$@")
changed=()
failed=0
for f in "${files[@]}"; do
	[ -f "$f" ] || { warn "$f: no such file"; failed=1; continue; }
	if ! format_one "$f" "$work/result"; then
		failed=1
		continue
	fi
	cmp -s "$f" "$work/result" && continue
	changed+=("$f")
	if [ "$mode" = format ]; then
		cat "$work/result" >"$f"
	fi
done

if [ "$mode" = check ]; then
	status=0
	if [ ${#changed[@]} -gt 0 ]; then
		printf 'not formatted: %s\n' "${changed[@]}"
		status=1
	fi
	if [ $# -eq 0 ] && ! make_typedefs | cmp -s - "$TYPEDEFS"; then
		echo "out of date: $TYPEDEFS (run scripts/indent.sh --typedefs)"
		status=1
	fi
	[ "$failed" -eq 0 ] || status=1
	exit "$status"
fi

[ ${#changed[@]} -eq 0 ] || log "formatted: ${changed[*]}"
exit "$failed"
