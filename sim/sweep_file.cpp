#include "sim/sweep_file.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>

#include "sim/errors.hpp"

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
    sweep.remove("points");
    sweep.remove("chip_accuracy");
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

void create_sweep_file(const std::filesystem::path& path, const SweepHeader& h, h5::Overwrite overwrite,
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
    write_table(sweep, {}, {}, h.axis_keys);
    if (extra) extra(root);
    file.commit();
}

void write_sweep_points(const std::filesystem::path& path, const std::vector<PointResult>& rows,
                        const std::vector<std::vector<ConfigValue>>& axis_values, const std::vector<std::string>& axis_keys,
                        const std::function<void(h5::Group& root)>& extra) {
    h5::UpdateFile file(path);
    h5::Group sweep = file.root().open_group("sweep");
    write_table(sweep, rows, axis_values, axis_keys);
    if (extra) extra(file.root());
    file.commit();
}

SweepFileState read_sweep_file(const std::filesystem::path& path) {
    const h5::InputFile in(path);
    // Appended piecewise: GCC 12 reports a false -Wrestrict for "'" + std::string&& (GCC bug 105329).
    std::string where(1, '\'');
    where += path.string();
    where += '\'';
    if (!in.root().has_group("sweep")) throw InputError(where + " is not a sweep file (no group /sweep)");
    const h5::Group sweep = in.root().open_group("sweep");
    SweepFileState s;
    s.fingerprint = sweep.attribute_string("fingerprint");
    const std::int64_t total = sweep.attribute_int64("points_total");
    if (total < 1) throw InputError(where + ": /sweep attribute points_total = " + std::to_string(total) + " must be positive");
    s.points_total = static_cast<std::size_t>(total);

    h5::ReadLimits limits;
    limits.max_extent = s.points_total;
    const std::vector<h5::TableColumn> columns = sweep.open_dataset("points").read_table(limits);
    std::map<std::string, const h5::TableColumn*> by_name;
    for (const auto& c : columns) by_name[c.name] = &c;
    const auto column = [&](const char* name) -> const h5::TableColumn& {
        const auto it = by_name.find(name);
        if (it == by_name.end()) throw InputError(where + ": /sweep/points has no column '" + std::string(name) + "'");
        return *it->second;
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
        s.rows[k].point = static_cast<std::size_t>(p);
        s.rows[k].chips = (*chips)[k];
    }
    for (const auto& m : metric_columns) {
        const auto* v = std::get_if<std::vector<double>>(&column(m.name).values);
        if (!v) throw InputError(where + ": /sweep/points column '" + std::string(m.name) + "' must be floating-point");
        for (std::size_t k = 0; k < rows; ++k) s.rows[k].*m.field = (*v)[k];
    }
    h5::ReadLimits chip_limits;
    chip_limits.max_extent = std::max<std::size_t>(s.points_total, 100000);
    const h5::Array2D<double> chip = sweep.open_dataset("chip_accuracy").read_padded_2d(chip_limits);
    if (chip.rows != rows) throw InputError(where + ": /sweep/chip_accuracy has " + std::to_string(chip.rows) + " rows for " + std::to_string(rows) + " points");
    for (std::size_t k = 0; k < rows; ++k)
        for (std::size_t c = 0; c < chip.cols; ++c)
            if (const double a = chip.values[k * chip.cols + c]; !std::isnan(a)) s.rows[k].chip_accuracy.push_back(a);
    return s;
}

}  // namespace accel::sim
