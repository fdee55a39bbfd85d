#include "accel/sim/cli/propagate.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <complex>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <span>
#include <vector>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/optics/field.hpp"
#include "accel/optics/phase_mask.hpp"
#include "accel/optics/propagator.hpp"
#include "accel/optics/sampling.hpp"
#include "accel/optics/sources.hpp"
#include "accel/sim/config/toml_text.hpp"
#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/png.hpp"
#include "accel/sim/io/provenance.hpp"

namespace accel::sim::cli {

namespace {

constexpr int max_grid_n = 8192;  // the padded 2N×2N complex-double transform is then 4 GiB

// ------------------------------------------------------------------------------ inputs

h5::ReadLimits field_limits() {
    return {static_cast<std::size_t>(max_grid_n), static_cast<std::size_t>(max_grid_n) * max_grid_n};
}

// The side n of a square 2-D dataset, checked before anything is read.
int square_side(const h5::Dataset& ds) {
    const std::vector<std::size_t> shape = ds.shape();
    const std::string where = "'" + ds.file_name() + "': " + ds.path();
    if (shape.size() != 2)
        throw InputError(where + " has rank " + std::to_string(shape.size()) + ", expected a square 2-D array");
    if (shape[0] != shape[1])
        throw InputError(where + " is " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) +
                         ", expected a square n x n array");
    if (shape[0] < 2 || shape[0] > static_cast<std::size_t>(max_grid_n))
        throw InputError(where + " is " + std::to_string(shape[0]) + "x" + std::to_string(shape[1]) + ", n must be in [2, " +
                         std::to_string(max_grid_n) + "]");
    return static_cast<int>(shape[0]);
}

// A length attribute in metres that must be finite and in (0, max_m] m.
double length_attribute(const h5::Dataset& ds, const char* name, double max_m) {
    const double value = ds.attribute_double(name);
    if (!std::isfinite(value) || !(value > 0.0) || !(value <= max_m))
        throw InputError("'" + ds.file_name() + "': " + ds.path() + ": attribute " + name + " must be in (0, " +
                         core::general_text(max_m) + "] m, got " + core::general_text(value));
    return value;
}

template <class Real>
optics::Field<Real> read_field(const std::string& path) {
    const h5::InputFile file(path);
    const h5::Dataset ds = file.open_dataset("/field");
    const int n = square_side(ds);
    const double pitch_m = length_attribute(ds, "pitch_m", 0.1);
    const double wavelength_m = length_attribute(ds, "wavelength_m", 1e-3);
    h5::Array2D<std::complex<Real>> values = ds.read_complex_2d<Real>(field_limits());
    optics::Field<Real> field(optics::Grid{n, pitch_m}, wavelength_m);
    field.samples = std::move(values.values);
    return field;
}

// The physics functions check their arguments (std::invalid_argument); here those arguments
// are the user's options, so a rejected one is bad input.
template <class F>
auto as_input_error(F&& make) {
    try {
        return make();
    } catch (const std::invalid_argument& e) {
        throw InputError(e.what());
    }
}

template <class Real>
optics::Field<Real> named_source_on(const optics::Grid& grid, const PropagateOptions& o);

template <class Real>
optics::Field<Real> named_source(const PropagateOptions& o) {
    return as_input_error([&] { return named_source_on<Real>(optics::Grid{o.n, o.pitch_m}, o); });
}

template <class Real>
optics::Field<Real> named_source_on(const optics::Grid& grid, const PropagateOptions& o) {
    if (o.source == "gaussian") {
        if (o.side_given || o.tilt_given)
            throw InputError("--side, --tilt-x and --tilt-y apply to --source aperture, not gaussian");
        return optics::gaussian_beam<Real>(grid, o.wavelength_m, o.waist_m, o.power_W);
    }
    if (o.waist_given) throw InputError("--waist applies to --source gaussian, not aperture");
    return optics::square_aperture<Real>(grid, o.wavelength_m, o.side_m, o.tilt_x_rad, o.tilt_y_rad, o.power_W);
}

template <class Real>
void apply_mask_file(const std::string& path, optics::Field<Real>& field) {
    const h5::InputFile file(path);
    const h5::Dataset ds = file.open_dataset("/phase_rad");
    const int n = square_side(ds);
    if (n != field.grid.n)
        throw InputError("'" + path + "': /phase_rad is " + std::to_string(n) + "x" + std::to_string(n) +
                         ", expected the field's " + std::to_string(field.grid.n) + "x" + std::to_string(field.grid.n));
    const h5::Array2D<double> phase = ds.read_real_2d<double>(field_limits());
    optics::apply_phase<Real>(field.samples, phase.values);
}

// Sampling findings: warnings go to stderr; errors stop the run (one line) unless allowed.
void report_sampling(const std::vector<optics::SamplingFinding>& findings, bool allow_errors) {
    std::string errors;
    for (const auto& f : findings) {
        if (f.severity == optics::Severity::error && !allow_errors)
            errors += (errors.empty() ? "" : "; ") + f.check + ": " + f.message;
        else
            print_warning(f.check + ": " + f.message);
    }
    if (!errors.empty()) throw InputError("sampling check failed: " + errors + " (--allow-sampling-errors runs anyway)");
}

// ----------------------------------------------------------------------------- outputs

// The effective settings of this run, recorded as `config_toml` in the provenance block.
std::string effective_toml(const PropagateOptions& o, const optics::PropagationGeometry& g) {
    std::string t = "[propagate]\n";
    if (!o.input_path.empty()) {
        t += "input = " + toml_string_text(o.input_path) + "\n";
    } else {
        t += "source = " + toml_string_text(o.source) + "\n";
        t += "power_W = " + toml_float_text(o.power_W) + "\n";
        if (o.source == "gaussian") t += "waist_m = " + toml_float_text(o.waist_m) + "\n";
        if (o.source == "aperture") {
            t += "side_m = " + toml_float_text(o.side_m) + "\n";
            t += "tilt_x_rad = " + toml_float_text(o.tilt_x_rad) + "\n";
            t += "tilt_y_rad = " + toml_float_text(o.tilt_y_rad) + "\n";
        }
    }
    t += "n = " + std::to_string(g.grid.n) + "\n";
    t += "pitch_m = " + toml_float_text(g.grid.pitch_m) + "\n";
    t += "wavelength_m = " + toml_float_text(g.wavelength_m) + "\n";
    if (!o.mask_path.empty()) t += "mask = " + toml_string_text(o.mask_path) + "\n";
    t += "distance_m = " + toml_float_text(g.distance_m) + "\n";
    t += "pad_px = " + std::to_string(g.padding_px()) + "\n";
    t += std::string("band_limit = ") + (g.band_limit ? "true" : "false") + "\n";
    t += "precision = " + toml_string_text(o.precision) + "\n";
    return t;
}

template <class Real>
void write_field(h5::Group& parent, const char* name, const optics::Field<Real>& f, double distance_m) {
    const auto n = static_cast<std::size_t>(f.grid.n);
    h5::Dataset ds = parent.write_complex<Real>(name, std::span<const std::complex<Real>>(f.samples), n, n);
    ds.set_unit("sqrt(W)/m");
    ds.set_attribute("pitch_m", f.grid.pitch_m);
    ds.set_attribute("wavelength_m", f.wavelength_m);
    ds.set_attribute("distance_m", distance_m);
}

template <class Real>
std::vector<double> intensity_W_per_m2(const optics::Field<Real>& f) {
    std::vector<double> out(f.samples.size());
    std::transform(f.samples.begin(), f.samples.end(), out.begin(),
                   [](const std::complex<Real>& u) { return std::norm(std::complex<double>(u)); });
    return out;
}

// ---------------------------------------------------------------------------- the run

template <class Real>
void propagate_as(const PropagateOptions& o, const Invocation& invocation) {
    // Fail on the outputs before any work is done.
    std::vector<RunInput> inputs;
    if (!o.input_path.empty()) inputs.push_back({o.input_path, "the input field (--input)"});
    if (!o.mask_path.empty()) inputs.push_back({o.mask_path, "the mask (--mask)"});
    check_output_path(o.output_path, o.force, "--output", inputs);
    if (!o.png_path.empty()) {
        check_output_path(o.png_path, o.force, "--png", inputs);
        if (same_file(o.png_path, o.output_path)) throw InputError("--png and --output name the same file '" + o.png_path + "'");
    }
    if (o.input_path.empty() && o.source.empty())
        throw InputError("propagate needs an input field: --source gaussian|aperture or --input FILE.h5");

    optics::Field<Real> input = o.input_path.empty() ? named_source<Real>(o) : read_field<Real>(o.input_path);
    if (!o.mask_path.empty()) apply_mask_file(o.mask_path, input);

    if (o.pad_px > 4 * input.grid.n)
        throw InputError("--pad must be in [0, 4n] = [0, " + std::to_string(4 * input.grid.n) + "] px, got " +
                         std::to_string(o.pad_px));
    const optics::PropagationGeometry geometry{input.grid, input.wavelength_m, o.distance_m, o.pad_px, !o.no_band_limit};
    as_input_error([&] { optics::validate(geometry); return 0; });
    std::vector<optics::SamplingFinding> findings = optics::check_transfer_function(geometry);
    for (auto& f : optics::check_window_spread(geometry, input)) findings.push_back(std::move(f));
    for (auto& f : optics::check_wrap_around(geometry, input)) findings.push_back(std::move(f));
    report_sampling(findings, o.allow_sampling_errors);

    const int threads = resolve_threads(o.threads);
    const auto start = std::chrono::steady_clock::now();
    optics::PropagationCache<Real> cache;
    const optics::Propagator<Real> propagator(geometry, cache, threads);
    const optics::Field<Real> output = propagator.propagate(input);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    const double power_in_W = input.power_W();
    const double power_out_W = output.power_W();
    {
        h5::OutputFile file(o.output_path, o.force ? h5::Overwrite::yes : h5::Overwrite::no);
        h5::Group& root = file.root();
        write_provenance(root, make_provenance(invocation.command_line, effective_toml(o, geometry), 0, threads));
        root.set_attribute("padding_px", geometry.padding_px());
        root.set_attribute("band_limit", geometry.band_limit);
        root.set_attribute("power_in_W", power_in_W);
        root.set_attribute("power_out_W", power_out_W);
        root.set_attribute("precision", o.precision);
        write_field(root, "input_field", input, 0.0);
        write_field(root, "field", output, geometry.distance_m);
        file.commit();
    }
    const std::vector<double> intensity = intensity_W_per_m2(output);
    if (!o.png_path.empty()) {
        const auto n = static_cast<std::size_t>(output.grid.n);
        write_intensity_png(o.png_path, intensity, n, n, o.png_gamma);
    }

    if (o.quiet) return;
    const double peak = intensity.empty() ? 0.0 : *std::max_element(intensity.begin(), intensity.end());
    const std::streamsize old_precision = std::cout.precision(9);
    std::cout << "propagated " << geometry.grid.n << "x" << geometry.grid.n << " samples (pitch " << geometry.grid.pitch_m
              << " m, wavelength " << geometry.wavelength_m << " m) over " << geometry.distance_m << " m; padding "
              << geometry.padding_px() << " px, band limit " << (geometry.band_limit ? "on" : "off") << ", "
              << o.precision << ", " << threads << (threads == 1 ? " thread\n" : " threads\n")
              << "  power in   " << power_in_W << " W\n"
              << "  power out  " << power_out_W << " W (ratio " << (power_in_W > 0 ? power_out_W / power_in_W : 0.0)
              << ")\n"
              << "  peak intensity " << peak << " W/m^2\n"
              << "  time " << std::setprecision(3) << seconds << " s\n"
              << "  wrote " << o.output_path << (o.png_path.empty() ? "" : " and " + o.png_path) << "\n";
    std::cout.precision(old_precision);
}

}  // namespace

void run_propagate(const PropagateOptions& options, const Invocation& invocation) {
    if (options.precision == "float") propagate_as<float>(options, invocation);
    else propagate_as<double>(options, invocation);
}

void add_propagate(CLI::App& app, const Invocation& invocation) {
    auto opt = std::make_shared<PropagateOptions>();
    CLI::App* sub = app.add_subcommand(
        "propagate", "Propagate a field over a distance (band-limited angular spectrum) and write it to HDF5");

    CLI::Option* source = sub->add_option("--source", opt->source, "Named input field")
                              ->check(CLI::IsMember({"gaussian", "aperture"}));
    CLI::Option* input =
        sub->add_option("--input", opt->input_path, "Input HDF5 file: dataset /field (complex {r,i}, n x n) "
                                                    "with attributes pitch_m, wavelength_m");
    input->excludes(source);
    // Options of the named sources; they make no sense with --input.
    for (CLI::Option* o : {
             sub->add_option("--n", opt->n, "Grid size (samples per side) of a named source")
                 ->check(CLI::Range(2, max_grid_n))->capture_default_str(),
             sub->add_option("--pitch", opt->pitch_m, "Sample pitch (m)")
                 ->check(finite_positive("m"))->capture_default_str(),
             sub->add_option("--wavelength", opt->wavelength_m, "Vacuum wavelength (m)")
                 ->check(finite_positive("m"))->capture_default_str(),
             sub->add_option("--power", opt->power_W, "Optical power of the source (W)")
                 ->check(finite_positive("W"))->capture_default_str(),
             sub->add_option("--waist", opt->waist_m, "Gaussian waist radius w0, 1/e^2 intensity (m)")
                 ->check(finite_positive("m"))->capture_default_str(),
             sub->add_option("--side", opt->side_m, "Aperture side (m)")
                 ->check(finite_positive("m"))->capture_default_str(),
             sub->add_option("--tilt-x", opt->tilt_x_rad, "Aperture illumination angle in the x-z plane (rad)")
                 ->check(finite_number("rad"))->capture_default_str(),
             sub->add_option("--tilt-y", opt->tilt_y_rad, "Aperture illumination angle in the y-z plane (rad)")
                 ->check(finite_number("rad"))->capture_default_str(),
         })
        input->excludes(o);

    sub->add_option("--mask", opt->mask_path, "Phase mask HDF5 file: dataset /phase_rad (n x n, rad), "
                                              "applied at the input plane");
    sub->add_option("--distance", opt->distance_m, "Propagation distance (m)")->required()->check(finite_positive("m"));
    sub->add_option("--pad", opt->pad_px, "Zero padding per side (px); default n/2")->check(CLI::NonNegativeNumber);
    sub->add_option("--precision", opt->precision, "Arithmetic precision")
        ->check(CLI::IsMember({"float", "double"}))->capture_default_str();
    sub->add_flag("--no-band-limit", opt->no_band_limit, "Switch the band limit off (to study aliasing)");
    sub->add_flag("--allow-sampling-errors", opt->allow_sampling_errors, "Run despite sampling errors");
    sub->add_option("--threads", opt->threads, "Threads for the transforms; 0: OpenMP default")
        ->check(CLI::Range(0, 1024))->capture_default_str();
    sub->add_option("-o,--output", opt->output_path, "Output HDF5 file")->required();
    sub->add_option("--png", opt->png_path, "Also write the output intensity as an 8-bit PNG");
    sub->add_option("--png-gamma", opt->png_gamma, "PNG gray level = 255 (I/I_max)^(1/gamma)")
        ->check(finite_positive("1"))->capture_default_str();
    sub->add_flag("--force", opt->force, "Overwrite existing output files");
    sub->add_flag("-q,--quiet", opt->quiet, "No summary on stdout");

    sub->callback([opt, sub, invocation] {
        opt->waist_given = sub->count("--waist") > 0;
        opt->side_given = sub->count("--side") > 0;
        opt->tilt_given = sub->count("--tilt-x") + sub->count("--tilt-y") > 0;
        run_propagate(*opt, invocation);
    });
}

}  // namespace accel::sim::cli
