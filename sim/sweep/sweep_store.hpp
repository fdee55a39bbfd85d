#pragma once
// How a running sweep keeps its finished points: every point is appended to the journal
// (sweep_journal.hpp) at once, and the HDF5 result file is rewritten whole from memory only
// when
//   - the number of points has grown by `growth` (×2) since the file was last written, or
//   - the time since the last rewrite is at least 1/`rewrite_share` (20×) what that
//     rewrite took, so rewriting costs at most ~5 % of the run however slow points are,
//     and a sweep of slow points (training) keeps its .h5 nearly current,
// and once more at the end, after which the journal is removed. A rewrite costs O(rows), so
// with the growth rule the cost per point is amortised constant (the rewrites of a sweep of
// n points write fewer than 2n + rows of the last rewrite, i.e. < 4n rows), and the file holds
// no dead space: it is built afresh, never changed in place.
//
// While the sweep runs, the .h5 is a complete, readable sweep file that may lag the journal;
// the journal holds the rest. A resume merges both (resume_sweep_state).

#include <chrono>
#include <cstdint>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "accel/sim/sweep/sweep_file.hpp"
#include "accel/sim/sweep/sweep_journal.hpp"

namespace accel::sim {

struct SweepStorePolicy {
    double growth = 2.0;
    double rewrite_share = 0.05;  // 0: the growth rule only
    std::chrono::milliseconds sync_interval{1000};
};

// The points of an interrupted sweep: the result file's rows and the valid journal records
// not in it (with any per-point models they carry). InputError naming the journal if it
// belongs to another sweep (fingerprint or points_total differ) or holds a record that no
// point of this sweep can have. A torn or garbled journal tail is ignored; `ignored_bytes`
// says how much.
struct ResumedPoints {
    std::vector<PointResult> in_file;  // sorted, as read
    std::vector<PointResult> journal_only;
    std::uint64_t ignored_bytes = 0;
    bool journal_exists = false;
};
[[nodiscard]] ResumedPoints resume_points(const std::filesystem::path& result, SweepFileState file, bool keep_models);

class SweepStore {
public:
    // The axis values of a point as the table stores them.
    using AxisValues = std::function<std::vector<ConfigValue>(std::size_t point)>;
    // Writes the model of `point` under `group` (keep_models).
    using ModelWriter = std::function<void(h5::Group& group, std::size_t point, std::span<const double> parameters)>;

    // `path` exists and holds `points.in_file`; points.journal_only are merged into it by a
    // rewrite first, if any. The journal is created at the first add().
    SweepStore(std::filesystem::path path, SweepHeader header, ResumedPoints points, AxisValues axis_values, ModelWriter model_writer,
               SweepStorePolicy policy = {});
    SweepStore(const SweepStore&) = delete;
    SweepStore& operator=(const SweepStore&) = delete;
    ~SweepStore();

    // Saves one finished point (its record reaches the kernel before this returns).
    void add(PointResult r);
    // Writes the final file and removes the journal.
    void finish();

    [[nodiscard]] std::size_t rows() const { return rows_.size(); }
    [[nodiscard]] std::size_t rewrites() const { return rewrites_; }

private:
    void add_to_memory(PointResult r);
    void rewrite();
    [[nodiscard]] bool rewrite_due() const;

    std::filesystem::path path_;
    SweepHeader header_;
    AxisValues axis_values_;
    ModelWriter model_writer_;
    SweepStorePolicy policy_;
    std::vector<PointResult> rows_;  // the first sorted_ sorted by point, then as they came
    std::size_t sorted_ = 0;
    std::size_t rows_in_file_ = 0;
    std::map<std::size_t, std::vector<double>> pending_models_;  // by point, not yet in the file
    std::unique_ptr<SweepJournalWriter> journal_;
    std::chrono::steady_clock::time_point last_rewrite_end_;
    double last_rewrite_s_ = 0.0;
    std::size_t rewrites_ = 0;
};

}  // namespace accel::sim
