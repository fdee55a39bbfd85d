// The HDF5 wrappers' shared helpers (hdf5_internal.hpp), Handle, and the library version.
#include "accel/sim/io/hdf5_internal.hpp"

#include <cerrno>
#include <cstring>

#include "accel/core/errors.hpp"

namespace accel::sim::h5 {
namespace detail {

// Appended piecewise: GCC 12 reports a false -Wrestrict for "'" + std::string&& (GCC bug 105329).
std::string quoted(const std::filesystem::path& p) {
    std::string s(1, '\'');
    s += p.string();
    s += '\'';
    return s;
}

Handle utf8_string_type() {
    Handle t(H5Tcopy(H5T_C_S1));
    if (!t.valid() || H5Tset_size(t.get(), H5T_VARIABLE) < 0 || H5Tset_cset(t.get(), H5T_CSET_UTF8) < 0)
        throw std::runtime_error("HDF5: cannot build the string type");
    return t;
}

std::string type_description(hid_t type) {
    const std::size_t bits = H5Tget_size(type) * 8;
    switch (H5Tget_class(type)) {
        case H5T_INTEGER: return std::to_string(bits) + "-bit integer";
        case H5T_FLOAT: return std::to_string(bits) + "-bit floating-point";
        case H5T_STRING: return "string";
        case H5T_COMPOUND: {
            std::string s = "compound {";
            const int members = H5Tget_nmembers(type);
            for (int k = 0; k < members; ++k) {
                char* name = H5Tget_member_name(type, static_cast<unsigned>(k));
                s += (k ? ", " : "") + std::string(name ? name : "?");
                H5free_memory(name);
            }
            return s + "}";
        }
        case H5T_ENUM: return "enum";
        case H5T_ARRAY: return "array";
        case H5T_VLEN: return "variable-length";
        default: return "unsupported";
    }
}

bool is_complex_compound(hid_t type) {
    if (H5Tget_class(type) != H5T_COMPOUND || H5Tget_nmembers(type) != 2) return false;
    bool have_r = false, have_i = false;
    for (unsigned k = 0; k < 2; ++k) {
        char* name = H5Tget_member_name(type, k);
        const std::string member = name ? name : "";
        H5free_memory(name);
        if (H5Tget_member_class(type, k) != H5T_FLOAT) return false;
        have_r = have_r || member == "r";
        have_i = have_i || member == "i";
    }
    return have_r && have_i;
}

// A write that failed. When the system says why (a full disk, a file-size limit, a read-only
// or failing device), the cause is the user's environment: InputError (exit code 2) with the
// reason. Otherwise it is an internal error. `err` is errno, cleared before the HDF5 call.
[[noreturn]] void throw_write_error(const std::string& what, int err) {
    switch (err) {
        case ENOSPC:
        case EDQUOT:
        case EFBIG:
        case EIO:
        case EROFS:
        case EACCES:
        case EPERM:
            throw InputError("cannot write " + what + ": " + std::strerror(err));
        default:
            throw std::runtime_error("HDF5: cannot write " + what);
    }
}

// numpy's name of an HDF5 type, for summaries.
std::string numpy_name(hid_t type) {
    const std::size_t bytes = H5Tget_size(type);
    switch (H5Tget_class(type)) {
        case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bytes * 8);
        case H5T_FLOAT: return "float" + std::to_string(bytes * 8);
        case H5T_STRING: return "string";
        case H5T_COMPOUND: return is_complex_compound(type) ? "complex" + std::to_string(bytes * 8) : type_description(type);
        default: return type_description(type);
    }
}

Handle create_and_write(hid_t parent, std::string_view name, hid_t file_type, hid_t memory_type, const void* data,
                        const std::vector<std::size_t>& shape, const std::string& what) {
    const std::vector<hsize_t> dims(shape.begin(), shape.end());
    Handle space(dims.empty() ? H5Screate(H5S_SCALAR)
                              : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    errno = 0;
    Handle dataset(H5Dcreate2(parent, std::string(name).c_str(), file_type, space.get(), lcpl.get(), H5P_DEFAULT,
                              H5P_DEFAULT));
    if (!space.valid() || !dataset.valid()) throw_write_error("dataset " + what, errno);
    std::size_t elements = 1;
    for (const std::size_t d : shape) elements *= d;
    if (elements == 0) return dataset;  // nothing to write; H5Dwrite rejects the null buffer of an empty array
    errno = 0;
    if (H5Dwrite(dataset.get(), memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) throw_write_error("dataset " + what, errno);
    return dataset;
}

}  // namespace detail

using detail::QuietErrors;

// ---------------------------------------------------------------------------------- Handle

Handle& Handle::operator=(Handle&& o) noexcept {
    if (this != &o) {
        reset();
        id_ = o.id_;
        o.id_ = -1;
    }
    return *this;
}

void Handle::reset() noexcept {
    if (id_ >= 0) {
        QuietErrors quiet;
        // Objects of an OutputFile are already closed by its strong file close; skip those.
        if (H5Iis_valid(id_) > 0) H5Idec_ref(id_);
    }
    id_ = -1;
}

std::string hdf5_library_version() {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace accel::sim::h5
