#!/usr/bin/env bash
# Runs every native Go fuzz test of the module for FUZZTIME each (default
# 60s; a count such as 1000000x runs that many executions) and prints one
# line per target: package, name, executions, result. -timeout 0: go test's
# default 10-minute limit would otherwise end a long fuzz run as a failure.
# New fuzz tests are found by name (func FuzzXxx in a _test.go file), so a
# parser that gains a fuzzer joins without editing this script.
# What a fuzzer finds is kept in that package's testdata/fuzz and becomes a
# regression case of the ordinary test run.
set -uo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-60s}
GO=${GO:-go}
status=0
summary=()
while IFS=: read -r file name; do
	pkg=./$(dirname "$file")
	log=$(mktemp)
	echo "== $pkg $name ($FUZZTIME)"
	if $GO test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME" -timeout 0 >"$log" 2>&1; then
		result=ok
	else
		result=FAILED
		status=1
		tail -30 "$log"
	fi
	execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*')
	summary+=("$(printf '%-16s %-22s %12s execs  %s' "$pkg" "$name" "${execs:-?}" "$result")")
	rm -f "$log"
done < <(grep -rHo --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*' . | sed 's|^\./||; s|:func |:|' | sort)
printf '%s\n' "${summary[@]}"
exit $status
