#pragma once
// The journal of a running sweep: an append-only file beside the result ("OUT.h5.journal")
// holding one record per finished point, so that saving a point costs one write() of that
// point's bytes, whatever the number of points already saved. The result file itself is
// rewritten whole from memory only now and then (sweep_file.hpp, SweepStore); a resume reads
// both.
//
// Layout (native byte order, checked by the header): a header record, then point records.
// Every record is
//     magic "ASJ1" (4 bytes) | kind (uint32: 1 header, 2 point) | payload bytes n (uint64)
//     | payload (n bytes) | crc32 of everything before it in the record (uint32)
// The header's payload is the byte-order mark 0x0102030405060708 (uint64), points_total
// (uint64) and the sweep's fingerprint (the rest); a point's payload is pack(PointResult)
// as float64 values. A record is valid only if it is complete and its checksum matches: a
// write cut short by a kill or a power cut, or garbage after it, ends the journal there.
//
// Durability: each record reaches the kernel in one write() before the point counts as
// saved, so a killed process (SIGKILL included) loses nothing already written. fdatasync
// runs on a background thread at most every `sync_interval`, so a power cut or kernel crash
// loses at most the points finished in the last interval (plus one sync's duration).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "accel/sim/sweep/sweep_file.hpp"

namespace accel::sim {

// The journal that belongs to a sweep result file.
[[nodiscard]] std::filesystem::path journal_path(const std::filesystem::path& result);

// What a journal holds: its header and every valid point record, in file order.
struct SweepJournalState {
    std::string fingerprint;
    std::size_t points_total = 0;
    std::vector<PointResult> points;
    std::uint64_t valid_bytes = 0;    // the header and every valid record
    std::uint64_t ignored_bytes = 0;  // a torn or garbled tail after them
};

// Reads `path`. An empty or torn header (shorter than a header record) gives an empty state
// with no fingerprint; a file whose first record is no journal header is an InputError naming
// it. Point records after the first invalid one are ignored (counted in ignored_bytes).
[[nodiscard]] SweepJournalState read_sweep_journal(const std::filesystem::path& path);

// Appends point records to a new journal. Not copyable; closes (and syncs) on destruction.
class SweepJournalWriter {
public:
    // Creates `path` afresh (replacing any file there) with its header, synced together with
    // its folder entry. std::runtime_error if it cannot be created.
    SweepJournalWriter(std::filesystem::path path, const std::string& fingerprint, std::size_t points_total,
                       std::chrono::milliseconds sync_interval = std::chrono::milliseconds(1000));
    SweepJournalWriter(const SweepJournalWriter&) = delete;
    SweepJournalWriter& operator=(const SweepJournalWriter&) = delete;
    ~SweepJournalWriter();

    // One record, one write(); std::runtime_error if the write fails (disk full, ...) or an
    // earlier background sync failed.
    void append(const PointResult& r);
    // Blocks until every record appended so far is on disk.
    void sync();
    // Syncs and closes, then removes the file (the sweep's result file holds every point).
    void close_and_remove();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

private:
    void write_record(std::uint32_t kind, const std::vector<unsigned char>& payload);
    void sync_loop();
    void stop_syncer() noexcept;

    std::filesystem::path path_;
    int fd_ = -1;
    std::chrono::milliseconds interval_;
    std::vector<unsigned char> buffer_;  // reused for every record
    std::mutex mutex_;
    std::condition_variable wake_;
    bool dirty_ = false;     // records written since the last sync
    bool stopping_ = false;
    int sync_error_ = 0;     // errno of a failed background sync
    std::thread syncer_;
};

}  // namespace accel::sim
