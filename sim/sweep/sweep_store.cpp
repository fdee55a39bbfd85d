#include "accel/sim/sweep/sweep_store.hpp"

#include <algorithm>
#include <cstdio>

#include "accel/core/errors.hpp"

namespace accel::sim {
namespace {

namespace fs = std::filesystem;

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

bool by_point(const PointResult& a, const PointResult& b) { return a.point < b.point; }

}  // namespace

ResumedPoints resume_points(const fs::path& result, SweepFileState file, bool keep_models) {
    ResumedPoints out;
    out.in_file = std::move(file.rows);
    const fs::path jp = journal_path(result);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(jp, ec))) return out;
    out.journal_exists = true;
    SweepJournalState j = read_sweep_journal(jp);
    out.ignored_bytes = j.ignored_bytes;
    if (j.fingerprint.empty() && j.points.empty()) return out;  // torn while being created
    if (j.fingerprint != file.fingerprint || j.points_total != file.points_total)
        throw InputError("--resume: sweep journal " + quoted(jp) + " belongs to a different sweep (fingerprint " + j.fingerprint + ", " +
                         std::to_string(j.points_total) + " points; " + quoted(result) + " has " + file.fingerprint + ", " +
                         std::to_string(file.points_total) + " points); remove the journal only if it is not this sweep's");
    std::vector<bool> have(file.points_total, false);
    for (const auto& r : out.in_file) have[r.point] = true;
    for (auto& r : j.points) {
        const bool fits = r.point < file.points_total && r.chips >= 0 && static_cast<std::size_t>(r.chips) == r.chip_accuracy.size() &&
                          std::all_of(r.chip_accuracy.begin(), r.chip_accuracy.end(), [](double a) { return a >= 0.0 && a <= 1.0; }) &&
                          keep_models == !r.model_parameters.empty();
        if (!fits)
            throw InputError("--resume: sweep journal " + quoted(jp) + " holds a record of point " + std::to_string(r.point) +
                             " that does not fit this sweep (" + std::to_string(file.points_total) + " points" +
                             (keep_models ? ", a model per point" : "") + ")");
        if (have[r.point]) continue;  // also in the file: written there before the journal was cleared
        have[r.point] = true;
        out.journal_only.push_back(std::move(r));
    }
    return out;
}

SweepStore::SweepStore(fs::path path, SweepHeader header, ResumedPoints points, AxisValues axis_values, ModelWriter model_writer,
                       SweepStorePolicy policy)
    : path_(std::move(path)),
      header_(std::move(header)),
      axis_values_(std::move(axis_values)),
      model_writer_(std::move(model_writer)),
      policy_(policy),
      rows_(std::move(points.in_file)),
      sorted_(rows_.size()),
      rows_in_file_(rows_.size()),
      last_rewrite_end_(std::chrono::steady_clock::now()) {
    if (!points.journal_only.empty()) {
        for (auto& r : points.journal_only) add_to_memory(std::move(r));
        rewrite();  // the union in the file before a fresh journal replaces the old one
    }
}

SweepStore::~SweepStore() = default;

void SweepStore::add_to_memory(PointResult r) {
    if (!r.model_parameters.empty()) pending_models_[r.point] = std::move(r.model_parameters);
    r.model_parameters = {};
    rows_.push_back(std::move(r));
}

void SweepStore::add(PointResult r) {
    if (!journal_) journal_ = std::make_unique<SweepJournalWriter>(journal_path(path_), header_.fingerprint, header_.points_total, policy_.sync_interval);
    journal_->append(r);
    add_to_memory(std::move(r));
    if (rewrite_due()) rewrite();
}

bool SweepStore::rewrite_due() const {
    if (rows_.size() == rows_in_file_) return false;
    if (static_cast<double>(rows_.size()) >= policy_.growth * static_cast<double>(rows_in_file_)) return true;
    if (!(policy_.rewrite_share > 0.0)) return false;
    const double since = std::chrono::duration<double>(std::chrono::steady_clock::now() - last_rewrite_end_).count();
    return since * policy_.rewrite_share >= last_rewrite_s_;
}

void SweepStore::rewrite() {
    const auto start = std::chrono::steady_clock::now();
    // Points arrive in order in a serial run and nearly so under MPI: sort only what came
    // since the last rewrite, then merge the two sorted runs (O(rows)).
    const auto tail = rows_.begin() + static_cast<std::ptrdiff_t>(sorted_);
    if (!std::is_sorted(tail, rows_.end(), by_point)) std::sort(tail, rows_.end(), by_point);
    if (tail != rows_.begin() && tail != rows_.end() && by_point(*tail, *(tail - 1))) std::inplace_merge(rows_.begin(), tail, rows_.end(), by_point);
    sorted_ = rows_.size();

    std::vector<std::vector<ConfigValue>> axis_values;
    axis_values.reserve(rows_.size());
    for (const auto& r : rows_) axis_values.push_back(axis_values_(r.point));
    write_sweep_file(path_, header_, rows_, axis_values, h5::Overwrite::yes, [&](h5::Group& root) {
        // What the previous version holds besides the table: the base model of an eval sweep
        // (/model, /train, /metrics) and the per-point models, copied object by object.
        const h5::InputFile previous(path_);
        for (const auto& name : previous.root().member_names())
            if (name != "sweep") root.copy_from(previous.root(), name);
        const h5::Group old_sweep = previous.root().open_group("sweep");
        if (old_sweep.has_group("models") || !pending_models_.empty()) {
            h5::Group models = root.open_group("sweep").create_group("models");
            if (old_sweep.has_group("models")) {
                const h5::Group old_models = old_sweep.open_group("models");
                for (const auto& name : old_models.member_names()) models.copy_from(old_models, name);
            }
            for (const auto& [point, parameters] : pending_models_) {
                h5::Group g = models.create_group("point_" + std::to_string(point));
                model_writer_(g, point, parameters);
            }
        }
    });
    pending_models_.clear();
    rows_in_file_ = rows_.size();
    ++rewrites_;
    last_rewrite_end_ = std::chrono::steady_clock::now();
    last_rewrite_s_ = std::chrono::duration<double>(last_rewrite_end_ - start).count();
}

void SweepStore::finish() {
    if (rows_.size() != rows_in_file_) rewrite();
    if (journal_) {
        journal_->close_and_remove();
        journal_.reset();
    } else {
        std::error_code ec;
        fs::remove(journal_path(path_), ec);  // merged into the file at start-up
    }
}

}  // namespace accel::sim
