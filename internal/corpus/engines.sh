#!/usr/bin/env bash
# engines.sh measures sharedvet's three engines against the floor, the way
# a user meets them: cold, a second run over an unchanged tree, and a
# run after editing a leaf file and after editing a widely imported one
# (issue 16's table, internal/corpus/results.md "Engines").
#
# Usage: bash internal/corpus/engines.sh NAME DIR PATTERN LEAF WIDE
#
#   DIR      a writable copy of the module (run.sh makes them)
#   LEAF     a .go file of a package nothing in the module imports
#   WIDE     a .go file of a package much of the module imports
#
# Every figure comes from farm-bench (RUNS runs after one warm-up, each
# paired with a run of the floor, alternating), medians quoted:
#
#   floor              baseline -engine=standalone: load, type-check and
#                      build SSA of the whole program in one process
#   standalone         sharedvet -engine=standalone
#   vet cold           sharedvet -engine=vet as a new build: a copy
#                      of the binary with bytes appended, so go vet has
#                      no result of it, while compiled packages are in the
#                      build cache (as after go build or go test)
#   vet warm           sharedvet -engine=vet again over the unchanged tree
#   vet leaf edit      sharedvet after adding a function to LEAF
#   vet wide edit      sharedvet after adding an exported function to WIDE
#   cache cold         sharedvet -engine=cache with an empty cache of its
#                      own (SHAREDVET_CACHE), compiled packages in the
#                      build cache
#   cache warm, leaf edit, wide edit
#                      as for the vet engine
#
# ENGINES (default "standalone vet cache") chooses the rows.
#
# The edits are appended to the files and undone at the end.
set -euo pipefail
name=$1 dir=$2 pattern=$3 leaf=$4 wide=$5
RUNS=${RUNS:-3}
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
bin=$(mktemp -d)
trap 'cp "$bin/leaf.orig" "$dir/$leaf"; cp "$bin/wide.orig" "$dir/$wide"; rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/sharedvet" ./cmd/sharedvet && go build -o "$bin/floor" ./internal/corpus/baseline)
cp "$dir/$leaf" "$bin/leaf.orig"
cp "$dir/$wide" "$bin/wide.orig"
export GOFLAGS=-mod=mod GOTOOLCHAIN=local GOWORK=off
cd "$dir"
floor="$bin/floor -engine=standalone -json $pattern"
sv="$bin/sharedvet -engine=vet -json $pattern"
bench() { # LABEL CMD
	echo "## $name: $1"
	farm-bench -n "$RUNS" --warmup 1 --timeout 3600 --vs "$floor" -- sh -c "$2" 2>&1 | grep -v '^$'
}
ENGINES=${ENGINES:-standalone vet cache}
on() { case " $ENGINES " in *" $1 "*) return 0;; esac; return 1; }
if on standalone; then
bench "standalone" "exec $bin/sharedvet -engine=standalone -json $pattern >/dev/null"
fi
if on vet; then
bench "vet cold" "n=\$(date +%s%N); cp $bin/sharedvet $bin/sv-\$n; echo \$n >> $bin/sv-\$n; $bin/sv-\$n -engine=vet -json $pattern >/dev/null; s=\$?; rm -f $bin/sv-\$n; exit \$s"
bench "vet warm" "exec $sv >/dev/null"
bench "vet leaf edit" "echo \"func sharedvetEdit\$(date +%s%N)() {}\" >> $leaf; exec $sv >/dev/null"
bench "vet wide edit" "echo \"func SharedvetEdit\$(date +%s%N)() {}\" >> $wide; exec $sv >/dev/null"
fi
if on cache; then
cache="SHAREDVET_CACHE=$bin/cache exec $bin/sharedvet -engine=cache -json $pattern >/dev/null"
bench "cache cold" "rm -rf $bin/cache; $cache"
bench "cache warm" "$cache"
bench "cache leaf edit" "echo \"func sharedvetEdit\$(date +%s%N)() {}\" >> $leaf; $cache"
bench "cache wide edit" "echo \"func SharedvetEdit\$(date +%s%N)() {}\" >> $wide; $cache"
fi
