// Group: members, navigation, and the writes of arrays, strings, removal and copies (tables:
// hdf5_tables.cpp).
#include "accel/sim/io/hdf5_internal.hpp"

#include <algorithm>
#include <cerrno>

#include "accel/core/errors.hpp"

namespace accel::sim::h5 {

using namespace detail;

namespace {

herr_t collect_link(hid_t, const char* name, const H5L_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
}

std::size_t element_count(const std::vector<std::size_t>& shape) {
    std::size_t n = 1;
    for (const std::size_t d : shape) n *= d;
    return n;
}

}  // namespace

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

Dataset Group::write_strings(std::string_view name, std::span<const std::string> values) {
    QuietErrors quiet(file_name());
    const std::string path = child_path(name);
    std::vector<const char*> pointers;
    for (const auto& v : values) pointers.push_back(v.c_str());
    const Handle type = utf8_string_type();
    Handle dataset = create_and_write(id(), name, type.get(), type.get(), pointers.data(), {values.size()}, path + " in '" + file_name() + "'");
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

}  // namespace accel::sim::h5
