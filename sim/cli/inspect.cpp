#include "accel/sim/cli/inspect.hpp"

#include <cmath>
#include <cstdio>
#include <variant>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/io/hdf5_file.hpp"

namespace accel::sim::cli {
namespace {

const std::set<std::string> provenance_keys = {"accel_version", "git_commit", "created_utc", "command_line", "config_toml",
                                               "seed",          "threads",    "fftw_version", "hdf5_version"};
constexpr std::size_t long_text = 60;
// accel writes groups at most four deep; HDF5 links may form a cycle (a group linked inside
// itself), so the listing stops descending here instead of recursing without end.
constexpr int max_listing_depth = 16;

std::string join_path(const std::string& parent, const std::string& name) { return (parent == "/" ? "/" : parent + "/") + name; }

// An attribute for a one-line listing: long or multi-line text is abbreviated.
std::string short_text(const h5::Object& o, const std::string& name) {
    std::string t = o.attribute_text(name);
    if (t.find('\n') != std::string::npos || t.size() > long_text) return "<text, " + std::to_string(t.size()) + " characters>";
    return t;
}

std::string shape_text(const std::vector<std::size_t>& shape) {
    if (shape.empty()) return "scalar";
    std::string s = "[";
    for (std::size_t k = 0; k < shape.size(); ++k) s += (k ? ", " : "") + std::to_string(shape[k]);
    return s + "]";
}

void list_attributes(const h5::Object& o, const std::string& indent, bool skip_provenance) {
    for (const auto& name : o.attribute_names()) {
        if (skip_provenance && provenance_keys.count(name)) continue;
        std::printf("%s%s = %s\n", indent.c_str(), name.c_str(), short_text(o, name).c_str());
    }
}

void list_group(const h5::Group& g, const std::string& path, int depth = 0) {
    std::vector<std::string> groups;
    bool header = false;
    const auto print_header = [&] {
        if (!header) std::printf("%s\n", path.c_str());
        header = true;
    };
    if (path != "/") {
        print_header();
        list_attributes(g, "    ", false);
    } else if (!g.attribute_names().empty()) {
        std::vector<std::string> extra;
        for (const auto& name : g.attribute_names())
            if (!provenance_keys.count(name)) extra.push_back(name);
        if (!extra.empty()) {
            print_header();
            for (const auto& name : extra) std::printf("    %s = %s\n", name.c_str(), short_text(g, name).c_str());
        }
    }
    for (const auto& name : g.member_names()) {
        if (g.has_group(name)) {
            groups.push_back(name);
            continue;
        }
        print_header();
        if (!g.has_dataset(name)) {
            std::printf("  %-28s (not a group or dataset)\n", name.c_str());
            continue;
        }
        const h5::Dataset ds = g.open_dataset(name);
        std::string unit = ds.has_attribute("unit") ? "  unit " + ds.attribute_string("unit") : "";
        std::printf("  %-28s %-10s %s%s\n", name.c_str(), ds.type_name().c_str(), shape_text(ds.shape()).c_str(), unit.c_str());
    }
    if (!groups.empty() && depth >= max_listing_depth) {
        std::printf("%s: %zu groups more than %d levels deep not listed (a link cycle?)\n", path.c_str(), groups.size(), max_listing_depth);
        return;
    }
    for (const auto& name : groups) list_group(g.open_group(name), join_path(path, name), depth + 1);
}

double percent(double fraction) { return 100.0 * fraction; }

// The metrics of a test report group (/metrics/test or /eval/<n>).
void print_test_metrics(const h5::Group& g, const std::string& what) {
    if (!g.has_attribute("accuracy")) return;
    std::string subset = g.has_attribute("test_subset") && g.attribute_int64("test_subset") ? " (a SUBSET of the test split)" : "";
    std::printf("  %s, noise-free: %.2f %% on %lld images of %s%s\n", what.c_str(), percent(g.attribute_double("accuracy")),
                static_cast<long long>(g.attribute_int64("images")), g.attribute_string("dataset").c_str(), subset.c_str());
    for (int i = 0; g.has_group("light_" + std::to_string(i)); ++i) {
        const h5::Group l = g.open_group("light_" + std::to_string(i));
        std::printf("  %s at %g fJ/µm² (%.3g photons per frame; noise %s, mismatch %s): %.2f %%", what.c_str(),
                    l.attribute_double("energy_density_fJ_per_um2"), l.attribute_double("photons_per_frame"),
                    l.attribute_int64("noise") ? "on" : "off", l.attribute_int64("fixed_pattern") ? "on" : "off",
                    percent(l.attribute_double("accuracy_mean")));
        if (l.has_attribute("accuracy_ci95_half_width"))
            std::printf(" ± %.2f %% (95 %% interval, %lld chips)\n", percent(l.attribute_double("accuracy_ci95_half_width")),
                        static_cast<long long>(l.attribute_int64("chips")));
        else
            std::printf(" (%lld chip)\n", static_cast<long long>(l.attribute_int64("chips")));
    }
}

// One cell of a table column as text.
std::string cell(const h5::TableColumn& c, std::size_t row) {
    return std::visit(
        [&](const auto& v) -> std::string {
            using T = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<T, double>) return core::general_text(v[row], 4);
            else if constexpr (std::is_same_v<T, std::string>) return v[row];
            else return std::to_string(static_cast<long long>(v[row]));
        },
        c.values);
}

// The sweep table: each finished point with its axis values, accuracy and energy.
void print_sweep_table(const h5::Group& sweep) {
    const auto columns = sweep.open_dataset("points").read_table();
    const std::size_t rows = columns.empty() ? 0 : columns.front().size();
    std::printf("  sweep (%s, run = %s): %zu of %lld points done\n", sweep.attribute_text("combine").c_str(), sweep.attribute_text("run").c_str(),
                rows, static_cast<long long>(sweep.attribute_int64("points_total")));
    const auto find = [&](const std::string& name) -> const h5::TableColumn* {
        for (const auto& c : columns)
            if (c.name == name) return &c;
        return nullptr;
    };
    std::vector<const h5::TableColumn*> shown;
    if (sweep.has_dataset("axis_keys"))
        for (const auto& key : sweep.open_dataset("axis_keys").read_strings())
            if (const auto* c = find(key)) shown.push_back(c);
    for (const char* metric : {"accuracy_noise_free", "accuracy_mean", "accuracy_ci95_low", "accuracy_ci95_high", "energy_per_frame_J",
                               "efficiency_POPS_per_W"})
        if (const auto* c = find(metric)) shown.push_back(c);
    std::printf("    %-6s", "point");
    for (const auto* c : shown) std::printf("  %s", c->name.c_str());
    std::printf("\n");
    const auto* point = find("point");
    for (std::size_t r = 0; r < rows; ++r) {
        std::printf("    %-6s", point ? cell(*point, r).c_str() : "?");
        for (const auto* c : shown) std::printf("  %*s", static_cast<int>(c->name.size()), cell(*c, r).c_str());
        std::printf("\n");
    }
}

void print_key_metrics(const h5::Group& root) {
    std::printf("key metrics\n");
    bool any = false;
    if (root.has_group("train/state")) {
        const h5::Group s = root.open_group("train/state");
        const bool complete = root.open_group("train").has_attribute("complete") && root.open_group("train").attribute_int64("complete");
        std::printf("  training: %lld epochs done%s, best validation accuracy %.2f %%%s\n", static_cast<long long>(s.attribute_int64("epochs_done")),
                    s.attribute_int64("stopped_early") ? " (stopped early)" : "", percent(s.attribute_double("best_validation_accuracy")),
                    complete ? "" : "; INCOMPLETE (resume with accel train --resume)");
        any = true;
    }
    if (root.has_group("metrics/test")) {
        print_test_metrics(root.open_group("metrics/test"), "test accuracy");
        any = true;
    }
    if (root.has_group("eval")) {
        const h5::Group e = root.open_group("eval");
        for (const auto& name : e.member_names())
            if (e.has_group(name)) print_test_metrics(e.open_group(name), "eval/" + name + " accuracy");
        any = true;
    }
    if (root.has_group("energy")) {
        const h5::Group e = root.open_group("energy");
        std::printf("  energy per frame %.4g nJ (systemic), %.4g POPS (PFLOPS-equivalent), %.4g POPS/W, latency %.4g ns\n",
                    e.attribute_double("energy_per_frame_J") * 1e9, e.attribute_double("throughput_POPS"),
                    e.attribute_double("efficiency_POPS_per_W"), e.attribute_double("latency_s") * 1e9);
        any = true;
    }
    if (root.has_attribute("power_in_W") && root.has_attribute("power_out_W")) {
        std::printf("  propagation: power in %.6g W, out %.6g W\n", root.attribute_double("power_in_W"), root.attribute_double("power_out_W"));
        any = true;
    }
    if (root.has_dataset("sweep/points")) {
        print_sweep_table(root.open_group("sweep"));
        any = true;
    }
    if (!any) std::printf("  (none found)\n");
}

}  // namespace

void run_inspect(const InspectOptions& o) {
    const h5::InputFile file(o.path);
    const h5::Group& root = file.root();
    std::printf("file %s\n", o.path.c_str());
    const auto attr = [&](const char* name) { return root.has_attribute(name) ? root.attribute_text(name) : std::string("?"); };
    if (root.has_attribute("accel_version")) {
        std::printf("  written %s by accel %s (commit %s)\n", attr("created_utc").c_str(), attr("accel_version").c_str(), attr("git_commit").c_str());
        std::printf("  command %s\n", attr("command_line").c_str());
        std::printf("  seed %s, threads %s, FFTW %s, HDF5 %s\n", attr("seed").c_str(), attr("threads").c_str(), attr("fftw_version").c_str(),
                    attr("hdf5_version").c_str());
        if (root.has_attribute("config_toml")) {
            const std::string toml = root.attribute_string("config_toml");
            std::size_t lines = 0;
            for (char ch : toml) lines += ch == '\n';
            std::printf("  config_toml: %zu lines (print it with: h5dump -a config_toml, or python h5py)\n", lines);
        }
    } else {
        std::printf("  no provenance block (not written by accel?)\n");
    }
    std::printf("contents\n");
    list_group(root, "/");
    print_key_metrics(root);
}

void add_inspect(CLI::App& app, const Invocation&) {
    auto opt = std::make_shared<InspectOptions>();
    CLI::App* sub = app.add_subcommand("inspect", "Summarise a result file: provenance, groups, datasets and key metrics");
    sub->add_option("file", opt->path, "An HDF5 file written by accel")->required();
    sub->callback([opt] { run_inspect(*opt); });
}

}  // namespace accel::sim::cli
