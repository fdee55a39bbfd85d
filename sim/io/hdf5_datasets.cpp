// Dataset: shape, type and the checked reads of numbers and strings (tables: hdf5_tables.cpp).
#include "accel/sim/io/hdf5_internal.hpp"

#include <cmath>
#include <cstring>

#include "accel/core/errors.hpp"

namespace accel::sim::h5 {

using namespace detail;

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
