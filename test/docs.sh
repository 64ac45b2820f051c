#!/usr/bin/env bash
# test/docs.sh - run the examples of the documentation, so that it cannot rot.
#
# README.md and every docs/*.md are read in order.  In each file, the fenced
# blocks run in document order in ONE bash session (variables carry over from
# block to block), and the ```sql blocks in ONE psql session fed by that bash
# session (\gset variables carry over too):
#
#   ```sql, ```sh, ```bash            run; each block is one TAP test
#   ```sql norun, ```sh norun         shown only (make run itself, production
#                                     files, Citus): not run, not counted
#   ```text ```ini ```nginx ```json ```http ```systemd ``` (no tag) ...
#                                     never run
#
# A ```sql block fails when psql reports an ERROR or FATAL; a ```sh block
# fails when a command in it fails (set -e, pipefail): later blocks of that
# file then do not run and fail too.  Every curl in a block fails on an HTTP
# error unless the block prints the status itself: curl is a function there
# that adds --fail-with-body unless its arguments already have --fail or
# --fail-with-body, or show the status (-i/--include, or -w with
# %{http_code}); a status the block prints is then checked as below.
#
# What the prose says a block prints is checked: when the paragraph right
# after a runnable block says that it prints something ("prints `401`"),
# every `code span` of the clauses that say "print" must appear in what the
# block printed (one shorter than 5 characters as a whole line); a second
# TAP result per such block.
#
# Where the blocks run: a sandbox directory that looks like the repository
# (its files are symbolic links to the real ones) with its own .run/env, so
# that `. .run/env` and scripts/scimctl reach the TEST stack, never the
# developer's.  SCIM_TOKEN there belongs to tenant "docs-tour", made here, so
# the README's tour never touches the tenants of the other suites.
#
# Before running, everything the docs' runnable blocks create is removed, so
# the script can run again on the same stack: the tenants
# (scim.tenant_create('X') and `scimctl tenant create X`), schemas (CREATE
# SCHEMA X), roles (CREATE ROLE X) and databases (createdb X, CREATE DATABASE
# X) they name.  That is
# only done on a private test stack (SCIM_STACK_DIR under .run/test-*, as
# scripts/test.sh makes) or with DOCS_CLEAN=1: a second run on another stack
# may then fail on what the first one made.
#
# Environment: SCIM_BASE_URL and the PG* variables of the test stack (exported
# by scripts/test.sh for executable test/*.sh).  DOCS_VERBOSE=1 also prints
# what each block printed.  Prints TAP.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$REPO" || exit 1

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	fails=$((fails + 1))
	echo "not ok $n - $1"
	[ $# -lt 2 ] || printf '%s\n' "$2" | sed 's/^/#   /'
}
finish() {
	echo "1..$n"
	exit $((fails > 0))
}

if [ -z "${SCIM_BASE_URL:-}" ] || [ -z "${PGDATABASE:-}" ]; then
	not_ok "test stack environment" \
		"SCIM_BASE_URL and PG* are not set: run through scripts/test.sh (or source a stack's env file)"
	finish
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

DOCS=(README.md)
for f in docs/*.md; do DOCS+=("$f"); done

# --- extraction --------------------------------------------------------------------------

# extract FILE DIR: one file per fenced block in DIR (001, 002, ...) and a
# manifest DIR/blocks with "k|lang|flags|line" per block.
extract() {
	local file=$1 dir=$2
	mkdir -p "$dir"
	awk -v dir="$dir" '
		BEGIN { manifest = dir "/blocks" ; printf "" > manifest }
		inblock && /^```[ \t]*$/ {
			inblock = 0; close(out)
			prose = sprintf("%s/%03d.prose", dir, k); printf "" > prose
			inprose = 1; seen = 0
			next
		}
		inprose && (/^```/ || /^#/ || (/^[ \t]*$/ && seen)) { inprose = 0; close(prose) }
		inprose && /^[ \t]*$/ { next }
		inprose { print > prose; seen = 1; next }
		!inblock && /^```/ {
			info = substr($0, 4); sub(/[ \t]+$/, "", info)
			lang = info; sub(/[ \t].*$/, "", lang)
			flags = ""
			if (index(info, " ") > 0) { flags = info; sub(/^[^ \t]*[ \t]+/, "", flags) }
			k++; inblock = 1
			out = sprintf("%s/%03d", dir, k)
			printf "" > out
			printf "%d|%s|%s|%d\n", k, lang, flags, NR >> manifest
			next
		}
		inblock { print > out }
		END { if (inblock) print "UNTERMINATED" >> manifest }
	' "$file"
}

RUN_LANGS=" sql sh bash "
SHOW_LANGS=" text ini nginx json http systemd console conf yaml diff c "

# --- lint: block tags, indented fences, links ------------------------------------------------

for f in "${DOCS[@]}"; do
	d=$work/blocks/$(echo "$f" | tr '/.' '__')
	extract "$f" "$d"
	problems=
	if grep -q '^UNTERMINATED' "$d/blocks"; then
		problems+="a fenced block is not closed"$'\n'
	fi
	while IFS='|' read -r k lang flags line; do
		[ "$k" = UNTERMINATED ] && continue
		case " $flags " in *" norun "*|"  ") ;; *) problems+="line $line: unknown flags \"$flags\" (only norun)"$'\n' ;; esac
		if [ -z "$lang" ] || [[ $RUN_LANGS == *" $lang "* ]] || [[ $SHOW_LANGS == *" $lang "* ]]; then
			continue
		fi
		problems+="line $line: unknown block tag \"$lang\" (known: sql sh bash, and text ini nginx json http systemd console conf yaml diff c, never run)"$'\n'
	done <"$d/blocks"
	if grep -nE '^[[:space:]]+```' "$f" >"$work/indented"; then
		problems+="indented fences are not extracted (put the block at column 0): $(cut -d: -f1 "$work/indented" | tr '\n' ' ')"$'\n'
	fi
	if [ -z "$problems" ]; then ok "$f: fenced blocks are well formed"; else not_ok "$f: fenced blocks are well formed" "$problems"; fi

	# relative links [text](path) and [text](path#anchor) must name existing files
	missing=
	while IFS= read -r target; do
		target=${target%%#*}
		[ -n "$target" ] || continue
		if [ ! -e "$(dirname "$f")/$target" ]; then missing+="$target "; fi
	done < <(grep -oE '\]\([^)[:space:]]+\)' "$f" | sed -E 's/^\]\((.*)\)$/\1/' | grep -vE '^(https?:|mailto:|#)')
	if [ -z "$missing" ]; then ok "$f: relative links resolve"; else not_ok "$f: relative links resolve" "missing: $missing"; fi
done

# --- what the docs create, removed first ---------------------------------------------------

# the text of every block that runs (norun blocks name production objects)
for f in "${DOCS[@]}"; do
	d=$work/blocks/$(echo "$f" | tr '/.' '__')
	while IFS='|' read -r k lang flags line; do
		case $lang in sql|sh|bash) ;; *) continue ;; esac
		[[ " $flags " == *" norun "* ]] && continue
		cat "$d/$(printf '%03d' "$k")"
	done <"$d/blocks"
done >"$work/runnable.txt"
names() {	# names PATTERN: the first capture group of an ERE over the runnable blocks
	grep -oE "$1" "$work/runnable.txt" | sed -E "s/$1/\\1/" | sort -u
}
mapfile -t doc_tenants < <(names "tenant_create\\('([^']+)'"; names "scimctl tenant create ([A-Za-z0-9_.-]+)")
mapfile -t doc_schemas < <(names "CREATE SCHEMA ([a-z_][a-z0-9_]*)")
mapfile -t doc_roles < <(names "CREATE ROLE ([a-z_][a-z0-9_]*)")
mapfile -t doc_dbs < <(names "createdb ([a-z_][a-z0-9_]*)"; names "CREATE DATABASE ([a-z_][a-z0-9_]*)")

psql_q() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 "$@"; }

case "${SCIM_STACK_DIR:-}" in
	*/.run/test-*) clean=1 ;;
	*) clean=${DOCS_CLEAN:-} ;;
esac
if [ -n "$clean" ]; then
	{
		for t in "${doc_tenants[@]}" docs-tour; do
			[ "$t" = default ] && continue
			printf 'DELETE FROM scim.events WHERE tenant_id = %s;\n' "$(printf "'%s'" "${t//\'/\'\'}")"
			printf 'DELETE FROM scim.tenants WHERE tenant_id = %s;\n' "$(printf "'%s'" "${t//\'/\'\'}")"
		done
		for s in "${doc_schemas[@]}"; do
			case $s in scim|scim_api|public|pg_*|information_schema) continue ;; esac
			printf 'DROP SCHEMA IF EXISTS %s CASCADE;\n' "$s"
		done
		for r in "${doc_roles[@]}"; do
			case $r in scim_*|postgres|pg_*) continue ;; esac
			printf 'SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = %s) AS role_exists \\gset\n' "'$r'"
			printf '\\if :role_exists\nDROP OWNED BY %s;\nDROP ROLE %s;\n\\endif\n' "$r" "$r"
		done
		for b in "${doc_dbs[@]}"; do
			case $b in scim|postgres|template*) continue ;; esac
			printf 'DROP DATABASE IF EXISTS %s WITH (FORCE);\n' "$b"
		done
	} >"$work/clean.sql"
	if psql_q -f "$work/clean.sql" >"$work/clean.out" 2>&1; then
		ok "removed what an earlier run of the docs made"
	else
		not_ok "removed what an earlier run of the docs made" "$(cat "$work/clean.out")"
	fi
fi

# --- the sandbox ---------------------------------------------------------------------------

root=$work/root
mkdir -p "$root/.run"
for e in "$REPO"/* "$REPO"/.[!.]*; do
	case ${e##*/} in .run|.git|'.[!.]*') continue ;; esac
	ln -s "$e" "$root/${e##*/}"
done
token=$(psql_q -At <<-'SQL' 2>"$work/token.err"
	SELECT scim.tenant_create('docs-tour') WHERE NOT EXISTS (SELECT FROM scim.tenants WHERE tenant_id = 'docs-tour');
	SELECT scim.token_issue('docs-tour', 'docs-' || to_char(clock_timestamp(), 'YYYYMMDD-HH24MISS-US'));
	SQL
)
token=${token##*$'\n'}
case $token in
	scim_*) ok "tenant docs-tour and its token for the README's tour" ;;
	*) not_ok "tenant docs-tour and its token for the README's tour" "$(cat "$work/token.err")"; finish ;;
esac
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
	echo "# written by test/docs.sh: the test stack, tenant docs-tour"
	for v in SCIM_STACK_DIR SCIM_BASE_URL SCIM_HTTPS_URL SCIM_CA_CERT PGHOST PGPORT PGUSER PGDATABASE; do
		[ -n "${!v:-}" ] && echo "export $v=$(q "${!v}")"
	done
	echo "export SCIM_TOKEN=$(q "$token")"
} >"$root/.run/env"
export SCIM_TOKEN=$token
# operations.md renders production files: into the sandbox, never /etc, with
# the test stack's self-signed pair standing in for the real certificate
export SCIM_CONF_DIR=$work/etc-scim SCIM_NGINX_DIR=$work/scim-nginx
export SCIM_TLS_CERT=${SCIM_STACK_DIR:-}/tls/cert.pem SCIM_TLS_KEY=${SCIM_STACK_DIR:-}/tls/key.pem

# --- running the blocks ----------------------------------------------------------------------

# driver FILE DIR: the bash script that runs FILE's runnable blocks in order.
driver() {
	local file=$1 dir=$2 k lang flags line has_sql=
	while IFS='|' read -r k lang flags line; do
		[ "$lang" = sql ] && [[ " $flags " != *" norun "* ]] && has_sql=1
	done <"$dir/blocks"
	cat <<-EOF
	#!/usr/bin/env bash
	# generated by test/docs.sh for $file
	cd $(q "$root")
	exec </dev/null 2>&1
	set -eE -o pipefail
	trap 'echo "@@FAILED (status \$?) at line \$LINENO of this block: \$BASH_COMMAND"' ERR
	EOF
	cat <<-'EOF'
	# an HTTP error fails the block, unless the block prints the status
	curl() {
		local a shown=
		for a in "$@"; do
			case $a in
				-f|--fail|--fail-with-body|-i|--include|*'%{http_code}'*|*'%{response_code}'*) shown=1 ;;
			esac
		done
		if [ -n "$shown" ]; then command curl "$@"; else command curl --fail-with-body "$@"; fi
	}
	EOF
	if [ -n "$has_sql" ]; then
		cat <<-'EOF'
		coproc PSQL { PGOPTIONS="-c client_min_messages=warning" stdbuf -oL -eL psql -X -q -v ON_ERROR_STOP=0 -P pager=off 2>&1; }
		run_sql() {
			{ cat "$2"; printf '\n\\echo @@SQL-DONE-%s\n' "$1"; } >&"${PSQL[1]}"
			local line
			while IFS= read -r -t 300 line <&"${PSQL[0]}"; do
				[ "$line" = "@@SQL-DONE-$1" ] && return 0
				printf '%s\n' "$line"
			done
			echo "@@SQL-LOST (psql ended or took more than 300 s)"
		}
		EOF
	fi
	while IFS='|' read -r k lang flags line; do
		[[ " $flags " == *" norun "* ]] && continue
		[ "$k" = UNTERMINATED ] && continue
		k=$(printf '%03d' "$k")
		case $lang in
			sql) printf 'echo @@BEGIN %s\nrun_sql %s %q\necho @@END %s\n' "$k" "$k" "$dir/$k" "$k" ;;
			sh|bash) printf 'echo @@BEGIN %s\n. %q\necho @@END %s\n' "$k" "$dir/$k" "$k" ;;
		esac
	done <"$dir/blocks"
}

# printed_spans FILE: the `code spans` of the clauses of FILE (a paragraph;
# clauses end at . , ; or : outside code spans) that say "print", "prints"
# or "printed": what the text says the block before it prints.
printed_spans() {
	perl -0777 -ne '
		s/\s+/ /g;
		my @clauses = (q());
		for my $part (split /(`[^`]*`)/) {
			if ($part =~ /^`/) { $clauses[-1] .= $part; next }
			my @bits = split /(?<=[.,;:]) /, $part, -1;
			$clauses[-1] .= shift @bits;
			push @clauses, @bits;
		}
		for (@clauses) {
			next unless /\bprint(s|ed)?\b/i;
			print "$1\n" while /`([^`]+)`/g;
		}' "$1"
}

for f in "${DOCS[@]}"; do
	d=$work/blocks/$(echo "$f" | tr '/.' '__')
	runnable=$(awk -F'|' '($2 == "sql" || $2 == "sh" || $2 == "bash") && (" " $3 " ") !~ / norun / { c++ } END { print c + 0 }' "$d/blocks")
	[ "$runnable" -gt 0 ] || continue
	driver "$f" "$d" >"$d/driver.sh"
	timeout 900 bash "$d/driver.sh" >"$d/out" 2>&1
	while IFS='|' read -r k lang flags line; do
		[[ " $flags " == *" norun "* ]] && continue
		case $lang in sql|sh|bash) ;; *) continue ;; esac
		[ "$k" = UNTERMINATED ] && continue
		k3=$(printf '%03d' "$k")
		name="$f:$line ($lang)"
		section=$(sed -n "/^@@BEGIN $k3\$/,/^@@END $k3\$/p" "$d/out")
		if [ -z "$section" ]; then
			not_ok "$name" "did not run: an earlier block of this file failed"
		elif ! printf '%s\n' "$section" | grep -q "^@@END $k3\$"; then
			not_ok "$name" "$(printf '%s\n' "$section" | tail -n 20)"
		elif [ "$lang" = sql ] && printf '%s\n' "$section" | grep -qE '^(psql:[^ ]*: )?(ERROR|FATAL):|^@@SQL-LOST'; then
			not_ok "$name" "$(printf '%s\n' "$section" | grep -E -A3 '^(psql:[^ ]*: )?(ERROR|FATAL):|^@@SQL-LOST' | head -n 20)"
		else
			ok "$name"
			if [ -n "${DOCS_VERBOSE:-}" ]; then
				printf '%s\n' "$section" | sed '1d;$d' | sed 's/^/#   /'
			fi
		fi
		# what the prose after the block says it prints
		prose=$d/$k3.prose
		if [ -s "$prose" ] && grep -qiE '\bprint(s|ed)?\b' "$prose"; then
			missing=
			while IFS= read -r span; do
				[ -n "$span" ] || continue
				# a short span (`0`, `401`) must be a whole line of the output
				if [ ${#span} -lt 5 ]; then
					printf '%s\n' "$section" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -qxF -- "$span" || missing+="\`$span\` "
				else
					printf '%s\n' "$section" | grep -qF -- "$span" || missing+="\`$span\` "
				fi
			done < <(printed_spans "$prose")
			if [ -z "$section" ]; then
				not_ok "$name prints what the text says" "did not run"
			elif [ -z "$missing" ]; then
				ok "$name prints what the text says"
			else
				not_ok "$name prints what the text says" "not in its output: $missing"$'\n'"the text: $(tr '\n' ' ' <"$prose")"
			fi
		fi
	done <"$d/blocks"
done

finish
