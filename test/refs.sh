#!/usr/bin/env bash
# test/refs.sh - every file the repository names is in the repository (TAP)
#
# Reads every tracked text file (git ls-files; the fuzz corpora, the unit
# tests' filter cases and package-lock.json are data, not prose, and
# .gitignore names what is NOT in the repository, the frozen install script
# of each release names the files of that release, and this script's
# self-test names missing files on purpose: they are left out) and finds what
# looks like a reference to a file of the repository:
#
#   - a path that starts with one of its top-level folders (src/x.c,
#     docs/y.md, scripts/z.sh, test/..., http/..., bench/..., upgrade/...,
#     sql/..., expected/..., specs/..., .ci/...), also after $SCIM_REPO/ or
#     $REPO/;
#   - a bare file name of the kinds the project is made of (*.c *.h *.md
#     *.sh *.sql *.mjs *.spec *.out *.in *.txt *.supp *.lua *.control),
#     outside #include lines (the compiler checks those) and <system.h>
#     header names;
#   - the target of a relative Markdown link, [text](target).
#
# A path must name a tracked file or folder; a bare name must be the name of
# a tracked file (in any folder).  `*`, <word> and {word} are wildcards: at
# least one tracked file must match.  Names of what the build, the tests
# and the stack generate, and of the few files outside the repository that
# the sources name on purpose, are listed in ALLOWED below: nothing else is
# exempt.  Each file scanned is one test; a failure lists FILE:LINE: name.
#
# `test/refs.sh --scan FILE...` prints the unresolved names of the given
# files (used by the self-test, which proves the check can fail).
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd -P) || exit 1
cd "$REPO" || exit 1

# Generated or external names, one pattern a line, `*` any characters: a
# pattern without a slash also matches the last part of a path.  Here: the
# benchmark's results, object files, the harness's pattern for suites
# of their own folder (scripts/test.sh), PostgreSQL's own suppression file
# (its source tree), pg_regress's outputs, the versioned install and
# upgrade scripts (built into sql_built/, or named with placeholders).
ALLOWED='
bench/results
bench/results/*
src/*.o
test/*/run.sh
src/tools/valgrind.supp
regression.out
regression.diffs
scim--[0-9]*.sql
scim--X.sql
scim--X--Y.sql
scim--A--B.sql
scim--<release>--<default_version>.sql
'

if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	echo "1..1"
	echo "not ok 1 - $REPO is a git checkout (the check reads git ls-files)"
	exit 1
fi

# scan FILE...: print "FILE:LINE: NAME" for every name that does not resolve.
scan() {
	git -C "$REPO" ls-files | ALLOWED="$ALLOWED" perl -e '
	use strict; use warnings;
	my (%file, %dir, %base);
	while (my $f = <STDIN>) {
		chomp $f;
		$file{$f} = 1;
		my ($b) = $f =~ m{([^/]+)$};
		$base{$b} = 1;
		my $d = $f;
		$dir{$d} = 1 while $d =~ s{/[^/]*$}{};
	}
	my @allowed = grep { length } map { s/^\s+|\s+$//gr } split /\n/, $ENV{ALLOWED};

	# glob: shell-style pattern (*, <word>, {word}) to an anchored regex
	sub glob_re {
		my ($p) = @_;
		my $re = "";
		for my $part (split /(\*|<[^<>\/]*>|\{[^{}\/]*\})/, $p) {
			next unless length $part;
			$re .= $part =~ /^(\*|<.*>|\{.*\})$/ ? "[^/]*" : quotemeta $part;
		}
		return qr/^$re$/;
	}
	sub allowed {
		my ($name) = @_;
		for my $a (@allowed) {
			my $re = quotemeta $a;
			$re =~ s/\\\*/.*/g;
			$re =~ s/\\\[0\\-9\\\]/[0-9]/g;
			return 1 if $name =~ /^$re$/;
			return 1 if $a !~ m{/} && $name =~ m{/([^/]+)$} && $1 =~ /^$re$/;
		}
		return 0;
	}
	sub wild { return $_[0] =~ /[*<>{}]/ }
	sub path_ok {
		my ($p) = @_;
		$p =~ s{/+$}{};
		return 1 if $file{$p} || $dir{$p};
		if (wild($p)) {
			my $re = glob_re($p);
			return 1 if grep { /$re/ } (keys %file, keys %dir);
		}
		return 0;
	}
	sub base_ok {
		my ($b) = @_;
		return 1 if $base{$b};
		if (wild($b)) {
			my $re = glob_re($b);
			return 1 if grep { /$re/ } keys %base;
		}
		return 0;
	}
	# normalise a path relative to the folder of the file naming it
	sub rel {
		my ($from, $t) = @_;
		my @p = split m{/}, $from;
		pop @p;
		for my $s (split m{/}, $t) {
			next if $s eq "." || $s eq "";
			if ($s eq "..") { pop @p } else { push @p, $s }
		}
		return join "/", @p;
	}

	my $top = qr{(?:src|docs|scripts|test|http|bench|upgrade|sql|expected|specs|\.ci)};
	my $pc = qr{[A-Za-z0-9_.*<>\-]};
	my $dyn = qr{(?![A-Za-z0-9_.*<>{}\-]*[\$(])};
	my $ext = qr{(?:c|h|md|sh|sql|mjs|spec|out|in|txt|supp|lua|control)};

	for my $f (@ARGV) {
		open my $fh, "<", $f or do { print "$f:0: (unreadable)\n"; next };
		my $ln = 0;
		while (my $line = <$fh>) {
			$ln++;
			next if $line =~ /^\s*#\s*include\b/;
			my %seen;
			my $bad = sub { print "$f:$ln: $_[0]\n" unless $seen{$_[0]}++ };
			# paths from a top-level folder
			while ($line =~ m{(?:(?<=\$SCIM_REPO/)|(?<=\$\{SCIM_REPO\}/)|(?<=\$REPO/)|(?<![A-Za-z0-9_./\$\}\-]))($top/(?:$pc+/)*(?:$pc*[A-Za-z0-9_*>])?)$dyn}g) {
				my $p = $1;
				$bad->($p) unless allowed($p) || path_ok($p);
			}
			# bare names
			while ($line =~ m{(?<![A-Za-z0-9_./\$\}\{<*\-\)>@%])([A-Za-z0-9_*{}<>\-]*[A-Za-z0-9_*>\}](?:\.[A-Za-z0-9_*{}<>\-]+)*\.$ext)(?![A-Za-z0-9_\-])(?!\.[A-Za-z0-9])$dyn}g) {
				my $b = $1;
				next if $b =~ /->/;
				next if $b =~ /^</ && $b !~ />/;	# <stdio.h>: a system header
				$bad->($b) unless allowed($b) || base_ok($b);
			}
			# relative Markdown links
			if ($f =~ /\.md$/) {
				while ($line =~ m{\]\(([^()\s#]+)(?:#[^()\s]*)?\)}g) {
					my $t = $1;
					next if $t =~ m{^[a-z][a-z0-9+.\-]*:}i || $t =~ m{^/};
					my $p = rel($f, $t);
					$bad->($t) unless allowed($p) || path_ok($p);
				}
			}
		}
		close $fh;
	}
	' "$@"
}

if [ "${1:-}" = "--scan" ]; then
	shift
	scan "$@"
	exit 0
fi

# the files to read: tracked, text (git grep -I lists files with no NUL)
mapfile -t files < <(git ls-files -- . \
	':(exclude)test/fuzz/seeds/**' ':(exclude)test/fuzz/regression/**' \
	':(exclude)test/unit/filter_cases.txt' ':(exclude)package-lock.json' \
	':(exclude).gitignore' ':(exclude)test/refs.sh' | while IFS= read -r f; do
	# a frozen install script of a release (upgrade/scim--X.sql, never
	# edited: test/upgrade.sh) names the files of its release's tree
	case $f in upgrade/scim--*--*.sql) ;; upgrade/scim--*.sql) continue ;; esac
	[ -f "$f" ] && grep -Iq . "$f" && echo "$f"
done)

echo "1..$((${#files[@]} + 1))"
n=0

# self-test: a file naming good and bad references; exactly the bad ones
# must be reported (so that the check can fail).
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/docs"
cat >"$tmp/docs/probe.md" <<'EOF'
See src/dispatch.c, docs/architecture.md and scripts/test.sh (they exist);
src/nothere.c and docs/NOTES.md do not, nor does DESIGN.md or events.c.
[a link](missing.md) [another](../README.md) [a third](README.md)
src/sql/*.sql, upgrade/scim--X.sql, sql_built/scim--0.2.0.sql, $SCIM_REPO/bench/gone.sh
#include "absent.h"
EOF
got=$(cd "$tmp" && scan docs/probe.md | tr '\n' ' ')
want='docs/probe.md:2: src/nothere.c docs/probe.md:2: docs/NOTES.md docs/probe.md:2: DESIGN.md docs/probe.md:2: events.c docs/probe.md:3: missing.md docs/probe.md:3: README.md docs/probe.md:4: bench/gone.sh '
n=$((n + 1))
if [ "$got" = "$want" ]; then
	echo "ok $n - the scanner reports exactly the missing names of a probe file"
else
	echo "not ok $n - the scanner reports exactly the missing names of a probe file"
	echo "#   want: $want"
	echo "#   got:  $got"
fi

fail=0
for f in "${files[@]}"; do
	n=$((n + 1))
	out=$(scan "$f")
	if [ -z "$out" ]; then
		echo "ok $n - $f names only files of the repository"
	else
		fail=1
		echo "not ok $n - $f names only files of the repository"
		sed 's/^/#   /' <<<"$out"
	fi
done
exit $fail
