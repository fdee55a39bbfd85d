#include "accel/sim/run/model_factory.hpp"

#include <unistd.h>

#include <omp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <numbers>
#include <numeric>

#include "accel/core/stream_purposes.hpp"
#include "accel/datasets/synthetic.hpp"
#include "accel/models/accel_model.hpp"
#include "accel/models/d2nn_model.hpp"
#include "accel/models/digital_model.hpp"
#include "accel/optics/sampling.hpp"
#include "accel/sim/io/digest.hpp"
#include "accel/core/errors.hpp"
#include "accel/sim/config/model_config.hpp"

#ifndef ACCEL_SOURCE_DIR
#error "ACCEL_SOURCE_DIR must name the source tree (for the repository's datasets/mnist)"
#endif

namespace accel::sim {
namespace {

// Fixed seeds of the synthetic splits: the images are a benchmark, the same for every
// design.seed; the two splits draw different images.
constexpr std::uint64_t synthetic_train_seed = 0x5EED'7A1Bu;
constexpr std::uint64_t synthetic_test_seed = 0x5EED'7E57u;

std::string text(double v) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
    return std::string(buf, end);
}

int as_int(std::int64_t v) { return static_cast<int>(v); }

const std::string& architecture(const Config& c) { return c.string("design.architecture"); }

models::OpticalStageSpec optical_stage_spec(const Config& c) {
    models::OpticalStageSpec s;
    s.grid = mask_grid(c);
    s.wavelength_m = c.real("optics.wavelength_nm") * 1e-9;
    for (double mm : c.reals("optics.distances_mm")) s.distances_m.push_back(mm * 1e-3);
    s.input_distance_m = c.real("optics.input_distance_mm") * 1e-3;
    s.pad_px = as_int(c.integer("optics.padding_px"));
    s.band_limit = c.boolean("optics.band_limit");
    return s;
}

datasets::Encoding encoding(const Config& c) {
    return c.string("optics.encoding") == "intensity" ? datasets::Encoding::intensity : datasets::Encoding::amplitude;
}

int input_window(const Config& c) {
    const auto window = c.integer("optics.input_window_px"), mask = c.integer("optics.mask_pixels");
    if (window > mask)
        throw InputError("optics.input_window_px = " + std::to_string(window) + " exceeds optics.mask_pixels = " + std::to_string(mask) +
                         "; the image window lies on the mask");
    return as_int(window);
}

std::vector<optics::DetectorArea> class_regions(const Config& c) {
    const double side_m = c.real("d2nn.region_side_um") * 1e-6, span_m = c.real("d2nn.region_span_um") * 1e-6;
    const double window_m = mask_grid(c).width_m();
    if (5.0 * side_m > span_m)
        throw InputError("d2nn.region_side_um = " + text(side_m * 1e6) + " is too large for d2nn.region_span_um = " + text(span_m * 1e6) +
                         ": the four regions of the middle row need 5·side ≤ span");
    if (span_m > window_m * (1.0 + 1e-12))
        throw InputError("d2nn.region_span_um = " + text(span_m * 1e6) + " exceeds the mask window of " + text(window_m * 1e6) +
                         " µm (optics.mask_pixels × optics.mask_pitch_um)");
    return optics::class_regions_3_4_3(span_m, side_m);
}

std::unique_ptr<models::Model> make_accel(const Config& c, optics::PropagationCache<float>& cache, const datasets::Dataset& shape) {
    models::AccelModelSpec s;
    s.optics = optical_stage_spec(c);
    s.image_rows = shape.rows;
    s.image_cols = shape.cols;
    s.input_window_px = input_window(c);
    s.encoding = encoding(c);
    s.phase_bits = as_int(c.integer("optics.phase_bits"));
    s.detector = photodiode_array(c);
    s.photodiode = photodiode_params(c);
    s.eac = compute_array_params(c);  // inputs = rows·cols
    s.noise = analog::NoiseSwitches{};  // every term on; Conditions switch them per run
    s.phase_learning_rate_scale = c.real("train.phase_lr_scale");
    s.weight_learning_rate_scale = c.real("train.weight_lr_scale");
    return std::make_unique<models::AccelModel<float>>(s, cache);
}

std::unique_ptr<models::Model> make_d2nn(const Config& c, optics::PropagationCache<float>& cache, const datasets::Dataset& shape) {
    models::D2nnModelSpec s;
    s.optics = optical_stage_spec(c);
    s.image_rows = shape.rows;
    s.image_cols = shape.cols;
    s.input_window_px = input_window(c);
    s.encoding = encoding(c);
    s.phase_bits = as_int(c.integer("optics.phase_bits"));
    s.regions = class_regions(c);
    s.photodiode = photodiode_params(c);
    s.noise = analog::NoiseSwitches{};
    s.phase_learning_rate_scale = c.real("train.phase_lr_scale");
    return std::make_unique<models::D2nnModel<float>>(s, cache);
}

std::unique_ptr<models::Model> make_digital(const Config& c, const datasets::Dataset& shape) {
    const auto pixels = c.integer("digital.sensor_pixels");
    auto side = static_cast<std::int64_t>(std::llround(std::sqrt(static_cast<double>(pixels))));
    if (side * side != pixels)
        throw InputError("digital.sensor_pixels = " + std::to_string(pixels) + " is not a perfect square; the sensor is side × side pixels");
    models::DigitalModelSpec s;
    s.image_rows = shape.rows;
    s.image_cols = shape.cols;
    s.sensor_side_px = as_int(side);
    s.window_side_m = mask_grid(c).width_m();
    s.sensor.wavelength_m = c.real("optics.wavelength_nm") * 1e-9;
    s.sensor.quantum_efficiency = c.real("digital.quantum_efficiency");
    s.sensor.read_noise_e = c.real("digital.read_noise_e");
    s.sensor.full_well_e = c.real("digital.full_well_e");
    s.sensor.adc_bits = as_int(c.integer("digital.adc_bits"));
    s.sensor.exposure_time_s = c.real("digital.exposure_time_ns") * 1e-9;
    if (!(s.sensor.exposure_time_s > 0.0)) throw InputError("digital.exposure_time_ns must be > 0 to simulate the sensor");
    s.classes = as_int(c.integer("eac.outputs"));
    return std::make_unique<models::DigitalModel>(s);
}

// The first `count` of `all` after a Fisher–Yates shuffle seeded by `seed`, in ascending order.
std::vector<int> seeded_subset(int all, int count, std::uint64_t seed) {
    std::vector<int> order(static_cast<std::size_t>(all));
    std::iota(order.begin(), order.end(), 0);
    core::RandomStream stream = core::purpose_stream(seed, core::StreamPurpose::data_train_subset, 0);
    datasets::shuffle(order, stream);
    order.resize(static_cast<std::size_t>(count));
    std::sort(order.begin(), order.end());
    return order;
}

// The folder of an IDX dataset (MNIST's default: the repository's copy).
std::filesystem::path data_dir(const Config& c) {
    if (c.string("data.dataset") == "mnist") {
        const std::string& dir = c.string("data.mnist_dir");
        return dir.empty() ? std::filesystem::path(ACCEL_SOURCE_DIR) / datasets::mnist_dir_in_repository : std::filesystem::path(dir);
    }
    return c.string("data.fashion_mnist_dir");
}

datasets::Dataset load_split(const Config& c, datasets::Split split) {
    const std::string& name = c.string("data.dataset");
    if (name == "synthetic") {
        const bool train = split == datasets::Split::train;
        const auto count = c.integer(train ? "data.synthetic_train" : "data.synthetic_test");
        datasets::Dataset d = datasets::make_synthetic(as_int(count), as_int(c.integer("data.synthetic_classes")),
                                                       train ? synthetic_train_seed : synthetic_test_seed);
        d.name += train ? "/train" : "/test";
        return d;
    }
    if (name == "mnist") return datasets::load_mnist(split, data_dir(c));
    return datasets::load_fashion_mnist(split, data_dir(c));
}

}  // namespace

// ------------------------------------------------------------------------------------ data

std::string RunData::describe() const {
    std::string s = (test.name.empty() ? train.name : test.name);
    s = s.substr(0, s.find('/')) + ": ";
    if (!train.labels.empty())
        s += std::to_string(split.train.size()) + " train, " + std::to_string(split.validation.size()) + " validation, ";
    s += std::to_string(test.size()) + " test";
    if (test_is_subset) s += " (the first " + std::to_string(test.size()) + " of the " + std::to_string(full_test_size) + " test images)";
    return s;
}

std::string RunData::digest() const {
    std::uint64_t h = fnv_offset_basis;
    for (const datasets::Dataset* d : {&train, &test}) {
        h = sim::digest(d->pixels.data(), d->pixels.size() * sizeof(float), h);
        h = sim::digest(d->labels.data(), d->labels.size(), h);
    }
    return hex16(h);
}

std::vector<std::filesystem::path> data_files(const Config& c, DataNeeds needs) {
    if (c.string("data.dataset") == "synthetic") return {};
    std::vector<std::filesystem::path> files;
    for (const auto split : {datasets::Split::train, datasets::Split::test}) {
        if (split == datasets::Split::train && needs == DataNeeds::test_only) continue;
        const datasets::StandardFiles f = datasets::standard_files(split, data_dir(c));
        files.push_back(f.images);
        files.push_back(f.labels);
    }
    return files;
}

RunData load_data(const Config& c, DataNeeds needs) {
    RunData d;
    try {
        if (needs == DataNeeds::train_and_test) {
            datasets::Dataset full = load_split(c, datasets::Split::train);
            const auto wanted = c.integer("data.train_images");
            if (wanted > full.size())
                throw InputError("data.train_images = " + std::to_string(wanted) + " exceeds the " + std::to_string(full.size()) +
                                 " training images of " + full.name);
            if (wanted > 0) {
                const std::vector<int> keep = seeded_subset(full.size(), as_int(wanted), static_cast<std::uint64_t>(c.integer("design.seed")));
                d.train = datasets::subset(full, keep);
            } else {
                d.train = std::move(full);
            }
            d.split = datasets::validation_split(d.train, c.real("data.validation_fraction"), static_cast<std::uint64_t>(c.integer("design.seed")));
            if (d.split.train.empty())
                throw InputError("no training images left after holding out data.validation_fraction = " +
                                 text(c.real("data.validation_fraction")) + " of " + std::to_string(d.train.size()));
        }
        datasets::Dataset test = load_split(c, datasets::Split::test);
        d.full_test_size = test.size();
        const auto wanted = c.integer("data.test_images");
        if (wanted > test.size())
            throw InputError("data.test_images = " + std::to_string(wanted) + " exceeds the " + std::to_string(test.size()) +
                             " images of " + test.name);
        if (wanted > 0 && wanted < test.size()) {
            std::vector<int> first(static_cast<std::size_t>(wanted));
            std::iota(first.begin(), first.end(), 0);
            d.test = datasets::subset(test, first);
            d.test_is_subset = true;
        } else {
            d.test = std::move(test);
        }
    } catch (const datasets::DataError& e) {
        throw InputError(std::string(e.what()) + " (data.dataset = \"" + c.string("data.dataset") + "\")");
    }
    if (!d.train.labels.empty() && (d.train.rows != d.test.rows || d.train.cols != d.test.cols))
        throw InputError(d.train.name + " and " + d.test.name + " differ in image size");
    return d;
}

// ----------------------------------------------------------------------------------- model

std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache, const datasets::Dataset& shape) {
    std::unique_ptr<models::Model> m;
    const std::string& arch = architecture(c);
    if (arch == "d2nn") m = make_d2nn(c, cache, shape);
    else if (arch == "digital") m = make_digital(c, shape);
    else m = make_accel(c, cache, shape);
    check_labels(shape, *m, c);
    return m;
}

std::unique_ptr<models::Model> make_model(const Config& c, optics::PropagationCache<float>& cache, const RunData& data) {
    auto m = make_model(c, cache, data.train.labels.empty() ? data.test : data.train);
    check_labels(data.test, *m, c);
    return m;
}

void check_labels(const datasets::Dataset& data, const models::Model& model, const Config& c) {
    const auto bad = datasets::first_label_beyond(data, model.classes());
    if (!bad) return;
    const std::string& arch = architecture(c);
    const std::string outputs = arch == "d2nn" ? "its " + std::to_string(model.classes()) + " class regions"
                                               : "eac.outputs = " + std::to_string(model.classes());
    const std::string source = data.labels_source.empty() ? data.name : "'" + data.labels_source + "' (" + data.name + ")";
    throw InputError(source + ": label " + std::to_string(bad->label) + " at index " +
                     std::to_string(bad->source_index) + " is beyond the classes 0.." + std::to_string(model.classes() - 1) +
                     " that the " + arch + " model reads out (" + outputs + ")");
}

std::vector<std::vector<double>> effective_phases(const models::Model& m) {
    if (const auto* a = dynamic_cast<const models::AccelModel<float>*>(&m)) return a->effective_phases();
    if (const auto* d = dynamic_cast<const models::D2nnModel<float>*>(&m)) return d->effective_phases();
    return {};
}

int mask_side_px(const models::Model& m) {
    if (const auto* a = dynamic_cast<const models::AccelModel<float>*>(&m)) return a->spec().optics.grid.n;
    if (const auto* d = dynamic_cast<const models::D2nnModel<float>*>(&m)) return d->spec().optics.grid.n;
    return 0;
}

std::optional<HardwareWeights> hardware_weights(const models::Model& m) {
    const auto* a = dynamic_cast<const models::AccelModel<float>*>(&m);
    if (!a) return std::nullopt;
    return HardwareWeights{a->spec().eac.outputs, a->spec().eac.inputs, a->hardware_weights()};
}

std::optional<std::vector<double>> detector_intensity(const models::Model& m, std::span<const float> image) {
    std::vector<std::complex<float>> field;
    std::vector<double> power_W;
    const auto ws = m.make_workspace();
    if (const auto* a = dynamic_cast<const models::AccelModel<float>*>(&m)) a->detector_plane(image, field, power_W, *ws);
    else if (const auto* d = dynamic_cast<const models::D2nnModel<float>*>(&m)) d->detector_plane(image, field, power_W, *ws);
    else return std::nullopt;
    std::vector<double> intensity(field.size());
    std::transform(field.begin(), field.end(), intensity.begin(), [](std::complex<float> u) { return std::norm(std::complex<double>(u)); });
    return intensity;
}

// ------------------------------------------------------------------------------ conditions

models::Conditions conditions_for(const Config& c, Purpose purpose, std::uint32_t chip_index) {
    models::Conditions k;
    k.frame_energy_J = optical_energy_per_frame_J(c);
    k.seed = static_cast<std::uint64_t>(c.integer("design.seed"));
    k.quantise_phase = true;
    switch (purpose) {
        case Purpose::training:
            k.noise = k.fixed_pattern = c.boolean("train.noise_aware");
            k.phase_error_rad = c.real("train.phase_error_pi") * std::numbers::pi;
            break;
        case Purpose::noise_free: break;
        case Purpose::chip_test: {
            k.noise = c.boolean("eval.noise");
            k.fixed_pattern = c.boolean("eval.fixed_pattern");
            k.chip = first_evaluation_chip + chip_index;
            k.phase_error_rad = c.real("eval.phase_error_pi") * std::numbers::pi;
            const optics::PlaneMisalignment moved{as_int(c.integer("eval.shift_px")), 0, c.real("eval.rotation_deg") * std::numbers::pi / 180.0};
            if (!moved.is_identity() && architecture(c) != "digital") k.misalignment.assign(c.reals("optics.distances_mm").size(), moved);
            break;
        }
    }
    return k;
}

bool evaluation_varies_by_chip(const Config& c) {
    return c.boolean("eval.noise") || c.boolean("eval.fixed_pattern") || c.real("eval.phase_error_pi") > 0.0;
}

int threads_for(const Config& c) {
    const auto t = c.integer("train.threads");
    return t > 0 ? as_int(t) : omp_get_max_threads();
}

models::TrainSettings train_settings(const Config& c) {
    models::TrainSettings s;
    s.epochs = as_int(c.integer("train.epochs"));
    s.batch_size = as_int(c.integer("train.batch_size"));
    s.learning_rate = c.real("train.learning_rate");
    s.learning_rate_decay = c.real("train.learning_rate_decay");
    s.early_stopping_patience = as_int(c.integer("train.early_stopping_patience"));
    s.chunk_images = as_int(c.integer("train.chunk_images"));
    s.threads = threads_for(c);
    s.seed = static_cast<std::uint64_t>(c.integer("design.seed"));
    s.conditions = conditions_for(c, Purpose::training);
    s.new_chip_per_step = c.boolean("train.new_chip_per_step");
    s.max_shift_px = as_int(c.integer("train.max_shift_px"));
    s.max_rotation_rad = c.real("train.max_rotation_deg") * std::numbers::pi / 180.0;
    s.augment_shift_px = as_int(c.integer("train.augment_shift_px"));
    s.augment_distortion.max_rotation_rad = c.real("train.augment_rotation_deg") * std::numbers::pi / 180.0;
    s.augment_distortion.max_scale = c.real("train.augment_scale");
    s.augment_distortion.elastic_alpha_px = c.real("train.augment_elastic_alpha_px");
    s.augment_distortion.elastic_sigma_px = c.real("train.augment_elastic_sigma_px");
    return s;
}

// ------------------------------------------------------------------------------- preflight

double estimated_memory_bytes(const Config& c) {
    const double threads = threads_for(c);
    const std::string& arch = architecture(c);
    if (arch == "digital") {
        // Weights with gradient and both Adam moments, and one sensor image per thread.
        const double pixels = static_cast<double>(c.integer("digital.sensor_pixels"));
        return 4.0 * 8.0 * pixels * static_cast<double>(c.integer("eac.outputs")) + threads * 4.0 * 8.0 * pixels;
    }
    const double n = static_cast<double>(c.integer("optics.mask_pixels") + 2 * c.integer("optics.padding_px"));
    const double plane = n * n * sizeof(std::complex<float>);
    const double mask = static_cast<double>(c.integer("optics.mask_pixels")) * static_cast<double>(c.integer("optics.mask_pixels"));
    const double layers = static_cast<double>(c.reals("optics.distances_mm").size()) + (c.real("optics.input_distance_mm") > 0.0 ? 1.0 : 0.0);
    // Each thread keeps the field before and after every mask for the backward pass plus FFT
    // scratch; the cache one transfer function per distance; the parameters, their gradient
    // and Adam moments in double.
    return threads * (2.0 * layers + 4.0) * plane + layers * plane + 4.0 * 8.0 * layers * mask;
}

double physical_memory_bytes() {
    const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
    return pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
}

void check_memory(const Config& c) {
    // A grid the propagator refuses outright gets that clearer error from preflight_checks.
    if (architecture(c) != "digital" && c.integer("optics.mask_pixels") + 2 * c.integer("optics.padding_px") > optics::max_padded_grid_px) return;
    const double needed = estimated_memory_bytes(c), available = physical_memory_bytes();
    if (available > 0.0 && needed > available) {
        char text[64];
        std::snprintf(text, sizeof text, "%.3g GiB, more than the %.3g GiB", needed / (1u << 30), available / (1u << 30));
        throw InputError(std::string("this design needs at least ") + text + " of this machine's memory (keys optics.mask_pixels, "
                         "optics.padding_px, optics.distances_mm, digital.sensor_pixels, train.threads)");
    }
}

std::vector<std::string> preflight_checks(const Config& c) {
    check_consistency(c);
    std::vector<std::string> warnings;
    const std::string& arch = architecture(c);
    if (arch == "digital") return warnings;
    input_window(c);
    const optics::Grid grid = mask_grid(c);
    std::vector<optics::SamplingFinding> findings;
    std::vector<double> distances_mm = c.reals("optics.distances_mm");
    if (c.real("optics.input_distance_mm") > 0.0) distances_mm.push_back(c.real("optics.input_distance_mm"));
    for (double mm : distances_mm) {
        const optics::PropagationGeometry g{grid, c.real("optics.wavelength_nm") * 1e-9, mm * 1e-3, as_int(c.integer("optics.padding_px")),
                                            c.boolean("optics.band_limit")};
        optics::validate(g);
        for (auto& f : optics::check_transfer_function(g)) findings.push_back(std::move(f));
        for (auto& f : optics::check_wrap_around(g)) findings.push_back(std::move(f));
    }
    if (arch == "d2nn")
        for (auto& f : optics::check_detectors(grid, class_regions(c))) findings.push_back(std::move(f));
    std::string errors;
    for (const auto& f : findings) {
        if (f.severity == optics::Severity::error) errors += (errors.empty() ? "" : "; ") + f.check + ": " + f.message;
        else warnings.push_back(f.check + ": " + f.message);
    }
    if (!errors.empty()) throw InputError("sampling check failed: " + errors + " (keys optics.*, d2nn.*)");
    return warnings;
}

// ------------------------------------------------------------------------- test evaluation

namespace {

// Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4).
double beta_continued_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300, eps = 1e-15;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (std::abs(d) < tiny) d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 10000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((a - 1.0 + m2) * (a + m2));
        d = 1.0 + aa * d;
        c = 1.0 + aa / c;
        d = 1.0 / (std::abs(d) < tiny ? tiny : d);
        c = std::abs(c) < tiny ? tiny : c;
        h *= d * c;
        aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + 1.0 + m2));
        d = 1.0 + aa * d;
        c = 1.0 + aa / c;
        d = 1.0 / (std::abs(d) < tiny ? tiny : d);
        c = std::abs(c) < tiny ? tiny : c;
        const double delta = d * c;
        h *= delta;
        if (std::abs(delta - 1.0) < eps) break;
    }
    return h;
}

// Regularised incomplete beta I_x(a, b).
double incomplete_beta(double a, double b, double x) {
    if (x <= 0.0) return 0.0;
    if (x >= 1.0) return 1.0;
    const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_continued_fraction(a, b, x) / a;
    return 1.0 - front * beta_continued_fraction(b, a, 1.0 - x) / b;
}

// CDF of Student's t with `dof` degrees of freedom at t ≥ 0.
double student_t_cdf(double t, double dof) { return 1.0 - 0.5 * incomplete_beta(0.5 * dof, 0.5, dof / (dof + t * t)); }

}  // namespace

double student_t_quantile(double p, int dof) {
    if (dof < 1 || !(p > 0.5 && p < 1.0)) throw std::invalid_argument("student_t_quantile: need dof ≥ 1 and 0.5 < p < 1");
    double lo = 0.0, hi = 1e7;
    for (int i = 0; i < 200 && hi - lo > 1e-13 * hi; ++i) {
        const double mid = 0.5 * (lo + hi);
        (student_t_cdf(mid, dof) < p ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

ChipSummary summarize_chips(std::span<const double> accuracies) {
    ChipSummary s;
    s.chips = static_cast<int>(accuracies.size());
    if (accuracies.empty()) return s;
    double sum = 0.0;
    for (double a : accuracies) sum += a;
    s.mean = sum / static_cast<double>(s.chips);
    if (s.chips < 2) {
        s.t_quantile = s.half_width = std::numeric_limits<double>::quiet_NaN();
        return s;
    }
    double squares = 0.0;
    for (double a : accuracies) squares += (a - s.mean) * (a - s.mean);
    s.std_dev = std::sqrt(squares / (s.chips - 1));
    s.t_quantile = student_t_quantile(0.975, s.chips - 1);
    s.half_width = s.t_quantile * s.std_dev / std::sqrt(static_cast<double>(s.chips));
    return s;
}

TestReport evaluate_test(const Config& c, models::Model& model, const RunData& data, std::span<const double> parameters,
                         std::span<const double> light_levels, const EvalProgress& progress, bool with_noise_free) {
    models::Trainer trainer(model, train_settings(c));
    std::vector<int> indices(static_cast<std::size_t>(data.test.size()));
    std::iota(indices.begin(), indices.end(), 0);
    TestReport r;
    r.dataset = data.test.name;
    r.subset = data.test_is_subset;
    r.full_test_size = data.full_test_size;
    r.classes = model.classes();
    const auto report = [&](const std::string& label) {
        return progress ? std::function<void(const models::Progress&)>([&progress, label](const models::Progress& p) { progress(label, p); })
                        : std::function<void(const models::Progress&)>();
    };
    if (with_noise_free)
        r.noise_free = trainer.evaluate(data.test, indices, parameters, conditions_for(c, Purpose::noise_free), false, report("test, noise-free"));
    else
        r.noise_free.accuracy = r.noise_free.loss = std::numeric_limits<double>::quiet_NaN();

    std::vector<double> lights(light_levels.begin(), light_levels.end());
    if (lights.empty()) lights.push_back(c.real("light.energy_density_fJ_per_um2"));
    const int chips = evaluation_varies_by_chip(c) ? as_int(c.integer("eval.chips")) : 1;
    for (double light : lights) {
        Config at_light = c;
        at_light.set("light.energy_density_fJ_per_um2=" + text(light), "--light " + text(light));
        ChipEvaluation e;
        e.energy_density_fJ_per_um2 = light;
        e.frame_energy_J = optical_energy_per_frame_J(at_light);
        e.photons_per_frame = photons_per_frame(at_light);
        e.noise = c.boolean("eval.noise");
        e.fixed_pattern = c.boolean("eval.fixed_pattern");
        e.phase_error_pi = c.real("eval.phase_error_pi");
        e.shift_px = c.integer("eval.shift_px");
        e.rotation_deg = c.real("eval.rotation_deg");
        e.confusion.assign(static_cast<std::size_t>(r.classes) * static_cast<std::size_t>(r.classes), 0);
        std::vector<double> accuracies;
        // Chips that share the optical stage run the optics once per image (Trainer::evaluate_chips).
        e.per_chip = trainer.evaluate_chips(data.test, indices, parameters, conditions_for(at_light, Purpose::chip_test, 0), chips,
                                            report("test at " + text(light) + " fJ/um2, " + std::to_string(chips) + " chips"));
        for (const auto& chip : e.per_chip) {
            accuracies.push_back(chip.accuracy);
            for (std::size_t i = 0; i < e.confusion.size(); ++i) e.confusion[i] += chip.confusion[i];
        }
        e.summary = summarize_chips(accuracies);
        r.chips.push_back(std::move(e));
    }
    return r;
}

}  // namespace accel::sim
