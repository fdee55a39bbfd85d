#pragma once
// What the HDF5 wrappers of hdf5_file.hpp share among their source files (hdf5_*.cpp): the
// error-stack guard, the memory types of our element types, type descriptions for messages,
// and the checked dataset write. Not part of the wrappers' interface: it includes hdf5.h,
// which users of hdf5_file.hpp never see.

#include <complex>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <hdf5.h>

#include "accel/sim/io/hdf5_file.hpp"
#include "accel/sim/io/io_watchdog.hpp"

namespace accel::sim::h5::detail {

static_assert(std::is_same_v<hid_t, std::int64_t>, "the wrappers hold hid_t as int64_t (HDF5 >= 1.10)");

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

// "'path'" for messages.
std::string quoted(const std::filesystem::path& p);

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

// The variable-length UTF-8 string type of our files.
Handle utf8_string_type();

// "64-bit floating-point", "compound {r, i}", ...: a type as messages describe it.
std::string type_description(hid_t type);
// numpy's name of an HDF5 type, for summaries: "float64", "int8", "complex128", "string".
std::string numpy_name(hid_t type);
// The compound {r, i} of two floating-point members (complex numbers as h5py writes them).
bool is_complex_compound(hid_t type);

// A write that failed. When the system says why (a full disk, a file-size limit, a read-only
// or failing device), the cause is the user's environment: InputError (exit code 2) with the
// reason. Otherwise it is an internal error. `err` is errno, cleared before the HDF5 call.
[[noreturn]] void throw_write_error(const std::string& what, int err);

// Creates the dataset `name` of `parent` (intermediate groups included) with `shape` (empty:
// a scalar) and writes `data` to it; `what` names it in messages.
Handle create_and_write(hid_t parent, std::string_view name, hid_t file_type, hid_t memory_type, const void* data,
                        const std::vector<std::size_t>& shape, const std::string& what);

}  // namespace accel::sim::h5::detail
