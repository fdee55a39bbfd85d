// Tables: 1-D compound datasets with one field per column, written and read by column.
#include "accel/sim/io/hdf5_internal.hpp"

#include <cstring>

#include "accel/core/errors.hpp"

namespace accel::sim::h5 {

using namespace detail;

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

}  // namespace accel::sim::h5
