#!/bin/sh
# gen_corpus.sh CASES OUTDIR
#
# Extract the inputs (column 2) of the unit cases into seed corpora:
# F lines into OUTDIR/filter, P and A lines into OUTDIR/path, one file per
# input, without a trailing newline.
set -eu
cases=$1
out=$2
rm -rf "$out/filter" "$out/path"
mkdir -p "$out/filter" "$out/path"
awk -F '\t' -v out="$out" '
	/^#/ || NF < 3 { next }
	$1 == "F" { f = sprintf("%s/filter/unit-%04d", out, NR) }
	$1 == "P" || $1 == "A" { f = sprintf("%s/path/unit-%04d", out, NR) }
	$1 ~ /^[FPA]$/ { printf "%s", $2 > f; close(f) }
' "$cases"
