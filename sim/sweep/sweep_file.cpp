#include "accel/sim/sweep/sweep_file.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "accel/core/errors.hpp"

namespace accel::sim {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

// The real-valued metric columns, in table order, with their place in PointResult.
struct MetricColumn {
    const char* name;
    double PointResult::*field;
};
constexpr MetricColumn metric_columns[] = {
    {"accuracy_noise_free", &PointResult::accuracy_noise_free},
    {"accuracy_mean", &PointResult::accuracy_mean},
    {"accuracy_std", &PointResult::accuracy_std},
    {"accuracy_ci95_low", &PointResult::accuracy_ci95_low},
    {"accuracy_ci95_high", &PointResult::accuracy_ci95_high},
    {"energy_density_fJ_per_um2", &PointResult::energy_density_fJ_per_um2},
    {"frame_energy_J", &PointResult::frame_energy_J},
    {"photons_per_frame", &PointResult::photons_per_frame},
    {"detected_photons_per_frame", &PointResult::detected_photons_per_frame},
    {"energy_per_frame_J", &PointResult::energy_per_frame_J},
    {"throughput_POPS", &PointResult::throughput_POPS},
    {"efficiency_POPS_per_W", &PointResult::efficiency_POPS_per_W},
    {"train_seconds", &PointResult::train_seconds},
    {"eval_seconds", &PointResult::eval_seconds},
    {"clipped_frame_fraction", &PointResult::clipped_frame_fraction},
    {"gain_setting_mean", &PointResult::gain_setting_mean},
    {"accuracy_adapted_mean", &PointResult::accuracy_adapted_mean},
    {"accuracy_adapted_ci95_low", &PointResult::accuracy_adapted_ci95_low},
    {"accuracy_adapted_ci95_high", &PointResult::accuracy_adapted_ci95_high},
};

h5::TableColumn axis_column(const std::string& key, const std::vector<std::vector<ConfigValue>>& axis_values, std::size_t a) {
    h5::TableColumn column{key, {}};
    if (axis_values.empty()) {
        column.values = std::vector<double>{};
        return column;
    }
    // The column's type follows the key's type (every row of an axis has the same type).
    std::visit(
        [&](const auto& first) {
            using T = std::decay_t<decltype(first)>;
            if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::string>) {
                std::vector<T> v;
                for (const auto& row : axis_values) v.push_back(std::get<T>(row[a]));
                column.values = std::move(v);
            } else if constexpr (std::is_same_v<T, bool>) {
                std::vector<std::int8_t> v;
                for (const auto& row : axis_values) v.push_back(std::get<bool>(row[a]) ? 1 : 0);
                column.values = std::move(v);
            } else {  // a list of reals: its TOML text
                std::vector<std::string> v;
                for (const auto& row : axis_values) v.push_back(toml_value_text(row[a]));
                column.values = std::move(v);
            }
        },
        axis_values.front()[a]);
    return column;
}

void write_table(h5::Group& sweep, const std::vector<PointResult>& rows, const std::vector<std::vector<ConfigValue>>& axis_values,
                 const std::vector<std::string>& axis_keys) {
    std::vector<h5::TableColumn> columns;
    std::vector<std::int64_t> point, chips;
    for (const auto& r : rows) {
        point.push_back(static_cast<std::int64_t>(r.point));
        chips.push_back(r.chips);
    }
    columns.push_back({"point", point});
    for (std::size_t a = 0; a < axis_keys.size(); ++a) columns.push_back(axis_column(axis_keys[a], axis_values, a));
    for (const auto& m : metric_columns) {
        std::vector<double> v;
        for (const auto& r : rows) v.push_back(r.*m.field);
        columns.push_back({m.name, std::move(v)});
        if (std::string(m.name) == "accuracy_ci95_high") columns.push_back({"chips", chips});
    }
    sweep.write_table("points", columns);
    std::size_t width = 0;
    for (const auto& r : rows) width = std::max(width, r.chip_accuracy.size());
    std::vector<double> padded(rows.size() * width, nan);
    for (std::size_t k = 0; k < rows.size(); ++k)
        std::copy(rows[k].chip_accuracy.begin(), rows[k].chip_accuracy.end(), padded.begin() + static_cast<std::ptrdiff_t>(k * width));
    sweep.write_array<double>("chip_accuracy", padded, {rows.size(), width})
        .set_attribute("description", "accuracy of each simulated chip, one row per row of points, NaN-padded");
    sweep.set_attribute("points_done", static_cast<std::int64_t>(rows.size()));
}

}  // namespace

std::vector<double> pack(const PointResult& r) {
    std::vector<double> out{static_cast<double>(r.point), static_cast<double>(r.chips)};
    for (const auto& m : metric_columns) out.push_back(r.*m.field);
    out.push_back(static_cast<double>(r.chip_accuracy.size()));
    out.insert(out.end(), r.chip_accuracy.begin(), r.chip_accuracy.end());
    out.push_back(static_cast<double>(r.model_parameters.size()));
    out.insert(out.end(), r.model_parameters.begin(), r.model_parameters.end());
    return out;
}

PointResult unpack(std::span<const double> p) {
    constexpr std::size_t metrics = std::size(metric_columns);
    const auto fail = [] { throw std::runtime_error("sweep: malformed point result message"); };
    if (p.size() < 3 + metrics) fail();
    PointResult r;
    r.point = static_cast<std::size_t>(p[0]);
    r.chips = static_cast<std::int64_t>(p[1]);
    std::size_t k = 2;
    for (const auto& m : metric_columns) r.*m.field = p[k++];
    const auto take = [&](std::vector<double>& v) {
        if (k >= p.size()) fail();
        const auto n = static_cast<std::size_t>(p[k++]);
        if (n > p.size() - k) fail();
        v.assign(p.begin() + static_cast<std::ptrdiff_t>(k), p.begin() + static_cast<std::ptrdiff_t>(k + n));
        k += n;
    };
    take(r.chip_accuracy);
    take(r.model_parameters);
    if (k != p.size()) fail();
    return r;
}

void write_sweep_file(const std::filesystem::path& path, const SweepHeader& h, const std::vector<PointResult>& rows,
                      const std::vector<std::vector<ConfigValue>>& axis_values, h5::Overwrite overwrite,
                      const std::function<void(h5::Group& root)>& extra) {
    h5::OutputFile file(path, overwrite);
    h5::Group& root = file.root();
    write_provenance(root, h.provenance);
    h5::Group sweep = root.create_group("sweep");
    sweep.set_attribute("definition_toml", h.definition_toml);
    sweep.set_attribute("fingerprint", h.fingerprint);
    sweep.set_attribute("run", to_string(h.run));
    sweep.set_attribute("combine", to_string(h.combine));
    sweep.set_attribute("points_total", static_cast<std::int64_t>(h.points_total));
    sweep.set_attribute("chips", h.chips);
    sweep.set_attribute("model_file", h.model_file);
    sweep.write_strings("axis_keys", h.axis_keys);
    write_table(sweep, rows, axis_values, h.axis_keys);
    if (extra) extra(root);
    file.commit();
}

void create_sweep_file(const std::filesystem::path& path, const SweepHeader& h, h5::Overwrite overwrite,
                       const std::function<void(h5::Group& root)>& extra) {
    write_sweep_file(path, h, {}, {}, overwrite, extra);
}

namespace {

// The provenance block of the root, as write_provenance wrote it.
Provenance read_provenance_block(const h5::Group& root) {
    Provenance pv;
    pv.accel_version = root.attribute_string("accel_version");
    pv.git_commit = root.attribute_string("git_commit");
    pv.created_utc = root.attribute_string("created_utc");
    pv.command_line = root.attribute_string("command_line");
    pv.config_toml = root.attribute_string("config_toml");
    pv.seed = static_cast<std::uint64_t>(root.attribute_int64("seed"));
    pv.threads = static_cast<int>(root.attribute_int64("threads"));
    pv.fftw_version = root.attribute_string("fftw_version");
    pv.hdf5_version = root.attribute_string("hdf5_version");
    return pv;
}

// /sweep/points, with every column present and in order: the point, the axes, the metrics.
std::vector<h5::TableColumn> read_point_columns(const h5::Group& sweep, const SweepFileState& s, const std::string& where) {
    h5::ReadLimits limits;
    limits.max_extent = s.points_total;
    std::vector<h5::TableColumn> columns = sweep.open_dataset("points").read_table(limits);
    // Every column by name first (the clearest message for a missing one), then their order.
    std::vector<std::string> expected{"point"};
    expected.insert(expected.end(), s.axis_keys.begin(), s.axis_keys.end());
    for (const auto& m : metric_columns) {
        expected.emplace_back(m.name);
        if (std::string(m.name) == "accuracy_ci95_high") expected.emplace_back("chips");
    }
    for (const auto& name : expected)
        if (std::none_of(columns.begin(), columns.end(), [&](const h5::TableColumn& c) { return c.name == name; }))
            throw InputError(where + ": /sweep/points has no column '" + name + "'");
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (c >= expected.size() || columns[c].name != expected[c])
            throw InputError(where + ": /sweep/points column " + std::to_string(c) + " is '" + columns[c].name + "', expected " +
                             (c < expected.size() ? expected[c] : std::string("no more columns")) +
                             " (the point, the axes of /sweep/axis_keys, then the metrics)");
    return columns;
}

// The rows of s from the table's columns (checked by read_point_columns): points, chips and
// metrics; the axis columns are kept as stored.
void read_rows(std::vector<h5::TableColumn>& columns, SweepFileState& s, const std::string& where) {
    const auto column = [&](const std::string& name) -> const h5::TableColumn& {
        return *std::find_if(columns.begin(), columns.end(), [&](const h5::TableColumn& c) { return c.name == name; });
    };
    const auto* point = std::get_if<std::vector<std::int64_t>>(&column("point").values);
    const auto* chips = std::get_if<std::vector<std::int64_t>>(&column("chips").values);
    if (!point || !chips) throw InputError(where + ": /sweep/points columns 'point' and 'chips' must be integers");
    const std::size_t rows = point->size();
    s.rows.resize(rows);
    for (std::size_t k = 0; k < rows; ++k) {
        const std::int64_t p = (*point)[k];
        if (p < 0 || static_cast<std::size_t>(p) >= s.points_total || (k > 0 && p <= (*point)[k - 1]))
            throw InputError(where + ": /sweep/points row " + std::to_string(k) + " has point " + std::to_string(p) +
                             "; points must be distinct, sorted and below points_total");
        const std::int64_t c = (*chips)[k];
        if (c < 0 || c > 100000)
            throw InputError(where + ": /sweep/points row " + std::to_string(k) + " has chips = " + std::to_string(c) + "; allowed: 0 to 100000");
        s.rows[k].point = static_cast<std::size_t>(p);
        s.rows[k].chips = c;
    }
    for (const auto& m : metric_columns) {
        const auto* v = std::get_if<std::vector<double>>(&column(m.name).values);
        if (!v) throw InputError(where + ": /sweep/points column '" + std::string(m.name) + "' must be floating-point");
        for (std::size_t k = 0; k < rows; ++k) s.rows[k].*m.field = (*v)[k];
    }
    for (std::size_t a = 0; a < s.axis_keys.size(); ++a) s.axis_columns.push_back(std::move(columns[1 + a]));
}

// /sweep/chip_accuracy into the rows: row k holds its `chips` accuracies, then NaN padding,
// and the table is as wide as the most chips of a row.
void read_chip_accuracy(const h5::Group& sweep, SweepFileState& s, const std::string& where) {
    const std::size_t rows = s.rows.size();
    h5::ReadLimits chip_limits;
    chip_limits.max_extent = std::max<std::size_t>(s.points_total, 100000);
    const h5::Array2D<double> chip = sweep.open_dataset("chip_accuracy").read_padded_2d(chip_limits);
    if (chip.rows != rows) throw InputError(where + ": /sweep/chip_accuracy has " + std::to_string(chip.rows) + " rows for " + std::to_string(rows) + " points");
    std::int64_t widest = 0;
    for (std::size_t k = 0; k < rows; ++k) {
        const std::size_t n = static_cast<std::size_t>(s.rows[k].chips);
        widest = std::max(widest, s.rows[k].chips);
        for (std::size_t c = 0; c < chip.cols; ++c) {
            const double a = chip.values[k * chip.cols + c];
            if ((c < n) == std::isnan(a) || (c < n && !(a >= 0.0 && a <= 1.0)))
                throw InputError(where + ": /sweep/chip_accuracy row " + std::to_string(k) + " does not hold the " + std::to_string(n) +
                                 " chip accuracies in [0, 1] of its point followed by NaN padding");
            if (c < n) s.rows[k].chip_accuracy.push_back(a);
        }
        if (n > chip.cols)
            throw InputError(where + ": /sweep/chip_accuracy has " + std::to_string(chip.cols) + " columns; row " + std::to_string(k) +
                             " needs " + std::to_string(n));
    }
    if (static_cast<std::int64_t>(chip.cols) != widest)
        throw InputError(where + ": /sweep/chip_accuracy has " + std::to_string(chip.cols) + " columns; the most chips of a row is " +
                         std::to_string(widest));
}

// The points with a group /sweep/models/point_<i>.
std::vector<std::size_t> read_model_points(const h5::Group& sweep, std::size_t points_total, const std::string& where) {
    std::vector<std::size_t> points;
    if (!sweep.has_group("models")) return points;
    for (const auto& name : sweep.open_group("models").member_names()) {
        std::size_t i = 0;
        const auto [end, ec] = std::from_chars(name.data() + std::min<std::size_t>(name.size(), 6), name.data() + name.size(), i);
        if (name.rfind("point_", 0) != 0 || ec != std::errc() || end != name.data() + name.size() || i >= points_total)
            throw InputError(where + ": /sweep/models/" + name + " is not a point_<i> of this sweep");
        points.push_back(i);
    }
    return points;
}

}  // namespace

SweepFileState read_sweep_file(const std::filesystem::path& path) {
    const h5::InputFile in(path);
    // Appended piecewise: GCC 12 reports a false -Wrestrict for "'" + std::string&& (GCC bug 105329).
    std::string where(1, '\'');
    where += path.string();
    where += '\'';
    if (!in.root().has_group("sweep")) throw InputError(where + " is not a sweep file (no group /sweep)");
    const h5::Group& root = in.root();
    const h5::Group sweep = root.open_group("sweep");
    SweepFileState s;
    s.provenance = read_provenance_block(root);
    s.fingerprint = sweep.attribute_string("fingerprint");
    const std::int64_t total = sweep.attribute_int64("points_total");
    if (total < 1) throw InputError(where + ": /sweep attribute points_total = " + std::to_string(total) + " must be positive");
    s.points_total = static_cast<std::size_t>(total);
    h5::ReadLimits key_limits;
    key_limits.max_extent = 64;
    s.axis_keys = sweep.open_dataset("axis_keys").read_strings(key_limits);

    std::vector<h5::TableColumn> columns = read_point_columns(sweep, s, where);
    read_rows(columns, s, where);
    read_chip_accuracy(sweep, s, where);
    const std::int64_t done = sweep.attribute_int64("points_done");
    if (done != static_cast<std::int64_t>(s.rows.size()))
        throw InputError(where + ": /sweep attribute points_done = " + std::to_string(done) + " but /sweep/points has " +
                         std::to_string(s.rows.size()) + " rows");
    s.model_points = read_model_points(sweep, s.points_total, where);
    return s;
}

namespace {

// Whether the stored cell (column `c`, row k) holds `v` as write_table stores it.
bool same_cell(const h5::TableColumn& c, std::size_t k, const ConfigValue& v) {
    return std::visit(
        [&](const auto& x) -> bool {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, double> || std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::string>) {
                const auto* col = std::get_if<std::vector<T>>(&c.values);
                return col && k < col->size() && (*col)[k] == x;
            } else if constexpr (std::is_same_v<T, bool>) {
                const auto* col = std::get_if<std::vector<std::int8_t>>(&c.values);
                return col && k < col->size() && (*col)[k] == (x ? 1 : 0);
            } else {
                const auto* col = std::get_if<std::vector<std::string>>(&c.values);
                return col && k < col->size() && (*col)[k] == toml_value_text(v);
            }
        },
        v);
}

}  // namespace

void check_sweep_file(const SweepFileState& s, const std::filesystem::path& path, const std::vector<std::string>& axis_keys,
                      const std::function<std::vector<ConfigValue>(std::size_t point)>& axis_values, bool keep_models) {
    std::string where(1, '\'');
    where += path.string();
    where += '\'';
    const auto list = [](const std::vector<std::string>& v) {
        std::string t;
        for (const auto& k : v) t += (t.empty() ? "" : ", ") + k;
        return "[" + t + "]";
    };
    if (s.axis_keys != axis_keys)
        throw InputError(where + ": /sweep/axis_keys is " + list(s.axis_keys) + " but this sweep's axes are " + list(axis_keys));
    for (std::size_t k = 0; k < s.rows.size(); ++k) {
        const std::vector<ConfigValue> expected = axis_values(s.rows[k].point);
        for (std::size_t a = 0; a < axis_keys.size(); ++a)
            if (!same_cell(s.axis_columns[a], k, expected[a]))
                throw InputError(where + ": /sweep/points row " + std::to_string(k) + " (point " + std::to_string(s.rows[k].point) + "): column '" +
                                 axis_keys[a] + "' does not hold the point's value " + toml_value_text(expected[a]));
    }
    if (keep_models) {
        std::size_t m = 0;
        std::vector<std::size_t> have = s.model_points;
        std::sort(have.begin(), have.end());
        for (const auto& r : s.rows) {
            while (m < have.size() && have[m] < r.point) ++m;
            if (m == have.size() || have[m] != r.point)
                throw InputError(where + ": keep_models is on but /sweep/models has no point_" + std::to_string(r.point) + " for its finished point");
        }
    }
}

}  // namespace accel::sim
