#!/usr/bin/env bash
# Writes the result files the analysis tests read, with the real binary: a short training run
# with an extra evaluation over light levels (/eval/0) and one with the noise budget at the
# configured light level (/eval/1), a small eval sweep over light levels, and an energy
# report. Usage: make_fixtures.sh ACCEL_BINARY OUTPUT_FOLDER
set -euo pipefail
accel=$1
out=$2
mkdir -p "$out"
small=(--set data.synthetic_train=300 --set data.synthetic_test=200 --set train.epochs=2)
"$accel" train --preset synthetic-quick "${small[@]}" -o "$out/run.h5" --force -q
"$accel" eval "$out/run.h5" --light 0.001,0.1,10 --chips 3 -q
"$accel" eval "$out/run.h5" --noise-budget --chips 3 -q
cat > "$out/sweep.toml" <<'TOML'
[sweep]
preset = "synthetic-quick"
set = ["data.synthetic_train = 300", "data.synthetic_test = 200", "train.epochs = 2"]
run = "eval"
chips = 3

[[axis]]
key = "light.energy_density_fJ_per_um2"
range = { from = 1e-3, to = 10.0, points = 5, scale = "log" }
TOML
"$accel" sweep "$out/sweep.toml" -o "$out/sweep.h5" --force -q
"$accel" energy --preset accel-2023 -o "$out/energy.h5" --force >/dev/null
