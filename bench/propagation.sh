#!/usr/bin/env bash
# Propagation benchmark: accel's propagation of a 200×200 complex-float field padded to
# 400×400 (and of 400×400 padded to 800×800) on 1 and 2 threads, against a plain FFTW
# forward+inverse pair over the padded grid (same binary, same sitting) and against the
# PyTorch peer (same sitting, 200→400).
# Usage: bench/propagation.sh   (needs a Release build in build/ and python3-torch)
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build -j"$(nproc)" --target accel_bench >/dev/null
json=$(mktemp)
# Threads pinned to cores: without it the first parallel regions of a process sometimes
# share a core for a while, which makes 2-thread timings bimodal for accel and FFTW alike.
OMP_PROC_BIND=true /usr/bin/time -f "%M" -o "$json.rss" build/accel_bench --benchmark_filter='BM_Propagation(Accel|PlainFftwPair)/' \
  --benchmark_repetitions=9 --benchmark_report_aggregates_only=true --benchmark_format=json >"$json"
torch_ms=()
for _ in 1 2 3; do
  line=$(/usr/bin/python3 ../shared/peers/torch_d2nn.py prop --n 200 --pad 100 --threads 2 --reps 50)
  echo "$line"
  torch_ms+=("$(sed -E 's/.*: ([0-9.]+) ms per call.*/\1/' <<<"$line")")
done
/usr/bin/python3 - "$json" "$(cat "$json.rss")" "${torch_ms[@]}" <<'PY'
import json, statistics, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
med = {b["run_name"]: b["real_time"] for b in runs if b.get("aggregate_name") == "median"}
torch_us = statistics.median(float(t) for t in sys.argv[3:]) * 1e3
for n in (200, 400):
    a1, a2 = med[f"BM_PropagationAccel/1/{n}/real_time"], med[f"BM_PropagationAccel/2/{n}/real_time"]
    f1, f2 = med[f"BM_PropagationPlainFftwPair/1/{n}/real_time"], med[f"BM_PropagationPlainFftwPair/2/{n}/real_time"]
    print(f"{n}x{n} padded to {2 * n}x{2 * n}:")
    print(f"  accel propagation, 1 / 2 threads:        {a1:8.1f} / {a2:8.1f} us (medians of 9)")
    print(f"  plain FFTW pair, 1 / 2 threads:          {f1:8.1f} / {f2:8.1f} us (medians of 9)")
    print(f"  ratio accel / plain FFTW pair, 2 threads: {a2 / f2:.3f}   (target <= 0.85); 1 thread: {a1 / f1:.3f}")
    if n == 200:
        print(f"  PyTorch peer prop, 2 threads:            {torch_us:8.1f} us (median of 3 runs of 50)")
        print(f"  speed-up over PyTorch peer, 2 threads:    {torch_us / a2:.2f}x")
print(f"peak RSS of the benchmark process:   {int(sys.argv[2]) / 1024:.1f} MiB")
PY
rm -f "$json" "$json.rss"
