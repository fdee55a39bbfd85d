#include "accel/sim/io/output_checks.hpp"
#include "accel/sim/io/hdf5_file.hpp"

#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <type_traits>

#include <fcntl.h>
#include <signal.h>
#include <cerrno>
#include <unistd.h>

#include <hdf5.h>

#include "accel/core/errors.hpp"
#include "accel/sim/io/io_watchdog.hpp"

namespace accel::sim::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "the wrappers hold hid_t as int64_t (HDF5 >= 1.10)");

namespace {

// Switches HDF5's automatic error-stack printing off for the lifetime of the guard and
// restores whatever was installed before, so the wrappers leave no global state behind; and
// bounds the guarded calls in time (IoWatchdog), since HDF5 may loop on a damaged file.
class QuietErrors {
public:
    explicit QuietErrors(std::string_view file = {}) : watchdog_(file) {
        H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~QuietErrors() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
    QuietErrors(const QuietErrors&) = delete;
    QuietErrors& operator=(const QuietErrors&) = delete;

private:
    H5E_auto2_t func_ = nullptr;
    void* data_ = nullptr;
    IoWatchdog watchdog_;
};

// Appended piecewise: GCC 12 reports a false -Wrestrict for "'" + std::string&& (GCC bug 105329).
std::string quoted(const std::filesystem::path& p) {
    std::string s(1, '\'');
    s += p.string();
    s += '\'';
    return s;
}

template <class T>
hid_t native_type() {
    if constexpr (std::is_same_v<T, double>) return H5T_NATIVE_DOUBLE;
    else if constexpr (std::is_same_v<T, float>) return H5T_NATIVE_FLOAT;
    else if constexpr (std::is_same_v<T, std::int64_t>) return H5T_NATIVE_INT64;
    else if constexpr (std::is_same_v<T, std::int32_t>) return H5T_NATIVE_INT32;
    else if constexpr (std::is_same_v<T, std::int8_t>) return H5T_NATIVE_INT8;
    else if constexpr (std::is_same_v<T, std::uint8_t>) return H5T_NATIVE_UINT8;
    else static_assert(sizeof(T) == 0, "no HDF5 type for this element type");
}

// The compound {r, i} laid out like std::complex<Real> (guaranteed to be two Reals).
template <class Real>
Handle complex_type() {
    Handle t(H5Tcreate(H5T_COMPOUND, sizeof(std::complex<Real>)));
    if (!t.valid() || H5Tinsert(t.get(), "r", 0, native_type<Real>()) < 0 ||
        H5Tinsert(t.get(), "i", sizeof(Real), native_type<Real>()) < 0)
        throw std::runtime_error("HDF5: cannot build the complex compound type");
    return t;
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

void write_scalar_attribute(hid_t object, std::string_view name, hid_t file_type, hid_t memory_type, const void* value,
                            const std::string& where) {
    const std::string key(name);
    if (H5Aexists(object, key.c_str()) > 0) H5Adelete(object, key.c_str());
    Handle space(H5Screate(H5S_SCALAR));
    errno = 0;
    Handle attr(H5Acreate2(object, key.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid() || H5Awrite(attr.get(), memory_type, value) < 0) throw_write_error("attribute '" + key + "' of " + where, errno);
}

// Opens a scalar (or single-element) attribute; InputError if missing or not scalar.
Handle open_scalar_attribute(hid_t object, std::string_view name, const std::string& where) {
    const std::string key(name);
    if (H5Aexists(object, key.c_str()) <= 0) throw InputError(where + ": missing attribute '" + key + "'");
    Handle attr(H5Aopen(object, key.c_str(), H5P_DEFAULT));
    Handle space(H5Aget_space(attr.get()));
    if (!attr.valid() || !space.valid()) throw InputError(where + ": cannot read attribute '" + key + "'");
    if (H5Sget_simple_extent_npoints(space.get()) != 1)
        throw InputError(where + ": attribute '" + key + "' must be a single value");
    return attr;
}

}  // namespace

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

// ---------------------------------------------------------------------------------- Object

std::string Object::where() const { return "'" + file_ + "': " + path_; }

std::string Object::child_path(std::string_view name) const {
    if (!name.empty() && name.front() == '/') return std::string(name);
    return (path_ == "/" ? "/" : path_ + "/") + std::string(name);
}

void Object::set_attribute(std::string_view name, double value) {
    QuietErrors quiet(file_name());
    write_scalar_attribute(id(), name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, where());
}

void Object::set_int64_attribute(std::string_view name, std::int64_t value) {
    QuietErrors quiet(file_name());
    write_scalar_attribute(id(), name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, where());
}

void Object::set_uint64_attribute(std::string_view name, std::uint64_t value) {
    QuietErrors quiet(file_name());
    write_scalar_attribute(id(), name, H5T_STD_U64LE, H5T_NATIVE_UINT64, &value, where());
}

void Object::set_attribute(std::string_view name, std::string_view value) {
    QuietErrors quiet(file_name());
    const std::string text(value);
    const char* pointer = text.c_str();
    const Handle type = utf8_string_type();
    write_scalar_attribute(id(), name, type.get(), type.get(), &pointer, where());
}

bool Object::has_attribute(std::string_view name) const {
    QuietErrors quiet(file_name());
    return H5Aexists(id(), std::string(name).c_str()) > 0;
}

double Object::attribute_double(std::string_view name) const {
    QuietErrors quiet(file_name());
    const Handle attr = open_scalar_attribute(id(), name, where());
    const Handle type(H5Aget_type(attr.get()));
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER)
        throw InputError(where() + ": attribute '" + std::string(name) + "' is " + type_description(type.get()) +
                         ", expected a number");
    double value = 0;
    if (H5Aread(attr.get(), H5T_NATIVE_DOUBLE, &value) < 0)
        throw InputError(where() + ": cannot read attribute '" + std::string(name) + "'");
    return value;
}

std::int64_t Object::attribute_int64(std::string_view name) const {
    QuietErrors quiet(file_name());
    const Handle attr = open_scalar_attribute(id(), name, where());
    const Handle type(H5Aget_type(attr.get()));
    if (H5Tget_class(type.get()) != H5T_INTEGER)
        throw InputError(where() + ": attribute '" + std::string(name) + "' is " + type_description(type.get()) +
                         ", expected an integer");
    std::int64_t value = 0;
    if (H5Aread(attr.get(), H5T_NATIVE_INT64, &value) < 0)
        throw InputError(where() + ": cannot read attribute '" + std::string(name) + "' as a 64-bit integer");
    return value;
}

std::string Object::attribute_string(std::string_view name) const {
    QuietErrors quiet(file_name());
    const std::string key(name);
    const Handle attr = open_scalar_attribute(id(), name, where());
    const Handle type(H5Aget_type(attr.get()));
    if (H5Tget_class(type.get()) != H5T_STRING)
        throw InputError(where() + ": attribute '" + key + "' is " + type_description(type.get()) + ", expected a string");
    const auto unreadable = [&] { return InputError(where() + ": cannot read string attribute '" + key + "'"); };
    if (H5Tis_variable_str(type.get()) > 0) {
        Handle memory(H5Tcopy(H5T_C_S1));
        H5Tset_size(memory.get(), H5T_VARIABLE);
        H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
        char* text = nullptr;
        if (H5Aread(attr.get(), memory.get(), &text) < 0) throw unreadable();
        std::string out = text ? text : "";
        H5free_memory(text);
        return out;
    }
    const std::size_t size = H5Tget_size(type.get());
    if (size == 0 || size > (std::size_t{1} << 24)) throw unreadable();
    Handle memory(H5Tcopy(H5T_C_S1));
    H5Tset_size(memory.get(), size);
    H5Tset_cset(memory.get(), H5Tget_cset(type.get()));
    H5Tset_strpad(memory.get(), H5T_STR_NULLPAD);
    std::string out(size, '\0');
    if (H5Aread(attr.get(), memory.get(), out.data()) < 0) throw unreadable();
    out.resize(out.find_last_not_of(std::string("\0 ", 2)) + 1);  // strip null or space padding
    return out;
}

namespace {

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
}

std::string number_text(double v) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", v);
    return text;
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

}  // namespace

std::vector<std::string> Object::attribute_names() const {
    QuietErrors quiet(file_name());
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &names) < 0)
        throw InputError(where() + ": cannot list the attributes");
    return names;
}

std::string Object::attribute_text(std::string_view name) const {
    QuietErrors quiet(file_name());
    const std::string key(name);
    if (H5Aexists(id(), key.c_str()) <= 0) throw InputError(where() + ": missing attribute '" + key + "'");
    const Handle attr(H5Aopen(id(), key.c_str(), H5P_DEFAULT));
    const Handle type(H5Aget_type(attr.get()));
    const Handle space(H5Aget_space(attr.get()));
    if (!attr.valid() || !type.valid() || !space.valid()) throw InputError(where() + ": cannot read attribute '" + key + "'");
    const hssize_t count = H5Sget_simple_extent_npoints(space.get());
    const H5T_class_t cls = H5Tget_class(type.get());
    if (count == 1 && cls == H5T_STRING) return attribute_string(name);
    if (count == 1 && cls == H5T_INTEGER) return std::to_string(attribute_int64(name));
    if (count == 1 && cls == H5T_FLOAT) return number_text(attribute_double(name));
    return "<" + numpy_name(type.get()) + ", " + std::to_string(count) + " values>";
}

// --------------------------------------------------------------------------------- Dataset

std::string Dataset::type_name() const {
    QuietErrors quiet(file_name());
    const Handle type(H5Dget_type(id()));
    if (!type.valid()) throw InputError(where() + ": cannot read the dataset's type");
    return numpy_name(type.get());
}

template <class T>
std::vector<T> Dataset::read_numeric(int rank, const ReadLimits& limits, bool nan_allowed) const {
    QuietErrors quiet(file_name());
    const Handle type(H5Dget_type(id()));
    if (!type.valid()) throw InputError(where() + ": cannot read the dataset's type");
    const H5T_class_t cls = H5Tget_class(type.get());
    bool fits = false;
    std::string expected;
    if constexpr (std::is_same_v<T, double>) {
        fits = cls == H5T_FLOAT;
        expected = "floating-point";
    } else if constexpr (std::is_same_v<T, std::int8_t>) {
        fits = cls == H5T_INTEGER && H5Tget_size(type.get()) == 1 && H5Tget_sign(type.get()) == H5T_SGN_2;
        expected = "8-bit signed integers";
    } else {
        static_assert(std::is_same_v<T, std::int64_t>, "read_numeric: double, int64_t or int8_t");
        fits = cls == H5T_INTEGER && !(H5Tget_size(type.get()) == 8 && H5Tget_sign(type.get()) == H5T_SGN_NONE);
        expected = "integers";
    }
    if (!fits) throw InputError(where() + ": dataset is " + type_description(type.get()) + ", expected " + expected);
    check_rank_and_size(rank, limits);
    std::size_t count = 1;
    for (const std::size_t d : shape()) count *= d;
    std::vector<T> values(count);
    if (count > 0 && H5Dread(id(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0)
        throw InputError(where() + ": cannot read the dataset (corrupt or truncated file?)");
    if constexpr (std::is_same_v<T, double>) {
        for (std::size_t k = 0; k < values.size(); ++k)
            if (!std::isfinite(values[k]) && !(nan_allowed && std::isnan(values[k])))
                throw InputError(where() + ": non-finite value at index " + std::to_string(k) +
                                 (nan_allowed ? "; values must be finite or NaN" : "; all values must be finite"));
    }
    return values;
}

template <class T>
std::vector<T> Dataset::read_vector(const ReadLimits& limits) const {
    return read_numeric<T>(1, limits);
}

template <class T>
Array2D<T> Dataset::read_array_2d(const ReadLimits& limits) const {
    std::vector<T> values = read_numeric<T>(2, limits);
    const std::vector<std::size_t> dims = shape();
    return {dims[0], dims[1], std::move(values)};
}

Array2D<double> Dataset::read_padded_2d(const ReadLimits& limits) const {
    std::vector<double> values = read_numeric<double>(2, limits, true);
    const std::vector<std::size_t> dims = shape();
    return {dims[0], dims[1], std::move(values)};
}

template std::vector<double> Dataset::read_vector<double>(const ReadLimits&) const;
template std::vector<std::int64_t> Dataset::read_vector<std::int64_t>(const ReadLimits&) const;
template std::vector<std::int8_t> Dataset::read_vector<std::int8_t>(const ReadLimits&) const;
template Array2D<double> Dataset::read_array_2d<double>(const ReadLimits&) const;
template Array2D<std::int64_t> Dataset::read_array_2d<std::int64_t>(const ReadLimits&) const;
template Array2D<std::int8_t> Dataset::read_array_2d<std::int8_t>(const ReadLimits&) const;


std::vector<std::size_t> Dataset::shape() const {
    QuietErrors quiet(file_name());
    const Handle space(H5Dget_space(id()));
    const int rank = H5Sget_simple_extent_ndims(space.get());
    if (rank < 0) throw InputError(where() + ": cannot read the dataset's shape");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    return {dims.begin(), dims.end()};
}

void Dataset::check_rank_and_size(int rank, const ReadLimits& limits) const {
    const std::vector<std::size_t> dims = shape();
    if (static_cast<int>(dims.size()) != rank)
        throw InputError(where() + ": dataset has rank " + std::to_string(dims.size()) + ", expected " +
                         std::to_string(rank) + "-D");
    std::size_t elements = 1;
    for (const std::size_t d : dims) {
        if (d > limits.max_extent)
            throw InputError(where() + ": dimension " + std::to_string(d) + " exceeds the limit of " +
                             std::to_string(limits.max_extent));
        elements *= d;  // no overflow: each factor ≤ max_extent and the product is checked as it grows
        if (elements > limits.max_elements)
            throw InputError(where() + ": dataset has more than the limit of " + std::to_string(limits.max_elements) +
                             " elements");
    }
}

template <class Real>
Array2D<std::complex<Real>> Dataset::read_complex_2d(const ReadLimits& limits) const {
    QuietErrors quiet(file_name());
    const Handle type(H5Dget_type(id()));
    if (!type.valid() || !is_complex_compound(type.get()))
        throw InputError(where() + ": dataset is " + type_description(type.get()) +
                         ", expected complex numbers (compound {r, i} of floats)");
    check_rank_and_size(2, limits);
    const std::vector<std::size_t> dims = shape();
    Array2D<std::complex<Real>> out{dims[0], dims[1], {}};
    out.values.resize(out.rows * out.cols);
    const Handle memory = complex_type<Real>();
    if (!out.values.empty() && H5Dread(id(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0)
        throw InputError(where() + ": cannot read the dataset (corrupt file?)");
    for (std::size_t k = 0; k < out.values.size(); ++k) {
        if (!std::isfinite(out.values[k].real()) || !std::isfinite(out.values[k].imag()))
            throw InputError(where() + ": non-finite value at [" + std::to_string(k / out.cols) + ", " +
                             std::to_string(k % out.cols) + "]; all values must be finite");
    }
    return out;
}

template <class T>
Array2D<T> Dataset::read_real_2d(const ReadLimits& limits) const {
    QuietErrors quiet(file_name());
    const Handle type(H5Dget_type(id()));
    if (!type.valid() || H5Tget_class(type.get()) != H5T_FLOAT)
        throw InputError(where() + ": dataset is " + type_description(type.get()) + ", expected floating-point");
    check_rank_and_size(2, limits);
    const std::vector<std::size_t> dims = shape();
    Array2D<T> out{dims[0], dims[1], {}};
    out.values.resize(out.rows * out.cols);
    if (!out.values.empty() && H5Dread(id(), native_type<T>(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()) < 0)
        throw InputError(where() + ": cannot read the dataset (corrupt file?)");
    for (std::size_t k = 0; k < out.values.size(); ++k) {
        if (!std::isfinite(out.values[k]))
            throw InputError(where() + ": non-finite value at [" + std::to_string(k / out.cols) + ", " +
                             std::to_string(k % out.cols) + "]; all values must be finite");
    }
    return out;
}

template Array2D<std::complex<float>> Dataset::read_complex_2d<float>(const ReadLimits&) const;
template Array2D<std::complex<double>> Dataset::read_complex_2d<double>(const ReadLimits&) const;
template Array2D<float> Dataset::read_real_2d<float>(const ReadLimits&) const;
template Array2D<double> Dataset::read_real_2d<double>(const ReadLimits&) const;

// ----------------------------------------------------------------------------------- Group

Group Group::create_group(std::string_view name) {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    Handle lcpl(H5Pcreate(H5P_LINK_CREATE));
    H5Pset_create_intermediate_group(lcpl.get(), 1);
    errno = 0;
    Handle group(H5Gcreate2(id(), std::string(name).c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!group.valid()) throw_write_error("group " + path + " in '" + file_name() + "'", errno);
    return Group(std::move(group), file_name(), path);
}

bool Group::has(std::string_view name) const {
    QuietErrors quiet(file_name());
    // H5Lexists needs every intermediate link to exist, so walk the path one link at a time.
    std::string prefix = (!name.empty() && name.front() == '/') ? "/" : "";
    std::size_t start = prefix.size();
    while (start <= name.size()) {
        const std::size_t end = std::min(name.find('/', start), name.size());
        if (end > start) {
            if (!prefix.empty() && prefix.back() != '/') prefix += '/';
            prefix += name.substr(start, end - start);
            if (H5Lexists(id(), prefix.c_str(), H5P_DEFAULT) <= 0) return false;
        }
        start = end + 1;
    }
    return !prefix.empty() && prefix != "/";
}

namespace {

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
}

}  // namespace

std::vector<std::string> Group::member_names() const {
    QuietErrors quiet(file_name());
    std::vector<std::string> names;
    hsize_t index = 0;
    if (H5Literate(id(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_link, &names) < 0)
        throw InputError(where() + ": cannot list the members (corrupt file?)");
    return names;
}

int Group::member_kind(std::string_view name) const {
    QuietErrors quiet(file_name());
    if (!has(name)) return -1;
    const Handle object(H5Oopen(id(), std::string(name).c_str(), H5P_DEFAULT));
    return object.valid() ? static_cast<int>(H5Iget_type(object.get())) : -1;
}

bool Group::has_group(std::string_view name) const { return member_kind(name) == static_cast<int>(H5I_GROUP); }
bool Group::has_dataset(std::string_view name) const { return member_kind(name) == static_cast<int>(H5I_DATASET); }

Group Group::open_group(std::string_view name) const {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    if (!has(name)) throw InputError("'" + file_name() + "' has no group " + path);
    Handle group(H5Oopen(id(), std::string(name).c_str(), H5P_DEFAULT));
    if (!group.valid() || H5Iget_type(group.get()) != H5I_GROUP)
        throw InputError("'" + file_name() + "': " + path + " is not a group");
    return Group(std::move(group), file_name(), path);
}

Dataset Group::open_dataset(std::string_view name) const {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    if (!has(name)) throw InputError("'" + file_name() + "' has no dataset " + path);
    Handle dataset(H5Oopen(id(), std::string(name).c_str(), H5P_DEFAULT));
    if (!dataset.valid() || H5Iget_type(dataset.get()) != H5I_DATASET)
        throw InputError("'" + file_name() + "': " + path + " is not a dataset");
    return Dataset(std::move(dataset), file_name(), path);
}

namespace {

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

std::size_t element_count(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (const std::size_t d : shape) n *= d;
    return n;
}

}  // namespace

template <class Real>
Dataset Group::write_complex(std::string_view name, std::span<const std::complex<Real>> values, std::size_t rows,
                             std::size_t cols) {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    if (rows * cols != values.size())
        throw std::logic_error("write_complex " + path + ": " + std::to_string(values.size()) + " values for a " +
                               std::to_string(rows) + "x" + std::to_string(cols) + " array");
    const Handle type = complex_type<Real>();
    Handle dataset = create_and_write(id(), name, type.get(), type.get(), values.data(), {rows, cols},
                                      path + " in '" + file_name() + "'");
    return Dataset(std::move(dataset), file_name(), path);
}

template <class T>
Dataset Group::write_array(std::string_view name, std::span<const T> values, std::vector<std::size_t> shape) {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    if (element_count(shape) != values.size())
        throw std::logic_error("write_array " + path + ": " + std::to_string(values.size()) +
                               " values do not fill the given shape");
    Handle dataset = create_and_write(id(), name, native_type<T>(), native_type<T>(), values.data(), shape,
                                      path + " in '" + file_name() + "'");
    return Dataset(std::move(dataset), file_name(), path);
}

template Dataset Group::write_complex<float>(std::string_view, std::span<const std::complex<float>>, std::size_t,
                                             std::size_t);
template Dataset Group::write_complex<double>(std::string_view, std::span<const std::complex<double>>, std::size_t,
                                              std::size_t);
template Dataset Group::write_array<double>(std::string_view, std::span<const double>, std::vector<std::size_t>);
template Dataset Group::write_array<float>(std::string_view, std::span<const float>, std::vector<std::size_t>);
template Dataset Group::write_array<std::int64_t>(std::string_view, std::span<const std::int64_t>,
                                                  std::vector<std::size_t>);
template Dataset Group::write_array<std::int32_t>(std::string_view, std::span<const std::int32_t>,
                                                  std::vector<std::size_t>);
template Dataset Group::write_array<std::int8_t>(std::string_view, std::span<const std::int8_t>,
                                                 std::vector<std::size_t>);
template Dataset Group::write_array<std::uint8_t>(std::string_view, std::span<const std::uint8_t>,
                                                  std::vector<std::size_t>);

// ------------------------------------------------------------------------------ OutputFile

namespace {

std::filesystem::path checked_output_path(const std::filesystem::path& path, Overwrite overwrite) {
    if (path.empty() || !path.has_filename()) throw InputError("output path " + quoted(path) + " does not name a file");
    const std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw InputError("cannot write " + quoted(path) + ": folder " + quoted(folder) + " does not exist");
    if (std::filesystem::is_directory(path, ec)) throw InputError("cannot write " + quoted(path) + ": it is a folder");
    if (overwrite == Overwrite::no && std::filesystem::exists(path, ec))
        throw InputError("output file " + quoted(path) + " already exists (not overwriting it)");
    return path;
}

// Removes "<name>.tmp-<pid>" files beside `path` whose process no longer exists: what a
// process killed while writing (SIGKILL, power loss) leaves behind. Files of live processes
// are left alone, so two runs in one folder never delete each other's work.
void remove_stale_temporaries(const std::filesystem::path& path) {
    const std::filesystem::path folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    const std::string prefix = path.filename().string() + ".tmp-";
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
        const std::string name = entry.path().filename().string();
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string::npos) continue;
        const auto pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || (::kill(pid, 0) == 0 || errno != ESRCH)) continue;
        std::error_code ignored;
        std::filesystem::remove(entry.path(), ignored);
    }
}

std::filesystem::path temp_path_for(const std::filesystem::path& path) {
    remove_stale_temporaries(path);
    return temporary_name(path.string());
}

// Files are built in memory (HDF5's core driver without a backing store) and written to disk
// in one piece by write_image: a full disk or a file-size limit then fails a plain write(2)
// that we check, never HDF5's own flush, which cannot recover from a failed close.
Handle memory_file_access() {
    Handle fapl(H5Pcreate(H5P_FILE_ACCESS));
    // Strong close: H5Fclose closes every object still open in the file.
    H5Pset_fclose_degree(fapl.get(), H5F_CLOSE_STRONG);
    H5Pset_fapl_core(fapl.get(), std::size_t{1} << 20, 0);
    return fapl;
}

// `name` is the temporary's (unique to this process); nothing is created on disk.
Handle create_file(const std::filesystem::path& name, const std::filesystem::path& target) {
    QuietErrors quiet;
    const Handle fapl = memory_file_access();
    Handle file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()));
    if (!file.valid()) throw std::runtime_error("HDF5: cannot create the in-memory file for " + quoted(target));
    return file;
}

Handle open_root(const Handle& file) {
    QuietErrors quiet;
    Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT));
    if (!root.valid()) throw std::runtime_error("HDF5: cannot open the root group");
    return root;
}

// The bytes of the in-memory `file`, which is closed (with everything in it) either way.
std::vector<unsigned char> close_to_image(Handle& file, const std::filesystem::path& target) {
    QuietErrors quiet;
    const hid_t id = file.release();
    std::vector<unsigned char> image;
    bool ok = H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0;
    const ssize_t size = ok ? H5Fget_file_image(id, nullptr, 0) : -1;
    ok = size > 0;
    if (ok) {
        image.resize(static_cast<std::size_t>(size));
        ok = H5Fget_file_image(id, image.data(), image.size()) == size;
    }
    ok = H5Fclose(id) >= 0 && ok;
    if (!ok) throw std::runtime_error("HDF5: cannot finish the file image of " + quoted(target));
    return image;
}

// fsync a folder so that a rename in it reaches the disk (some file systems refuse; harmless).
void sync_folder(const std::filesystem::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

// Writes `image` to `temp` (created afresh; `target` is the final name, for messages) and syncs it, so that the rename that follows cannot
// overtake the data on a crash. Any failure removes `temp` and throws naming the reason.
void write_image(const std::vector<unsigned char>& image, const std::filesystem::path& temp, const std::filesystem::path& target) {
    const std::string what = quoted(target) + " (temporary " + quoted(temp) + ")";
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        const int err = errno;
        throw InputError("cannot create " + what + ": " + std::strerror(err));
    }
    int err = 0;
    for (std::size_t done = 0; done < image.size() && !err;) {
        const ssize_t n = ::write(fd, image.data() + done, image.size() - done);
        if (n > 0) done += static_cast<std::size_t>(n);
        else if (n < 0 && errno != EINTR) err = errno;
        else if (n == 0) err = EIO;
    }
    if (!err && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
    if (::close(fd) != 0 && !err) err = errno;
    if (err) {
        std::error_code ec;
        std::filesystem::remove(temp, ec);
        throw_write_error(what, err);
    }
}

// The commit of both kinds of file: the in-memory `file` (closed here) written to `temp`, then
// renamed over `path`, unless `refuse_existing` and another process created `path` meanwhile.
void write_image_and_rename(Handle& file, const std::filesystem::path& temp, const std::filesystem::path& path, bool refuse_existing) {
    write_image(close_to_image(file, path), temp, path);
    std::error_code ec;
    if (refuse_existing && std::filesystem::exists(path, ec)) {
        std::filesystem::remove(temp, ec);
        throw InputError("output file " + quoted(path) + " appeared while writing (not overwriting it)");
    }
    std::filesystem::rename(temp, path, ec);
    if (ec) throw std::runtime_error("cannot rename " + quoted(temp) + " to " + quoted(path) + ": " + ec.message());
    sync_folder(path.parent_path().empty() ? "." : path.parent_path());
}

}  // namespace

OutputFile::OutputFile(std::filesystem::path path, Overwrite overwrite)
    : path_(checked_output_path(path, overwrite)),
      temp_path_(temp_path_for(path_)),
      overwrite_(overwrite),
      file_(create_file(temp_path_, path_)),
      root_(open_root(file_), path_.string(), "/") {}

OutputFile::~OutputFile() {
    if (committed_) return;
    root_ = Group(Handle(), path_.string(), "/");
    file_.reset();
    std::error_code ec;
    std::filesystem::remove(temp_path_, ec);
}

void OutputFile::commit() {
    if (committed_) throw std::logic_error("OutputFile::commit called twice for '" + path_.string() + "'");
    root_ = Group(Handle(), path_.string(), "/");
    write_image_and_rename(file_, temp_path_, path_, overwrite_ == Overwrite::no);
    committed_ = true;
}

// ------------------------------------------------------------------------------ UpdateFile

namespace {

// `path` read whole into memory, open read-write there; the file on disk is not touched.
Handle open_in_memory(const std::filesystem::path& path) {
    QuietErrors quiet(path.string());
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw InputError("file " + quoted(path) + " does not exist");
    if (std::filesystem::is_directory(path, ec)) throw InputError(quoted(path) + " is a folder, not a file");
    if (!std::filesystem::is_regular_file(path, ec))
        throw InputError(quoted(path) + " is not a regular file (a pipe, device or socket); HDF5 input is read from files");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    if (is_hdf5 < 0) throw InputError("cannot read file " + quoted(path));
    if (is_hdf5 == 0) throw InputError("file " + quoted(path) + " is not an HDF5 file");
    const Handle fapl = memory_file_access();
    Handle file(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl.get()));
    if (!file.valid()) throw InputError("cannot open " + quoted(path) + " for an update (corrupt HDF5 file?)");
    return file;
}

}  // namespace

UpdateFile::UpdateFile(std::filesystem::path path)
    : path_(std::move(path)),
      temp_path_(temp_path_for(path_)),
      file_(open_in_memory(path_)),
      root_(open_root(file_), path_.string(), "/") {}

UpdateFile::~UpdateFile() {
    if (committed_) return;
    root_ = Group(Handle(), path_.string(), "/");
    file_.reset();
    std::error_code ec;
    std::filesystem::remove(temp_path_, ec);
}

void UpdateFile::commit() {
    if (committed_) throw std::logic_error("UpdateFile::commit called twice for '" + path_.string() + "'");
    root_ = Group(Handle(), path_.string(), "/");
    write_image_and_rename(file_, temp_path_, path_, false);
    committed_ = true;
}

// ------------------------------------------------------------------------------- InputFile

namespace {

Handle open_input_root(const std::filesystem::path& path) {
    QuietErrors quiet(path.string());
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) throw InputError("input file " + quoted(path) + " does not exist");
    if (std::filesystem::is_directory(path, ec)) throw InputError("input " + quoted(path) + " is a folder, not a file");
    // Checked before HDF5 opens it: reading a FIFO blocks until the I/O time limit, and a device
    // never ends.
    if (!std::filesystem::is_regular_file(path, ec))
        throw InputError("input " + quoted(path) + " is not a regular file (a pipe, device or socket); HDF5 input is read from files");
    const htri_t is_hdf5 = H5Fis_hdf5(path.c_str());
    if (is_hdf5 < 0) throw InputError("cannot read input file " + quoted(path));
    if (is_hdf5 == 0) throw InputError("input file " + quoted(path) + " is not an HDF5 file");
    const Handle file(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
    if (!file.valid()) throw InputError("cannot open input file " + quoted(path) + " (corrupt or locked HDF5 file?)");
    // The root group keeps the file open (weak close degree) after `file` is released.
    Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT));
    if (!root.valid()) throw InputError("cannot open the root group of " + quoted(path));
    return root;
}

}  // namespace

InputFile::InputFile(const std::filesystem::path& path) : root_(open_input_root(path), path.string(), "/") {}

std::string hdf5_library_version() {
    unsigned major = 0, minor = 0, release = 0;
    H5get_libversion(&major, &minor, &release);
    return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}


// ---------------------------------------------------------------------------------- tables

std::size_t TableColumn::size() const {
    return std::visit([](const auto& v) { return v.size(); }, values);
}

namespace {

// The file/memory type of one column's field and its size in the packed row buffer.
struct FieldType {
    Handle type;
    std::size_t size = 0;
};

FieldType field_type(const TableColumn& column) {
    return std::visit(
        [](const auto& v) -> FieldType {
            using V = typename std::decay_t<decltype(v)>::value_type;
            if constexpr (std::is_same_v<V, std::string>) return {utf8_string_type(), sizeof(char*)};
            else return {Handle(H5Tcopy(native_type<V>())), sizeof(V)};
        },
        column.values);
}

}  // namespace

Dataset Group::write_table(std::string_view name, std::span<const TableColumn> columns) {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    const std::size_t rows = columns.empty() ? 0 : columns.front().size();
    std::vector<FieldType> fields;
    std::vector<std::size_t> offsets;
    std::size_t row_size = 0;
    for (std::size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].size() != rows)
            throw std::logic_error("write_table " + path + ": column '" + columns[c].name + "' has " + std::to_string(columns[c].size()) +
                                   " rows, expected " + std::to_string(rows));
        for (std::size_t d = 0; d < c; ++d)
            if (columns[d].name == columns[c].name) throw std::logic_error("write_table " + path + ": column '" + columns[c].name + "' twice");
        fields.push_back(field_type(columns[c]));
        offsets.push_back(row_size);
        row_size += fields.back().size;
    }
    if (columns.empty()) throw std::logic_error("write_table " + path + ": no columns");
    Handle type(H5Tcreate(H5T_COMPOUND, row_size));
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (!type.valid() || H5Tinsert(type.get(), columns[c].name.c_str(), offsets[c], fields[c].type.get()) < 0)
            throw std::runtime_error("HDF5: cannot build the row type of " + path);
    // Packed rows; string fields hold pointers into the columns, which outlive the write.
    std::vector<unsigned char> buffer(rows * row_size);
    for (std::size_t c = 0; c < columns.size(); ++c) {
        std::visit(
            [&](const auto& v) {
                using V = typename std::decay_t<decltype(v)>::value_type;
                for (std::size_t r = 0; r < rows; ++r) {
                    unsigned char* at = buffer.data() + r * row_size + offsets[c];
                    if constexpr (std::is_same_v<V, std::string>) {
                        const char* text = v[r].c_str();
                        std::memcpy(at, &text, sizeof text);
                    } else {
                        std::memcpy(at, &v[r], sizeof(V));
                    }
                }
            },
            columns[c].values);
    }
    Handle dataset = create_and_write(id(), name, type.get(), type.get(), buffer.data(), {rows}, path + " in '" + file_name() + "'");
    return Dataset(std::move(dataset), file_name(), path);
}

void Group::remove(std::string_view name) {
    QuietErrors quiet(file_name());
    if (!has(name)) return;
    if (H5Ldelete(id(), std::string(name).c_str(), H5P_DEFAULT) < 0)
        throw std::runtime_error("HDF5: cannot remove " + child_path(name) + " from '" + file_name() + "'");
}

void Group::copy_from(const Group& source, std::string_view name) {
    QuietErrors quiet(file_name());
    const std::string n(name);
    if (H5Ocopy(source.id(), n.c_str(), id(), n.c_str(), H5P_DEFAULT, H5P_DEFAULT) < 0)
        throw std::runtime_error("HDF5: cannot copy " + source.child_path(name) + " of '" + source.file_name() + "' to " + child_path(name) +
                                 " of '" + file_name() + "'");
}

Dataset Group::write_strings(std::string_view name, std::span<const std::string> values) {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    std::vector<const char*> pointers;
    for (const auto& v : values) pointers.push_back(v.c_str());
    const Handle type = utf8_string_type();
    Handle dataset = create_and_write(id(), name, type.get(), type.get(), pointers.data(), {values.size()}, path + " in '" + file_name() + "'");
    return Dataset(std::move(dataset), file_name(), path);
}

std::vector<TableColumn> Dataset::read_table(const ReadLimits& limits) const {
    QuietErrors quiet(file_name());
    const Handle type(H5Dget_type(id()));
    if (!type.valid() || H5Tget_class(type.get()) != H5T_COMPOUND)
        throw InputError(where() + ": expected a table (compound dataset), found " + (type.valid() ? type_description(type.get()) : "?"));
    check_rank_and_size(1, limits);
    const std::size_t rows = shape()[0];
    const int members = H5Tget_nmembers(type.get());
    std::vector<TableColumn> columns;
    for (int k = 0; k < members; ++k) {
        char* raw_name = H5Tget_member_name(type.get(), static_cast<unsigned>(k));
        TableColumn column{raw_name ? raw_name : "", {}};
        H5free_memory(raw_name);
        const Handle member(H5Tget_member_type(type.get(), static_cast<unsigned>(k)));
        const H5T_class_t cls = H5Tget_class(member.get());
        // A memory compound with only this field: HDF5 converts it by name from the file's rows.
        const auto read_field = [&](hid_t memory_field, std::size_t size, void* out) {
            const Handle memory(H5Tcreate(H5T_COMPOUND, size));
            if (!memory.valid() || H5Tinsert(memory.get(), column.name.c_str(), 0, memory_field) < 0 ||
                (rows > 0 && H5Dread(id(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, out) < 0))
                throw InputError(where() + ": cannot read column '" + column.name + "' (corrupt or truncated file?)");
        };
        if (cls == H5T_FLOAT) {
            std::vector<double> v(rows);
            read_field(H5T_NATIVE_DOUBLE, sizeof(double), v.data());
            column.values = std::move(v);
        } else if (cls == H5T_INTEGER && H5Tget_size(member.get()) == 1) {
            std::vector<std::int8_t> v(rows);
            read_field(H5T_NATIVE_INT8, 1, v.data());
            column.values = std::move(v);
        } else if (cls == H5T_INTEGER) {
            std::vector<std::int64_t> v(rows);
            read_field(H5T_NATIVE_INT64, sizeof(std::int64_t), v.data());
            column.values = std::move(v);
        } else if (cls == H5T_STRING) {
            std::vector<char*> pointers(rows, nullptr);
            const Handle string_type = utf8_string_type();
            read_field(string_type.get(), sizeof(char*), pointers.data());
            std::vector<std::string> v;
            for (char* p : pointers) {
                v.emplace_back(p ? p : "");
                H5free_memory(p);
            }
            column.values = std::move(v);
        } else {
            throw InputError(where() + ": column '" + column.name + "' is " + type_description(member.get()) +
                             ", expected numbers or strings");
        }
        columns.push_back(std::move(column));
    }
    return columns;
}

std::vector<std::string> Dataset::read_strings(const ReadLimits& limits) const {
    QuietErrors quiet(file_name());
    const Handle type(H5Dget_type(id()));
    if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING)
        throw InputError(where() + ": expected strings, found " + (type.valid() ? type_description(type.get()) : "?"));
    check_rank_and_size(1, limits);
    const std::size_t rows = shape()[0];
    std::vector<std::string> out;
    if (H5Tis_variable_str(type.get()) > 0) {
        std::vector<char*> pointers(rows, nullptr);
        const Handle memory = utf8_string_type();
        if (rows > 0 && H5Dread(id(), memory.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()) < 0)
            throw InputError(where() + ": cannot read the strings (corrupt or truncated file?)");
        for (char* p : pointers) {
            out.emplace_back(p ? p : "");
            H5free_memory(p);
        }
    } else {
        const std::size_t width = H5Tget_size(type.get());
        std::vector<char> buffer(rows * width);
        if (rows > 0 && H5Dread(id(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0)
            throw InputError(where() + ": cannot read the strings (corrupt or truncated file?)");
        for (std::size_t r = 0; r < rows; ++r) {
            const char* at = buffer.data() + r * width;
            out.emplace_back(at, strnlen(at, width));
        }
    }
    return out;
}

}  // namespace accel::sim::h5
