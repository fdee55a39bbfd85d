"""Read accel's HDF5 result files into plain Python and numpy structures.

Every file accel writes carries the provenance block as root attributes; what else it
holds depends on the command that wrote it (docs/hdf5-schema.md):

    kind         written by              main content
    "run"        accel train             /model, /metrics/history, /metrics/test, /eval/<n>,
                                         /energy, /fields
    "eval"       accel eval -o OUT.h5    /eval/0 (with --noise-budget: /eval/0/noise_budget)
    "energy"     accel energy -o F.h5    /energy
    "propagate"  accel propagate         /field, /input_field
    "sweep"      accel sweep             /sweep (table of points), optional /model

`load(path)` returns an `AccelResult` whose attributes hold the parts present in the file
(the others are None or empty). Numbers are returned exactly as stored: attributes become
Python int/float/str, datasets numpy arrays, and no value is rescaled. Accuracies are
fractions in [0, 1], energies are in joules, as in the files.

    import accel_results
    r = accel_results.load("run.h5")
    for ev in r.evaluations():
        print(ev.path, ev.accuracy, ev.light_arrays()["accuracy_mean"])

A file that is missing, not HDF5, or lacks an object accel writes raises `AccelFileError`
with a message that names the file and the missing object.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from typing import Any

import h5py
import numpy as np

# Root attributes every accel file carries (docs/hdf5-schema.md, "Provenance").
PROVENANCE_KEYS = (
    "accel_version",
    "git_commit",
    "created_utc",
    "command_line",
    "config_toml",
    "seed",
    "threads",
    "fftw_version",
    "hdf5_version",
)

# Attributes of the /sweep group, in the order the sweep layout lists them.
SWEEP_ATTRIBUTES = (
    "definition_toml",
    "fingerprint",
    "run",
    "combine",
    "points_total",
    "points_done",
    "chips",
    "model_file",
)

# Metric columns of /sweep/points, after `point` and the axis columns.
SWEEP_METRICS = (
    "accuracy_noise_free",
    "accuracy_mean",
    "accuracy_std",
    "accuracy_ci95_low",
    "accuracy_ci95_high",
    "chips",
    "energy_density_fJ_per_um2",
    "frame_energy_J",
    "photons_per_frame",
    "detected_photons_per_frame",
    "energy_per_frame_J",
    "throughput_POPS",
    "efficiency_POPS_per_W",
    "train_seconds",
    "eval_seconds",
)

# Metric columns written since the low-light read-out (after the ones above): optional, as
# files written before them lack them; the table holds what the file holds.
SWEEP_LATER_METRICS = (
    "clipped_frame_fraction",
    "gain_setting_mean",
    "accuracy_adapted_mean",
    "accuracy_adapted_ci95_low",
    "accuracy_adapted_ci95_high",
)

# The per-epoch arrays of /metrics/history.
HISTORY_KEYS = (
    "train_loss",
    "train_accuracy",
    "validation_loss",
    "validation_accuracy",
    "seconds",
)

_REQUIRED = object()


class AccelFileError(Exception):
    """A file is missing, is not HDF5, or lacks an object that accel writes."""


# --------------------------------------------------------------------------- values


def text(value: Any) -> Any:
    """Return `value` as str when it is a byte string, else unchanged.

    h5py returns variable-length strings as bytes or str depending on its version and
    on where the string sits (attribute, dataset, compound field), so every string read
    from a file goes through here.
    """
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf-8")
    if isinstance(value, np.str_):
        return str(value)
    return value


def _plain(value: Any) -> Any:
    """Turn an attribute value into plain Python (int, float, str) or a numpy array.

    Scalars convert exactly: float64 → float and (u)int64 → int keep every bit.
    """
    value = text(value)
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "OS":
            return np.array([text(v) for v in value.ravel()], dtype=str).reshape(value.shape)
        return value
    if isinstance(value, np.generic):
        return value.item()
    return value


def attributes(obj: h5py.HLObject) -> dict[str, Any]:
    """All attributes of an HDF5 object as a dict of plain values."""
    return {key: _plain(obj.attrs[key]) for key in obj.attrs}


def _where(obj: h5py.HLObject) -> str:
    """'FILE: /object' for error messages."""
    return f"{obj.file.filename}: {obj.name}"


def _attr(obj: h5py.HLObject, name: str, default: Any = _REQUIRED) -> Any:
    """One attribute as a plain value; a missing required one raises AccelFileError."""
    if name in obj.attrs:
        return _plain(obj.attrs[name])
    if default is _REQUIRED:
        raise AccelFileError(f"{_where(obj)} has no attribute '{name}'")
    return default


def _child(group: h5py.Group, name: str, kind: type = h5py.HLObject) -> Any:
    """A required member of a group, of the expected kind (Group or Dataset)."""
    if name not in group:
        raise AccelFileError(f"{group.file.filename}: missing {_join(group.name, name)}")
    obj = group[name]
    if not isinstance(obj, kind):
        what = "group" if kind is h5py.Group else "dataset"
        raise AccelFileError(f"{_where(obj)} is not a {what}")
    return obj


def _join(parent: str, name: str) -> str:
    return parent.rstrip("/") + "/" + name


def _array(group: h5py.Group, name: str) -> np.ndarray:
    """A required dataset read whole into a numpy array."""
    return _child(group, name, h5py.Dataset)[()]


def _indexed(group: h5py.Group, prefix: str) -> list[tuple[int, str]]:
    """Members named '<prefix><i>' sorted by the integer i (light_10 after light_9)."""
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    found = []
    for name in group:
        match = pattern.match(name)
        if match:
            found.append((int(match.group(1)), name))
    return sorted(found)


# --------------------------------------------------------------------------- structures


@dataclasses.dataclass
class LightLevel:
    """One light level of a test evaluation (`light_<i>`), evaluated over K chips."""

    name: str  # "light_0", ...
    energy_density_fJ_per_um2: float
    frame_energy_J: float
    photons_per_frame: float
    chips: int
    accuracy_mean: float
    accuracy_std: float
    ci95_low: float  # NaN with one chip (the file has no interval then)
    ci95_high: float
    accuracy_per_chip: np.ndarray  # [K]
    confusion: np.ndarray  # [true][predicted], summed over the chips
    attrs: dict[str, Any]  # every attribute of the group (noise, phase_error_pi, ...)
    # Frames whose read-out clipped a computing line, over all chips (NaN in files written
    # before accel reported it).
    clipped_frame_fraction: float = math.nan


@dataclasses.dataclass
class NoiseTerm:
    """One row of a noise budget's `terms` table: a noise term on the line differentials."""

    name: str  # photon_shot, dark_shot, johnson, reset, pixel_gain, ...
    rms_e: float  # rms over images and outputs, electrons referred to the line capacitance
    per_frame: bool  # True: drawn afresh every frame; False: fixed per chip (mismatch)


@dataclasses.dataclass
class TermAccuracy:
    """One row of a noise budget's `accuracy` table: what one non-ideality costs.

    Accuracies are means over the evaluation's chips, as fractions; the half widths are
    NaN with one chip, as in the file.
    """

    term: str  # one of the terms, or "clipping"
    accuracy_alone: float  # that term on, every other off
    accuracy_alone_ci95_half_width: float
    accuracy_all_but: float  # every other term on, that one off
    accuracy_all_but_ci95_half_width: float


# Attributes every noise_budget/light_<i> group carries, and the columns of its two tables
# (docs/hdf5-schema.md); chips, accuracy_all and accuracy_none came with the accuracy table.
NOISE_BUDGET_ATTRIBUTES = (
    "energy_density_fJ_per_um2",
    "images",
    "per_frame_rms_e",
    "fixed_pattern_rms_e",
    "signal_spread_rms_e",
    "margin_median_e",
)
NOISE_TERM_COLUMNS = ("term", "rms_e", "per_frame")
TERM_ACCURACY_COLUMNS = tuple(f.name for f in dataclasses.fields(TermAccuracy))


@dataclasses.dataclass
class NoiseBudget:
    """The noise budget of one light level (`<evaluation>/noise_budget/light_<i>`).

    Written by `accel eval --noise-budget`. Files from before the accuracy table was
    added have no `accuracy` dataset and no `chips`, `accuracy_all`, `accuracy_none`
    attributes: then `accuracy` is empty, `chips` None and the two accuracies NaN.
    """

    path: str  # "/eval/0/noise_budget/light_0"
    name: str  # "light_0": the light level of the evaluation it belongs to
    energy_density_fJ_per_um2: float
    images: int  # the first test images the budget is taken over
    per_frame_rms_e: float  # the per-frame terms in quadrature
    fixed_pattern_rms_e: float  # the chip-to-chip terms in quadrature
    signal_spread_rms_e: float  # outputs' differentials about their mean
    margin_median_e: float  # true class over the best other class, median
    terms: list[NoiseTerm]  # in stored order
    accuracy: list[TermAccuracy]  # in stored order; empty in older files
    attrs: dict[str, Any]
    chips: int | None = None
    accuracy_all: float = math.nan  # every term on
    accuracy_none: float = math.nan  # no term on, lines unclipped

    @property
    def has_accuracy(self) -> bool:
        """True when the file holds the accuracy table (newer files)."""
        return bool(self.accuracy)


@dataclasses.dataclass
class Evaluation:
    """A test evaluation: `/metrics/test` or `/eval/<n>`."""

    path: str  # "/metrics/test" or "/eval/0"
    accuracy: float  # noise-free
    loss: float
    classes: int
    images: int
    confusion: np.ndarray  # noise-free, [true][predicted]
    lights: list[LightLevel]  # in the order of light_<i>
    attrs: dict[str, Any]
    # noise_budget/light_<i> in the order of i; empty without `accel eval --noise-budget`.
    noise_budgets: list[NoiseBudget] = dataclasses.field(default_factory=list)

    def light_arrays(self) -> dict[str, np.ndarray]:
        """The light levels as parallel float arrays, in stored order.

        Keys: energy_density_fJ_per_um2, frame_energy_J, photons_per_frame, chips,
        accuracy_mean, accuracy_std, accuracy_ci95_low, accuracy_ci95_high.
        """
        def column(field: str) -> np.ndarray:
            return np.array([getattr(level, field) for level in self.lights], dtype=float)

        return {
            "energy_density_fJ_per_um2": column("energy_density_fJ_per_um2"),
            "frame_energy_J": column("frame_energy_J"),
            "photons_per_frame": column("photons_per_frame"),
            "chips": column("chips"),
            "accuracy_mean": column("accuracy_mean"),
            "accuracy_std": column("accuracy_std"),
            "accuracy_ci95_low": column("ci95_low"),
            "accuracy_ci95_high": column("ci95_high"),
        }


@dataclasses.dataclass
class EnergyComponent:
    """One term of the energy per frame (`/energy/components/<name>`)."""

    name: str
    energy_J: float
    systemic: bool  # counted in the systemic energy per frame
    share_of_systemic: float  # fraction of the systemic total, 0 when excluded
    formula: str


@dataclasses.dataclass
class Energy:
    """The energy, latency and throughput model of a design (`/energy`)."""

    design: str
    energy_per_frame_J: float  # systemic total
    throughput_POPS: float
    efficiency_POPS_per_W: float
    latency_s: float
    frames_per_s: float
    components: list[EnergyComponent]
    attrs: dict[str, Any]

    def systemic_components(self) -> list[EnergyComponent]:
        """The components counted in the systemic energy per frame."""
        return [c for c in self.components if c.systemic]


@dataclasses.dataclass
class Model:
    """A trained model: `/model` of a run or sweep, or `/sweep/models/point_<i>`."""

    path: str
    architecture: str
    classes: int
    parameter_count: int
    phase_masks: list[np.ndarray]  # effective phase of mask l in [0, 2π), n×n, rad
    phase_mask_paths: list[str]  # dataset path of each mask
    eac_weights: np.ndarray | None  # ACCEL only: SRAM weights, [output][photodiode]
    attrs: dict[str, Any]


@dataclasses.dataclass
class DetectorImage:
    """Detector-plane intensity of one test image (`/fields/detector_intensity_<i>`)."""

    path: str
    intensity: np.ndarray  # n×n, W/m²
    label: int  # true class of the image
    test_index: int
    pitch_m: float
    unit: str


@dataclasses.dataclass
class Field:
    """A complex field of `accel propagate` (`/field` or `/input_field`)."""

    path: str
    values: np.ndarray  # complex n×n, sqrt(W)/m
    pitch_m: float
    wavelength_m: float
    distance_m: float
    unit: str

    @property
    def intensity(self) -> np.ndarray:
        """|u|² in W/m²."""
        return np.abs(self.values) ** 2


@dataclasses.dataclass
class Sweep:
    """The table of a sweep file (`/sweep`)."""

    attrs: dict[str, Any]  # definition_toml, fingerprint, run, combine, points_total, ...
    axis_keys: list[str]  # config keys swept, in axis order
    columns: list[str]  # column names of the table, in stored order
    table: dict[str, np.ndarray]  # column → array over the finished points
    chip_accuracy: np.ndarray  # [rows × max chips], NaN-padded
    model_points: list[int]  # points with a /sweep/models/point_<i> group

    @property
    def run(self) -> str:
        return self.attrs["run"]

    @property
    def combine(self) -> str:
        return self.attrs["combine"]

    @property
    def rows(self) -> int:
        return len(self.table["point"])

    def is_numeric_axis(self, key: str) -> bool:
        """True when `key` is an axis holding real or integer values (not bool or text)."""
        if key not in self.axis_keys:
            return False
        dtype = self.table[key].dtype
        # int8 is how the table stores booleans; strings and lists are str.
        return dtype.kind == "f" or (dtype.kind in "iu" and dtype.itemsize > 1)

    def numeric_axes(self) -> list[str]:
        return [key for key in self.axis_keys if self.is_numeric_axis(key)]


@dataclasses.dataclass
class AccelResult:
    """Everything read from one accel file; parts absent from the file are None/empty."""

    path: str
    kind: str  # "run", "eval", "energy", "propagate" or "sweep"
    provenance: dict[str, Any]
    config: dict[str, Any]  # config_toml parsed ({} if it does not parse)
    root_attrs: dict[str, Any]  # root attributes beyond the provenance block
    history: dict[str, np.ndarray] | None = None  # /metrics/history, one value per epoch
    train: dict[str, Any] | None = None  # /train and /train/state attributes
    model: Model | None = None
    test: Evaluation | None = None  # /metrics/test
    evals: dict[int, Evaluation] = dataclasses.field(default_factory=dict)  # /eval/<n>
    energy: Energy | None = None
    detector: list[DetectorImage] = dataclasses.field(default_factory=list)
    fields: dict[str, Field] = dataclasses.field(default_factory=dict)  # propagate
    sweep: Sweep | None = None

    def evaluations(self) -> list[Evaluation]:
        """/metrics/test (if any) followed by /eval/<n> in increasing n."""
        found = [self.test] if self.test is not None else []
        return found + [self.evals[n] for n in sorted(self.evals)]

    @property
    def classes(self) -> int | None:
        """Number of classes: from the model or an evaluation, else from the configuration.

        None when unknown (energy and propagate files, or a sweep over the data set).
        """
        if self.model is not None:
            return self.model.classes
        for evaluation in self.evaluations():
            return evaluation.classes
        # A sweep over the data set has no single class count.
        if self.sweep is not None and {"data.dataset", "data.synthetic_classes"} & set(
                self.sweep.axis_keys):
            return None
        return classes_from_config(self.config)


def classes_from_config(config: dict[str, Any]) -> int | None:
    """Classes implied by a configuration's data set (docs/config.md), None if unknown."""
    data = config.get("data", {})
    dataset = data.get("dataset")
    if dataset in ("mnist", "fashion-mnist"):
        return 10
    if dataset == "synthetic":
        return int(data.get("synthetic_classes", 4))
    return None


# --------------------------------------------------------------------------- readers


def _read_light(group: h5py.Group) -> LightLevel:
    attrs = attributes(group)
    for name in ("energy_density_fJ_per_um2", "frame_energy_J", "photons_per_frame",
                 "chips", "accuracy_mean", "accuracy_std"):
        _attr(group, name)  # raises with the object named when missing
    return LightLevel(
        name=group.name.rsplit("/", 1)[-1],
        energy_density_fJ_per_um2=attrs["energy_density_fJ_per_um2"],
        frame_energy_J=attrs["frame_energy_J"],
        photons_per_frame=attrs["photons_per_frame"],
        chips=attrs["chips"],
        accuracy_mean=attrs["accuracy_mean"],
        accuracy_std=attrs["accuracy_std"],
        # With one chip accel writes no interval; NaN keeps the arrays rectangular.
        ci95_low=attrs.get("accuracy_ci95_low", math.nan),
        ci95_high=attrs.get("accuracy_ci95_high", math.nan),
        accuracy_per_chip=_array(group, "accuracy_per_chip"),
        confusion=_array(group, "confusion"),
        attrs=attrs,
        clipped_frame_fraction=attrs.get("clipped_frame_fraction", math.nan),
    )


def _table_rows(data: h5py.Dataset, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    """A compound table as one dict per row; every column in `columns` must be there.

    Values become plain Python (float64 → float, int → int, strings → str), exactly.
    """
    _, table = _read_table(data)
    for name in columns:
        if name not in table:
            raise AccelFileError(f"{_where(data)} has no column '{name}'")
    rows = len(table[columns[0]])
    return [{name: _plain(table[name][row]) for name in columns} for row in range(rows)]


def _read_noise_budget(group: h5py.Group) -> NoiseBudget:
    attrs = attributes(group)
    for name in NOISE_BUDGET_ATTRIBUTES:
        _attr(group, name)  # raises with the object named when missing
    terms = [NoiseTerm(name=row["term"], rms_e=row["rms_e"], per_frame=bool(row["per_frame"]))
             for row in _table_rows(_child(group, "terms", h5py.Dataset), NOISE_TERM_COLUMNS)]
    # The accuracy table and its attributes came later; older files lack them.
    accuracy = []
    if "accuracy" in group:
        accuracy = [TermAccuracy(**row) for row in _table_rows(
            _child(group, "accuracy", h5py.Dataset), TERM_ACCURACY_COLUMNS)]
    return NoiseBudget(
        path=group.name,
        name=group.name.rsplit("/", 1)[-1],
        energy_density_fJ_per_um2=attrs["energy_density_fJ_per_um2"],
        images=attrs["images"],
        per_frame_rms_e=attrs["per_frame_rms_e"],
        fixed_pattern_rms_e=attrs["fixed_pattern_rms_e"],
        signal_spread_rms_e=attrs["signal_spread_rms_e"],
        margin_median_e=attrs["margin_median_e"],
        terms=terms,
        accuracy=accuracy,
        attrs=attrs,
        chips=attrs.get("chips"),
        accuracy_all=attrs.get("accuracy_all", math.nan),
        accuracy_none=attrs.get("accuracy_none", math.nan),
    )


def _read_evaluation(group: h5py.Group) -> Evaluation:
    budgets = []
    if "noise_budget" in group:
        parts = _child(group, "noise_budget", h5py.Group)
        budgets = [_read_noise_budget(_child(parts, name, h5py.Group))
                   for _, name in _indexed(parts, "light_")]
    return Evaluation(
        path=group.name,
        accuracy=_attr(group, "accuracy"),
        loss=_attr(group, "loss"),
        classes=_attr(group, "classes"),
        images=_attr(group, "images"),
        confusion=_array(group, "confusion"),
        lights=[_read_light(group[name]) for _, name in _indexed(group, "light_")],
        attrs=attributes(group),
        noise_budgets=budgets,
    )


def _read_energy(group: h5py.Group) -> Energy:
    components = []
    parts = _child(group, "components", h5py.Group)
    for name in parts:
        part = parts[name]
        components.append(EnergyComponent(
            name=name,
            energy_J=_attr(part, "energy_J"),
            systemic=bool(_attr(part, "systemic")),
            share_of_systemic=_attr(part, "share_of_systemic", math.nan),
            formula=_attr(part, "formula", ""),
        ))
    return Energy(
        design=_attr(group, "design"),
        energy_per_frame_J=_attr(group, "energy_per_frame_J"),
        throughput_POPS=_attr(group, "throughput_POPS"),
        efficiency_POPS_per_W=_attr(group, "efficiency_POPS_per_W"),
        latency_s=_attr(group, "latency_s"),
        frames_per_s=_attr(group, "frames_per_s"),
        components=components,
        attrs=attributes(group),
    )


def _read_model(group: h5py.Group) -> Model:
    # Masks are named phase_<l>_rad (blocks/phase_<l> are not masks).
    masks = sorted((int(m.group(1)), name) for name in group
                   if (m := re.match(r"phase_(\d+)_rad$", name)))
    return Model(
        path=group.name,
        architecture=_attr(group, "architecture"),
        classes=_attr(group, "classes"),
        parameter_count=_attr(group, "parameter_count"),
        phase_masks=[group[name][()] for _, name in masks],
        phase_mask_paths=[group[name].name for _, name in masks],
        eac_weights=group["eac_weights"][()] if "eac_weights" in group else None,
        attrs=attributes(group),
    )


def _read_history(group: h5py.Group) -> dict[str, np.ndarray]:
    """The per-epoch arrays; every key accel writes must be there."""
    history = {key: _array(group, key) for key in HISTORY_KEYS}
    for key in group:  # keep any further per-epoch array too
        if key not in history and isinstance(group[key], h5py.Dataset):
            history[key] = group[key][()]
    return history


def _read_detector(group: h5py.Group) -> list[DetectorImage]:
    images = []
    for _, name in _indexed(group, "detector_intensity_"):
        data = group[name]
        images.append(DetectorImage(
            path=data.name,
            intensity=data[()],
            label=_attr(data, "label"),
            test_index=_attr(data, "test_index"),
            pitch_m=_attr(data, "pitch_m"),
            unit=_attr(data, "unit", "W/m^2"),
        ))
    return images


def _read_field(data: h5py.Dataset) -> Field:
    return Field(
        path=data.name,
        values=data[()],
        pitch_m=_attr(data, "pitch_m"),
        wavelength_m=_attr(data, "wavelength_m"),
        distance_m=_attr(data, "distance_m", 0.0),
        unit=_attr(data, "unit", "sqrt(W)/m"),
    )


def _read_table(points: h5py.Dataset) -> tuple[list[str], dict[str, np.ndarray]]:
    """The compound table as column → array; variable-length strings become str."""
    rows = points[()]
    if rows.dtype.names is None:
        raise AccelFileError(f"{_where(points)} is not a compound (table) dataset")
    table = {}
    for name in rows.dtype.names:
        column = rows[name]
        if column.dtype.kind in "OSU":
            column = np.array([text(v) for v in column], dtype=str)
        table[name] = np.array(column)  # own the memory, not a view of the records
    return list(rows.dtype.names), table


def _read_sweep(group: h5py.Group) -> Sweep:
    attrs = attributes(group)
    for name in SWEEP_ATTRIBUTES:
        _attr(group, name)
    axis_keys = [text(k) for k in _array(group, "axis_keys")]
    points = _child(group, "points", h5py.Dataset)
    columns, table = _read_table(points)
    for name in ["point", *axis_keys, *SWEEP_METRICS]:
        if name not in table:
            raise AccelFileError(f"{_where(points)} has no column '{name}'")
    chip_accuracy = np.asarray(_array(group, "chip_accuracy"), dtype=float)
    rows = len(table["point"])
    if chip_accuracy.size == 0:
        chip_accuracy = chip_accuracy.reshape(rows, 0) if rows else np.zeros((0, 0))
    if chip_accuracy.ndim != 2 or chip_accuracy.shape[0] != rows:
        raise AccelFileError(
            f"{_where(group['chip_accuracy'])} has shape {chip_accuracy.shape}, "
            f"expected {rows} rows (one per point)")
    models = group["models"] if "models" in group else {}
    model_points = sorted(int(m.group(1)) for name in models
                          if (m := re.match(r"point_(\d+)$", name)))
    return Sweep(attrs=attrs, axis_keys=axis_keys, columns=columns, table=table,
                 chip_accuracy=chip_accuracy, model_points=model_points)


def _kind(f: h5py.File) -> str:
    """Which command wrote the file, from the objects only that command writes."""
    if "sweep" in f:
        return "sweep"
    if "field" in f:
        return "propagate"
    if any(name in f for name in ("model", "train", "metrics")):
        return "run"
    if "eval" in f:
        return "eval"
    if "energy" in f:
        return "energy"
    raise AccelFileError(
        f"{f.filename}: not an accel result file (missing /sweep, /field, /model, /eval "
        f"and /energy)")


def _open(path: str | os.PathLike) -> h5py.File:
    path = os.fspath(path)
    if not os.path.exists(path):
        raise AccelFileError(f"{path}: no such file")
    try:
        return h5py.File(path, "r")
    except OSError as error:
        raise AccelFileError(f"{path}: not a readable HDF5 file ({error})") from None


def load(path: str | os.PathLike) -> AccelResult:
    """Read an accel result file of any kind (see the module documentation)."""
    with _open(path) as f:
        missing = [key for key in ("accel_version", "config_toml") if key not in f.attrs]
        if missing:
            raise AccelFileError(
                f"{f.filename}: not an accel file (root attribute '{missing[0]}' missing)")
        root = attributes(f)
        provenance = {key: root[key] for key in PROVENANCE_KEYS if key in root}
        try:
            config = tomllib.loads(root["config_toml"])
        except tomllib.TOMLDecodeError:
            config = {}  # keep the numbers readable even if the text is odd
        result = AccelResult(
            path=os.fspath(path),
            kind=_kind(f),
            provenance=provenance,
            config=config,
            root_attrs={k: v for k, v in root.items() if k not in PROVENANCE_KEYS},
        )
        if "model" in f:
            result.model = _read_model(_child(f, "model", h5py.Group))
        if "metrics" in f:
            metrics = _child(f, "metrics", h5py.Group)
            if "history" in metrics:
                result.history = _read_history(_child(metrics, "history", h5py.Group))
            if "test" in metrics:
                result.test = _read_evaluation(_child(metrics, "test", h5py.Group))
        if "train" in f:
            train = _child(f, "train", h5py.Group)
            result.train = attributes(train)
            if "state" in train:
                result.train.update(attributes(train["state"]))
        if "eval" in f:
            evals = _child(f, "eval", h5py.Group)
            for n, name in _indexed(evals, ""):
                result.evals[n] = _read_evaluation(evals[name])
        if "energy" in f:
            result.energy = _read_energy(_child(f, "energy", h5py.Group))
        if "fields" in f:
            result.detector = _read_detector(_child(f, "fields", h5py.Group))
        if result.kind == "propagate":
            for name in ("input_field", "field"):
                if name in f:
                    result.fields[name] = _read_field(_child(f, name, h5py.Dataset))
        if result.kind == "sweep":
            result.sweep = _read_sweep(_child(f, "sweep", h5py.Group))
        return result


def load_model(path: str | os.PathLike, point: int | None = None) -> Model:
    """Read one model: the file's /model, or /sweep/models/point_<point> of a sweep.

    Sweep files may hold a model per point; `load` lists them in `sweep.model_points`
    without reading them, so that a large sweep loads quickly.
    """
    with _open(path) as f:
        where = "model" if point is None else f"sweep/models/point_{point}"
        if where not in f:
            raise AccelFileError(f"{f.filename}: missing /{where}")
        return _read_model(_child(f, where, h5py.Group))
