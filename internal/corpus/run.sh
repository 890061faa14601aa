#!/usr/bin/env bash
# run.sh measures what sharedvet finds on real code and what it costs,
# against baseline, the floor any go/ssa analyzer with facts pays.
#
# Usage: bash internal/corpus/run.sh [--baseline-only] [--save] [NAME...]
#
# For each module of corpus.txt (or only the NAMEs given) it fetches the
# module's source from the Go module proxy into a writable work copy,
# downloads its dependencies, then runs sharedvet -json and baseline
# -json (both -engine=standalone: one process, no cache) over the module's patterns, alternately, each under
# /usr/bin/time -v, and prints one markdown table row per module.
#
#   --baseline-only  use baseline in sharedvet's place too (to test the
#                    harness before cmd/sharedvet builds); finding
#                    counts are then zero by construction
#   --save           also write results.md and findings/NAME.txt (the
#                    first $MAX_SAVED findings) into internal/corpus
#
# Environment:
#   CORPUS_DIR  work dir (default ${TMPDIR:-/tmp}/sharedvet-corpus); the
#               output goes to $CORPUS_DIR/out
#   ROUNDS      sharedvet/baseline pairs per module (default 1); each
#               round is a row
#   TIMEOUT     seconds per analyzer run before it is killed (default 1200)
#   REF         build both binaries from this git revision (git archive)
#               instead of the work tree, e.g. REF=HEAD when others are
#               editing the tree
set -euo pipefail

readonly HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly ROOT="$(cd "$HERE/../.." && pwd)"
readonly CORPUS_DIR="${CORPUS_DIR:-${TMPDIR:-/tmp}/sharedvet-corpus}"
readonly BIN="$CORPUS_DIR/bin" SRC="$CORPUS_DIR/src" OUT="$CORPUS_DIR/out"
readonly ROUNDS="${ROUNDS:-1}" TIMEOUT="${TIMEOUT:-1200}"
CHECKS=() # the analyzers of the built sharedvet, a column each
readonly MAX_SAVED=300

# The go command must neither switch toolchains nor pick up a workspace:
# the point is to measure the local Go on each module alone.
export GOTOOLCHAIN=local GOWORK=off

BASELINE_ONLY=0 SAVE=0 NAMES=()

main() {
	for a in "$@"; do
		case "$a" in
		--baseline-only) BASELINE_ONLY=1 ;;
		--save) SAVE=1 ;;
		-*) echo "usage: run.sh [--baseline-only] [--save] [NAME...]" >&2; exit 2 ;;
		*) NAMES+=("$a") ;;
		esac
	done
	mkdir -p "$BIN" "$SRC" "$OUT/findings"
	need_tools
	build
	mapfile -t CHECKS < <(checks)
	((${#CHECKS[@]})) || { echo "run.sh: found no analyzers in $BIN/sharedvet -h" >&2; exit 1; }
	header | tee "$OUT/results.md"
	while read -r name mod ver patterns; do
		selected "$name" || continue
		measure "$name" "$mod" "$ver" "$patterns" </dev/null | tee -a "$OUT/results.md"
	done < <(grep -v '^[[:space:]]*\(#\|$\)' "$HERE/corpus.txt")
	echo "raw output: $OUT" >&2
	if ((SAVE)); then save; fi
}

# need_tools makes sure GNU time and jq are there, installing them with
# apt-get when we may; without GNU time the run goes on under bash's
# time, which measures no peak memory.
TIMER=gnu
need_tools() {
	local missing=()
	[[ -x /usr/bin/time ]] || missing+=(time)
	command -v jq >/dev/null || missing+=(jq)
	if ((${#missing[@]})) && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
		echo "installing ${missing[*]}" >&2
		apt-get install -y "${missing[@]}" >/dev/null 2>&1 ||
			{ apt-get update >/dev/null 2>&1 && apt-get install -y "${missing[@]}" >/dev/null 2>&1; } || true
	fi
	command -v jq >/dev/null || { echo "run.sh: jq is needed to read sharedvet -json" >&2; exit 1; }
	if [[ ! -x /usr/bin/time ]]; then
		TIMER=bash
		echo "run.sh: /usr/bin/time (GNU time) is missing: using bash's time; peak RSS will read n/a" >&2
	fi
}

# build builds both binaries from the work tree, or from revision $REF.
# In --baseline-only mode baseline is copied to $BIN/sharedvet, so both
# roles print under the same program name.
BUILT_FROM=
build() {
	local tree=$ROOT
	BUILT_FROM=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo 'work tree')
	if [[ -n ${REF:-} ]]; then
		tree="$CORPUS_DIR/tree"
		rm -rf "$tree" && mkdir -p "$tree"
		git -C "$ROOT" archive "$REF" | tar -x -C "$tree"
		BUILT_FROM=$(git -C "$ROOT" rev-parse --short "$REF")
	fi
	(cd "$tree" && go build -o "$BIN/baseline" ./internal/corpus/baseline)
	if ((BASELINE_ONLY)); then
		cp "$BIN/baseline" "$BIN/sharedvet"
		echo "run.sh: --baseline-only: baseline plays sharedvet's role too" >&2
	else
		(cd "$tree" && go build -o "$BIN/sharedvet" ./cmd/sharedvet)
	fi
}

# selected reports whether the module NAME was asked for.
selected() {
	((${#NAMES[@]} == 0)) && return 0
	local n
	for n in "${NAMES[@]}"; do [[ $n == "$1" ]] && return 0; done
	return 1
}

# header prints the date, the machine and the table's head.
header() {
	echo "# sharedvet corpus results"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GiB memory, $(go version | cut -d' ' -f3-)"
	echo "- sharedvet: $( ((BASELINE_ONLY)) && echo 'baseline in its place (--baseline-only)' || echo "built from $BUILT_FROM with checks ${CHECKS[*]}")"
	echo "- each run: \`TOOL -json PATTERN\` with tests, in one process, under /usr/bin/time -v; cpu = user+sys; rss = peak resident set size"
	echo "- load: the 1-minute load average just before the round; above $(nproc) the tools shared the cores with other work, and wall times (not cpu) suffer"
	echo
	printf '| module | pattern | pkgs | lines |'
	printf ' %s |' "${CHECKS[@]}"
	printf ' total | errors sv/bl | sv wall | sv cpu | sv rss | bl wall | bl cpu | bl rss | wall ratio | cpu ratio | rss ratio | load |\n'
	printf '|---|---|--:|--:|'
	printf -- '--:|%.0s' "${CHECKS[@]}"
	printf -- '--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n'
}

# checks prints the names of the analyzers sharedvet runs, one a line,
# from -list, whose lines start with each check's name.
checks() {
	"$BIN/sharedvet" -list | awk '{print $1}'
}

# measure prepares one module, runs both tools ROUNDS times, and prints
# one table row per round. It runs in a subshell of its own (a
# pipeline), so its cd and GOFLAGS stay with this module.
measure() {
	local name=$1 mod=$2 ver=$3 patterns=$4 dir
	cd "$CORPUS_DIR"
	if [[ $mod != std ]]; then
		# -mod=mod lets the go command add the go.sum lines that
		# dropping a replace makes necessary, in the timed runs too.
		export GOFLAGS="-mod=mod ${GOFLAGS:-}"
	fi
	if ! dir=$(prepare "$name" "$mod" "$ver"); then
		echo "| $name | skipped: $(cat "$OUT/$name.skip" 2>/dev/null || echo 'see stderr') |"
		return
	fi
	cd "$dir"
	warm_up "$name" "$patterns"
	local pkgs lines r load
	pkgs=$(go list -e $patterns 2>/dev/null | wc -l)
	lines=$(count_lines "$patterns")
	for ((r = 1; r <= ROUNDS; r++)); do
		load=$(cut -d' ' -f1 /proc/loadavg)
		run_tool sharedvet "$name" "$patterns"
		run_tool baseline "$name" "$patterns"
		row "$name" "$patterns" "$pkgs" "$lines" "$dir" "$load"
	done
	cd "$OUT"
}

# warm_up makes, before any timed run, what go list makes on first use
# (go.sum lines, cgo output) and reads every Go file of the packages
# and their dependencies into the page cache: without it the first
# timed run of each module pays for cold disk reads, which here made it
# up to 2.5 times slower than the second.
warm_up() {
	local name=$1 patterns=$2
	go list -e -deps -test -compiled -f '{{.Dir}}' $patterns 2>"$OUT/$name.warmup.stderr" |
		sort -u | while read -r d; do
			[[ -n $d ]] && cat "$d"/*.go >/dev/null 2>&1 || true
		done
}

# prepare prints the directory to analyze NAME in, after making a
# writable copy of the module from the module cache and downloading its
# dependencies. It fails, leaving the reason in $OUT/NAME.skip, when the
# module cannot be had or needs a newer Go.
prepare() {
	local name=$1 mod=$2 ver=$3 dir="$SRC/$1"
	if [[ $mod == std ]]; then
		go env GOROOT
		return
	fi
	if [[ $(cat "$dir/.corpus-version" 2>/dev/null) != "$mod@$ver" ]]; then
		local cache
		cache=$(GOFLAGS= go mod download -json "$mod@$ver" | jq -r '.Dir // empty')
		if [[ -z $cache ]]; then
			echo "cannot download $mod@$ver" | tee "$OUT/$name.skip" >&2
			return 1
		fi
		rm -rf "$dir"
		cp -r "$cache" "$dir" && chmod -R u+w "$dir" || return 1
		echo "$mod@$ver" >"$dir/.corpus-version"
	fi
	cd "$dir"
	local want have
	want=$(go mod edit -json | jq -r '.Go // "1.0"')
	have=$(go env GOVERSION | sed 's/^go//')
	if [[ $(printf '%s\n%s\n' "$want" "$have" | sort -V | tail -1) != "$have" ]]; then
		echo "$mod@$ver needs go $want, the local Go is $have" | tee "$OUT/$name.skip" >&2
		return 1
	fi
	drop_local_replaces
	if ! go mod download >"$OUT/$name.download.log" 2>&1; then
		echo "go mod download failed in $dir (see $name.download.log)" | tee "$OUT/$name.skip" >&2
		return 1
	fi
	echo "$dir"
}

# drop_local_replaces removes replace directives that point into the
# module's own repository (etcd's "=> ../api"): the module zip has no
# such directories, so the replaced modules must come from the proxy.
drop_local_replaces() {
	local old
	for old in $(go mod edit -json | jq -r '.Replace[]? | select(.New.Version == null) | .Old.Path + (if .Old.Version then "@" + .Old.Version else "" end)'); do
		go mod edit -dropreplace="$old"
	done
}

# count_lines prints the number of lines in the .go files (tests and
# files for other platforms included) of the directories of the
# packages that the patterns match: ./... leaves out vendor and
# testdata, and a narrowed pattern counts only what it analyzes.
count_lines() {
	go list -e -f '{{.Dir}}' $1 2>/dev/null | while read -r d; do
		find "$d" -maxdepth 1 -name '*.go' -type f -print0
	done | xargs -0 cat | wc -l
}

# run_tool runs TOOL -json over the patterns in the current directory
# under a timer and a timeout, saving stdout (the JSON tree), stderr
# and the timer's report as $OUT/NAME.TOOL.{json,stderr,time}.
run_tool() {
	local tool=$1 name=$2 patterns=$3 base="$OUT/$2.$1" status=0
	if [[ $TIMER == gnu ]]; then
		/usr/bin/time -v -o "$base.time" timeout "$TIMEOUT" "$BIN/$tool" -engine=standalone -json $patterns \
			>"$base.json" 2>"$base.stderr" || status=$?
	else
		{ TIMEFORMAT='wall %R user %U sys %S'; time timeout "$TIMEOUT" "$BIN/$tool" -engine=standalone -json $patterns \
			>"$base.json" 2>"$base.stderr"; } 2>"$base.time" || status=$?
	fi
	echo "$status" >"$base.status"
}

# row prints the table row of the last round of NAME and writes its
# findings as text, deduplicated across test variants, to
# $OUT/NAME.findings.txt (all) and $OUT/findings/NAME.txt (capped).
row() {
	local name=$1 patterns=$2 pkgs=$3 lines=$4 dir=$5 load=$6
	local sv="$OUT/$name.sharedvet" bl="$OUT/$name.baseline"
	local strip="$dir/"
	[[ $name == std ]] && strip="$dir/src/"
	findings "$sv.json" "$strip" >"$OUT/$name.findings.txt"
	cap_findings "$OUT/$name.findings.txt" >"$OUT/findings/$name.txt"
	local counts=() c
	for c in "${CHECKS[@]}"; do
		counts+=("$(grep -c "^[^ ]* \[$c\] " "$OUT/$name.findings.txt" || true)")
	done
	local svw svc svm blw blc blm
	read -r svw svc svm < <(timing "$sv")
	read -r blw blc blm < <(timing "$bl")
	printf '| %s | `%s` | %s | %s |' "$name" "$patterns" "$pkgs" "$lines"
	printf ' %s |' "${counts[@]}"
	printf ' %s | %s/%s | %ss | %ss | %s | %ss | %ss | %s | %s | %s | %s | %s |\n' \
		"$(wc -l <"$OUT/$name.findings.txt")" "$(errors "$sv")" "$(errors "$bl")" \
		"$svw" "$svc" "$(gib "$svm")" "$blw" "$blc" "$(gib "$blm")" \
		"$(ratio "$svw" "$blw")" "$(ratio "$svc" "$blc")" "$(ratio "$svm" "$blm")" "$load"
}

# findings prints the diagnostics of a JSON tree as
# "file:line:col: [analyzer] message", paths relative to strip, sorted
# by position, each once although a package and its test variant both
# report it.
findings() {
	jq -r --arg strip "$2" '
		[to_entries[] | .value | to_entries[] | .key as $a
		 | select(.value | type == "array") | .value[]
		 | {a: $a, posn: (.posn | ltrimstr($strip)), msg: .message}]
		| unique_by([.posn, .a, .msg])
		| sort_by(.posn | split(":") | [.[0], (.[1] | tonumber? // 0), (.[2] | tonumber? // 0)])
		| .[] | "\(.posn): [\(.a)] \(.msg)"' "$1" 2>/dev/null || true
}

# cap_findings prints the first MAX_SAVED lines of a findings file and,
# when it had more, how many there were.
cap_findings() {
	local n
	n=$(wc -l <"$1")
	head -n "$MAX_SAVED" "$1"
	((n <= MAX_SAVED)) || echo "... $((n - MAX_SAVED)) more; $n findings in all"
}

# errors prints how many errors a run reported: the driver prints each
# load, type or analysis error on stderr as "PROG: ...". A run killed by
# the timeout or a signal is marked instead.
errors() {
	local status n
	status=$(cat "$1.status")
	n=$(grep -c '^\(sharedvet\|baseline\): ' "$1.stderr" || true)
	case "$status" in
	124) echo "$n (timeout)" ;;
	0 | 1 | 3) echo "$n" ;;
	*) echo "$n (exit $status)" ;;
	esac
}

# timing prints the wall seconds, CPU seconds (user+sys) and peak RSS
# in KiB of a run, from the timer's report.
timing() {
	if [[ $TIMER == bash ]]; then
		awk '{printf "%.1f %.1f n/a\n", $2, $4 + $6}' "$1.time"
		return
	fi
	awk -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, t, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + t[i] }
		/User time/ { u = $2 } /System time/ { s = $2 }
		/Maximum resident set size/ { m = $2 }
		END { printf "%.1f %.1f %d\n", w, u + s, m }' "$1.time"
}

# gib prints KiB as GiB with two decimals.
gib() {
	[[ $1 == n/a ]] && { echo n/a; return; }
	awk -v k="$1" 'BEGIN { printf "%.2f GiB", k / 1048576 }'
}

# ratio prints a/b with two decimals, or n/a.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b + 0 == 0) print "n/a"; else printf "%.2f\n", a / b }'
}

# save copies the results and the capped findings into the repository.
save() {
	cp "$OUT/results.md" "$HERE/results.md"
	mkdir -p "$HERE/findings"
	local f
	for f in "$OUT"/findings/*.txt; do
		selected "$(basename "$f" .txt)" && cp "$f" "$HERE/findings/"
	done
	echo "saved results.md and findings/ in $HERE" >&2
}

main "$@"
