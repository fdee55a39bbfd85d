// The files: OutputFile and UpdateFile built in memory and committed atomically (temporary,
// sync, rename), and InputFile opened read-only.
#include "accel/sim/io/hdf5_internal.hpp"
#include "accel/sim/io/output_checks.hpp"

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fcntl.h>
#include <unistd.h>

#include "accel/core/errors.hpp"

namespace accel::sim::h5 {

using namespace detail;

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

}  // namespace accel::sim::h5
