#!/usr/bin/env bash
# Scaling of accel's propagation with the field size: N×N complex-float fields padded to
# 2N×2N, N = 128 … 2048, one thread (medians of 5), fitted to t = c·N²·log₂N. Prints each
# point against the fit; the claim is that every point lies within 25 % of it.
# Usage: bench/scaling.sh   (needs a Release build in build/)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build -j"$(nproc)" --target accel_bench >/dev/null
json=$(mktemp)
trap 'rm -f "$json"' EXIT
OMP_PROC_BIND=true build/accel_bench --benchmark_filter='BM_PropagationScaling' --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$json"
/usr/bin/python3 - "$json" <<'PY'
import json, math, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
t = {int(b["run_name"].split("/")[2]): b["real_time"] for b in runs if b.get("aggregate_name") == "median"}
ns = sorted(t)
model = {n: n * n * math.log2(n) for n in ns}
# c minimising the squared relative error over the points (a geometric fit: every size counts equally).
c = math.exp(sum(math.log(t[n] / model[n]) for n in ns) / len(ns))
print(f"fit: t = {c * 1e6:.4f} ns x N^2 log2 N   (one thread, padded grid 2N x 2N)")
print(f"{'N':>6} {'padded':>7} {'t (ms)':>10} {'fit (ms)':>10} {'t / fit':>8}")
worst = 0.0
for n in ns:
    r = t[n] / (c * model[n])
    worst = max(worst, abs(r - 1.0))
    print(f"{n:>6} {2 * n:>7} {t[n]:>10.3f} {c * model[n]:>10.3f} {r:>8.3f}")
# The free power law, for comparison: t ∝ N^p.
xs = [math.log(n) for n in ns]; ys = [math.log(t[n]) for n in ns]
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
p = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
print(f"largest deviation from the N^2 log N fit: {worst * 100:.1f} %   (target <= 25 %); free power-law exponent {p:.3f}")
PY
