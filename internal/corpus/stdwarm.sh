#!/usr/bin/env bash
# stdwarm.sh measures the vet engine's cold run of a module when the
# standard library's results are already in the go build cache, as for
# every module after the first that a developer runs a given sharedvet
# binary on (internal/corpus/results.md, "Engines").
#
# Usage: bash internal/corpus/stdwarm.sh DIR PATTERN [ROUNDS]
#
# Each round runs the floor (baseline -engine=standalone), then copies
# sharedvet to a new binary (bytes appended, so go vet has no result of
# it), runs it on the standard library packages PATTERN
# depends on (untimed), and times sharedvet -json PATTERN. Prints one
# line per run: label, wall s, user s, sys s, peak KiB (/usr/bin/time).
set -euo pipefail
dir=$1 pat=$2 rounds=${3:-3}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/sharedvet" ./cmd/sharedvet && go build -o "$bin/floor" ./internal/corpus/baseline)
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off
cd "$dir"
std=$(go list -deps -test -f '{{if .Standard}}{{.ImportPath}}{{end}}' $pat | grep . | grep -v '^unsafe$' | tr '\n' ' ')
for _ in $(seq "$rounds"); do
	/usr/bin/time -f "floor %e %U %S %M" "$bin/floor" -engine=standalone -json $pat >/dev/null 2>"$bin/err" || true
	tail -1 "$bin/err"
	n=$(date +%s%N)
	cp "$bin/sharedvet" "$bin/sv-$n"
	echo "$n" >>"$bin/sv-$n"
	"$bin/sv-$n" -json $std >/dev/null 2>&1 || true
	/usr/bin/time -f "vet-cold-std-cached %e %U %S %M" "$bin/sv-$n" -json $pat >/dev/null 2>"$bin/err" || true
	tail -1 "$bin/err"
	rm -f "$bin/sv-$n"
done
