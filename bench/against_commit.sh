#!/usr/bin/env bash
# The benchmarks of this tree against those of an earlier commit, in one sitting: builds
# accel_bench of COMMIT in a temporary git worktree (once: kept in build-bench/), then runs
# both binaries ROUNDS times, alternating which goes first, each with the same filter. Prints,
# per benchmark, the median real time of each binary over all its repetitions and rounds, and
# their ratio (this tree over COMMIT: below 1 is faster). Alternating and taking medians over
# rounds keeps a drift of the machine's speed within the sitting from favouring one side.
#
# Usage: bench/against_commit.sh COMMIT [FILTER] [ROUNDS] [REPETITIONS]
#   FILTER: a Google Benchmark regex (default: the d2nn workloads, the accel propagations
#   and the analog stage); ROUNDS default 3; REPETITIONS per round default 3.
# Needs a Release build in build/ (scripts/build) and libbenchmark-dev.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: bench/against_commit.sh COMMIT [FILTER] [ROUNDS] [REPETITIONS]" >&2; exit 2; }
commit=$(git rev-parse --verify --quiet "$1^{commit}") || { echo "against_commit: '$1' is not a commit" >&2; exit 2; }
filter=${2:-'BM_D2nn|BM_PropagationAccel|BM_AnalogStage'}
rounds=${3:-3}
reps=${4:-3}
cmake --build build -j"$(nproc)" --target accel_bench >/dev/null

work=$(mktemp -d)
cleanup() { git worktree remove --force "$work/tree" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
# COMMIT's accel_bench is built once and kept in build-bench/<commit>/ (ignored by git), so a
# second sitting against the same commit does not pay for the build again.
old_bench="build-bench/$commit/accel_bench"
if [[ ! -x $old_bench ]]; then
  git worktree add --detach "$work/tree" "$commit" >/dev/null 2>&1
  cmake -S "$work/tree" -B "$work/build" -DCMAKE_BUILD_TYPE=Release >"$work/build.log" 2>&1 &&
    cmake --build "$work/build" -j"$(nproc)" --target accel_bench >>"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; echo "against_commit: accel_bench of $commit did not build" >&2; exit 1; }
  mkdir -p "build-bench/$commit"
  cp "$work/build/accel_bench" "$old_bench.tmp" && mv "$old_bench.tmp" "$old_bench"
fi

run() {  # run BINARY OUTPUT
  OMP_PROC_BIND=true "$1" --benchmark_filter="$filter" --benchmark_repetitions="$reps" \
    --benchmark_format=json >"$2"
}
for ((r = 0; r < rounds; ++r)); do
  if ((r % 2 == 0)); then
    run build/accel_bench "$work/new-$r.json"; run "$old_bench" "$work/old-$r.json"
  else
    run "$old_bench" "$work/old-$r.json"; run build/accel_bench "$work/new-$r.json"
  fi
done

/usr/bin/python3 - "$work" "$rounds" "$commit" "$(git rev-parse --short HEAD)" <<'PY'
import json, statistics, sys
work, rounds, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3][:7], sys.argv[4]
scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
def times(side):  # {benchmark: [[µs of each repetition] per round]}
    out = {}
    for r in range(rounds):
        for b in json.load(open(f"{work}/{side}-{r}.json"))["benchmarks"]:
            if b.get("run_type") == "iteration":
                out.setdefault(b["run_name"], [[] for _ in range(rounds)])[r].append(b["real_time"] * scale[b["time_unit"]])
    return out
a, b = times("new"), times("old")
# The spread of the per-round ratios is the noise of the sitting a difference must exceed.
print(f"| benchmark | {new} (µs) | {old} (µs) | ratio | ratio per round, min – max |")
print("|---|---|---|---|---|")
for name in a:
    if name not in b:
        continue
    ma = statistics.median(t for r in a[name] for t in r)
    mb = statistics.median(t for r in b[name] for t in r)
    per_round = [statistics.median(x) / statistics.median(y) for x, y in zip(a[name], b[name])]
    print(f"| {name} | {ma:.1f} | {mb:.1f} | {ma / mb:.3f} | {min(per_round):.3f} – {max(per_round):.3f} |")
PY
