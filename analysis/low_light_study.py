#!/usr/bin/python3
"""Compare designs in low light: accuracy against the light at the input and at the detectors.

    /usr/bin/python3 analysis/low_light_study.py FILE.h5 [FILE.h5 ...] -o OUTDIR
        [--label NAME ...] [--plateau-fraction 0.9] [--allow-unfinished]

Each FILE.h5 is an `accel sweep` output whose only axis is light.energy_density_fJ_per_um2
(configs/sweeps/low-light-*.toml). Writes into OUTDIR:

  low-light-study.png   accuracy (mean over chips, 95 % interval as band) against the light
                        at the input (fJ/µm², log; photons per frame on the top axis) and
                        against the photons per frame reaching the detectors (log)
  low-light-study.json  per curve its plateau accuracy and the light and photons at which it
                        first reaches --plateau-fraction of it; per pair of curves the light
                        levels where they cross

and prints the same as a table. Numbers in the JSON are computed from the file values with
no rounding (NaN → null); only the printed table rounds. docs/analysis.md defines them.

Any bad input (missing file, not a sweep, no light axis, unfinished sweep, bad options)
prints one line on stderr and exits with code 2, before anything is written.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import sys
from typing import Any

# The sibling modules are imported from this file's folder, whatever the working directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import accel_plot  # noqa: E402  (its one-line argument parser and default labels)
import accel_plots  # noqa: E402
import accel_results  # noqa: E402
from accel_plots import LIGHT_AXIS  # noqa: E402

PNG = "low-light-study.png"
JSON = "low-light-study.json"
FORMAT = "accel-low-light-study 1"
EXIT_USAGE = 2
DETECTED = "detected_photons_per_frame"
BRIGHTEST = 3  # points the plateau is averaged over


class UsageError(accel_plot.UsageError):
    """Bad command-line input or a file this study cannot use: one line, exit code 2."""


# --------------------------------------------------------------------------- reading


@dataclasses.dataclass
class Curve:
    """One sweep file's finished points, sorted by light (darkest first)."""

    label: str
    source: str  # absolute path
    result: accel_results.AccelResult
    points: np.ndarray  # the table's `point` values
    light: np.ndarray  # fJ/µm² at the input
    accuracy: np.ndarray  # accuracy_mean
    low: np.ndarray  # accuracy_ci95_low / _high (NaN with one chip)
    high: np.ndarray
    noise_free: np.ndarray
    chips: np.ndarray
    photons: np.ndarray  # photons_per_frame: at the input
    detector_photons: np.ndarray  # at the detectors (see detector_column)
    detector_column: str  # the table column detector_photons was taken from
    classes: int | None
    classes_source: str
    chance: float

    @property
    def finite(self) -> np.ndarray:
        """Points with an accuracy (a point that was not evaluated has NaN)."""
        return np.isfinite(self.accuracy)

    def series(self, x: str = "light") -> accel_plots.Series:
        return accel_plots.Series(
            label=self.label, source=self.source,
            x=self.light if x == "light" else self.detector_photons,
            y=self.accuracy, low=self.low, high=self.high, noise_free=self.noise_free,
            photons=self.photons, origin={"points": self.points.tolist()})


def read_file(path: str) -> accel_results.AccelResult:
    """`accel_results.load`, also for sweeps written before the table had DETECTED."""
    try:
        try:
            return accel_results.load(path)
        except accel_results.AccelFileError as error:
            if not str(error).endswith(f"has no column '{DETECTED}'"):
                raise
        # Files of accel before the column existed: the same reader, that column optional.
        saved = accel_results.SWEEP_METRICS
        accel_results.SWEEP_METRICS = tuple(m for m in saved if m != DETECTED)
        try:
            return accel_results.load(path)
        finally:
            accel_results.SWEEP_METRICS = saved
    except accel_results.AccelFileError:
        raise
    except Exception as error:  # a damaged file: name it rather than show a traceback
        raise accel_results.AccelFileError(f"{path}: cannot be read ({error})") from None


def class_count(result: accel_results.AccelResult) -> tuple[int | None, str]:
    """Classes of the design: eac.outputs of the configuration (the classes read out by
    ACCEL and the digital baseline), else what accel_results infers (model, data set)."""
    outputs = result.config.get("eac", {}).get("outputs")
    if isinstance(outputs, int) and not isinstance(outputs, bool) and outputs > 0:
        return outputs, "config eac.outputs"
    if result.classes:
        return result.classes, "model or data set"
    return None, "none"


def make_curve(path: str, label: str, result: accel_results.AccelResult,
               allow_unfinished: bool) -> Curve:
    sweep = result.sweep
    if sweep is None:
        raise UsageError(f"{path}: not a sweep file (it is an '{result.kind}' file)")
    if LIGHT_AXIS not in sweep.axis_keys:
        raise UsageError(f"{path}: the sweep has no axis {LIGHT_AXIS} "
                         f"(axes: {', '.join(sweep.axis_keys) or 'none'})")
    if sweep.axis_keys != [LIGHT_AXIS]:
        raise UsageError(f"{path}: the sweep has axes {', '.join(sweep.axis_keys)}; "
                         f"a low-light study needs {LIGHT_AXIS} alone")
    done, total = sweep.attrs["points_done"], sweep.attrs["points_total"]
    if (done != total or sweep.rows != total) and not allow_unfinished:
        raise UsageError(f"{path}: unfinished sweep ({done} of {total} points done; "
                         f"--allow-unfinished uses the finished ones)")
    table = sweep.table
    order = np.argsort(table[LIGHT_AXIS], kind="stable")
    light = table[LIGHT_AXIS][order].astype(float)
    if light.size and not (np.all(np.isfinite(light)) and light.min() > 0):
        raise UsageError(f"{path}: light levels must be positive for a log axis")
    accuracy = table["accuracy_mean"][order]
    if not np.isfinite(accuracy).any():
        raise UsageError(f"{path}: no evaluated point (no finite accuracy_mean)")
    photons = table["photons_per_frame"][order]
    # Designs without photodiode arrays (the digital camera) image the whole input on their
    # sensor: every photon at the input reaches it.
    detected = table[DETECTED][order] if DETECTED in table else np.full(len(order), math.nan)
    column = DETECTED if np.isfinite(detected).any() else "photons_per_frame"
    classes, source = class_count(result)
    if classes:
        chance = 1.0 / classes
    else:  # no class count: the darkest evaluated point stands for guessing
        chance = float(accuracy[np.isfinite(accuracy)][0])
        source = "accuracy at the darkest point"
    return Curve(label=label, source=os.path.abspath(path), result=result,
                 points=table["point"][order], light=light, accuracy=accuracy,
                 low=table["accuracy_ci95_low"][order], high=table["accuracy_ci95_high"][order],
                 noise_free=table["accuracy_noise_free"][order], chips=table["chips"][order],
                 photons=photons, detector_photons=detected if column == DETECTED else photons,
                 detector_column=column, classes=classes, classes_source=source, chance=chance)


# --------------------------------------------------------------------------- numbers


def log_interpolate(x0: float, x1: float, t: float) -> float:
    """The point a fraction t of the way from x0 to x1 on a log scale (x0, x1 at t = 0, 1)."""
    if t == 0 or x0 == x1:
        return float(x0)
    if t == 1:
        return float(x1)
    return 10.0 ** (math.log10(x0) + t * (math.log10(x1) - math.log10(x0)))


def finite(value: float) -> float | None:
    """A number for the JSON: None when it is NaN or infinite."""
    value = float(value)
    return value if math.isfinite(value) else None


def plateau(curve: Curve) -> dict[str, Any]:
    """The accuracy the curve levels off at.

    The mean of the three brightest points' accuracy_mean when each of the three lies
    inside all three 95 % intervals (the curve is flat there within its uncertainty);
    otherwise (it still rises, or falls again, e.g. by clipping; fewer than three points; a
    point without interval) the maximum accuracy_mean over all points.
    """
    ok = np.flatnonzero(curve.finite)
    top = ok[-BRIGHTEST:]
    means, low, high = curve.accuracy[top], curve.low[top], curve.high[top]
    flat = (len(top) == BRIGHTEST and np.all(np.isfinite(low)) and np.all(np.isfinite(high))
            and means.max() <= high.min() and means.min() >= low.max())
    if flat:
        return {"accuracy": float(np.mean(means)), "rule": f"mean of {BRIGHTEST} brightest",
                "points": curve.points[top].tolist()}
    best = ok[int(np.argmax(curve.accuracy[ok]))]  # first of equal maxima
    return {"accuracy": float(curve.accuracy[best]), "rule": "max",
            "points": [int(curve.points[best])]}


def threshold(curve: Curve, target: float) -> dict[str, Any]:
    """Where the curve, from dark to bright, first reaches `target`.

    Interpolated linearly in log light between the last point below and the first at or
    above it; the photon counts at the input and at the detectors are interpolated with
    the same fraction on their log scale (exact, as they are proportional to the light).
    A curve already at the target at its darkest point reports that point
    (`at_darkest_point`); one that never reaches it reports null.
    """
    ok = np.flatnonzero(curve.finite)
    reached = [i for i in ok if curve.accuracy[i] >= target]
    entry = {"accuracy": target, "light_fJ_per_um2": None, "photons_per_frame": None,
             "detector_photons_per_frame": None, "between_points": None,
             "at_darkest_point": False}
    if not reached:
        return entry
    hi = reached[0]
    before = [i for i in ok if i < hi]
    if not before:
        entry.update(light_fJ_per_um2=float(curve.light[hi]),
                     photons_per_frame=finite(curve.photons[hi]),
                     detector_photons_per_frame=finite(curve.detector_photons[hi]),
                     between_points=[int(curve.points[hi])] * 2, at_darkest_point=True)
        return entry
    lo = before[-1]
    a0, a1 = float(curve.accuracy[lo]), float(curve.accuracy[hi])
    t = (target - a0) / (a1 - a0)
    entry.update(
        light_fJ_per_um2=log_interpolate(curve.light[lo], curve.light[hi], t),
        photons_per_frame=finite(log_interpolate(curve.photons[lo], curve.photons[hi], t)),
        detector_photons_per_frame=finite(log_interpolate(
            curve.detector_photons[lo], curve.detector_photons[hi], t)),
        between_points=[int(curve.points[lo]), int(curve.points[hi])])
    return entry


def crossovers(a: Curve, b: Curve) -> dict[str, Any]:
    """Light levels where accuracy_mean of a minus that of b changes sign.

    Only for curves over the same light grid (equal light values). Between adjacent points
    (those where both curves have an accuracy) of opposite sign the crossing is
    interpolated linearly in log light. Where the difference is exactly zero at points
    between a change of sign, the crossing is put at the middle (in log light) of those
    points; a zero without change of sign is a touch, not a crossing.
    """
    entry: dict[str, Any] = {"curves": [a.label, b.label], "same_light_grid": False,
                             "crossings": None}
    if not np.array_equal(a.light, b.light):
        return entry
    entry["same_light_grid"] = True
    both = np.flatnonzero(a.finite & b.finite)
    difference = a.accuracy - b.accuracy
    signed = [i for i in both if difference[i] != 0]
    crossings = []
    for k, m in zip(signed, signed[1:]):
        dk, dm = float(difference[k]), float(difference[m])
        if (dk > 0) == (dm > 0):
            continue
        zeros = [i for i in both if k < i < m]
        if zeros:
            light = log_interpolate(a.light[zeros[0]], a.light[zeros[-1]], 0.5)
        else:
            light = log_interpolate(a.light[k], a.light[m], dk / (dk - dm))
        crossings.append({
            "light_fJ_per_um2": light,
            "between_fJ_per_um2": [float(a.light[k]), float(a.light[m])],
            "between_points": [[int(a.points[k]), int(a.points[m])],
                               [int(b.points[k]), int(b.points[m])]],
            "difference_below": dk,  # a − b at the darker point
            "difference_above": dm,
            "better_below": a.label if dk > 0 else b.label,
            "better_above": a.label if dm > 0 else b.label,
        })
    entry["crossings"] = crossings
    return entry


def photons_per_light(curves: list[Curve]) -> float | None:
    """Photons per frame at the input per fJ/µm², when one ratio fits every point."""
    return accel_plots.photons_ratio([c.series() for c in curves])


def values(array: np.ndarray) -> list[Any]:
    return accel_plots.as_list(np.asarray(array))


def summary(curves: list[Curve], fraction: float) -> dict[str, Any]:
    """Everything the JSON holds (numbers as computed, NaN as null)."""
    entries = []
    for c in curves:
        level = plateau(c)
        attrs = c.result.sweep.attrs
        entries.append({
            "label": c.label, "source": c.source,
            "points_done": attrs["points_done"], "points_total": attrs["points_total"],
            "classes": c.classes, "classes_source": c.classes_source, "chance": c.chance,
            "photons_per_frame_per_fJ_per_um2": photons_per_light([c]),
            "detector_photons_column": c.detector_column,
            "plateau": level,
            "threshold": {"fraction": fraction,
                          **threshold(c, fraction * level["accuracy"])},
            "points": c.points.tolist(),
            "light_fJ_per_um2": values(c.light),
            "accuracy_mean": values(c.accuracy),
            "accuracy_ci95_low": values(c.low),
            "accuracy_ci95_high": values(c.high),
            "chips": c.chips.tolist(),
            "photons_per_frame": values(c.photons),
            "detector_photons_per_frame": values(c.detector_photons),
        })
    pairs = [crossovers(curves[i], curves[j])
             for i in range(len(curves)) for j in range(i + 1, len(curves))]
    return {"format": FORMAT, "png": PNG, "plateau_fraction": fraction,
            "photons_per_frame_per_fJ_per_um2": photons_per_light(curves),
            "curves": entries, "pairs": pairs}


# --------------------------------------------------------------------------- figure


def plot(curves: list[Curve], study: dict[str, Any], out_png: str) -> None:
    plt = accel_plots.plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(13.0, 5.2), sharey=True)
    chances = [c.chance for c in curves]
    fraction = study["plateau_fraction"]
    for ax, x in ((left, "light"), (right, "detector")):
        accel_plots._draw_series(ax, [c.series(x) for c in curves])
        accel_plots._draw_chance(ax, chances)
        for i, entry in enumerate(study["curves"]):  # where each reaches the fraction
            at = entry["threshold"]
            xs = at["light_fJ_per_um2"] if x == "light" else at["detector_photons_per_frame"]
            if xs is not None:
                ax.plot([xs], [at["accuracy"]], marker="D", ms=6, mfc="white",
                        color=f"C{i % 10}", ls="none",
                        label=f"{fraction * 100:g}% of plateau" if i == 0 else None)
        ax.set_xscale("log")
        accel_plots._accuracy_axis(ax)
        ax.grid(True, which="both", alpha=0.25)
    left.set_xlabel("light at the input: energy density (fJ/µm² per frame)")
    left.set_ylabel("test accuracy, mean over chips (%)")
    ratio = study["photons_per_frame_per_fJ_per_um2"]
    if ratio is not None:
        top = left.secondary_xaxis("top", functions=(lambda e: e * ratio,
                                                     lambda p: p / ratio))
        top.set_xlabel("photons per frame at the input")
    right.set_xlabel("photons per frame at the detectors")
    right.tick_params(labelleft=True)
    accel_plots._legend(left, len(curves) + 3)
    fig.suptitle("Test accuracy in low light, against the light at the input and at the "
                 "detectors (band and bars: 95 % interval)", fontsize=10)
    fig.tight_layout()
    accel_plots._save(fig, out_png)


# --------------------------------------------------------------------------- table


def number(value: float | None, fmt: str = ".3g") -> str:
    return "-" if value is None else format(value, fmt)


def table(study: dict[str, Any]) -> str:
    """The JSON's results as text (rounded: accuracies to 0.01 %, the rest to 3 digits)."""
    fraction = study["plateau_fraction"]
    width = max([len("curve")] + [len(c["label"]) for c in study["curves"]])
    first = f"first at {fraction * 100:g}% of plateau"
    head = (f"{'curve':<{width}}  {'plateau':>7}  {'plateau rule':<19}  "
            f"{'fJ/µm²':>9}  {'at input':>9}  {'detected':>9}")
    lines = [" " * (width + 32) + first, head, "-" * len(head)]
    for c in study["curves"]:
        at = c["threshold"]
        note = "  (at the darkest point)" if at["at_darkest_point"] else ""
        lines.append(f"{c['label']:<{width}}  {c['plateau']['accuracy'] * 100:>6.2f}%  "
                     f"{c['plateau']['rule']:<19}  {number(at['light_fJ_per_um2']):>9}  "
                     f"{number(at['photons_per_frame']):>9}  "
                     f"{number(at['detector_photons_per_frame']):>9}{note}")
    if study["pairs"]:
        lines += ["", "crossovers (where accuracy_mean of a − b changes sign, interpolated "
                      "in log light):"]
    for pair in study["pairs"]:
        a, b = pair["curves"]
        name = f"{a} vs {b}"
        if not pair["same_light_grid"]:
            lines.append(f"  {name}: different light grids, not compared")
        elif not pair["crossings"]:
            lines.append(f"  {name}: none")
        for x in pair["crossings"] or []:
            low, high = x["between_fJ_per_um2"]
            lines.append(
                f"  {name}: {number(x['light_fJ_per_um2'])} fJ/µm² (between {number(low)} "
                f"and {number(high)}, {a} − {b} {x['difference_below'] * 100:+.2f} → "
                f"{x['difference_above'] * 100:+.2f} points): {x['better_below']} better "
                f"below, {x['better_above']} above")
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = accel_plot._Parser(prog="low_light_study.py",
                                description="Compare low-light sweeps of several designs.")
    parser.add_argument("files", nargs="+", metavar="FILE.h5",
                        help="accel sweep files over light.energy_density_fJ_per_um2")
    parser.add_argument("-o", "--outdir", required=True, help="folder for the PNG and JSON")
    parser.add_argument("--label", action="append", default=[],
                        help="name of each file, in file order (default: file name)")
    parser.add_argument("--plateau-fraction", type=float, default=0.9,
                        help="fraction of the plateau accuracy to locate (default 0.9)")
    parser.add_argument("--allow-unfinished", action="store_true",
                        help="use the finished points of sweeps still running")
    try:
        args = parser.parse_args(argv)
    except accel_plot.UsageError as error:
        raise UsageError(str(error)) from None
    if args.label and len(args.label) != len(args.files):
        raise UsageError(f"{len(args.label)} --label given for {len(args.files)} files")
    if not 0.0 < args.plateau_fraction <= 1.0:
        raise UsageError(f"--plateau-fraction must be in (0, 1], not {args.plateau_fraction}")
    args.label = args.label or accel_plot.default_labels(args.files)
    duplicate = {x for x in args.label if args.label.count(x) > 1}
    if duplicate:
        raise UsageError(f"label '{sorted(duplicate)[0]}' given to two files")
    return args


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        curves = [make_curve(path, label, read_file(path), args.allow_unfinished)
                  for path, label in zip(args.files, args.label)]
        study = summary(curves, args.plateau_fraction)
        os.makedirs(args.outdir, exist_ok=True)
        plot(curves, study, os.path.join(args.outdir, PNG))
        with open(os.path.join(args.outdir, JSON), "w", encoding="utf-8") as out:
            json.dump(study, out, indent=1, ensure_ascii=False, allow_nan=False)
            out.write("\n")
    except (UsageError, accel_plot.UsageError, accel_results.AccelFileError, OSError) as error:
        print("low_light_study: " + " ".join(str(error).split()), file=sys.stderr)
        return EXIT_USAGE
    print(table(study))
    print(f"\nwritten: {os.path.join(args.outdir, PNG)}, {os.path.join(args.outdir, JSON)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
