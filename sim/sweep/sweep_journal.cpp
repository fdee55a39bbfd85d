#include "accel/sim/sweep/sweep_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "accel/core/errors.hpp"

namespace accel::sim {
namespace {

constexpr char magic[4] = {'A', 'S', 'J', '1'};
constexpr std::uint32_t kind_header = 1;
constexpr std::uint32_t kind_point = 2;
constexpr std::uint64_t byte_order_mark = 0x0102030405060708ULL;
constexpr std::size_t record_head_bytes = 4 + 4 + 8;  // magic, kind, payload length
constexpr std::size_t record_tail_bytes = 4;          // crc32
// No record of ours comes near this (a point's model parameters are at most a few million
// values); a length above it is garbage, rejected before anything is allocated.
constexpr std::uint64_t max_payload_bytes = std::uint64_t{1} << 32;

std::string quoted(const std::filesystem::path& p) { return "'" + p.string() + "'"; }

template <class T>
T get(const unsigned char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

std::uint32_t crc_of(const unsigned char* data, std::size_t n) {
    uLong crc = crc32(0L, Z_NULL, 0);
    // zlib takes uInt lengths: feed large records in pieces.
    while (n > 0) {
        const auto piece = static_cast<uInt>(std::min<std::size_t>(n, std::size_t{1} << 30));
        crc = crc32(crc, data, piece);
        data += piece;
        n -= piece;
    }
    return static_cast<std::uint32_t>(crc);
}

void sync_folder_of(const std::filesystem::path& path) {
    const std::filesystem::path folder = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);  // some file systems refuse a folder fsync; the rename/creation still happened
    ::close(fd);
}

// The next record at `at` of `bytes`, if complete with a matching checksum.
struct Record {
    std::uint32_t kind = 0;
    const unsigned char* payload = nullptr;
    std::uint64_t payload_bytes = 0;
    std::uint64_t total_bytes = 0;
};
bool next_record(const std::vector<unsigned char>& bytes, std::uint64_t at, Record& r) {
    const std::uint64_t left = bytes.size() - at;
    if (left < record_head_bytes + record_tail_bytes) return false;
    const unsigned char* p = bytes.data() + at;
    if (std::memcmp(p, magic, sizeof magic) != 0) return false;
    r.kind = get<std::uint32_t>(p + 4);
    r.payload_bytes = get<std::uint64_t>(p + 8);
    if (r.payload_bytes > max_payload_bytes || r.payload_bytes > left - record_head_bytes - record_tail_bytes) return false;
    r.total_bytes = record_head_bytes + r.payload_bytes + record_tail_bytes;
    const auto body = static_cast<std::size_t>(record_head_bytes + r.payload_bytes);
    if (crc_of(p, body) != get<std::uint32_t>(p + body)) return false;
    r.payload = p + record_head_bytes;
    return true;
}

}  // namespace

std::filesystem::path journal_path(const std::filesystem::path& result) {
    std::filesystem::path j = result;
    j += ".journal";
    return j;
}

SweepJournalState read_sweep_journal(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw InputError("sweep journal " + quoted(path) + " is not a regular file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError("sweep journal " + quoted(path) + " cannot be read");
    // Read as it is now; the size bounds every length inside it.
    const std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    SweepJournalState s;
    Record header;
    const std::size_t header_min = record_head_bytes + 16 + record_tail_bytes;
    if (!next_record(bytes, 0, header)) {
        if (bytes.size() < header_min + 16) {  // cut short while it was being created: nothing in it yet
            s.ignored_bytes = bytes.size();
            return s;
        }
        throw InputError("sweep journal " + quoted(path) + " does not start with a sweep journal header (remove it if it is not one)");
    }
    if (header.kind != kind_header || header.payload_bytes < 16 || get<std::uint64_t>(header.payload) != byte_order_mark)
        throw InputError("sweep journal " + quoted(path) + ": its header is not that of a sweep journal of this machine's byte order");
    s.points_total = static_cast<std::size_t>(get<std::uint64_t>(header.payload + 8));
    s.fingerprint.assign(reinterpret_cast<const char*>(header.payload + 16), static_cast<std::size_t>(header.payload_bytes - 16));
    std::uint64_t at = header.total_bytes;
    std::vector<double> values;
    for (Record r; next_record(bytes, at, r); at += r.total_bytes) {
        if (r.kind != kind_point || r.payload_bytes % sizeof(double) != 0) break;
        values.resize(static_cast<std::size_t>(r.payload_bytes / sizeof(double)));
        std::memcpy(values.data(), r.payload, static_cast<std::size_t>(r.payload_bytes));
        try {
            s.points.push_back(unpack(values));
        } catch (const std::exception&) {
            break;  // a checksum collision on garbage: as good as torn
        }
    }
    s.valid_bytes = at;
    s.ignored_bytes = bytes.size() - at;
    return s;
}

SweepJournalWriter::SweepJournalWriter(std::filesystem::path path, const std::string& fingerprint, std::size_t points_total,
                                       std::chrono::milliseconds sync_interval)
    : path_(std::move(path)), interval_(sync_interval) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
    if (fd_ < 0) throw std::runtime_error("cannot create the sweep journal " + quoted(path_) + ": " + std::strerror(errno));
    std::vector<unsigned char> payload(16 + fingerprint.size());
    const std::uint64_t total = points_total;
    std::memcpy(payload.data(), &byte_order_mark, 8);
    std::memcpy(payload.data() + 8, &total, 8);
    if (!fingerprint.empty()) std::memcpy(payload.data() + 16, fingerprint.data(), fingerprint.size());
    try {
        write_record(kind_header, payload);
        if (::fdatasync(fd_) != 0 && errno != EINVAL) throw std::runtime_error("cannot sync the sweep journal " + quoted(path_) + ": " + std::strerror(errno));
    } catch (...) {
        ::close(fd_);
        throw;
    }
    sync_folder_of(path_);
    syncer_ = std::thread([this] { sync_loop(); });
}

SweepJournalWriter::~SweepJournalWriter() {
    stop_syncer();
    if (fd_ >= 0) {
        ::fdatasync(fd_);
        ::close(fd_);
    }
}

void SweepJournalWriter::write_record(std::uint32_t kind, const std::vector<unsigned char>& payload) {
    const std::size_t body = record_head_bytes + payload.size();
    buffer_.resize(body + record_tail_bytes);
    const std::uint64_t length = payload.size();
    std::memcpy(buffer_.data(), magic, sizeof magic);
    std::memcpy(buffer_.data() + 4, &kind, sizeof kind);
    std::memcpy(buffer_.data() + 8, &length, sizeof length);
    if (!payload.empty()) std::memcpy(buffer_.data() + record_head_bytes, payload.data(), payload.size());
    const std::uint32_t crc = crc_of(buffer_.data(), body);
    std::memcpy(buffer_.data() + body, &crc, sizeof crc);
    // One write() for the whole record: once it returns, the record is the kernel's and
    // survives the death of this process. A short write (disk full, signal) is continued;
    // a record left incomplete by a failure is a torn tail that a resume ignores.
    const unsigned char* p = buffer_.data();
    std::size_t left = buffer_.size();
    while (left > 0) {
        const ssize_t n = ::write(fd_, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw std::runtime_error("cannot write the sweep journal " + quoted(path_) + ": " + std::strerror(n < 0 ? errno : ENOSPC));
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

void SweepJournalWriter::append(const PointResult& r) {
    {
        std::lock_guard lock(mutex_);
        if (sync_error_ != 0) throw std::runtime_error("cannot sync the sweep journal " + quoted(path_) + ": " + std::strerror(sync_error_));
    }
    const std::vector<double> packed = pack(r);
    std::vector<unsigned char> payload(packed.size() * sizeof(double));
    std::memcpy(payload.data(), packed.data(), payload.size());
    write_record(kind_point, payload);
    std::lock_guard lock(mutex_);
    dirty_ = true;
}

void SweepJournalWriter::sync() {
    if (::fdatasync(fd_) != 0 && errno != EINVAL) throw std::runtime_error("cannot sync the sweep journal " + quoted(path_) + ": " + std::strerror(errno));
}

void SweepJournalWriter::sync_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wake_.wait_for(lock, interval_, [this] { return stopping_; });
        if (!dirty_ || stopping_) continue;
        dirty_ = false;
        lock.unlock();
        const int rc = ::fdatasync(fd_);
        const int err = rc != 0 && errno != EINVAL ? errno : 0;
        lock.lock();
        if (err != 0) sync_error_ = err;
    }
}

void SweepJournalWriter::stop_syncer() noexcept {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (syncer_.joinable()) syncer_.join();
}

void SweepJournalWriter::close_and_remove() {
    stop_syncer();
    sync();
    ::close(fd_);
    fd_ = -1;
    std::error_code ec;
    std::filesystem::remove(path_, ec);
    sync_folder_of(path_);
}

}  // namespace accel::sim
