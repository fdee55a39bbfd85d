#pragma once
// Small RAII wrappers over the HDF5 C API, enough for result files, checkpoints and field
// input. hdf5.h stays in the sources (hdf5_*.cpp and their private hdf5_internal.hpp):
// identifiers are held as std::int64_t (hid_t since HDF5 1.10). HDF5's automatic error-stack
// printing is switched off inside every call so a failure surfaces as one exception with a
// one-line message.
//
// Conventions of the files we write:
// - complex arrays are the compound type {"r", "i"} of float or double (h5py reads a complex
//   array);
// - strings are variable-length UTF-8 (h5py reads str);
// - a physical quantity carries a `unit` attribute, or its name ends in the unit.
//
// Errors: reading throws InputError (files given to us are user input) naming the file, the
// object and what was expected; writing throws std::runtime_error, except that an output
// path that cannot be created is an InputError.

#include <complex>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace accel::sim::h5 {

// Owns one HDF5 identifier of any kind and releases it on destruction.
class Handle {
public:
    Handle() = default;
    explicit Handle(std::int64_t id) : id_(id) {}
    Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = -1; }
    Handle& operator=(Handle&& o) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() { reset(); }

    [[nodiscard]] std::int64_t get() const { return id_; }
    [[nodiscard]] bool valid() const { return id_ >= 0; }
    void reset() noexcept;
    // Gives up ownership without closing: for an identifier closed explicitly (H5Fclose),
    // which after a failed close may still look valid and must not be closed twice.
    [[nodiscard]] std::int64_t release() noexcept {
        const std::int64_t id = id_;
        id_ = -1;
        return id;
    }

private:
    std::int64_t id_ = -1;
};

// Checked before anything is allocated for a dataset read, so a corrupt or hostile header
// cannot trigger a giant allocation.
struct ReadLimits {
    std::size_t max_extent = std::size_t{1} << 16;    // per dimension
    std::size_t max_elements = std::size_t{1} << 26;  // 64 Mi elements (1 GiB of complex double)
};

// One column of a table (a 1-D compound dataset): a name and one value per row. Booleans
// are stored as int8 0/1; strings as variable-length UTF-8.
struct TableColumn {
    std::string name;
    std::variant<std::vector<double>, std::vector<std::int64_t>, std::vector<std::int8_t>, std::vector<std::string>> values;
    [[nodiscard]] std::size_t size() const;
};

template <class T>
struct Array2D {
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::vector<T> values;  // row-major
};

// A group or dataset: something that carries attributes.
class Object {
public:
    [[nodiscard]] const std::string& file_name() const { return file_; }
    [[nodiscard]] const std::string& path() const { return path_; }  // inside the file, e.g. "/field"

    void set_attribute(std::string_view name, double value);
    void set_attribute(std::string_view name, std::string_view value);
    void set_attribute(std::string_view name, const char* value) { set_attribute(name, std::string_view(value)); }
    template <std::integral I>
    void set_attribute(std::string_view name, I value) {
        if constexpr (std::unsigned_integral<I> && sizeof(I) == 8) set_uint64_attribute(name, value);
        else set_int64_attribute(name, static_cast<std::int64_t>(value));
    }
    // The `unit` attribute of a physical quantity ("m", "W", "sqrt(W)/m", ...).
    void set_unit(std::string_view unit) { set_attribute("unit", unit); }

    [[nodiscard]] bool has_attribute(std::string_view name) const;
    // Any scalar integer or floating-point attribute, converted.
    [[nodiscard]] double attribute_double(std::string_view name) const;
    // Any scalar integer attribute.
    [[nodiscard]] std::int64_t attribute_int64(std::string_view name) const;
    // A scalar string attribute, fixed or variable length.
    [[nodiscard]] std::string attribute_string(std::string_view name) const;
    // Names of every attribute, in creation order where the file tracks it, else by name.
    [[nodiscard]] std::vector<std::string> attribute_names() const;
    // A readable rendering of any attribute: numbers (%.6g), strings, or "<type, n values>".
    [[nodiscard]] std::string attribute_text(std::string_view name) const;

protected:
    Object(Handle h, std::string file, std::string path) : handle_(std::move(h)), file_(std::move(file)), path_(std::move(path)) {}
    [[nodiscard]] std::int64_t id() const { return handle_.get(); }
    // "'file.h5': /path" for messages.
    [[nodiscard]] std::string where() const;
    [[nodiscard]] std::string child_path(std::string_view name) const;

private:
    void set_int64_attribute(std::string_view name, std::int64_t value);
    void set_uint64_attribute(std::string_view name, std::uint64_t value);

    Handle handle_;
    std::string file_;
    std::string path_;
};

class Dataset : public Object {
public:
    [[nodiscard]] std::vector<std::size_t> shape() const;

    // A 2-D compound {r, i} dataset of float or double, converted to Real; rejects other
    // types, ranks, sizes beyond `limits` and non-finite values.
    template <class Real>
    [[nodiscard]] Array2D<std::complex<Real>> read_complex_2d(const ReadLimits& limits = {}) const;
    // A 2-D floating-point dataset (integers are rejected), converted to T = float or
    // double; rejects non-finite values.
    template <class T>
    [[nodiscard]] Array2D<T> read_real_2d(const ReadLimits& limits = {}) const;
    // A 1-D or 2-D numeric dataset as T ∈ {double, int64_t, int8_t}: double needs a
    // floating-point dataset and rejects non-finite values; int64_t takes any integer type;
    // int8_t needs 8-bit signed integers. Other types, ranks and sizes beyond `limits` are
    // InputErrors naming the file and the dataset.
    template <class T>
    [[nodiscard]] std::vector<T> read_vector(const ReadLimits& limits = {}) const;
    template <class T>
    [[nodiscard]] Array2D<T> read_array_2d(const ReadLimits& limits = {}) const;
    // A 2-D floating-point dataset where NaN marks a missing entry (padding); infinities are
    // still rejected.
    [[nodiscard]] Array2D<double> read_padded_2d(const ReadLimits& limits = {}) const;

    // A 1-D compound dataset read back as columns, in field order: floating-point fields as
    // double (NaN allowed: tables mark "not measured" with it), 1-byte integers as int8, other
    // integers as int64, strings as std::string. Other field types, ranks and sizes beyond
    // `limits` are InputErrors.
    [[nodiscard]] std::vector<TableColumn> read_table(const ReadLimits& limits = {}) const;
    // A 1-D dataset of strings (fixed or variable length).
    [[nodiscard]] std::vector<std::string> read_strings(const ReadLimits& limits = {}) const;

    // "float64", "int8", "complex128", "string", ... (numpy's names).
    [[nodiscard]] std::string type_name() const;

private:
    friend class Group;
    using Object::Object;
    void check_rank_and_size(int rank, const ReadLimits& limits) const;
    template <class T>
    [[nodiscard]] std::vector<T> read_numeric(int rank, const ReadLimits& limits, bool nan_allowed = false) const;
};

class Group : public Object {
public:
    Group create_group(std::string_view name);
    [[nodiscard]] Group open_group(std::string_view name) const;
    // True if `name` (relative, may contain '/') names an existing link.
    [[nodiscard]] bool has(std::string_view name) const;
    // InputError if missing or not a dataset.
    [[nodiscard]] Dataset open_dataset(std::string_view name) const;
    // Names of the direct members (groups and datasets), sorted by name.
    [[nodiscard]] std::vector<std::string> member_names() const;
    // True if `name` exists and is a group (resp. a dataset).
    [[nodiscard]] bool has_group(std::string_view name) const;
    [[nodiscard]] bool has_dataset(std::string_view name) const;

    // rows×cols row-major complex samples as the compound {r, i}.
    template <class Real>
    Dataset write_complex(std::string_view name, std::span<const std::complex<Real>> values, std::size_t rows,
                          std::size_t cols);
    // A numeric array of any rank (typically 1 or 2), row-major; the product of `shape` must
    // equal values.size(). T ∈ {double, float, int64_t, int32_t, int8_t, uint8_t}.
    template <class T>
    Dataset write_array(std::string_view name, std::span<const T> values, std::vector<std::size_t> shape);

    // A table: a 1-D compound dataset with one field per column (float64, int64, int8 or
    // variable-length UTF-8 string), one element per row; every column must have the same
    // number of rows and a distinct name. h5py reads it as a structured numpy array.
    Dataset write_table(std::string_view name, std::span<const TableColumn> columns);
    // Removes the link `name` (a dataset or a group) if it exists.
    void remove(std::string_view name);
    // Copies the member `name` of `source` (a dataset, or a group with everything under it,
    // attributes included; the files may differ) to the member `name` of this group.
    void copy_from(const Group& source, std::string_view name);
    // A 1-D dataset of variable-length UTF-8 strings.
    Dataset write_strings(std::string_view name, std::span<const std::string> values);

private:
    friend class OutputFile;
    friend class InputFile;
    friend class UpdateFile;
    using Object::Object;
    [[nodiscard]] int member_kind(std::string_view name) const;  // H5I type of the member, or −1
};

enum class Overwrite { no, yes };

// A new HDF5 file written atomically: it is built in memory, and commit() writes it to
// "<path>.tmp-<pid>" in the same folder, syncs it and renames it over `path`. Destroyed
// without commit (an error, a crash in between) nothing is left and an existing `path` is
// untouched; a full disk or a file-size limit at commit is an InputError with the reason,
// again leaving `path` as it was. Objects obtained from root() must not be used after commit().
class OutputFile {
public:
    // InputError if the folder does not exist, or `path` exists and overwrite is Overwrite::no.
    OutputFile(std::filesystem::path path, Overwrite overwrite);
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;
    ~OutputFile();

    Group& root() { return root_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] const std::filesystem::path& temp_path() const { return temp_path_; }
    void commit();

private:
    std::filesystem::path path_;
    std::filesystem::path temp_path_;
    Overwrite overwrite_;
    Handle file_;
    Group root_;
    bool committed_ = false;
};

// An existing HDF5 file changed atomically: it is read into memory and changed there, and
// commit() writes it to "<path>.tmp-<pid>" and renames it over `path`, as OutputFile does.
// Destroyed without commit, `path` is untouched. InputError if `path` is missing or not
// HDF5. Objects obtained from root() must not be used after commit().
class UpdateFile {
public:
    explicit UpdateFile(std::filesystem::path path);
    UpdateFile(const UpdateFile&) = delete;
    UpdateFile& operator=(const UpdateFile&) = delete;
    ~UpdateFile();

    Group& root() { return root_; }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    void commit();

private:
    std::filesystem::path path_;
    std::filesystem::path temp_path_;
    Handle file_;
    Group root_;
    bool committed_ = false;
};

// An existing HDF5 file opened read-only. InputError if it is missing or not HDF5.
class InputFile {
public:
    explicit InputFile(const std::filesystem::path& path);

    [[nodiscard]] const Group& root() const { return root_; }
    [[nodiscard]] Dataset open_dataset(std::string_view name) const { return root_.open_dataset(name); }

private:
    Group root_;
};

// "1.10.8": the HDF5 library in use (for provenance).
std::string hdf5_library_version();

}  // namespace accel::sim::h5
