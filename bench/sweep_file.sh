#!/usr/bin/env bash
# Sweep persistence benchmark: energy sweeps (run = "energy", one log axis over
# light.energy_density_fJ_per_um2) of 1,000 / 10,000 / 100,000 points on 2 cores, serial
# (--threads 2) and, in MPI builds, on 2 ranks (--threads 1 each). Reports the wall time,
# the result file's size, the bytes of its table data (/sweep/points and
# /sweep/chip_accuracy) and their ratio; h5stat's unaccounted space where h5stat exists.
# Usage: bench/sweep_file.sh [BUILD_DIR] [POINTS...]   (default: build 1000 10000 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)
accel="$build/accel"
[ -x "$accel" ] || { echo "no $accel: build the accel-cli target first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
modes=(serial)
if ldd "$accel" | grep -q libmpi && command -v mpirun >/dev/null; then modes+=(mpi2); fi
printf '%-8s %-7s %9s %13s %13s %7s %11s\n' points mode seconds file_bytes table_bytes ratio unaccounted
for n in "${sizes[@]}"; do
  cat >"$work/energy.toml" <<TOML
[sweep]
preset = "accel-2023"
run = "energy"

[[axis]]
key = "light.energy_density_fJ_per_um2"
range = { from = 1e-8, to = 10.0, points = $n, scale = "log" }
TOML
  for mode in "${modes[@]}"; do
    out="$work/energy-$n-$mode.h5"
    if [ "$mode" = serial ]; then
      cmd=("$accel" sweep "$work/energy.toml" -o "$out" -q --threads 2)
    else
      cmd=(env OMP_NUM_THREADS=1 OMPI_MCA_btl_vader_single_copy_mechanism=none
           mpirun --allow-run-as-root --oversubscribe -np 2 "$accel" sweep "$work/energy.toml" -o "$out" -q --threads 1)
    fi
    start=$(date +%s.%N)
    "${cmd[@]}" >/dev/null
    end=$(date +%s.%N)
    seconds=$(/usr/bin/python3 -c "print(f'{$end - $start:.2f}')")
    read -r file_bytes table_bytes < <(/usr/bin/python3 - "$out" <<'PY'
import os, sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    table = sum(f["/sweep/" + d].id.get_storage_size() for d in ("points", "chip_accuracy"))
print(os.path.getsize(sys.argv[1]), table)
PY
)
    unaccounted=-
    if command -v h5stat >/dev/null; then
      unaccounted=$(h5stat -S "$out" | sed -nE 's/.*Unaccounted space: *([0-9]+).*/\1/p')
    fi
    ratio=$(/usr/bin/python3 -c "print(f'{$file_bytes / max($table_bytes, 1):.2f}')")
    printf '%-8s %-7s %9s %13s %13s %7s %11s\n' "$n" "$mode" "$seconds" "$file_bytes" "$table_bytes" "$ratio" "$unaccounted"
    rm -f "$out"
  done
done
