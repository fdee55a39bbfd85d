#!/usr/bin/python3
"""Tests of the analysis scripts (analysis/accel_results.py, accel_plots.py, accel_plot.py).

    /usr/bin/python3 tests/analysis/test_analysis.py

Synthetic sweep files, and eval files with noise budgets, are built with h5py in a
temporary folder, following the layouts of docs/hdf5-schema.md, and always tested. Real
files are tested when named by environment variables, else those tests are skipped:

    ACCEL_RUN_FILE     an `accel train` output (with /eval groups, noise budgets or not)
    ACCEL_SWEEP_FILE   an `accel sweep` output
    ACCEL_ENERGY_FILE  an `accel energy` output

The checks compare the reader's numbers with the raw h5py values, and the numbers in
figures.json with the file, exactly: the analysis must never alter a number it reports.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ANALYSIS = os.path.normpath(os.path.join(HERE, "..", "..", "analysis"))
sys.path.insert(0, ANALYSIS)

import accel_plots  # noqa: E402
import accel_results  # noqa: E402

PLOT_SCRIPT = os.path.join(ANALYSIS, "accel_plot.py")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAN = math.nan
LIGHT = "light.energy_density_fJ_per_um2"

PROVENANCE = {
    "accel_version": "0.1.0",
    "git_commit": "0000000test",
    "created_utc": "2026-01-01T00:00:00Z",
    "command_line": "accel sweep sweep.toml -o sweep.h5",
    "seed": np.uint64(1),
    "threads": np.int64(2),
    "fftw_version": "fftw-test",
    "hdf5_version": "1.10.8",
}

BASE_CONFIG = """[design]
architecture = "accel"
seed = 1

[optics]
mask_pixels = 8
mask_pitch_um = 8.0

[data]
dataset = "synthetic"
synthetic_classes = 4
"""

METRIC_NAMES = [
    "accuracy_noise_free", "accuracy_mean", "accuracy_std", "accuracy_ci95_low",
    "accuracy_ci95_high", "chips", "energy_density_fJ_per_um2", "frame_energy_J",
    "photons_per_frame", "detected_photons_per_frame", "energy_per_frame_J", "throughput_POPS",
    "efficiency_POPS_per_W", "train_seconds", "eval_seconds",
]


# --------------------------------------------------------------------------- synthetic files


def axis_dtype(values):
    """The table type of an axis from its Python values (the sweep layout's rules)."""
    if all(isinstance(v, bool) for v in values):
        return np.int8
    if all(isinstance(v, int) for v in values):
        return np.int64
    if all(isinstance(v, float) for v in values):
        return np.float64
    return h5py.string_dtype("utf-8")


def chip_row(mean, chips, max_chips, spread=0.01):
    """Per-chip accuracies around `mean`, NaN-padded to max_chips."""
    row = np.full(max_chips, NAN)
    if not math.isnan(mean):
        row[:chips] = mean + spread * (np.arange(chips) - (chips - 1) / 2)
    return row


def metrics(light, mean, chips, *, photons_per_fJ_um2=7.0e8, energy=True, noise_free=0.9):
    """One row's metric fields; interval NaN with one chip or no evaluation."""
    half = NAN if chips < 2 or math.isnan(mean) else 0.02 + 0.01 * chips
    return {
        "accuracy_noise_free": noise_free,
        "accuracy_mean": mean,
        "accuracy_std": NAN if math.isnan(mean) else (0.0 if chips < 2 else 0.015),
        "accuracy_ci95_low": mean - half,
        "accuracy_ci95_high": mean + half,
        "chips": chips,
        "energy_density_fJ_per_um2": light,
        "frame_energy_J": light * 2.6e-10,
        "photons_per_frame": light * photons_per_fJ_um2,
        "detected_photons_per_frame": 0.05 * light * photons_per_fJ_um2,
        "energy_per_frame_J": 4.38e-9 if energy else NAN,
        "throughput_POPS": 4.55 if energy else NAN,
        "efficiency_POPS_per_W": 74.77 if energy else NAN,
        "train_seconds": 0.0,
        "eval_seconds": 1.5 + light,
    }


def write_sweep(path, *, axes, rows, combine="grid", run="eval", points_total=None,
                max_chips=3, base_model=False, point_models=(), config=BASE_CONFIG):
    """Write a sweep file in the `accel sweep` layout.

    axes: [(key, [values...])]; rows: [(point, {axis: value}, {metric: value})].
    """
    keys = [k for k, _ in axes]
    fields = [("point", np.int64)] + [(k, axis_dtype(v)) for k, v in axes]
    fields += [(m, np.int64 if m == "chips" else np.float64) for m in METRIC_NAMES]
    table = np.zeros(len(rows), dtype=fields)
    chip_accuracy = np.full((len(rows), max_chips), NAN)
    for i, (point, axis_values, metric_values) in enumerate(rows):
        table[i]["point"] = point
        for k in keys:
            table[i][k] = axis_values[k]
        for m in METRIC_NAMES:
            table[i][m] = metric_values[m]
        chip_accuracy[i] = chip_row(metric_values["accuracy_mean"],
                                    metric_values["chips"], max_chips)
    total = points_total if points_total is not None else int(np.prod([len(v) for _, v in axes]))
    with h5py.File(path, "w") as f:
        for k, v in PROVENANCE.items():
            f.attrs[k] = v
        f.attrs["config_toml"] = config
        sweep = f.create_group("sweep")
        sweep.attrs["definition_toml"] = "[sweep]\n" + "\n".join(
            f'"{k}" = {v!r}' for k, v in axes)
        sweep.attrs["fingerprint"] = "0123456789abcdef"
        sweep.attrs["run"] = run
        sweep.attrs["combine"] = combine
        sweep.attrs["points_total"] = np.int64(total)
        sweep.attrs["points_done"] = np.int64(len(rows))
        sweep.attrs["chips"] = np.int64(max_chips)
        sweep.attrs["model_file"] = "" if run != "eval" else "base.h5"
        sweep.create_dataset("axis_keys", data=keys, dtype=h5py.string_dtype("utf-8"))
        sweep.create_dataset("points", data=table)
        sweep.create_dataset("chip_accuracy", data=chip_accuracy)
        for point in point_models:
            write_model(sweep.create_group(f"models/point_{point}"), seed=point)
        if base_model:
            write_model(f.create_group("model"), seed=99)


def write_model(group, seed):
    """A /model group of a run file: two 8×8 phase masks, SRAM weights."""
    rng = np.random.default_rng(seed)
    group.attrs["architecture"] = "accel"
    group.attrs["classes"] = np.int64(4)
    group.attrs["parameter_count"] = np.int64(2 * 64 + 16 + 1)
    group.create_dataset("parameters", data=rng.normal(size=2 * 64 + 16 + 1))
    for layer in range(2):
        mask = group.create_dataset(f"phase_{layer}_rad",
                                    data=rng.uniform(0, 2 * np.pi, (8, 8)))
        mask.attrs["unit"] = "rad"
    group.create_dataset("eac_weights", data=rng.choice([-1, 1], (4, 4)).astype(np.int8))


def build_light_grid(path):
    """Grid light × eac.weights (a string axis); point 4 unfinished, point 3 not
    evaluated (NaN accuracy), point 1 on one chip (no interval)."""
    lights, weights = [0.01, 0.1, 1.0], ["binary", "ternary"]
    rows = []
    for point in (0, 1, 2, 3, 5):
        light, weight = lights[point // 2], weights[point % 2]
        mean = {0: 0.3, 1: 0.32, 2: 0.6, 3: NAN, 5: 0.97}[point]
        chips = 1 if point == 1 else 3
        rows.append((point, {LIGHT: light, "eac.weights": weight},
                     metrics(light, mean, chips)))
    write_sweep(path, axes=[(LIGHT, lights), ("eac.weights", weights)], rows=rows,
                points_total=6)


def build_light_zip(path):
    """Zip light × eval.noise (a boolean axis); no energy model; another photon scale."""
    lights, noise = [0.01, 0.1, 1.0, 10.0], [True, True, True, False]
    means = [0.25, 0.5, 0.9, 0.95]
    rows = [(i, {LIGHT: lights[i], "eval.noise": noise[i]},
             metrics(lights[i], means[i], 1 if i == 3 else 4, photons_per_fJ_um2=2.0e9,
                     energy=False))
            for i in range(4)]
    write_sweep(path, axes=[(LIGHT, lights), ("eval.noise", noise)], rows=rows,
                combine="zip", max_chips=4)


def build_phase_grid(path):
    """Grid eval.phase_error_pi × train.phase_error_pi × a one-value list-valued key,
    trained per point: base model and two point models."""
    evals, trains, distances = [0.0, 0.1, 0.2, 0.3], [0.0, 0.26], ["[20.0, 20.0]"]
    rows = []
    for point in range(8):
        e, t = evals[point // 2], trains[point % 2]
        mean = 0.95 - e * (2.0 if t == 0 else 0.8)
        rows.append((point, {"eval.phase_error_pi": e, "train.phase_error_pi": t,
                             "optics.distances_mm": distances[0]},
                     dict(metrics(0.14, mean, 3, noise_free=0.96), train_seconds=10.0 + point)))
    write_sweep(path, axes=[("eval.phase_error_pi", evals), ("train.phase_error_pi", trains),
                            ("optics.distances_mm", distances)],
                rows=rows, run="train", base_model=True, point_models=(0, 5))


def build_int_zip(path):
    """Zip over an integer key (optics.phase_bits)."""
    bits = [1, 2, 3, 4, 8]
    rows = [(i, {"optics.phase_bits": b}, metrics(0.14, 0.5 + 0.05 * b, 3))
            for i, b in enumerate(bits)]
    write_sweep(path, axes=[("optics.phase_bits", bits)], rows=rows, combine="zip")


def build_empty(path):
    """A sweep that has not finished any point yet."""
    write_sweep(path, axes=[(LIGHT, [0.1, 1.0])], rows=[], points_total=2)


# Terms of a noise budget in the order accel writes them, with their per_frame flag.
BUDGET_TERMS = [("photon_shot", 1), ("dark_shot", 1), ("johnson", 1), ("reset", 1),
                ("pixel_gain", 0), ("weight_path", 0), ("line_capacitance", 0),
                ("comparator_offset", 0)]
BUDGET_ATTRS = ("energy_density_fJ_per_um2", "images", "per_frame_rms_e",
                "fixed_pattern_rms_e", "signal_spread_rms_e", "margin_median_e")
TERM_ACCURACY = ["accuracy_alone", "accuracy_alone_ci95_half_width", "accuracy_all_but",
                 "accuracy_all_but_ci95_half_width"]


def write_light(group, light, chips, mean):
    """A light_<i> group of a test evaluation, over `chips` chips of 4 classes."""
    group.attrs["energy_density_fJ_per_um2"] = light
    group.attrs["frame_energy_J"] = light * 2.6214400000000003e-10
    group.attrs["photons_per_frame"] = light * 702060957.2523795
    group.attrs["chips"] = np.int64(chips)
    group.attrs["accuracy_mean"] = mean
    group.attrs["accuracy_std"] = 0.0 if chips < 2 else 0.0151
    if chips >= 2:  # accel writes no interval for one chip
        group.attrs["accuracy_ci95_low"] = mean - 0.0375
        group.attrs["accuracy_ci95_high"] = mean + 0.0375
    group.create_dataset("accuracy_per_chip", data=chip_row(mean, chips, chips))
    group.create_dataset("confusion", data=np.diag([48, 50, 47, 49]).astype(np.int64) * chips)


def write_noise_budget(group, light, chips=None, *, seed=0, accuracy=True):
    """A noise_budget/light_<i> group; `accuracy=False` writes the older layout (no
    accuracy table and no chips, accuracy_all, accuracy_none attributes).

    Values are irregular floats (so any rounding shows), one term is exactly zero (Johnson
    noise without a shunt resistance) and with one chip the half widths are NaN.
    """
    rng = np.random.default_rng(seed)
    group.attrs["energy_density_fJ_per_um2"] = light
    group.attrs["images"] = np.int64(200)
    group.attrs["description"] = "noise terms of the line differentials (test)"
    rms = rng.uniform(0.1, 3.0, len(BUDGET_TERMS)) * 10.0 ** rng.integers(-1, 5, len(BUDGET_TERMS))
    rms[2] = 0.0
    terms = np.zeros(len(BUDGET_TERMS), dtype=[("term", h5py.string_dtype("utf-8")),
                                                ("rms_e", np.float64), ("per_frame", np.int8)])
    for i, (name, per_frame) in enumerate(BUDGET_TERMS):
        terms[i] = (name, rms[i], per_frame)
    group.create_dataset("terms", data=terms)
    per_frame = rms[[flag == 1 for _, flag in BUDGET_TERMS]]
    fixed = rms[[flag == 0 for _, flag in BUDGET_TERMS]]
    group.attrs["per_frame_rms_e"] = float(np.sqrt(np.sum(per_frame ** 2)))
    group.attrs["fixed_pattern_rms_e"] = float(np.sqrt(np.sum(fixed ** 2)))
    group.attrs["signal_spread_rms_e"] = float(rms.max() * 0.5712345)
    group.attrs["margin_median_e"] = float(rms.max() * 0.9123457)
    if not accuracy:
        return
    group.attrs["chips"] = np.int64(chips)
    group.attrs["accuracy_all"] = 0.5133333333333333
    group.attrs["accuracy_none"] = 1.0
    fields = [("term", h5py.string_dtype("utf-8"))] + [(n, np.float64) for n in TERM_ACCURACY]
    rows = np.zeros(len(BUDGET_TERMS) + 1, dtype=fields)
    for i, name in enumerate([n for n, _ in BUDGET_TERMS] + ["clipping"]):
        alone, all_but = rng.uniform(0.25, 1.0, 2)
        half = NAN if chips < 2 else rng.uniform(0.0, 0.1)
        rows[i] = (name, alone, half, all_but, 0.0 if chips >= 2 and i == 0 else half)
    group.create_dataset("accuracy", data=rows)


def write_evaluation(group, lights):
    """A test evaluation group (/eval/<n>) with light levels [(light, chips, mean)]."""
    group.attrs["accuracy"] = 0.97
    group.attrs["loss"] = 0.0812345
    group.attrs["classes"] = np.int64(4)
    group.attrs["images"] = np.int64(200)
    group.attrs["dataset"] = "synthetic-shapes/test"
    group.create_dataset("confusion", data=np.diag([49, 50, 48, 47]).astype(np.int64))
    for i, (light, chips, mean) in enumerate(lights):
        write_light(group.create_group(f"light_{i}"), light, chips, mean)


def write_eval_file(path):
    """Write the root of an `accel eval -o` output; return the open file to fill."""
    f = h5py.File(path, "w")
    for k, v in PROVENANCE.items():
        f.attrs[k] = v
    f.attrs["command_line"] = "accel eval run.h5 --noise-budget -o eval.h5"
    f.attrs["config_toml"] = BASE_CONFIG
    return f


def build_noise_budget(path):
    """An eval file: /eval/0 over two light levels (3 chips, then one chip: NaN half
    widths), each with a noise budget and its accuracy table; /eval/1 without a budget."""
    with write_eval_file(path) as f:
        first = f.create_group("eval/0")
        write_evaluation(first, [(0.001, 3, 0.41), (0.14, 1, 0.93)])
        write_noise_budget(first.create_group("noise_budget/light_0"), 0.001, 3, seed=1)
        write_noise_budget(first.create_group("noise_budget/light_1"), 0.14, 1, seed=2)
        write_evaluation(f.create_group("eval/1"), [(0.14, 3, 0.92)])


def build_old_noise_budget(path):
    """An eval file from before the accuracy table: terms and rms attributes only."""
    with write_eval_file(path) as f:
        group = f.create_group("eval/0")
        write_evaluation(group, [(0.14, 3, 0.9)])
        write_noise_budget(group.create_group("noise_budget/light_0"), 0.14, seed=3,
                           accuracy=False)


# --------------------------------------------------------------------------- helpers


def decode(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def raw_table(path):
    """/sweep/points read with h5py alone: column → array, strings decoded."""
    with h5py.File(path, "r") as f:
        data = f["/sweep/points"][()]
    return {name: (np.array([decode(v) for v in data[name]], dtype=str)
                   if data[name].dtype.kind in "OSU" else data[name])
            for name in data.dtype.names}


def same(a, b):
    """Exact equality of a JSON value (None = NaN) and a file value."""
    if a is None:
        return b is None or (isinstance(b, float) and math.isnan(b)) or (
            isinstance(b, np.floating) and np.isnan(b))
    if isinstance(b, (float, np.floating)) and math.isnan(b):
        return False
    return a == b


def identical(a, b):
    """Exact equality of a number the reader returned and a file value; NaN equals NaN."""
    if isinstance(a, float) and math.isnan(a):
        return isinstance(b, (float, np.floating)) and math.isnan(b)
    return a == b


def run_plot(*args):
    """Run accel_plot.py as the user would; return (code, stdout, stderr)."""
    done = subprocess.run([sys.executable, PLOT_SCRIPT, *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout, done.stderr


def read_manifest(outdir):
    with open(os.path.join(outdir, "figures.json"), encoding="utf-8") as f:
        return json.loads(f.read(), parse_constant=lambda c: (_ for _ in ()).throw(
            ValueError(f"figures.json contains {c}")))


class FigureChecks(unittest.TestCase):
    """Assertions shared by the test cases."""

    def assert_pngs(self, outdir, manifest):
        """Every listed PNG exists, is non-empty and a PNG; every PNG is listed."""
        listed = [entry["png"] for entry in manifest["figures"]]
        self.assertEqual(len(listed), len(set(listed)), "a PNG is listed twice")
        for name in listed:
            path = os.path.join(outdir, name)
            self.assertTrue(os.path.isfile(path), name)
            self.assertGreater(os.path.getsize(path), 1000, name)
            with open(path, "rb") as f:
                self.assertEqual(f.read(8), PNG_SIGNATURE, name)
        on_disk = sorted(n for n in os.listdir(outdir) if n.endswith(".png"))
        self.assertEqual(on_disk, sorted(listed))

    def figure(self, manifest, png):
        for entry in manifest["figures"]:
            if entry["png"] == png:
                return entry
        self.fail(f"{png} not in figures.json (has {[e['png'] for e in manifest['figures']]})")

    def assert_sweep_series(self, series, path, x_key, metric):
        """A plotted sweep series equals the table rows it names, value for value."""
        table = raw_table(path)
        rows = [int(np.flatnonzero(table["point"] == p)[0]) for p in series["points"]]
        self.assertEqual(len(rows), len(series["x"]))
        for j, row in enumerate(rows):
            self.assertTrue(same(series["x"][j], float(table[x_key][row])))
            self.assertTrue(same(series["y"][j], float(table[metric][row])))
            if "low" in series:
                self.assertTrue(same(series["low"][j], table["accuracy_ci95_low"][row]))
                self.assertTrue(same(series["high"][j], table["accuracy_ci95_high"][row]))
                self.assertTrue(same(series["noise_free"][j],
                                     table["accuracy_noise_free"][row]))
            self.assertTrue(same(series["photons"][j], table["photons_per_frame"][row]))
        self.assertEqual(series["x"], sorted(series["x"]), "points not sorted by x")

    def assert_energy(self, energy, group):
        self.assertEqual(energy.energy_per_frame_J, group.attrs["energy_per_frame_J"])
        self.assertEqual(energy.throughput_POPS, group.attrs["throughput_POPS"])
        self.assertEqual(energy.efficiency_POPS_per_W, group.attrs["efficiency_POPS_per_W"])
        self.assertEqual(sorted(c.name for c in energy.components),
                         sorted(group["components"]))
        for c in energy.components:
            raw = group["components"][c.name].attrs
            self.assertEqual(c.energy_J, raw["energy_J"])
            self.assertEqual(c.systemic, bool(raw["systemic"]))

    def assert_noise_budgets(self, ev, group):
        """An evaluation's noise budgets equal its noise_budget/light_<i> groups, exactly."""
        parts = group["noise_budget"] if "noise_budget" in group else {}
        names = sorted(parts, key=lambda k: int(k.split("_")[1]))
        self.assertEqual([b.name for b in ev.noise_budgets], names)
        for budget, name in zip(ev.noise_budgets, names):
            raw = parts[name]
            self.assertEqual(budget.path, raw.name)
            for key in BUDGET_ATTRS:
                self.assertEqual(getattr(budget, key), raw.attrs[key], key)
                self.assertIsInstance(getattr(budget, key),
                                      int if key == "images" else float, key)
            for key in ("accuracy_all", "accuracy_none"):
                self.assertTrue(identical(getattr(budget, key), raw.attrs.get(key, NAN)), key)
            self.assertEqual(budget.chips, raw.attrs["chips"] if "chips" in raw.attrs
                             else None)
            terms = raw["terms"][()]
            self.assertEqual([t.name for t in budget.terms],
                             [decode(v) for v in terms["term"]])
            self.assertEqual([t.rms_e for t in budget.terms], terms["rms_e"].tolist())
            self.assertEqual([t.per_frame for t in budget.terms],
                             [bool(v) for v in terms["per_frame"]])
            if "accuracy" not in raw:
                self.assertEqual(budget.accuracy, [])
                self.assertFalse(budget.has_accuracy)
                continue
            rows = raw["accuracy"][()]
            self.assertEqual([r.term for r in budget.accuracy],
                             [decode(v) for v in rows["term"]])
            for key in TERM_ACCURACY:
                for row, value in zip(budget.accuracy, rows[key]):
                    self.assertIsInstance(getattr(row, key), float)
                    self.assertTrue(identical(getattr(row, key), value), key)

    def assert_budget_figure(self, entry, raw):
        """A noise_budget figure's numbers equal the file's group `raw`, exactly."""
        self.assertEqual(entry["group"], raw.name)
        self.assertEqual(entry["light"], raw.name.rsplit("/", 1)[-1])
        for key in BUDGET_ATTRS:
            self.assertEqual(entry[key], raw.attrs[key], key)
        for key in ("accuracy_all", "accuracy_none"):
            self.assertTrue(same(entry[key], raw.attrs.get(key, NAN)), key)
        self.assertEqual(entry["chips"], raw.attrs["chips"] if "chips" in raw.attrs else None)
        terms = raw["terms"][()]
        self.assertEqual([t["term"] for t in entry["terms"]],
                         [decode(v) for v in terms["term"]])
        self.assertEqual([t["rms_e"] for t in entry["terms"]], terms["rms_e"].tolist())
        self.assertEqual([t["per_frame"] for t in entry["terms"]],
                         [bool(v) for v in terms["per_frame"]])
        self.assertEqual([t["drawn"] for t in entry["terms"]],
                         [bool(v > 0) for v in terms["rms_e"]])  # zero terms are text
        rows = raw["accuracy"][()] if "accuracy" in raw else []
        self.assertEqual([r["term"] for r in entry["accuracy"]],
                         [decode(r["term"]) for r in rows])
        for shown, row in zip(entry["accuracy"], rows):
            for key in TERM_ACCURACY:
                self.assertTrue(same(shown[key], row[key]), key)

    def assert_error_exit(self, *args, mentions=None):
        code, out, err = run_plot(*args)
        self.assertEqual(code, 2, err)
        lines = err.strip("\n").split("\n")
        self.assertEqual(len(lines), 1, f"stderr is not one line: {err!r}")
        self.assertNotIn("Traceback", err)
        if mentions:
            self.assertIn(mentions, err)


# --------------------------------------------------------------------------- synthetic tests


class SyntheticSweeps(FigureChecks):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.grid = os.path.join(d, "light-grid.h5")
        cls.zip = os.path.join(d, "light-zip.h5")
        cls.phase = os.path.join(d, "phase-grid.h5")
        cls.bits = os.path.join(d, "bits-zip.h5")
        cls.empty = os.path.join(d, "empty.h5")
        build_light_grid(cls.grid)
        build_light_zip(cls.zip)
        build_phase_grid(cls.phase)
        build_int_zip(cls.bits)
        build_empty(cls.empty)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_reader_equals_raw_values(self):
        for path in (self.grid, self.zip, self.phase, self.bits):
            with self.subTest(path=os.path.basename(path)):
                r = accel_results.load(path)
                self.assertEqual(r.kind, "sweep")
                table = raw_table(path)
                self.assertEqual(sorted(r.sweep.table), sorted(table))
                for name, column in table.items():
                    np.testing.assert_array_equal(r.sweep.table[name], column)
                    self.assertEqual(r.sweep.table[name].dtype.kind, column.dtype.kind, name)
                with h5py.File(path, "r") as f:
                    np.testing.assert_array_equal(r.sweep.chip_accuracy,
                                                  f["/sweep/chip_accuracy"][()])
                    keys = [decode(k) for k in f["/sweep/axis_keys"][()]]
                    self.assertEqual(r.sweep.axis_keys, keys)
                    for name, value in f["/sweep"].attrs.items():
                        self.assertEqual(r.sweep.attrs[name], decode(value), name)
                    for name, value in f.attrs.items():
                        if name in accel_results.PROVENANCE_KEYS:
                            self.assertEqual(r.provenance[name], decode(value), name)
                self.assertIsInstance(r.sweep.table["point"], np.ndarray)

    def test_reader_types_and_parts(self):
        grid = accel_results.load(self.grid).sweep
        self.assertEqual(grid.table["eac.weights"].tolist(),
                         ["binary", "ternary", "binary", "ternary", "ternary"])
        self.assertEqual(grid.numeric_axes(), [LIGHT])
        self.assertEqual(grid.attrs["points_total"], 6)
        self.assertEqual(grid.rows, 5)
        self.assertTrue(math.isnan(grid.table["accuracy_mean"][3]))
        self.assertTrue(math.isnan(grid.table["accuracy_ci95_low"][1]))
        self.assertEqual(np.isfinite(grid.chip_accuracy[1]).sum(), 1)
        zipped = accel_results.load(self.zip).sweep
        self.assertEqual(zipped.table["eval.noise"].dtype, np.int8)
        self.assertFalse(zipped.is_numeric_axis("eval.noise"))
        phase = accel_results.load(self.phase)
        self.assertEqual(phase.sweep.model_points, [0, 5])
        self.assertEqual(len(phase.model.phase_masks), 2)
        self.assertEqual(phase.classes, 4)
        model = accel_results.load_model(self.phase, point=5)
        with h5py.File(self.phase, "r") as f:
            np.testing.assert_array_equal(model.phase_masks[1],
                                          f["/sweep/models/point_5/phase_1_rad"][()])
        self.assertEqual(accel_results.load(self.bits).sweep.table["optics.phase_bits"].dtype,
                         np.int64)
        empty = accel_results.load(self.empty).sweep
        self.assertEqual(empty.rows, 0)
        self.assertEqual(empty.chip_accuracy.shape[0], 0)

    def test_series_split_by_other_grid_axes(self):
        sweep = accel_results.load(self.grid).sweep
        series = accel_plots.sweep_series(sweep, LIGHT, "accuracy_mean", "g", "f")
        self.assertEqual([s.label for s in series],
                         ["g, eac.weights=binary", "g, eac.weights=ternary"])
        self.assertEqual([s.origin["points"] for s in series], [[0, 2], [1, 3, 5]])
        zipped = accel_results.load(self.zip).sweep
        self.assertEqual(len(accel_plots.sweep_series(zipped, LIGHT, "accuracy_mean",
                                                      "z", "f")), 1)
        with self.assertRaises(ValueError):
            accel_plots.sweep_series(sweep, "no.such_key", "accuracy_mean", "g", "f")

    def test_plot_two_sweeps_compared(self):
        out = os.path.join(self.tmp.name, "out-light")
        code, stdout, err = run_plot(self.grid, self.zip, "-o", out,
                                     "--label", "accel", "--label", "digital")
        self.assertEqual(code, 0, err)
        manifest = read_manifest(out)
        self.assert_pngs(out, manifest)
        self.assertEqual([i["label"] for i in manifest["inputs"]], ["accel", "digital"])
        for png in ("accel_accuracy_vs_light.png", "digital_accuracy_vs_light.png",
                    "combined_accuracy_vs_light.png", "combined_accuracy_vs_photons.png"):
            self.figure(manifest, png)
        combined = self.figure(manifest, "combined_accuracy_vs_light.png")
        self.assertEqual(sorted(combined["sources"]), sorted([self.grid, self.zip]))
        self.assertIsNone(combined["photons_per_unit_x"])  # two photon scales
        self.assertEqual(combined["chance"], [0.25])
        self.assertTrue(combined["x_log"])
        self.assertEqual(len(combined["series"]), 3)
        for series in combined["series"]:
            self.assert_sweep_series(series, series["source"], LIGHT, "accuracy_mean")
        single = self.figure(manifest, "accel_accuracy_vs_light.png")
        self.assertTrue(math.isclose(single["photons_per_unit_x"], 7.0e8, rel_tol=1e-12))
        photons = self.figure(manifest, "combined_accuracy_vs_photons.png")
        for series in photons["series"]:
            self.assertEqual(series["x"], series["photons"])
        # Energy metrics are constant or NaN here: no figure for them.
        self.assertFalse([e for e in manifest["figures"] if "POPS" in e["png"]])

    def test_plot_phase_error_split_by_training_error(self):
        out = os.path.join(self.tmp.name, "out-phase")
        code, _, err = run_plot(self.phase, "-o", out)
        self.assertEqual(code, 0, err)
        manifest = read_manifest(out)
        self.assert_pngs(out, manifest)
        entry = self.figure(manifest, "phase-grid_accuracy_vs_phase_error.png")
        self.assertEqual([s["label"] for s in entry["series"]],
                         ["phase-grid, train.phase_error_pi=0",
                          "phase-grid, train.phase_error_pi=0.26"])
        for series in entry["series"]:
            self.assert_sweep_series(series, self.phase, "eval.phase_error_pi",
                                     "accuracy_mean")
        self.assertIn("(π rad)", entry["x_label"])
        generic = self.figure(manifest, "phase-grid_accuracy_mean_vs_train.phase_error_pi.png")
        for series in generic["series"]:
            self.assert_sweep_series(series, self.phase, "train.phase_error_pi",
                                     "accuracy_mean")
        masks = self.figure(manifest, "phase-grid_phase_masks.png")
        with h5py.File(self.phase, "r") as f:
            for panel in masks["panels"]:
                data = f[panel["dataset"]][()]
                self.assertEqual(panel["max"], float(data.max()))
                self.assertEqual(panel["shape"], list(data.shape))

    def test_plot_requested_axis_and_metric(self):
        out = os.path.join(self.tmp.name, "out-bits")
        code, _, err = run_plot(self.bits, self.empty, "-o", out, "--axis",
                                "optics.phase_bits", "--metric", "eval_seconds",
                                "--metric", "accuracy_mean")
        self.assertEqual(code, 0, err)
        manifest = read_manifest(out)
        self.assert_pngs(out, manifest)
        entry = self.figure(manifest, "bits-zip_eval_seconds_vs_optics.phase_bits.png")
        self.assertEqual(entry["metric"], "eval_seconds")
        self.assert_sweep_series(entry["series"][0], self.bits, "optics.phase_bits",
                                 "eval_seconds")
        entry = self.figure(manifest, "bits-zip_accuracy_mean_vs_optics.phase_bits.png")
        self.assert_sweep_series(entry["series"][0], self.bits, "optics.phase_bits",
                                 "accuracy_mean")
        self.assertFalse([e for e in manifest["figures"] if e["png"].startswith("empty")])

    def test_bad_input_exit_code_2(self):
        d = self.tmp.name
        out = os.path.join(d, "out-bad")
        text = os.path.join(d, "notes.h5")
        with open(text, "w") as f:
            f.write("not HDF5\n")
        foreign = os.path.join(d, "foreign.h5")
        with h5py.File(foreign, "w") as f:
            f["x"] = np.arange(3)
        bare = os.path.join(d, "bare.h5")
        with h5py.File(bare, "w") as f:
            f.attrs["accel_version"] = "0.1.0"
            f.attrs["config_toml"] = ""
        self.assert_error_exit(os.path.join(d, "missing.h5"), "-o", out, mentions="missing.h5")
        self.assert_error_exit(text, "-o", out, mentions="notes.h5")
        self.assert_error_exit(foreign, "-o", out, mentions="accel_version")
        self.assert_error_exit(bare, "-o", out, mentions="bare.h5")
        self.assert_error_exit(self.grid, "-o", out, "--axis", "no.such_key",
                               mentions="no.such_key")
        self.assert_error_exit(self.grid, "-o", out, "--axis", "eac.weights")
        self.assert_error_exit(self.grid, "-o", out, "--metric", "bogus", mentions="bogus")
        self.assert_error_exit(self.grid, self.zip, "-o", out, "--label", "one")
        self.assert_error_exit(self.grid)  # no -o
        self.assertFalse(os.path.exists(out), "an error left an output folder")

    def test_reader_names_missing_object(self):
        d = self.tmp.name
        broken = os.path.join(d, "broken.h5")
        build_light_grid(broken)
        with h5py.File(broken, "a") as f:
            del f["/sweep/chip_accuracy"]
        with self.assertRaises(accel_results.AccelFileError) as caught:
            accel_results.load(broken)
        self.assertIn("broken.h5", str(caught.exception))
        self.assertIn("/sweep/chip_accuracy", str(caught.exception))
        with h5py.File(broken, "a") as f:
            del f["/sweep"].attrs["combine"]
        with self.assertRaises(accel_results.AccelFileError) as caught:
            accel_results.load(broken)
        self.assertIn("combine", str(caught.exception))
        with self.assertRaises(accel_results.AccelFileError) as caught:
            accel_results.load(os.path.join(d, "nowhere.h5"))
        self.assertIn("nowhere.h5", str(caught.exception))


class SyntheticNoiseBudget(FigureChecks):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.path = os.path.join(cls.tmp.name, "budget.h5")
        cls.old = os.path.join(cls.tmp.name, "old-budget.h5")
        build_noise_budget(cls.path)
        build_old_noise_budget(cls.old)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_reader_equals_raw_values(self):
        for path in (self.path, self.old):
            with self.subTest(path=os.path.basename(path)):
                r = accel_results.load(path)
                self.assertEqual(r.kind, "eval")
                with h5py.File(path, "r") as f:
                    self.assertEqual(sorted(r.evals), sorted(int(n) for n in f["eval"]))
                    for n, ev in r.evals.items():
                        self.assert_noise_budgets(ev, f["eval"][str(n)])

    def test_reader_parts_and_older_layout(self):
        r = accel_results.load(self.path)
        self.assertEqual([b.name for b in r.evals[0].noise_budgets], ["light_0", "light_1"])
        self.assertEqual(r.evals[1].noise_budgets, [])  # evaluated without --noise-budget
        one_chip = r.evals[0].noise_budgets[1]
        self.assertEqual(one_chip.chips, 1)
        self.assertEqual(len(one_chip.accuracy), 9)
        self.assertEqual(one_chip.accuracy[-1].term, "clipping")
        self.assertTrue(math.isnan(one_chip.accuracy[0].accuracy_alone_ci95_half_width))
        self.assertEqual(one_chip.terms[2].rms_e, 0.0)
        old = accel_results.load(self.old).evals[0].noise_budgets[0]
        self.assertFalse(old.has_accuracy)
        self.assertIsNone(old.chips)
        self.assertTrue(math.isnan(old.accuracy_all) and math.isnan(old.accuracy_none))
        self.assertEqual(len(old.terms), len(BUDGET_TERMS))

    def test_plot_figures_match_file(self):
        out = os.path.join(self.tmp.name, "out-budget")
        code, _, err = run_plot(self.path, self.old, "-o", out, "--label", "new",
                                "--label", "old")
        self.assertEqual(code, 0, err)
        manifest = read_manifest(out)
        self.assert_pngs(out, manifest)
        budgets = sorted(e["png"] for e in manifest["figures"] if e["figure"] == "noise_budget")
        self.assertEqual(budgets, ["new_noise_budget_eval-0_light_0.png",
                                   "new_noise_budget_eval-0_light_1.png",
                                   "old_noise_budget_eval-0_light_0.png"])
        with h5py.File(self.path, "r") as f, h5py.File(self.old, "r") as g:
            for png, raw in (("new_noise_budget_eval-0_light_0.png",
                              f["eval/0/noise_budget/light_0"]),
                             ("new_noise_budget_eval-0_light_1.png",
                              f["eval/0/noise_budget/light_1"]),
                             ("old_noise_budget_eval-0_light_0.png",
                              g["eval/0/noise_budget/light_0"])):
                entry = self.figure(manifest, png)
                self.assertEqual(entry["sources"], [f.filename if png.startswith("new")
                                                    else g.filename])
                self.assert_budget_figure(entry, raw)
        old = self.figure(manifest, "old_noise_budget_eval-0_light_0.png")
        self.assertEqual(old["accuracy"], [])
        self.assertIsNone(old["accuracy_all"])
        one_chip = self.figure(manifest, "new_noise_budget_eval-0_light_1.png")
        self.assertIsNone(one_chip["accuracy"][0]["accuracy_alone_ci95_half_width"])

    def test_plot_function_alone(self):
        budget = accel_results.load(self.old).evals[0].noise_budgets[0]
        out = os.path.join(self.tmp.name, "alone.png")
        entry = accel_plots.plot_noise_budget(budget, out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(8), PNG_SIGNATURE)
        self.assertEqual(entry["png"], "alone.png")
        self.assertIn("0.14 fJ/µm²", entry["title"])

    def test_reader_names_missing_budget_object(self):
        broken = os.path.join(self.tmp.name, "broken-budget.h5")
        build_noise_budget(broken)
        with h5py.File(broken, "a") as f:
            del f["eval/0/noise_budget/light_1/terms"]
            del f["eval/0/noise_budget/light_0"].attrs["margin_median_e"]
        with self.assertRaises(accel_results.AccelFileError) as caught:
            accel_results.load(broken)
        self.assertIn("margin_median_e", str(caught.exception))
        self.assertIn("/eval/0/noise_budget/light_0", str(caught.exception))
        with h5py.File(broken, "a") as f:
            f["eval/0/noise_budget/light_0"].attrs["margin_median_e"] = 1.0
        with self.assertRaises(accel_results.AccelFileError) as caught:
            accel_results.load(broken)
        self.assertIn("/eval/0/noise_budget/light_1/terms", str(caught.exception))
        with h5py.File(broken, "a") as f:
            f["eval/0/noise_budget/light_1/terms"] = np.array(
                [("reset", 1.5), ("johnson", 0.0)],
                dtype=[("term", h5py.string_dtype("utf-8")), ("rms_e", np.float64)])
        with self.assertRaises(accel_results.AccelFileError) as caught:
            accel_results.load(broken)
        self.assertIn("per_frame", str(caught.exception))
        out = os.path.join(self.tmp.name, "out-broken")
        self.assert_error_exit(broken, "-o", out, mentions="broken-budget.h5")
        self.assertFalse(os.path.exists(out))


# --------------------------------------------------------------------------- real files


def env_file(name):
    """The file named by an environment variable, or skip the test."""
    path = os.environ.get(name)
    if not path:
        raise unittest.SkipTest(f"{name} is not set: test with a real file skipped")
    return os.path.abspath(path)


class RealRunFile(FigureChecks):
    @classmethod
    def setUpClass(cls):
        cls.path = env_file("ACCEL_RUN_FILE")
        cls.result = accel_results.load(cls.path)
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def assert_evaluation(self, ev, group):
        self.assertEqual(ev.accuracy, group.attrs["accuracy"])
        self.assertEqual(ev.classes, group.attrs["classes"])
        np.testing.assert_array_equal(ev.confusion, group["confusion"][()])
        names = sorted((k for k in group if k.startswith("light_")), key=lambda k: int(k[6:]))
        self.assertEqual([light.name for light in ev.lights], names)
        for light, name in zip(ev.lights, names):
            raw = group[name]
            for field in ("energy_density_fJ_per_um2", "photons_per_frame", "frame_energy_J",
                          "chips", "accuracy_mean", "accuracy_std"):
                self.assertEqual(getattr(light, field), raw.attrs[field], field)
            for field, key in (("ci95_low", "accuracy_ci95_low"),
                               ("ci95_high", "accuracy_ci95_high")):
                if key in raw.attrs:
                    self.assertEqual(getattr(light, field), raw.attrs[key])
                else:
                    self.assertTrue(math.isnan(getattr(light, field)))
            np.testing.assert_array_equal(light.accuracy_per_chip,
                                          raw["accuracy_per_chip"][()])
            np.testing.assert_array_equal(light.confusion, raw["confusion"][()])
        self.assert_noise_budgets(ev, group)

    def test_reader_equals_raw_values(self):
        r = self.result
        # A train output; an `accel eval -o` output (no model) is accepted too.
        self.assertIn(r.kind, ("run", "eval"))
        with h5py.File(self.path, "r") as f:
            for key in accel_results.PROVENANCE_KEYS:
                self.assertEqual(r.provenance[key], decode(f.attrs[key]), key)
            if "metrics/history" in f:
                for key in f["metrics/history"]:
                    np.testing.assert_array_equal(r.history[key], f["metrics/history"][key][()])
            if "metrics/test" in f:
                self.assert_evaluation(r.test, f["metrics/test"])
            evals = sorted(f["eval"], key=int) if "eval" in f else []
            self.assertEqual(sorted(r.evals), [int(n) for n in evals])
            for n in evals:
                self.assert_evaluation(r.evals[int(n)], f["eval"][n])
            if "energy" in f:
                self.assert_energy(r.energy, f["energy"])
            model = f["model"] if "model" in f else {}
            masks = sorted((k for k in model if k.startswith("phase_")),
                           key=lambda k: int(k.split("_")[1]))
            self.assertEqual(len(r.model.phase_masks) if r.model else 0, len(masks))
            for mask, name in zip(r.model.phase_masks if r.model else [], masks):
                np.testing.assert_array_equal(mask, model[name][()])
            if "fields" in f:
                names = sorted(f["fields"], key=lambda k: int(k.rsplit("_", 1)[1]))
                self.assertEqual([d.path for d in r.detector], ["/fields/" + n for n in names])
                for det, name in zip(r.detector, names):
                    np.testing.assert_array_equal(det.intensity, f["fields"][name][()])
                    self.assertEqual(det.label, f["fields"][name].attrs["label"])

    def test_plot_figures_match_file(self):
        out = os.path.join(self.tmp.name, "out")
        code, _, err = run_plot(self.path, "-o", out, "--label", "run")
        self.assertEqual(code, 0, err)
        manifest = read_manifest(out)
        self.assert_pngs(out, manifest)
        r = self.result
        if r.history is not None and len(r.history["train_loss"]):
            history = self.figure(manifest, "run_history.png")
            for series in history["series"]:
                self.assertEqual(series["y"], r.history[series["key"]].tolist())
        for ev in r.evaluations():
            name = "test" if ev.path == "/metrics/test" else ev.path.strip("/").replace("/", "-")
            confusion = self.figure(manifest, f"run_confusion_{name}.png")
            self.assertEqual(confusion["panels"][0]["counts"], ev.confusion.tolist())
            with h5py.File(self.path, "r") as f:
                for budget in ev.noise_budgets:
                    self.assert_budget_figure(
                        self.figure(manifest, f"run_noise_budget_{name}_{budget.name}.png"),
                        f[budget.path])
        budgets = [b for ev in r.evaluations() for b in ev.noise_budgets]
        self.assertEqual(len([e for e in manifest["figures"] if e["figure"] == "noise_budget"]),
                         len(budgets))
        if any(ev.lights for ev in r.evaluations()):
            light = self.figure(manifest, "run_accuracy_vs_light.png")
            with h5py.File(self.path, "r") as f:
                for series in light["series"]:
                    group = f[series["group"]]
                    self.assertEqual(series["noise_free"][0], group.attrs["accuracy"])
                    for j, name in enumerate(series["lights"]):
                        attrs = group[name].attrs
                        self.assertEqual(series["x"][j], attrs["energy_density_fJ_per_um2"])
                        self.assertEqual(series["y"][j], attrs["accuracy_mean"])
                        self.assertEqual(series["photons"][j], attrs["photons_per_frame"])
                        self.assertTrue(same(series["low"][j],
                                             attrs.get("accuracy_ci95_low", NAN)))
                        self.assertTrue(same(series["high"][j],
                                             attrs.get("accuracy_ci95_high", NAN)))
            self.assertEqual(light["chance"], [1 / r.classes])
        if r.energy is not None:
            bars = self.figure(manifest, "run_energy_breakdown.png")["bars"]
            systemic = {c.name: c.energy_J for c in r.energy.components if c.systemic}
            self.assertEqual({b["component"]: b["energy_J"] for b in bars}, systemic)
            for b in bars:
                self.assertEqual(b["nJ"], b["energy_J"] * 1e9)
        if r.model is not None and r.model.phase_masks:
            masks = self.figure(manifest, "run_phase_masks.png")
            self.assertEqual(len(masks["panels"]), len(r.model.phase_masks))
        if r.detector:
            detector = self.figure(manifest, "run_detector_intensity.png")
            self.assertEqual([p["label"] for p in detector["panels"]],
                             [d.label for d in r.detector])

    def test_combined_with_a_sweep(self):
        if not any(ev.lights for ev in self.result.evaluations()):
            self.skipTest("the run file has no light level to compare")
        sweep = os.path.join(self.tmp.name, "grid.h5")
        build_light_grid(sweep)
        out = os.path.join(self.tmp.name, "out-combined")
        code, _, err = run_plot(self.path, sweep, "-o", out)
        self.assertEqual(code, 0, err)
        manifest = read_manifest(out)
        self.assert_pngs(out, manifest)
        combined = self.figure(manifest, "combined_accuracy_vs_light.png")
        self.assertEqual(sorted(combined["sources"]), sorted([self.path, sweep]))


class RealEnergyFile(FigureChecks):
    def test_reader_and_plot(self):
        path = env_file("ACCEL_ENERGY_FILE")
        r = accel_results.load(path)
        self.assertEqual(r.kind, "energy")
        with h5py.File(path, "r") as f:
            self.assert_energy(r.energy, f["energy"])
            for key in accel_results.PROVENANCE_KEYS:
                self.assertEqual(r.provenance[key], decode(f.attrs[key]), key)
        with tempfile.TemporaryDirectory() as out:
            code, _, err = run_plot(path, "-o", out, "--label", "design")
            self.assertEqual(code, 0, err)
            manifest = read_manifest(out)
            self.assert_pngs(out, manifest)
            entry = self.figure(manifest, "design_energy_breakdown.png")
            with h5py.File(path, "r") as f:
                parts = f["energy/components"]
                systemic = {n: parts[n].attrs["energy_J"] for n in parts
                            if parts[n].attrs["systemic"]}
                self.assertEqual({b["component"]: b["energy_J"] for b in entry["bars"]},
                                 systemic)
                self.assertEqual(entry["totals"][0]["energy_per_frame_J"],
                                 f["energy"].attrs["energy_per_frame_J"])


class RealSweepFile(FigureChecks):
    def test_reader_and_plot(self):
        path = env_file("ACCEL_SWEEP_FILE")
        r = accel_results.load(path)
        self.assertEqual(r.kind, "sweep")
        table = raw_table(path)
        for name, column in table.items():
            np.testing.assert_array_equal(r.sweep.table[name], column)
        with h5py.File(path, "r") as f:
            np.testing.assert_array_equal(r.sweep.chip_accuracy, f["/sweep/chip_accuracy"][()])
            self.assertEqual(r.sweep.axis_keys,
                             [decode(k) for k in f["/sweep/axis_keys"][()]])
        with tempfile.TemporaryDirectory() as out:
            code, _, err = run_plot(path, "-o", out, "--label", "sweep")
            self.assertEqual(code, 0, err)
            manifest = read_manifest(out)
            self.assert_pngs(out, manifest)
            checked = 0
            for entry in manifest["figures"]:
                for series in entry.get("series", []):
                    if "points" not in series:
                        continue
                    x_key = entry.get("x_key", LIGHT)
                    metric = entry.get("metric", "accuracy_mean")
                    if entry["figure"] == "accuracy_vs_photons":
                        continue  # x is the photon count, checked in its series
                    self.assert_sweep_series(series, path, x_key, metric)
                    checked += 1
            finite = np.isfinite(table["accuracy_mean"]).any()
            if LIGHT in r.sweep.axis_keys and finite:
                self.figure(manifest, "sweep_accuracy_vs_light.png")
            if "eval.phase_error_pi" in r.sweep.axis_keys and finite:
                self.figure(manifest, "sweep_accuracy_vs_phase_error.png")
            if finite and r.sweep.numeric_axes():
                self.assertGreater(checked, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
