#!/usr/bin/env bash
# test/sanitizers.sh - the short AddressSanitizer/UBSan run of `make test`
#
# scripts/asan.sh --short: the extension built with
# -fsanitize=address,undefined, loaded by a private server tree and stack
# (the installed scim.so is not touched), the pg_regress and isolation
# suites run against it, and the server log scanned for reports.  The full
# run (pgTAP and HTTP suites too) is `make check-asan`; see
# docs/reliability.md.
exec "$(dirname "$0")/../scripts/asan.sh" --short
