#!/usr/bin/python3
"""Tests of analysis/low_light_study.py.

    /usr/bin/python3 tests/analysis/test_low_light_study.py

Synthetic low-light sweeps are built with h5py in a temporary folder, in the layout of
`accel sweep` (docs/hdf5-schema.md; the builder follows tests/analysis/test_analysis.py),
with accuracy curves whose plateau, 90 % point and crossovers are known: piecewise linear
in log light (exact answers, since the script interpolates linearly in log light) and
logistic in log light (answers known to the grid's resolution). The script is run as the
user would; its JSON must hold the file's numbers exactly.
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

import low_light_study  # noqa: E402

SCRIPT = os.path.join(ANALYSIS, "low_light_study.py")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NAN = math.nan
LIGHT = "light.energy_density_fJ_per_um2"
PHOTONS_PER_LIGHT = 36268578748.68248  # photons per frame per fJ/µm² (accel-2023 window)
DETECTED_FRACTION = 0.0013877  # of the input photons, on the photodiodes

PROVENANCE = {
    "accel_version": "0.1.0",
    "git_commit": "0000000test",
    "created_utc": "2026-01-01T00:00:00Z",
    "command_line": "accel sweep low-light.toml -o low-light.h5",
    "seed": np.uint64(1),
    "threads": np.int64(2),
    "fftw_version": "fftw-test",
    "hdf5_version": "1.10.8",
}

ACCEL_CONFIG = """[design]
architecture = "accel"

[eac]
outputs = 10

[data]
dataset = "mnist"
"""

# No eac.outputs: the class count comes from the data set (4 synthetic classes).
SYNTHETIC_CONFIG = """[design]
architecture = "digital"

[data]
dataset = "synthetic"
synthetic_classes = 4
"""

# Nothing to count classes from: chance is the darkest point's accuracy.
BARE_CONFIG = """[design]
architecture = "digital"
"""

METRIC_NAMES = [
    "accuracy_noise_free", "accuracy_mean", "accuracy_std", "accuracy_ci95_low",
    "accuracy_ci95_high", "chips", "energy_density_fJ_per_um2", "frame_energy_J",
    "photons_per_frame", "detected_photons_per_frame", "energy_per_frame_J", "throughput_POPS",
    "efficiency_POPS_per_W", "train_seconds", "eval_seconds",
]

EXPONENTS = np.linspace(-8.0, 1.0, 19)  # the study's grid: 1e-8 … 10 fJ/µm², ½ decade
GRID = [float(10.0 ** e) for e in EXPONENTS]


# --------------------------------------------------------------------------- curves


def ramp(e, e0, a0, e1, a1):
    """a0 below 10^e0, a1 above 10^e1, linear in log light between."""
    return float(np.interp(e, [e0, e1], [a0, a1]))


def ideal(e):
    """Chance (0.1) up to 1e-7, linear in log light to 0.95 at 1e-4, then flat."""
    return ramp(e, -7.0, 0.1, -4.0, 0.95)


def camera(e):
    """Rises earlier (0.1 at 1e-8 to 0.7 at 1e-6) and stops lower (0.7)."""
    return ramp(e, -8.0, 0.1, -6.0, 0.7)


WIDTH = 0.5  # decades: the logistic's width


def logistic(e):
    """0.1 + 0.8 / (1 + exp(-(e + 3) / WIDTH)): midpoint at 1e-3 fJ/µm²."""
    return 0.1 + 0.8 / (1.0 + math.exp(-(e + 3.0) / WIDTH))


def chip(e):
    """The logistic, exactly chance up to 1e-6, falling again at the two brightest points
    (as lines that clip would)."""
    if e <= -6.0:
        return 0.1
    return {0.5: 0.86, 1.0: 0.80}.get(float(e), logistic(e))


# --------------------------------------------------------------------------- files


def write_sweep(path, lights, means, *, half=0.01, detected="yes", config=ACCEL_CONFIG,
                axes=None, points_done=None, points_total=None, chips=10):
    """A sweep file over light (or over `axes`: [(key, values)] with one value per row).

    half: the 95 % half width, a number or one per point (NaN: no interval);
    detected: "yes" (a fraction of the input photons), "nan" (a design without
    photodiodes, as accel before the camera had the column filled) or "absent" (a file
    from before the table had the column).
    """
    axes = axes if axes is not None else [(LIGHT, list(lights))]
    halves = np.broadcast_to(np.asarray(half, dtype=float), (len(means),))
    metrics = [m for m in METRIC_NAMES if not (detected == "absent" and
                                                m == "detected_photons_per_frame")]
    fields = [("point", np.int64)]
    for key, values in axes:
        kind = (np.float64 if all(isinstance(v, float) for v in values)
                else h5py.string_dtype("utf-8"))
        fields.append((key, kind))
    fields += [(m, np.int64 if m == "chips" else np.float64) for m in metrics]
    table = np.zeros(len(means), dtype=fields)
    for i, (light, mean, h) in enumerate(zip(lights, means, halves)):
        row = {
            "point": i, "accuracy_noise_free": NAN, "accuracy_mean": mean,
            "accuracy_std": 0.01, "accuracy_ci95_low": mean - h, "accuracy_ci95_high": mean + h,
            "chips": chips, "energy_density_fJ_per_um2": light,
            "frame_energy_J": light * 2.62144e-10, "photons_per_frame": light * PHOTONS_PER_LIGHT,
            "detected_photons_per_frame": (light * PHOTONS_PER_LIGHT * DETECTED_FRACTION
                                           if detected == "yes" else NAN),
            "energy_per_frame_J": 4.38e-9, "throughput_POPS": 4.55,
            "efficiency_POPS_per_W": 74.77, "train_seconds": 0.0, "eval_seconds": 1.5,
        }
        for key, values in axes:
            row[key] = values[i]
        for name in table.dtype.names:
            table[i][name] = row[name]
    total = points_total if points_total is not None else len(means)
    with h5py.File(path, "w") as f:
        for k, v in PROVENANCE.items():
            f.attrs[k] = v
        f.attrs["config_toml"] = config
        sweep = f.create_group("sweep")
        sweep.attrs["definition_toml"] = "[sweep]\nrun = \"eval\"\n"
        sweep.attrs["fingerprint"] = "0123456789abcdef"
        sweep.attrs["run"] = "eval"
        sweep.attrs["combine"] = "grid"
        sweep.attrs["points_total"] = np.int64(total)
        sweep.attrs["points_done"] = np.int64(points_done if points_done is not None
                                              else len(means))
        sweep.attrs["chips"] = np.int64(chips)
        sweep.attrs["model_file"] = "base.h5"
        sweep.create_dataset("axis_keys", data=[k for k, _ in axes],
                             dtype=h5py.string_dtype("utf-8"))
        sweep.create_dataset("points", data=table)
        chip_accuracy = np.repeat(np.asarray(means, dtype=float)[:, None], chips, axis=1)
        sweep.create_dataset("chip_accuracy", data=chip_accuracy.reshape(len(means), chips))


def run_study(*args):
    """Run the script as the user would; return (code, stdout, stderr)."""
    done = subprocess.run([sys.executable, SCRIPT, *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    return done.returncode, done.stdout, done.stderr


def read_json(outdir):
    with open(os.path.join(outdir, low_light_study.JSON), encoding="utf-8") as f:
        return json.loads(f.read(), parse_constant=lambda c: (_ for _ in ()).throw(
            ValueError(f"the JSON contains {c}")))


def raw_points(path):
    with h5py.File(path, "r") as f:
        return f["/sweep/points"][()]


def log_point(l0, l1, t):
    """Independent log interpolation, for checking."""
    return math.exp(math.log(l0) + t * (math.log(l1) - math.log(l0)))


class LowLightStudy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        d = cls.tmp.name
        cls.ideal = os.path.join(d, "ideal.h5")
        cls.chip = os.path.join(d, "chip.h5")
        cls.camera = os.path.join(d, "camera.h5")
        write_sweep(cls.ideal, GRID, [ideal(e) for e in EXPONENTS])
        # The chip falls at the bright end: its plateau is its maximum.
        write_sweep(cls.chip, GRID, [chip(e) for e in EXPONENTS], half=0.012)
        # The camera has no photodiode array: detected photons NaN, the input's count used.
        write_sweep(cls.camera, GRID, [camera(e) for e in EXPONENTS], detected="nan",
                    half=0.02)
        cls.out = os.path.join(d, "out")
        cls.code, cls.stdout, cls.stderr = run_study(
            cls.ideal, cls.chip, cls.camera, "-o", cls.out,
            "--label", "ideal", "--label", "chip", "--label", "camera")
        cls.study = read_json(cls.out) if cls.code == 0 else None

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def curve(self, label, study=None):
        study = study or self.study
        return next(c for c in study["curves"] if c["label"] == label)

    def pair(self, a, b, study=None):
        study = study or self.study
        return next(p for p in study["pairs"] if p["curves"] == [a, b])

    def assert_error_exit(self, *args, mentions=None):
        code, out, err = run_study(*args)
        self.assertEqual(code, 2, err)
        lines = err.strip("\n").split("\n")
        self.assertEqual(len(lines), 1, f"stderr is not one line: {err!r}")
        self.assertNotIn("Traceback", err)
        self.assertTrue(err.startswith("low_light_study: "), err)
        if mentions:
            self.assertIn(mentions, err)
        self.assertEqual(out, "")

    # ----------------------------------------------------------------------- outputs

    def test_writes_png_and_json(self):
        self.assertEqual(self.code, 0, self.stderr)
        png = os.path.join(self.out, low_light_study.PNG)
        with open(png, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(PNG_SIGNATURE))
        self.assertGreater(len(data), 20000)
        self.assertEqual(self.study["format"], low_light_study.FORMAT)
        self.assertEqual(self.study["plateau_fraction"], 0.9)
        self.assertEqual([c["label"] for c in self.study["curves"]], ["ideal", "chip", "camera"])
        self.assertEqual([c["source"] for c in self.study["curves"]],
                         [self.ideal, self.chip, self.camera])
        # One ratio converts light to photons for all three: the top axis.
        self.assertTrue(math.isclose(self.study["photons_per_frame_per_fJ_per_um2"],
                                     PHOTONS_PER_LIGHT, rel_tol=1e-12))

    def test_json_holds_the_file_values(self):
        for label, path in (("ideal", self.ideal), ("chip", self.chip),
                            ("camera", self.camera)):
            with self.subTest(curve=label):
                curve, raw = self.curve(label), raw_points(path)
                order = np.argsort(raw[LIGHT], kind="stable")
                for key, column in (("light_fJ_per_um2", LIGHT), ("accuracy_mean",) * 2,
                                    ("accuracy_ci95_low",) * 2, ("accuracy_ci95_high",) * 2,
                                    ("photons_per_frame",) * 2, ("chips",) * 2,
                                    ("points", "point")):
                    self.assertEqual(curve[key], raw[column][order].tolist(), key)
                self.assertEqual(curve["classes"], 10)
                self.assertEqual(curve["chance"], 0.1)
        ideal_curve = self.curve("ideal")
        self.assertEqual(ideal_curve["detector_photons_column"], "detected_photons_per_frame")
        self.assertEqual(ideal_curve["detector_photons_per_frame"],
                         raw_points(self.ideal)["detected_photons_per_frame"].tolist())
        camera_curve = self.curve("camera")  # every input photon reaches its sensor
        self.assertEqual(camera_curve["detector_photons_column"], "photons_per_frame")
        self.assertEqual(camera_curve["detector_photons_per_frame"],
                         camera_curve["photons_per_frame"])

    def test_plateau_mean_of_flat_bright_end_else_max(self):
        ideal_curve = self.curve("ideal")
        means = raw_points(self.ideal)["accuracy_mean"]
        self.assertEqual(ideal_curve["plateau"]["rule"], "mean of 3 brightest")
        self.assertEqual(ideal_curve["plateau"]["points"], [16, 17, 18])
        self.assertEqual(ideal_curve["plateau"]["accuracy"], float(np.mean(means[-3:])))
        chip_curve = self.curve("chip")
        means = raw_points(self.chip)["accuracy_mean"]
        self.assertEqual(chip_curve["plateau"]["rule"], "max")
        self.assertEqual(chip_curve["plateau"]["accuracy"], float(means.max()))
        self.assertEqual(chip_curve["plateau"]["points"], [int(np.argmax(means))])

    def test_plateau_fraction_points_exact_for_a_log_linear_rise(self):
        at = self.curve("ideal")["threshold"]
        plateau = self.curve("ideal")["plateau"]["accuracy"]
        self.assertEqual(at["fraction"], 0.9)
        self.assertEqual(at["accuracy"], 0.9 * plateau)
        # 0.1 + 0.85 (e + 7) / 3 = 0.9 · 0.95 on the ramp from 1e-7 to 1e-4.
        expected = -7.0 + 3.0 * (0.9 * 0.95 - 0.1) / 0.85
        self.assertAlmostEqual(math.log10(at["light_fJ_per_um2"]), expected, places=12)
        self.assertEqual(at["between_points"], [7, 8])  # 10^-4.5 and 10^-4
        self.assertFalse(at["at_darkest_point"])
        light = at["light_fJ_per_um2"]
        self.assertTrue(math.isclose(at["photons_per_frame"], light * PHOTONS_PER_LIGHT,
                                     rel_tol=1e-12))
        self.assertTrue(math.isclose(at["detector_photons_per_frame"],
                                     light * PHOTONS_PER_LIGHT * DETECTED_FRACTION,
                                     rel_tol=1e-12))
        camera_at = self.curve("camera")["threshold"]  # 0.1 + 0.6 (e + 8) / 2 = 0.63
        self.assertAlmostEqual(math.log10(camera_at["light_fJ_per_um2"]),
                               -8.0 + 2.0 * (0.9 * 0.7 - 0.1) / 0.6, places=12)
        self.assertEqual(camera_at["detector_photons_per_frame"], camera_at["photons_per_frame"])

    def test_plateau_fraction_point_of_a_logistic_rise(self):
        curve = self.curve("chip")
        at = curve["threshold"]
        target = 0.9 * curve["plateau"]["accuracy"]
        # The logistic reaches the target at e = -3 - w ln(0.8 / (target - 0.1) - 1);
        # linear interpolation on a half-decade grid lands within 0.05 decades of it.
        analytic = -3.0 - WIDTH * math.log(0.8 / (target - 0.1) - 1.0)
        self.assertLess(abs(math.log10(at["light_fJ_per_um2"]) - analytic), 0.05)
        # Exactly the interpolation between the bracketing points, from dark to bright
        # (the fall at the bright end dips below the target again: not reported).
        acc, light = curve["accuracy_mean"], curve["light_fJ_per_um2"]
        hi = next(i for i, a in enumerate(acc) if a >= target)
        self.assertEqual(at["between_points"], [hi - 1, hi])
        self.assertLess(acc[-1], target)
        t = (target - acc[hi - 1]) / (acc[hi] - acc[hi - 1])
        self.assertTrue(math.isclose(at["light_fJ_per_um2"],
                                     log_point(light[hi - 1], light[hi], t), rel_tol=1e-12))

    def test_crossovers_with_known_answers(self):
        # ideal and camera: equal at 1e-8 (a zero, not a crossing), the camera better in
        # the dark, the ideal chip past 0.1 + 0.85 (e + 7) / 3 = 0.7.
        pair = self.pair("ideal", "camera")
        self.assertTrue(pair["same_light_grid"])
        self.assertEqual(len(pair["crossings"]), 1)
        x = pair["crossings"][0]
        self.assertAlmostEqual(math.log10(x["light_fJ_per_um2"]),
                               -7.0 + 3.0 * 0.6 / 0.85, places=12)
        self.assertEqual(x["between_fJ_per_um2"], [GRID[6], GRID[7]])
        self.assertEqual((x["better_below"], x["better_above"]), ("camera", "ideal"))
        self.assertEqual(x["difference_below"], ideal(EXPONENTS[6]) - camera(EXPONENTS[6]))
        self.assertLess(x["difference_below"], 0)
        self.assertGreater(x["difference_above"], 0)
        # ideal and chip: equal up to 1e-7 (a run of zeros), then the ideal chip ahead: none.
        self.assertEqual(self.pair("ideal", "chip")["crossings"], [])
        # chip and camera: the logistic passes 0.7 at e = -3 + w ln 3 (to the grid's
        # resolution); below, the camera is better.
        crossings = self.pair("chip", "camera")["crossings"]
        self.assertEqual(len(crossings), 1)
        x = crossings[0]
        self.assertLess(abs(math.log10(x["light_fJ_per_um2"]) - (-3.0 + WIDTH * math.log(3.0))),
                        0.05)
        self.assertEqual((x["better_below"], x["better_above"]), ("camera", "chip"))
        lo, hi = x["between_fJ_per_um2"]
        self.assertLess(lo, x["light_fJ_per_um2"])
        self.assertLess(x["light_fJ_per_um2"], hi)

    def test_printed_table(self):
        lines = self.stdout.splitlines()
        row = next(line for line in lines if line.startswith("ideal "))
        self.assertIn("95.00%", row)
        self.assertIn("mean of 3 brightest", row)
        self.assertIn(f"{self.curve('ideal')['threshold']['light_fJ_per_um2']:.3g}", row)
        self.assertIn("max", next(line for line in lines if line.startswith("chip ")))
        crossing = next(line for line in lines if "ideal vs camera" in line)
        self.assertIn("camera better below", crossing)
        self.assertIn("ideal above", crossing)
        self.assertIn("ideal vs chip: none", self.stdout)

    def test_zeros_touches_several_crossings_and_other_grids(self):
        d = self.tmp.name
        lights = [1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]
        a = os.path.join(d, "a.h5")
        b = os.path.join(d, "b.h5")
        other = os.path.join(d, "other.h5")
        write_sweep(a, lights, [0.6, 0.5, 0.4, 0.6, 0.5, 0.6])
        # a − b: +0.1, 0, −0.1, +0.1, 0, +0.1: a crossing at the zero (1e-2), one halfway
        # (in log light) between 0.1 and 1, and a touch at 10.
        write_sweep(b, lights, [0.5, 0.5, 0.5, 0.5, 0.5, 0.5], detected="absent",
                    config=SYNTHETIC_CONFIG)
        write_sweep(other, [1e-3, 1e-2, 1e-1], [0.2, 0.5, 0.9], half=NAN, config=BARE_CONFIG)
        out = os.path.join(d, "out-pairs")
        code, _, err = run_study(a, b, other, "-o", out, "--plateau-fraction", "0.95")
        self.assertEqual(code, 0, err)
        study = read_json(out)
        crossings = self.pair("a", "b", study)["crossings"]
        self.assertEqual(len(crossings), 2)
        self.assertEqual(crossings[0]["light_fJ_per_um2"], 1e-2)
        self.assertEqual(crossings[0]["between_fJ_per_um2"], [1e-3, 1e-1])
        self.assertEqual((crossings[0]["better_below"], crossings[0]["better_above"]),
                         ("a", "b"))
        self.assertTrue(math.isclose(crossings[1]["light_fJ_per_um2"], math.sqrt(0.1),
                                     rel_tol=1e-12))
        self.assertEqual((crossings[1]["better_below"], crossings[1]["better_above"]),
                         ("b", "a"))
        for name in ("a", "other"), ("b", "other"):
            self.assertEqual(self.pair(*name, study),
                             {"curves": list(name), "same_light_grid": False,
                              "crossings": None})
        # b: no detected column (an older file), 4 classes from the data set.
        b_curve = self.curve("b", study)
        self.assertEqual(b_curve["detector_photons_column"], "photons_per_frame")
        self.assertEqual((b_curve["classes"], b_curve["chance"]), (4, 0.25))
        # b is flat from its darkest point: 95 % of its plateau there already.
        self.assertTrue(b_curve["threshold"]["at_darkest_point"])
        self.assertEqual(b_curve["threshold"]["light_fJ_per_um2"], 1e-3)
        # other: no class count (chance = darkest accuracy), no interval (plateau = max).
        other_curve = self.curve("other", study)
        self.assertEqual((other_curve["classes"], other_curve["chance"]), (None, 0.2))
        self.assertEqual(other_curve["plateau"], {"accuracy": 0.9, "rule": "max",
                                                  "points": [2]})
        self.assertEqual(other_curve["accuracy_ci95_low"], [None, None, None])
        at = other_curve["threshold"]  # 0.855 between 0.5 (1e-2) and 0.9 (1e-1)
        self.assertAlmostEqual(math.log10(at["light_fJ_per_um2"]),
                               -2.0 + (0.95 * 0.9 - 0.5) / 0.4, places=12)
        # The three files share one photons-per-light ratio: the top axis is drawn.
        self.assertIsNotNone(study["photons_per_frame_per_fJ_per_um2"])

    # ----------------------------------------------------------------------- bad input

    def test_bad_input_exit_code_2(self):
        d = self.tmp.name
        out = os.path.join(d, "out-bad")
        text = os.path.join(d, "notes.h5")
        with open(text, "w") as f:
            f.write("not HDF5\n")
        field = os.path.join(d, "field.h5")  # an accel file, but not a sweep
        with h5py.File(field, "w") as f:
            for k, v in PROVENANCE.items():
                f.attrs[k] = v
            f.attrs["config_toml"] = ACCEL_CONFIG
            data = f.create_dataset("field", data=np.ones((4, 4), dtype=complex))
            data.attrs["pitch_m"] = 8e-6
            data.attrs["wavelength_m"] = 5.32e-7
        phase = os.path.join(d, "phase.h5")  # a sweep over another axis
        write_sweep(phase, [0.14] * 3, [0.9, 0.8, 0.7],
                    axes=[("eval.phase_error_pi", [0.0, 0.1, 0.2])])
        grid = os.path.join(d, "grid.h5")  # light and a second axis
        write_sweep(grid, [0.1, 1.0], [0.5, 0.9],
                    axes=[(LIGHT, [0.1, 1.0]), ("eac.weights", ["binary", "ternary"])])
        unfinished = os.path.join(d, "unfinished.h5")
        write_sweep(unfinished, GRID[:5], [0.1] * 5, points_total=19)
        self.assert_error_exit(os.path.join(d, "missing.h5"), "-o", out,
                               mentions="missing.h5")
        self.assert_error_exit(text, "-o", out, mentions="notes.h5")
        self.assert_error_exit(field, "-o", out, mentions="not a sweep")
        self.assert_error_exit(self.ideal, phase, "-o", out, mentions=LIGHT)
        self.assert_error_exit(grid, "-o", out, mentions="eac.weights")
        self.assert_error_exit(unfinished, "-o", out, mentions="5 of 19")
        self.assert_error_exit(self.ideal, self.chip, "-o", out, "--label", "one",
                               mentions="--label")
        self.assert_error_exit(self.ideal, self.chip, "-o", out, "--label", "x",
                               "--label", "x", mentions="'x'")
        self.assert_error_exit(self.ideal, "-o", out, "--plateau-fraction", "1.5")
        self.assert_error_exit(self.ideal, "-o", out, "--plateau-fraction", "most")
        self.assert_error_exit(self.ideal)  # no -o
        self.assertFalse(os.path.exists(out), "an error left an output folder")
        # An unfinished sweep is used when asked for.
        code, _, err = run_study(unfinished, "-o", out, "--allow-unfinished")
        self.assertEqual(code, 0, err)
        self.assertEqual(read_json(out)["curves"][0]["points_done"], 5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
