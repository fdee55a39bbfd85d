"""Figures of accel results, written as PNG files with matplotlib (Agg, no display).

Two layers:

* series builders turn what `accel_results.load` returns into `Series` (x, y and the
  95 % interval, in file units, with the file and group or sweep points they came from);
* figure functions draw series, models, energies, noise budgets or fields into one PNG
  and return a manifest entry: a dict with the figure name, the PNG's file name and the
  numbers drawn (`accel_plot.py` collects these into figures.json).

Accuracies stay fractions in the data and are shown as percent by the axis formatter, so
the numbers in a manifest are the numbers in the file. Energies in bar charts are drawn in
nJ; the manifest lists both the joules read and the nanojoules drawn.
"""

from __future__ import annotations

import dataclasses
import math
import os
from typing import Any, Iterable, Sequence

import matplotlib

matplotlib.use("Agg")  # files only: works without a display and in tests

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

import accel_results  # noqa: E402

LIGHT_AXIS = "light.energy_density_fJ_per_um2"
PHASE_ERROR_AXIS = "eval.phase_error_pi"
DEFAULT_CHANCE = 0.1  # ten classes: the data sets accel is usually run on
DPI = 120

# Axis labels with units for the config keys sweeps usually vary.
KEY_LABELS = {
    LIGHT_AXIS: "light level (fJ/µm² per frame)",
    PHASE_ERROR_AXIS: "fabrication phase error σ (π rad)",
    "train.phase_error_pi": "phase error σ injected in training (π rad)",
    "eval.shift_px": "mask misalignment (pixels)",
    "eval.rotation_deg": "mask rotation (°)",
    "optics.phase_bits": "phase quantisation (bits)",
    "optics.wavelength_nm": "wavelength (nm)",
    "optics.mask_pixels": "mask size (pixels per side)",
    "optics.mask_pitch_um": "mask pitch (µm)",
}

# Unit suffixes of config keys and table columns (docs/config.md naming), longest first.
UNIT_SUFFIXES = (
    ("_fJ_per_um2", "fJ/µm²"),
    ("_POPS_per_W", "POPS/W"),
    ("_POPS", "POPS"),
    ("_seconds", "s"),
    ("_pi", "π rad"),
    ("_deg", "°"),
    ("_px", "pixels"),
    ("_nm", "nm"),
    ("_um", "µm"),
    ("_mm", "mm"),
    ("_ns", "ns"),
    ("_mW", "mW"),
    ("_pJ", "pJ"),
    ("_fJ", "fJ"),
    ("_pF", "pF"),
    ("_fF", "fF"),
    ("_V", "V"),
    ("_J", "J"),
    ("_W", "W"),
    ("_s", "s"),
    ("_e", "electrons"),
)

METRIC_LABELS = {
    "accuracy_mean": "accuracy over chips (%)",
    "accuracy_noise_free": "noise-free accuracy (%)",
    "accuracy_std": "accuracy std over chips (%)",
    "energy_per_frame_J": "systemic energy per frame (J)",
    "frame_energy_J": "optical energy per frame (J)",
    "photons_per_frame": "photons per frame",
    "detected_photons_per_frame": "detected photons per frame",
    "throughput_POPS": "throughput (POPS)",
    "efficiency_POPS_per_W": "efficiency (POPS/W)",
    "train_seconds": "training time (s)",
    "eval_seconds": "evaluation time (s)",
    "energy_density_fJ_per_um2": "light level (fJ/µm² per frame)",
}


# --------------------------------------------------------------------------- data


@dataclasses.dataclass
class Series:
    """One curve: y against x, with optional 95 % interval, in file units."""

    label: str
    source: str  # the file it came from
    x: np.ndarray
    y: np.ndarray
    low: np.ndarray | None = None  # interval bounds; NaN where there is none
    high: np.ndarray | None = None
    noise_free: np.ndarray | None = None  # noise-free accuracy at each x, drawn dotted
    photons: np.ndarray | None = None  # photons per frame at each x
    origin: dict[str, Any] = dataclasses.field(default_factory=dict)  # group / points

    def to_manifest(self) -> dict[str, Any]:
        entry = {"label": self.label, "source": self.source, **self.origin,
                 "x": as_list(self.x), "y": as_list(self.y)}
        for name in ("low", "high", "noise_free", "photons"):
            values = getattr(self, name)
            if values is not None:
                entry[name] = as_list(values)
        return entry


def as_list(values: Any) -> Any:
    """numpy data as JSON-ready lists; NaN becomes None (JSON has no NaN)."""
    array = np.asarray(values)
    if array.dtype.kind != "f":
        return array.tolist()
    if array.ndim == 0:
        value = float(array)
        return value if math.isfinite(value) else None
    return [as_list(v) for v in array]


def chance_level(classes: int | None) -> float:
    """Accuracy of guessing: 1/classes, or 0.1 when the class count is unknown."""
    return 1.0 / classes if classes else DEFAULT_CHANCE


def key_label(key: str) -> str:
    """Axis label of a config key or table column, with its unit."""
    if key in KEY_LABELS:
        return KEY_LABELS[key]
    if key in METRIC_LABELS:
        return METRIC_LABELS[key]
    for suffix, unit in UNIT_SUFFIXES:
        if key.endswith(suffix):
            return f"{key} ({unit})"
    return key


def format_value(value: Any) -> str:
    """A table value as short text for a legend."""
    if isinstance(value, (float, np.floating)):
        return f"{float(value):g}"
    if isinstance(value, np.int8):  # the table's booleans
        return "true" if value else "false"
    return str(value)


def evaluation_light_series(evaluation: accel_results.Evaluation, label: str,
                            source: str) -> Series | None:
    """Accuracy against light level of one evaluation group, sorted by light level.

    None when the group evaluated no light level.
    """
    if not evaluation.lights:
        return None
    data = evaluation.light_arrays()
    order = np.argsort(data["energy_density_fJ_per_um2"], kind="stable")
    return Series(
        label=label,
        source=source,
        x=data["energy_density_fJ_per_um2"][order],
        y=data["accuracy_mean"][order],
        low=data["accuracy_ci95_low"][order],
        high=data["accuracy_ci95_high"][order],
        noise_free=np.full(len(order), float(evaluation.accuracy)),
        photons=data["photons_per_frame"][order],
        origin={"group": evaluation.path,
                "lights": [evaluation.lights[i].name for i in order]},
    )


def sweep_series(sweep: accel_results.Sweep, x_key: str, metric: str, label: str,
                 source: str) -> list[Series]:
    """`metric` against the axis `x_key` of a sweep, one series per curve.

    In a grid sweep the other axes split the points into curves (one per combination of
    their values, in the order of the table); in a zip sweep every axis moves together,
    so all points form one curve. Points within a curve are sorted by x. The accuracy
    metric carries its 95 % interval and the noise-free accuracy.
    """
    if x_key not in sweep.axis_keys:
        raise ValueError(f"unknown axis '{x_key}' (axes: {', '.join(sweep.axis_keys)})")
    if metric not in sweep.table:
        raise ValueError(f"unknown metric '{metric}'")
    table = sweep.table
    others = [k for k in sweep.axis_keys if k != x_key] if sweep.combine == "grid" else []
    curves: dict[tuple, list[int]] = {}
    for row in range(sweep.rows):
        curves.setdefault(tuple(table[k][row] for k in others), []).append(row)
    # Name a curve only by the axes that differ between curves, to keep legends short.
    varying = [i for i, _ in enumerate(others) if len({c[i] for c in curves}) > 1]
    series = []
    for values, rows in curves.items():
        rows = np.array(rows, dtype=int)
        rows = rows[np.argsort(table[x_key][rows], kind="stable")]
        name = ", ".join([label] + [f"{others[i]}={format_value(values[i])}"
                                    for i in varying])
        with_interval = metric == "accuracy_mean"
        series.append(Series(
            label=name,
            source=source,
            x=table[x_key][rows].astype(float),
            y=table[metric][rows].astype(float),
            low=table["accuracy_ci95_low"][rows] if with_interval else None,
            high=table["accuracy_ci95_high"][rows] if with_interval else None,
            noise_free=table["accuracy_noise_free"][rows] if with_interval else None,
            photons=table["photons_per_frame"][rows],
            origin={"points": table["point"][rows].tolist(),
                    "fixed_axes": {others[i]: format_value(values[i])
                                   for i in range(len(others))}},
        ))
    return series


def has_finite(series: Iterable[Series]) -> bool:
    """True when some series has a finite y value (something to draw)."""
    return any(np.isfinite(s.y).any() for s in series)


# --------------------------------------------------------------------------- drawing


def _save(fig: plt.Figure, out_png: str) -> None:
    fig.savefig(out_png, dpi=DPI)
    plt.close(fig)


def _draw_series(ax: plt.Axes, series: Sequence[Series]) -> None:
    """Curves with markers, their 95 % interval as band and error bars, noise-free dotted."""
    noise_free_drawn = False
    for i, s in enumerate(series):
        color = f"C{i % 10}"
        shown = np.isfinite(s.y)
        ax.plot(s.x[shown], s.y[shown], "o-", color=color, ms=4, lw=1.5, label=s.label)
        if s.low is not None and s.high is not None:
            ok = shown & np.isfinite(s.low) & np.isfinite(s.high)
            # The band shows the interval along the curve; error bars keep it visible for
            # isolated points, where a band has no width.
            ax.fill_between(s.x, np.where(ok, s.low, 0.0), np.where(ok, s.high, 0.0),
                            where=ok, color=color, alpha=0.18, lw=0)
            if ok.any():
                ax.errorbar(s.x[ok], s.y[ok],
                            yerr=[s.y[ok] - s.low[ok], s.high[ok] - s.y[ok]],
                            fmt="none", ecolor=color, elinewidth=1, capsize=3, alpha=0.8)
        if s.noise_free is not None and np.isfinite(s.noise_free).any():
            free = np.isfinite(s.noise_free)
            ax.plot(s.x[free], s.noise_free[free], ":", color=color, lw=1.2)
            noise_free_drawn = True
    if noise_free_drawn:  # one neutral legend entry for all dotted lines
        ax.plot([], [], ":", color="0.3", lw=1.2, label="noise-free (dotted, curve colour)")


def _draw_chance(ax: plt.Axes, chances: Sequence[float]) -> None:
    for chance in sorted(set(chances)):
        ax.axhline(chance, ls="--", color="0.45", lw=1,
                   label=f"chance ({chance:.0%})")


def _accuracy_axis(ax: plt.Axes) -> None:
    """Fractions shown as percent over the full range, so designs compare at a glance."""
    ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_ylim(0.0, 1.05)


def _use_log(x: Iterable[np.ndarray]) -> bool:
    """Log scale when every x is positive and they span at least a factor of 20."""
    values = np.concatenate([np.asarray(v, dtype=float) for v in x]) if x else np.array([])
    values = values[np.isfinite(values)]
    return bool(values.size > 1 and values.min() > 0 and values.max() / values.min() >= 20)


def photons_ratio(series: Sequence[Series]) -> float | None:
    """Photons per frame per unit of x when it is the same for every point, else None.

    The photon count is proportional to the light level for one design, so a second
    axis in photons is exact; designs with different input areas break the proportion.
    """
    ratios = np.concatenate([s.photons / s.x for s in series if s.photons is not None])
    ratios = ratios[np.isfinite(ratios) & (ratios > 0)]
    if ratios.size == 0 or len(ratios) != sum(len(s.x) for s in series):
        return None
    if np.allclose(ratios, ratios[0], rtol=1e-9, atol=0):
        return float(ratios[0])
    return None


def _legend(ax: plt.Axes, entries: int) -> None:
    ax.legend(fontsize=8 if entries <= 6 else 6, loc="best", framealpha=0.85)


def _line_entry(figure: str, out_png: str, title: str, x_label: str, y_label: str,
                series: Sequence[Series], x_log: bool, chances: Sequence[float],
                **extra: Any) -> dict[str, Any]:
    return {"figure": figure, "png": os.path.basename(out_png), "title": title,
            "x_label": x_label, "y_label": y_label, "x_log": x_log,
            "chance": sorted(set(chances)), **extra,
            "series": [s.to_manifest() for s in series]}


def plot_accuracy_vs_light(series: Sequence[Series], out_png: str,
                           chances: Sequence[float] = (DEFAULT_CHANCE,),
                           x: str = "energy", title: str | None = None) -> dict[str, Any]:
    """Accuracy (mean over chips, 95 % interval) against light level, one curve per series.

    x = "energy": energy density on a log axis, with photons per frame on a second axis
    when one ratio converts all points; x = "photons": photons per frame on the x axis
    (for designs whose photon counts differ at equal energy density).
    """
    if x == "photons":
        series = [dataclasses.replace(s, x=s.photons) for s in series]
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    _draw_series(ax, series)
    _draw_chance(ax, chances)
    # Accuracy changes over decades of light: log scale whenever it is possible.
    x_log = all(np.all(s.x[np.isfinite(s.x)] > 0) for s in series)
    if x_log:
        ax.set_xscale("log")
    x_label = ("photons per frame" if x == "photons"
               else "light level: energy density at the input (fJ/µm² per frame)")
    ax.set_xlabel(x_label)
    ax.set_ylabel("test accuracy, mean over chips (%)")
    _accuracy_axis(ax)
    ratio = photons_ratio(series) if x == "energy" else None
    if ratio is not None:
        top = ax.secondary_xaxis("top", functions=(lambda e: e * ratio, lambda p: p / ratio))
        top.set_xlabel("photons per frame")
    title = title or "Test accuracy against light level (band and bars: 95 % interval)"
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    _legend(ax, len(series) + 2)
    fig.tight_layout()
    _save(fig, out_png)
    figure = "accuracy_vs_photons" if x == "photons" else "accuracy_vs_light"
    return _line_entry(figure, out_png, title, x_label, ax.get_ylabel(), series, x_log,
                       chances, photons_per_unit_x=ratio)


def plot_sweep_metric(series: Sequence[Series], x_key: str, metric: str, out_png: str,
                      chances: Sequence[float] = (DEFAULT_CHANCE,),
                      title: str | None = None, figure: str | None = None) -> dict[str, Any]:
    """Any metric of a sweep table against any numeric axis.

    Accuracy metrics are shown in percent with the chance line and (for the mean) the
    95 % interval; other metrics on their own scale, logarithmic when they span more than
    a factor of 20.
    """
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    _draw_series(ax, series)
    accuracy = metric.startswith("accuracy")
    if accuracy and metric != "accuracy_std":
        _draw_chance(ax, chances)
        _accuracy_axis(ax)
    elif accuracy:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        chances = ()
        if _use_log([s.y for s in series]):
            ax.set_yscale("log")
    x_log = _use_log([s.x for s in series])
    if x_log:
        ax.set_xscale("log")
    ax.set_xlabel(key_label(x_key))
    ax.set_ylabel(key_label(metric))
    title = title or f"{metric} against {x_key}"
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.25)
    _legend(ax, len(series) + 2)
    fig.tight_layout()
    _save(fig, out_png)
    return _line_entry(figure or f"{metric}_vs_axis", out_png, title, ax.get_xlabel(),
                       ax.get_ylabel(), series, x_log, chances, x_key=x_key, metric=metric)


def plot_accuracy_vs_phase_error(series: Sequence[Series], out_png: str,
                                 chances: Sequence[float] = (DEFAULT_CHANCE,),
                                 title: str | None = None) -> dict[str, Any]:
    """Accuracy against the fabrication phase error of the evaluated chips.

    The series come from `sweep_series(sweep, "eval.phase_error_pi", "accuracy_mean",...)`;
    in a grid with `train.phase_error_pi` there is one curve per training error.
    """
    title = title or ("Test accuracy against fabrication phase error "
                      "(band and bars: 95 % interval)")
    return plot_sweep_metric(series, PHASE_ERROR_AXIS, "accuracy_mean", out_png, chances,
                             title, figure="accuracy_vs_phase_error")


def plot_energy_breakdown(entries: Sequence[tuple[str, accel_results.Energy, str]],
                          out_png: str, title: str | None = None) -> dict[str, Any]:
    """Systemic energy per frame by component, in nJ; several designs side by side.

    entries: (label, energy, source file). Components excluded from the systemic total
    (the optical source unless the configuration counts it) are left out. Each bar is
    labelled with its value and share; the axis turns logarithmic when the non-zero
    values span more than a factor of 100, so small terms stay visible.
    """
    names: list[str] = []
    for _, energy, _ in entries:
        names += [c.name for c in energy.systemic_components() if c.name not in names]
    bars, totals = [], []
    for label, energy, source in entries:
        for part in energy.systemic_components():
            bars.append({"label": label, "source": source, "component": part.name,
                         "energy_J": part.energy_J, "nJ": part.energy_J * 1e9,
                         "share_of_systemic": part.share_of_systemic})
        totals.append({"label": label, "source": source, "design": energy.design,
                       "energy_per_frame_J": energy.energy_per_frame_J,
                       "nJ": energy.energy_per_frame_J * 1e9})
    positive = [b["nJ"] for b in bars if b["nJ"] > 0]
    log = bool(positive) and max(positive) / min(positive) > 100
    height = 0.8 / len(entries)
    fig, ax = plt.subplots(figsize=(8, 1.2 + 0.45 * len(names) * max(1, len(entries) * 0.7)))
    left = min(positive) / 5 if log else 0.0
    for i, (label, _, _) in enumerate(entries):
        mine = [b for b in bars if b["label"] == label]
        positions = [names.index(b["component"]) + (i - (len(entries) - 1) / 2) * height
                     for b in mine]
        ax.barh(positions, [b["nJ"] for b in mine], height=height * 0.9,
                color=f"C{i % 10}", label=f"{label}: {totals[i]['nJ']:.3g} nJ per frame")
        for y, b in zip(positions, mine):
            ax.annotate(f" {b['nJ']:.3g} nJ ({100 * b['share_of_systemic']:.3g} %)",
                        (max(b["nJ"], left), y), va="center", fontsize=7)
    ax.set_yticks(range(len(names)), [n.replace("_", " ") for n in names])
    ax.invert_yaxis()  # first component on top
    x_label = "energy per frame (nJ" + (", log scale)" if log else ")")
    ax.set_xlabel(x_label)
    if log:
        ax.set_xscale("log")
        ax.set_xlim(left, max(positive) * 50)  # room for the value labels
    else:
        ax.set_xlim(0, ax.get_xlim()[1] * 1.3)
    title = title or "Systemic energy per frame by component"
    ax.set_title(title, fontsize=10)
    ax.grid(True, axis="x", alpha=0.25)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    _save(fig, out_png)
    return {"figure": "energy_breakdown", "png": os.path.basename(out_png), "title": title,
            "x_label": x_label, "x_log": log, "bars": bars, "totals": totals}


PER_FRAME_COLOUR = "C0"  # noise drawn afresh every frame
FIXED_PATTERN_COLOUR = "C3"  # chip-to-chip mismatch, fixed per chip


def _number(value: Any) -> Any:
    """A float for the manifest as read (NaN → None); None and ints unchanged."""
    return None if value is None else as_list(value)


def _draw_budget_terms(ax: plt.Axes, budget: accel_results.NoiseBudget) -> list[bool]:
    """Left panel: rms electrons per term on a log axis; returns which terms were drawn.

    A zero term (e.g. Johnson noise without a shunt resistance) has no place on a log
    axis, so it is written as "0" at the left edge instead of drawn.
    """
    drawn = [math.isfinite(t.rms_e) and t.rms_e > 0 for t in budget.terms]
    references = [(value, style, label) for value, style, label in (
        (budget.signal_spread_rms_e, "--", "signal spread"),
        (budget.margin_median_e, ":", "median margin")) if math.isfinite(value) and value > 0]
    positive = [t.rms_e for t, d in zip(budget.terms, drawn) if d]
    positive += [value for value, _, _ in references]
    left, right = (min(positive) / 5, max(positive) * 40) if positive else (0.1, 10.0)
    for y, (term, shown) in enumerate(zip(budget.terms, drawn)):
        colour = PER_FRAME_COLOUR if term.per_frame else FIXED_PATTERN_COLOUR
        if shown:
            ax.barh(y, term.rms_e, height=0.7, color=colour)
            ax.annotate(f" {term.rms_e:.3g} e", (term.rms_e, y), va="center", fontsize=7)
        else:
            ax.annotate(" 0" if term.rms_e == 0 else f" {term.rms_e}", (left, y),
                        va="center", fontsize=7, color=colour)
    for value, style, label in references:
        ax.axvline(value, ls=style, color="0.2", lw=1.2, label=f"{label}: {value:.3g} e")
    # Colour keys carry the quadrature sums, so the two kinds compare at a glance.
    keys = [Patch(color=PER_FRAME_COLOUR,
                  label=f"frame to frame (in quadrature {budget.per_frame_rms_e:.3g} e)"),
            Patch(color=FIXED_PATTERN_COLOUR,
                  label=f"chip to chip (in quadrature {budget.fixed_pattern_rms_e:.3g} e)")]
    ax.set_xscale("log")
    ax.set_xlim(left, right)  # room for the value labels
    ax.set_yticks(range(len(budget.terms)), [t.name.replace("_", " ") for t in budget.terms])
    ax.set_ylim(len(budget.terms) - 0.5, -0.5)  # first term on top
    ax.set_xlabel("rms on a line differential (electrons, log scale)")
    ax.grid(True, axis="x", alpha=0.25)
    _legend_below(ax, keys + ax.get_legend_handles_labels()[0])
    return drawn


def _draw_budget_accuracy(ax: plt.Axes, budget: accel_results.NoiseBudget) -> None:
    """Right panel: accuracy with each term alone and with all but it, 95 % bars."""
    rows = budget.accuracy
    height = 0.38
    for offset, field, colour, label in (
            (-height / 2, "accuracy_alone", "C2", "that term alone"),
            (height / 2, "accuracy_all_but", "C1", "all but that term")):
        y = np.arange(len(rows)) + offset
        values = np.array([getattr(r, field) for r in rows], dtype=float)
        half = np.array([getattr(r, field + "_ci95_half_width") for r in rows], dtype=float)
        ax.barh(y, np.nan_to_num(values), height=height * 0.92, color=colour, label=label)
        ok = np.isfinite(values) & np.isfinite(half) & (half > 0)
        if ok.any():  # one chip: no interval, no bar
            ax.errorbar(values[ok], y[ok], xerr=half[ok], fmt="none", ecolor="0.25",
                        elinewidth=0.8, capsize=2)
        # Labels past the error bar, so the two do not overlap.
        ends = np.where(np.isfinite(values), values, 0.0) + np.where(ok, half, 0.0)
        for yy, value, end in zip(y, values, ends):
            ax.annotate(f" {100 * value:.1f} %" if math.isfinite(value) else " NaN",
                        (end, yy), va="center", fontsize=6)
    for value, style, label in ((budget.accuracy_all, "-", "every term on"),
                                (budget.accuracy_none, "--", "none on")):
        if math.isfinite(value):
            ax.axvline(value, ls=style, color="0.2", lw=1.2,
                       label=f"{label}: {100 * value:.3g} %")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0))
    ax.set_xticks([0.0, 0.25, 0.5, 0.75, 1.0])
    ax.set_xlim(0.0, 1.25)  # room for the value labels beyond 100 %
    ax.set_yticks(range(len(rows)), [r.term.replace("_", " ") for r in rows])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    chips = f", mean over {budget.chips} chips" if budget.chips else ""
    ax.set_xlabel(f"test accuracy on the budget's images{chips} (%)")
    ax.grid(True, axis="x", alpha=0.25)
    _legend_below(ax, ax.get_legend_handles_labels()[0])


def _legend_below(ax: plt.Axes, handles: list) -> None:
    """A legend under the axes: the bars fill the panel, so inside it would hide one."""
    ax.legend(handles=handles, fontsize=7, loc="upper center", ncol=2,
              bbox_to_anchor=(0.5, -0.13), frameon=False)


def plot_noise_budget(budget: accel_results.NoiseBudget, out_png: str,
                      title: str | None = None) -> dict[str, Any]:
    """The noise budget of one light level (`accel eval --noise-budget`).

    Left: each term's rms electrons on a line differential (log axis, coloured by
    frame-to-frame or chip-to-chip), beside the spread of the signals and the median
    margin they have to beat. Right, when the file has the accuracy table: the accuracy
    with each non-ideality alone and with all but it, against every term on and none:
    the rms says how large a term is, the accuracy whether it matters.
    """
    with_accuracy = budget.has_accuracy
    rows = max(len(budget.terms), len(budget.accuracy))
    fig, axes = plt.subplots(1, 2 if with_accuracy else 1, squeeze=False,
                             figsize=(14 if with_accuracy else 7.5, 2.8 + 0.45 * rows))
    drawn = _draw_budget_terms(axes[0, 0], budget)
    if with_accuracy:
        _draw_budget_accuracy(axes[0, 1], budget)
    title = title or (f"Noise budget at {budget.energy_density_fJ_per_um2:g} fJ/µm² "
                      f"({budget.images} test images)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    _save(fig, out_png)
    return {
        "figure": "noise_budget", "png": os.path.basename(out_png), "title": title,
        "group": budget.path, "light": budget.name,
        "energy_density_fJ_per_um2": _number(budget.energy_density_fJ_per_um2),
        "images": budget.images, "chips": budget.chips,
        "per_frame_rms_e": _number(budget.per_frame_rms_e),
        "fixed_pattern_rms_e": _number(budget.fixed_pattern_rms_e),
        "signal_spread_rms_e": _number(budget.signal_spread_rms_e),
        "margin_median_e": _number(budget.margin_median_e),
        "accuracy_all": _number(budget.accuracy_all),
        "accuracy_none": _number(budget.accuracy_none),
        "x_label": axes[0, 0].get_xlabel(), "x_log": True,
        "terms": [{"term": t.name, "rms_e": _number(t.rms_e), "per_frame": t.per_frame,
                   "drawn": d} for t, d in zip(budget.terms, drawn)],
        "accuracy": [{f: _number(getattr(r, f)) if f != "term" else r.term
                      for f in accel_results.TERM_ACCURACY_COLUMNS}
                     for r in budget.accuracy],
    }


def _grid(panels: int, width: float, height: float, columns: int = 4):
    """A figure with one axes per panel, at most `columns` per row; spare axes hidden."""
    cols = min(panels, columns)
    rows = math.ceil(panels / cols)
    # Constrained layout keeps labels of neighbouring panels and colour bars apart.
    fig, axes = plt.subplots(rows, cols, figsize=(width * cols, height * rows), squeeze=False,
                             layout="constrained")
    for ax in axes.ravel()[panels:]:
        ax.set_visible(False)
    return fig, axes.ravel()[:panels]


def _extent_mm(n_rows: int, n_cols: int, pitch_m: float | None):
    """imshow extent centring pixel (row, col) as in the file layout, in mm (or pixels)."""
    if not pitch_m:
        return None, "x (pixel)", "y (pixel)"
    half_x, half_y = n_cols * pitch_m * 1e3 / 2, n_rows * pitch_m * 1e3 / 2
    return [-half_x, half_x, -half_y, half_y], "x (mm)", "y (mm)"


def _image_stats(data: np.ndarray) -> dict[str, Any]:
    return {"shape": list(data.shape), "min": float(np.min(data)),
            "max": float(np.max(data)), "mean": float(np.mean(data))}


def plot_phase_masks(model: accel_results.Model, out_png: str, pitch_m: float | None = None,
                     title: str | None = None) -> dict[str, Any]:
    """The trained phase masks, one panel each, on a cyclic colormap over [0, 2π).

    A cyclic map because 0 and 2π are the same phase. Rows run along y upwards, as in
    the file layout; `pitch_m` (the mask pitch) gives the axes in mm.
    """
    fig, axes = _grid(len(model.phase_masks), 3.8, 3.6)
    image = None
    panels = []
    for l, (ax, mask, path) in enumerate(zip(axes, model.phase_masks, model.phase_mask_paths)):
        extent, x_label, y_label = _extent_mm(*mask.shape, pitch_m)
        image = ax.imshow(mask, cmap="twilight", vmin=0, vmax=2 * np.pi, origin="lower",
                          extent=extent, interpolation="nearest")
        ax.set_title(f"mask {l}", fontsize=9)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        panels.append({"title": f"mask {l}", "dataset": path, **_image_stats(mask)})
    bar = fig.colorbar(image, ax=list(axes), ticks=[0, np.pi, 2 * np.pi], shrink=0.85)
    bar.ax.set_yticklabels(["0", "π", "2π"])
    bar.set_label("phase (rad)")
    title = title or f"Trained phase masks ({model.architecture})"
    fig.suptitle(title, fontsize=10)
    _save(fig, out_png)
    return {"figure": "phase_masks", "png": os.path.basename(out_png), "title": title,
            "colormap": "twilight", "range_rad": [0.0, 2 * np.pi], "panels": panels}


def plot_detector_intensities(images: Sequence[accel_results.DetectorImage], out_png: str,
                              title: str | None = None) -> dict[str, Any]:
    """Detector-plane intensity of the stored test images, each on its own scale."""
    fig, axes = _grid(len(images), 3.9, 3.4)
    panels = []
    for ax, det in zip(axes, images):
        extent, x_label, y_label = _extent_mm(*det.intensity.shape, det.pitch_m)
        shown = ax.imshow(det.intensity, cmap="inferno", origin="lower", extent=extent,
                          interpolation="nearest", vmin=0)
        name = f"test image {det.test_index}, class {det.label}"
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        fig.colorbar(shown, ax=ax, shrink=0.85).set_label("intensity (W/m²)")
        panels.append({"title": name, "dataset": det.path, "label": det.label,
                       "test_index": det.test_index, **_image_stats(det.intensity)})
    title = title or "Detector-plane intensity (noise-free, trained masks)"
    fig.suptitle(title, fontsize=10)
    _save(fig, out_png)
    return {"figure": "detector_intensity", "png": os.path.basename(out_png),
            "title": title, "unit": "W/m^2", "panels": panels}


def row_fractions(counts: np.ndarray) -> np.ndarray:
    """Each row of a confusion matrix divided by its total (0 for an empty row)."""
    counts = np.asarray(counts, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    return np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)


def plot_confusion(panels: Sequence[tuple[str, np.ndarray, str]], out_png: str,
                   title: str | None = None) -> dict[str, Any]:
    """Confusion matrices: colour = fraction of the true class, text = image count.

    panels: (title, counts [true][predicted], HDF5 path of the counts).
    """
    fig, axes = _grid(len(panels), 3.6, 3.4)
    entries = []
    image = None
    for ax, (name, counts, path) in zip(axes, panels):
        fractions = row_fractions(counts)
        classes = counts.shape[0]
        image = ax.imshow(fractions, cmap="Blues", vmin=0, vmax=1)
        size = max(4.5, min(9.0, 70.0 / classes))
        for t in range(classes):
            for p in range(classes):
                ax.text(p, t, str(int(counts[t, p])), ha="center", va="center",
                        fontsize=size, color="white" if fractions[t, p] > 0.5 else "black")
        ax.set_xticks(range(classes))
        ax.set_yticks(range(classes))
        ax.tick_params(labelsize=7)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_title(name, fontsize=8)
        entries.append({"title": name, "dataset": path, "counts": as_list(counts),
                        "row_fraction": as_list(fractions)})
    fig.colorbar(image, ax=list(axes), shrink=0.85,
                 format=PercentFormatter(1.0)).set_label("share of the true class (%)")
    title = title or "Confusion matrices (counts; colour: share of each true class)"
    fig.suptitle(title, fontsize=10)
    _save(fig, out_png)
    return {"figure": "confusion", "png": os.path.basename(out_png), "title": title,
            "panels": entries}


def plot_history(history: dict[str, np.ndarray], out_png: str,
                 title: str | None = None) -> dict[str, Any]:
    """Training and validation loss and accuracy per epoch."""
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (loss_ax, acc_ax) = plt.subplots(1, 2, figsize=(10, 4))
    series = []
    for ax, kind in ((loss_ax, "loss"), (acc_ax, "accuracy")):
        for split, style in (("train", "o-"), ("validation", "s--")):
            key = f"{split}_{kind}"
            ax.plot(epochs, history[key], style, ms=4, label=split)
            series.append({"panel": kind, "label": split, "key": key,
                           "x": epochs.tolist(), "y": as_list(history[key])})
        ax.set_xlabel("epoch")
        ax.grid(True, alpha=0.25)
        ax.legend(fontsize=8)
        if len(epochs) < 15:  # whole epochs only
            ax.set_xticks(epochs)
    loss_ax.set_ylabel("cross-entropy loss (nats per image)")
    acc_ax.set_ylabel("accuracy (%)")
    acc_ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    seconds = float(np.sum(history["seconds"]))
    title = title or f"Training history ({len(epochs)} epochs, {seconds:.0f} s)"
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    _save(fig, out_png)
    return {"figure": "history", "png": os.path.basename(out_png), "title": title,
            "x_label": "epoch", "series": series}


def plot_propagation(fields: dict[str, accel_results.Field], out_png: str,
                     title: str | None = None) -> dict[str, Any]:
    """Intensity |u|² of the input and propagated fields of `accel propagate`."""
    names = [n for n in ("input_field", "field") if n in fields]
    fig, axes = _grid(len(names), 4.4, 3.8)
    panels = []
    for ax, name in zip(axes, names):
        field = fields[name]
        intensity = field.intensity
        extent, x_label, y_label = _extent_mm(*intensity.shape, field.pitch_m)
        shown = ax.imshow(intensity, cmap="inferno", origin="lower", extent=extent,
                          interpolation="nearest", vmin=0)
        panel = f"{name}, z = {field.distance_m * 1e3:g} mm"
        ax.set_title(panel, fontsize=9)
        ax.set_xlabel(x_label)
        ax.set_ylabel(y_label)
        fig.colorbar(shown, ax=ax, shrink=0.85).set_label("intensity (W/m²)")
        panels.append({"title": panel, "dataset": field.path,
                       "distance_m": field.distance_m, **_image_stats(intensity)})
    title = title or "Propagated field intensity |u|²"
    fig.suptitle(title, fontsize=10)
    _save(fig, out_png)
    return {"figure": "propagation", "png": os.path.basename(out_png), "title": title,
            "unit": "W/m^2", "panels": panels}
