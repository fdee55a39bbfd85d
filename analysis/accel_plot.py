#!/usr/bin/python3
"""Draw every figure that accel result files support, and list them in figures.json.

    /usr/bin/python3 analysis/accel_plot.py FILE.h5 [FILE.h5 ...] -o OUTDIR [--label NAME ...]
        [--axis KEY ...] [--metric NAME ...]

Each file gets the figures its content allows (docs/analysis.md lists them); when two or
more files have data in common (light levels, a shared sweep axis, an energy model) a
combined figure compares them on one plot. OUTDIR/figures.json lists every PNG with the
files it came from and the numbers drawn.

--axis KEY draws --metric (default accuracy_mean) against that sweep axis in addition to
the automatic figures; --metric alone draws the metrics against every numeric axis.

Any error (missing file, not an accel file, unknown axis or metric, bad options) prints
one line on stderr and exits with code 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import sys
from typing import Any

# The sibling modules are imported from this file's folder, whatever the working directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

import accel_plots  # noqa: E402
import accel_results  # noqa: E402
from accel_plots import LIGHT_AXIS, PHASE_ERROR_AXIS  # noqa: E402

MANIFEST = "figures.json"
MANIFEST_FORMAT = "accel-figures 1"
EXIT_USAGE = 2

# Metrics drawn against every numeric sweep axis when they vary (energy-model results).
ENERGY_METRICS = ("energy_per_frame_J", "throughput_POPS", "efficiency_POPS_per_W")


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit code 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors in one line (its default adds the usage text)."""

    def error(self, message: str) -> None:
        raise UsageError(message)


@dataclasses.dataclass
class Input:
    """One file given on the command line."""

    path: str  # absolute path, as recorded in the manifest
    label: str  # legend name
    prefix: str  # start of its PNG file names
    result: accel_results.AccelResult

    @property
    def chance(self) -> float:
        return accel_plots.chance_level(self.result.classes)


class Figures:
    """Writes PNGs into the output folder and collects their manifest entries."""

    def __init__(self, outdir: str):
        self.outdir = outdir
        self.entries: list[dict[str, Any]] = []

    def png(self, name: str) -> str:
        return os.path.join(self.outdir, name + ".png")

    def add(self, entry: dict[str, Any], sources: list[Input]) -> None:
        entry["sources"] = [i.path for i in sources]
        self.entries.append(entry)


def slug(text: str) -> str:
    """A piece of a file name: letters, digits, '.', '_' and '-' only."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.") or "file"


def default_labels(paths: list[str]) -> list[str]:
    """File names without .h5; with the parent folder when two files share a name."""
    stems = [os.path.splitext(os.path.basename(p))[0] for p in paths]
    return [os.path.join(os.path.basename(os.path.dirname(os.path.abspath(p))), s)
            if stems.count(s) > 1 else s for p, s in zip(paths, stems)]


def unique_prefixes(labels: list[str]) -> list[str]:
    """File-name prefixes from the labels, numbered when two would coincide."""
    prefixes: list[str] = []
    for label in labels:
        base = prefix = slug(label)
        n = 2
        while prefix in prefixes or prefix == "combined":
            prefix, n = f"{base}_{n}", n + 1
        prefixes.append(prefix)
    return prefixes


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(prog="accel_plot.py",
                     description="Draw the figures of accel result files into a folder.")
    parser.add_argument("files", nargs="+", metavar="FILE.h5", help="accel result files")
    parser.add_argument("-o", "--outdir", required=True, help="folder for the PNGs")
    parser.add_argument("--label", action="append", default=[],
                        help="legend name of each file, in file order (default: file name)")
    parser.add_argument("--axis", action="append", default=[], metavar="KEY",
                        help="also draw --metric against this sweep axis")
    parser.add_argument("--metric", action="append", default=[], metavar="NAME",
                        help="sweep metric for the --axis figures (default accuracy_mean)")
    args = parser.parse_args(argv)
    if args.label and len(args.label) != len(args.files):
        raise UsageError(f"{len(args.label)} --label given for {len(args.files)} files")
    return args


def load_inputs(paths: list[str], labels: list[str]) -> list[Input]:
    labels = labels or default_labels(paths)
    results = []
    for path in paths:
        try:
            results.append(accel_results.load(path))
        except accel_results.AccelFileError:
            raise
        except Exception as error:  # a damaged file: name it rather than show a traceback
            raise accel_results.AccelFileError(f"{path}: cannot be read ({error})") from None
    return [Input(os.path.abspath(p), label, prefix, r)
            for p, label, prefix, r in zip(paths, labels, unique_prefixes(labels), results)]


def check_requests(inputs: list[Input], axes: list[str], metrics: list[str]) -> None:
    """Every --axis must be a numeric axis of a sweep given; every --metric a metric."""
    sweeps = [i.result.sweep for i in inputs if i.result.sweep is not None]
    for metric in metrics:
        if metric not in accel_results.SWEEP_METRICS or metric == "chips":
            raise UsageError(f"unknown metric '{metric}' (one of: "
                             f"{', '.join(m for m in accel_results.SWEEP_METRICS if m != 'chips')})")
    if (axes or metrics) and not sweeps:
        raise UsageError("--axis and --metric need a sweep file")
    for key in axes:
        holders = [s for s in sweeps if key in s.axis_keys]
        if not holders:
            known = sorted({k for s in sweeps for k in s.axis_keys})
            raise UsageError(f"unknown axis '{key}' (sweep axes: {', '.join(known)})")
        if not all(s.is_numeric_axis(key) for s in holders):
            raise UsageError(f"axis '{key}' is not numeric; it can only split curves")


# --------------------------------------------------------------------------- per file


def evaluation_name(evaluation: accel_results.Evaluation) -> str:
    """'test' for /metrics/test, 'eval 0' for /eval/0."""
    if evaluation.path == "/metrics/test":
        return "test"
    return evaluation.path.strip("/").replace("/", " ")


def light_series(inp: Input) -> list[accel_plots.Series]:
    """Accuracy-against-light curves of a file: one per evaluation group, or the sweep's."""
    result = inp.result
    if result.sweep is not None:
        if not result.sweep.is_numeric_axis(LIGHT_AXIS):
            return []
        series = accel_plots.sweep_series(result.sweep, LIGHT_AXIS, "accuracy_mean",
                                          inp.label, inp.path)
        return series if accel_plots.has_finite(series) else []
    series = []
    evaluations = result.evaluations()
    for evaluation in evaluations:
        label = inp.label if len(evaluations) == 1 else (
            f"{inp.label}: {evaluation_name(evaluation)}")
        s = accel_plots.evaluation_light_series(evaluation, label, inp.path)
        if s is not None:
            series.append(s)
    return series


def draw_light(figs: Figures, name: str, series, inputs: list[Input]) -> None:
    """Accuracy against light level; against photons too when no single scale fits."""
    chances = [i.chance for i in inputs]
    figs.add(accel_plots.plot_accuracy_vs_light(series, figs.png(name), chances), inputs)
    if accel_plots.photons_ratio(series) is None and all(
            s.photons is not None and accel_plots.has_finite([s]) for s in series):
        figs.add(accel_plots.plot_accuracy_vs_light(
            series, figs.png(name.replace("vs_light", "vs_photons")), chances, x="photons"),
            inputs)


def run_figures(inp: Input, figs: Figures) -> None:
    """Figures of run, eval, energy and propagate files."""
    r, p = inp.result, inp.prefix
    if r.history is not None and len(r.history["train_loss"]):
        figs.add(accel_plots.plot_history(r.history, figs.png(f"{p}_history"),
                                          f"Training history of {inp.label}"), [inp])
    series = light_series(inp)
    if series:
        draw_light(figs, f"{p}_accuracy_vs_light", series, [inp])
    for evaluation in r.evaluations():
        panels = [("noise-free", evaluation.confusion, evaluation.path + "/confusion")]
        for light in evaluation.lights:
            panels.append((f"{light.energy_density_fJ_per_um2:g} fJ/µm², "
                           f"{light.chips} chip{'s' if light.chips != 1 else ''}",
                           light.confusion, f"{evaluation.path}/{light.name}/confusion"))
        name = evaluation_name(evaluation)
        figs.add(accel_plots.plot_confusion(
            panels, figs.png(f"{p}_confusion_{slug(name)}"),
            f"Confusion of {inp.label}, {name} (counts; colour: share of the true class)"),
            [inp])
        for budget in evaluation.noise_budgets:  # accel eval --noise-budget
            figs.add(accel_plots.plot_noise_budget(
                budget, figs.png(f"{p}_noise_budget_{slug(name)}_{budget.name}"),
                f"Noise budget of {inp.label}, {name}, "
                f"{budget.energy_density_fJ_per_um2:g} fJ/µm² ({budget.images} test images)"),
                [inp])
    if r.energy is not None:
        figs.add(accel_plots.plot_energy_breakdown(
            [(inp.label, r.energy, inp.path)], figs.png(f"{p}_energy_breakdown"),
            f"Systemic energy per frame of {inp.label} ({r.energy.design})"), [inp])
    if r.model is not None and r.model.phase_masks:
        figs.add(accel_plots.plot_phase_masks(
            r.model, figs.png(f"{p}_phase_masks"), mask_pitch_m(r),
            f"Trained phase masks of {inp.label}"), [inp])
    if r.detector:
        figs.add(accel_plots.plot_detector_intensities(
            r.detector, figs.png(f"{p}_detector_intensity"),
            f"Detector-plane intensity of {inp.label} (noise-free)"), [inp])
    if r.fields:
        figs.add(accel_plots.plot_propagation(r.fields, figs.png(f"{p}_propagation"),
                                              f"Field intensity of {inp.label}"), [inp])


def mask_pitch_m(result: accel_results.AccelResult) -> float | None:
    """Mask pixel pitch from the configuration (optics.mask_pitch_um), in m."""
    pitch_um = result.config.get("optics", {}).get("mask_pitch_um")
    return pitch_um * 1e-6 if pitch_um else None


def varies(series) -> bool:
    """True when the finite y values are not all equal (worth a figure)."""
    values = np.concatenate([s.y for s in series]) if series else np.array([])
    values = values[np.isfinite(values)]
    return values.size > 1 and not np.all(values == values[0])


def sweep_figures(inp: Input, figs: Figures, axes: list[str], metrics: list[str]) -> None:
    """Figures of one sweep file: accuracy against light and phase error, metrics
    against the other numeric axes, the requested --axis/--metric plots, base masks."""
    sweep, p = inp.result.sweep, inp.prefix
    chance = [inp.chance]
    drawn = set()
    series = light_series(inp)
    if series:
        draw_light(figs, f"{p}_accuracy_vs_light", series, [inp])
        drawn.add((LIGHT_AXIS, "accuracy_mean"))
    if sweep.is_numeric_axis(PHASE_ERROR_AXIS):
        series = accel_plots.sweep_series(sweep, PHASE_ERROR_AXIS, "accuracy_mean",
                                          inp.label, inp.path)
        if accel_plots.has_finite(series):
            figs.add(accel_plots.plot_accuracy_vs_phase_error(
                series, figs.png(f"{p}_accuracy_vs_phase_error"), chance), [inp])
            drawn.add((PHASE_ERROR_AXIS, "accuracy_mean"))
    wanted = []  # (axis, metric, drawn even without data: asked for on the command line)
    for key in sweep.numeric_axes():
        wanted.append((key, "accuracy_mean", False))
        wanted += [(key, metric, False) for metric in ENERGY_METRICS]
    request_axes = axes or (sweep.numeric_axes() if metrics else [])
    wanted += [(key, metric, True) for key in request_axes if sweep.is_numeric_axis(key)
               for metric in (metrics or ["accuracy_mean"])]
    for key, metric, requested in wanted:
        if (key, metric) in drawn:
            continue
        series = accel_plots.sweep_series(sweep, key, metric, inp.label, inp.path)
        useful = accel_plots.has_finite(series) and (
            metric.startswith("accuracy") or varies(series))
        if series and (useful or requested):
            figs.add(accel_plots.plot_sweep_metric(
                series, key, metric, figs.png(f"{p}_{metric}_vs_{slug(key)}"), chance,
                f"{key_title(metric)} of {inp.label} against {key}"), [inp])
            drawn.add((key, metric))
    model = inp.result.model
    if model is not None and model.phase_masks:
        figs.add(accel_plots.plot_phase_masks(
            model, figs.png(f"{p}_phase_masks"), mask_pitch_m(inp.result),
            f"Phase masks of the base model of {inp.label}"), [inp])


def key_title(metric: str) -> str:
    return metric.replace("_", " ")


# --------------------------------------------------------------------------- combined


def combined_figures(inputs: list[Input], figs: Figures, axes: list[str],
                     metrics: list[str]) -> None:
    """Figures comparing several files: light level, shared sweep axes, energy."""
    with_light = [(i, light_series(i)) for i in inputs]
    with_light = [(i, s) for i, s in with_light if s]
    if len(with_light) >= 2:
        draw_light(figs, "combined_accuracy_vs_light",
                   [s for _, series in with_light for s in series],
                   [i for i, _ in with_light])
    sweeps = [i for i in inputs if i.result.sweep is not None]
    shared = []  # numeric axes that two or more sweeps have, in first-seen order
    for i in sweeps:
        for key in i.result.sweep.numeric_axes():
            if key not in shared and key != LIGHT_AXIS and sum(
                    j.result.sweep.is_numeric_axis(key) for j in sweeps) >= 2:
                shared.append(key)
    pairs = [(key, "accuracy_mean") for key in shared]
    request_axes = axes or (shared if metrics else [])
    pairs += [(key, m) for key in request_axes for m in (metrics or ["accuracy_mean"])
              if (key, m) not in pairs and (key, m) != (LIGHT_AXIS, "accuracy_mean")]
    for key, metric in pairs:
        holders = [i for i in sweeps if i.result.sweep.is_numeric_axis(key)]
        series = [s for i in holders for s in accel_plots.sweep_series(
            i.result.sweep, key, metric, i.label, i.path)]
        if len(holders) < 2 or not series or not accel_plots.has_finite(series):
            continue
        chances = [i.chance for i in holders]
        if (key, metric) == (PHASE_ERROR_AXIS, "accuracy_mean"):
            entry = accel_plots.plot_accuracy_vs_phase_error(
                series, figs.png("combined_accuracy_vs_phase_error"), chances)
        else:
            entry = accel_plots.plot_sweep_metric(
                series, key, metric, figs.png(f"combined_{metric}_vs_{slug(key)}"), chances,
                f"{key_title(metric)} against {key}")
        figs.add(entry, holders)
    with_energy = [i for i in inputs if i.result.energy is not None]
    if len(with_energy) >= 2:
        figs.add(accel_plots.plot_energy_breakdown(
            [(i.label, i.result.energy, i.path) for i in with_energy],
            figs.png("combined_energy_breakdown")), with_energy)


# --------------------------------------------------------------------------- main


def _json_value(value: Any) -> Any:
    """numpy scalars and arrays that reach the manifest, as JSON values (NaN → null)."""
    if isinstance(value, np.ndarray):
        return accel_plots.as_list(value)
    if isinstance(value, np.generic):
        value = value.item()
        return None if isinstance(value, float) and not np.isfinite(value) else value
    raise TypeError(f"{type(value).__name__} cannot go into {MANIFEST}")


def write_manifest(outdir: str, inputs: list[Input], figs: Figures) -> str:
    """figures.json: the inputs and, for every PNG, its sources and plotted numbers."""
    manifest = {
        "format": MANIFEST_FORMAT,
        "inputs": [{"path": i.path, "label": i.label, "kind": i.result.kind}
                   for i in inputs],
        "figures": figs.entries,
    }
    path = os.path.join(outdir, MANIFEST)
    with open(path, "w", encoding="utf-8") as out:
        # allow_nan=False: NaN was turned into null, and strict JSON readers stay happy.
        json.dump(manifest, out, indent=1, ensure_ascii=False, allow_nan=False,
                  default=_json_value)
        out.write("\n")
    return path


def main(argv: list[str] | None = None) -> int:
    try:
        args = parse_args(argv)
        inputs = load_inputs(args.files, args.label)
        check_requests(inputs, args.axis, args.metric)
        os.makedirs(args.outdir, exist_ok=True)
        figs = Figures(args.outdir)
        for inp in inputs:
            if inp.result.kind == "sweep":
                sweep_figures(inp, figs, args.axis, args.metric)
            else:
                run_figures(inp, figs)
        if len(inputs) >= 2:
            combined_figures(inputs, figs, args.axis, args.metric)
        manifest = write_manifest(args.outdir, inputs, figs)
    except (UsageError, accel_results.AccelFileError, OSError) as error:
        # One line whatever the message (HDF5 errors can span several).
        print("accel_plot: " + " ".join(str(error).split()), file=sys.stderr)
        return EXIT_USAGE
    print(f"{len(figs.entries)} figures written to {args.outdir}; list in {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
