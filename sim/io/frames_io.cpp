#include "accel/sim/io/frames_io.hpp"

#include <cmath>
#include <limits>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"
#include "accel/sim/io/hdf5_file.hpp"

namespace accel::sim {
namespace {

constexpr const char* format_name = "accel chip frames";
constexpr int format_version = 1;

void write_set(h5::Group& root, const std::string& name, const FrameSet& set, int photodiodes, const std::string& what) {
    h5::Group g = root.create_group(name);
    g.set_attribute("description", what);
    const auto n = set.frames(), width = static_cast<std::size_t>(photodiodes);
    h5::Dataset charges = g.write_array<double>("signal_e", set.signal_e, {n, width});
    charges.set_unit("e");
    charges.set_attribute("description", "mean photo-electrons per photodiode in one integration, dark electrons excluded (frames × photodiodes)");
    std::vector<std::int32_t> labels(set.labels.begin(), set.labels.end()), numbers(set.frame_number.begin(), set.frame_number.end());
    if (!labels.empty()) g.write_array<std::int32_t>("labels", labels, {n});
    h5::Dataset keys = g.write_array<std::int32_t>("frame_number", numbers, {n});
    keys.set_attribute("description", "index of the frame's image in its split; keys the frame's noise");
}

// Frames of a whole training split (60,000 for Fashion-MNIST) by 1,024 photodiodes.
h5::ReadLimits frame_limits() { return {std::size_t{1} << 20, std::size_t{1} << 28}; }

FrameSet read_set(const h5::Group& root, const std::string& name, const ChipFramesFile& f, bool labelled, const std::string& file) {
    FrameSet set;
    if (!root.has_group(name)) {
        if (name == "ranging") return set;
        throw InputError("'" + file + "': no group /" + name + " (a frames file holds /train and /test)");
    }
    const h5::Group g = root.open_group(name);
    const h5::Array2D<double> charges = g.open_dataset("signal_e").read_array_2d<double>(frame_limits());
    const std::string where = "'" + file + "': /" + name;
    if (charges.cols != static_cast<std::size_t>(f.photodiodes))
        throw InputError(where + "/signal_e has " + std::to_string(charges.cols) + " photodiodes per frame; the file's attribute photodiodes says " +
                         std::to_string(f.photodiodes));
    if (charges.rows == 0 && name != "ranging") throw InputError(where + "/signal_e holds no frames");
    for (std::size_t k = 0; k < charges.values.size(); ++k)
        if (charges.values[k] < 0.0)
            throw InputError(where + "/signal_e: negative charge " + core::shortest_text(charges.values[k]) + " e at frame " +
                             std::to_string(k / charges.cols) + ", photodiode " + std::to_string(k % charges.cols));
    set.signal_e = charges.values;
    const auto read_ints = [&](const std::string& dataset, std::int64_t lo, std::int64_t hi) {
        const std::vector<std::int64_t> v = g.open_dataset(dataset).read_vector<std::int64_t>(frame_limits());
        if (v.size() != charges.rows)
            throw InputError(where + "/" + dataset + " has " + std::to_string(v.size()) + " entries for " + std::to_string(charges.rows) + " frames");
        std::vector<int> out;
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i] < lo || v[i] > hi)
                throw InputError(where + "/" + dataset + ": " + std::to_string(v[i]) + " at frame " + std::to_string(i) + " is outside [" +
                                 std::to_string(lo) + ", " + std::to_string(hi) + "]");
            out.push_back(static_cast<int>(v[i]));
        }
        return out;
    };
    set.frame_number = read_ints("frame_number", 0, std::numeric_limits<std::int32_t>::max());
    if (labelled) set.labels = read_ints("labels", 0, f.classes - 1);
    return set;
}

}  // namespace

void write_chip_frames(const std::filesystem::path& path, const ChipFramesFile& f, const Provenance& provenance, bool overwrite) {
    h5::OutputFile out(path, overwrite ? h5::Overwrite::yes : h5::Overwrite::no);
    h5::Group& root = out.root();
    write_provenance(root, provenance);
    root.set_attribute("format", format_name);
    root.set_attribute("format_version", format_version);
    root.set_attribute("photodiodes", f.photodiodes);
    root.set_attribute("classes", f.classes);
    root.set_attribute("energy_density_fJ_per_um2", f.energy_density_fJ_per_um2);
    root.set_attribute("chip", static_cast<std::int64_t>(f.chip));
    root.set_attribute("source", f.source);
    root.set_attribute("design_file", f.design_file);
    write_set(root, "train", f.train, f.photodiodes, "frames of the training images the chip adapts on");
    write_set(root, "test", f.test, f.photodiodes, "frames of the test images");
    if (f.ranging.frames() > 0) write_set(root, "ranging", f.ranging, f.photodiodes, "frames the chip ranges its conversion gain on");
    out.commit();
}

ChipFramesFile read_chip_frames(const std::filesystem::path& path) {
    const std::string file = path.string();
    const h5::InputFile in(path);
    const h5::Group& root = in.root();
    if (!root.has_attribute("format") || root.attribute_string("format") != format_name)
        throw InputError("'" + file + "' is not a frames file (its root attribute format is not '" + format_name + "')");
    if (root.attribute_int64("format_version") != format_version)
        throw InputError("'" + file + "': frames format version " + std::to_string(root.attribute_int64("format_version")) +
                         "; this accel reads version " + std::to_string(format_version));
    ChipFramesFile f;
    const std::int64_t photodiodes = root.attribute_int64("photodiodes"), classes = root.attribute_int64("classes"),
                       chip = root.attribute_int64("chip");
    if (photodiodes < 1 || photodiodes > (1 << 20)) throw InputError("'" + file + "': attribute photodiodes = " + std::to_string(photodiodes) + " must be ≥ 1");
    if (classes < 2 || classes > (1 << 16)) throw InputError("'" + file + "': attribute classes = " + std::to_string(classes) + " must be ≥ 2");
    if (chip < 0 || chip > std::numeric_limits<std::uint32_t>::max())
        throw InputError("'" + file + "': attribute chip = " + std::to_string(chip) + " must be in [0, 2^32)");
    f.photodiodes = static_cast<int>(photodiodes);
    f.classes = static_cast<int>(classes);
    f.chip = static_cast<std::uint32_t>(chip);
    f.energy_density_fJ_per_um2 = root.attribute_double("energy_density_fJ_per_um2");
    if (!(f.energy_density_fJ_per_um2 > 0.0) || !std::isfinite(f.energy_density_fJ_per_um2))
        throw InputError("'" + file + "': attribute energy_density_fJ_per_um2 must be finite and > 0");
    if (root.has_attribute("source")) f.source = root.attribute_string("source");
    if (root.has_attribute("design_file")) f.design_file = root.attribute_string("design_file");
    f.train = read_set(root, "train", f, true, file);
    f.test = read_set(root, "test", f, true, file);
    f.ranging = read_set(root, "ranging", f, false, file);
    return f;
}

}  // namespace accel::sim
