// Object: names in messages, and the attributes of groups and datasets.
#include "accel/sim/io/hdf5_internal.hpp"

#include <cerrno>

#include "accel/core/errors.hpp"
#include "accel/core/format.hpp"

namespace accel::sim::h5 {

using namespace detail;

namespace {

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

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* out) {
    static_cast<std::vector<std::string>*>(out)->emplace_back(name);
    return 0;
}

}  // namespace

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
    if (count == 1 && cls == H5T_FLOAT) return core::general_text(attribute_double(name));
    // Appended piecewise: GCC 12 reports a false -Wrestrict for "<" + std::string&& (GCC bug 105329).
    std::string summary(1, '<');
    summary += numpy_name(type.get());
    summary += ", " + std::to_string(count) + " values>";
    return summary;
}

}  // namespace accel::sim::h5
