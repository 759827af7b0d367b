#pragma once
// The output folder of one `esvgd run`: nothing in it changes unless the run succeeds.
//  - An advisory lock (core::FolderLock) refuses a second run into the same folder.
//  - Outputs go to a staging folder "<out>.tmp.<pid>" beside it, marked as ours by a marker file;
//    a later run into the same folder removes marked staging folders left by killed runs.
//  - Training checkpoints live in "<out>/checkpoints" (so that --resume finds a killed run's); a
//    fresh run sets the old ones aside and puts them back if it fails.
//  - publish() moves every staged entry into the folder, all or nothing.
#include <filesystem>
#include <memory>

#include "core/folder_lock.h"

namespace esvgd::cli {

class RunFolder {
 public:
  /// Checks that `out` can be written, takes its lock, sweeps stale staging folders and creates
  /// this run's. `resume`: the checkpoints stay where they are (the run continues them).
  RunFolder(const std::filesystem::path& out, bool resume);
  /// Unless published or kept: removes the staging folder and this run's checkpoints, and puts the
  /// old checkpoints back.
  ~RunFolder();
  RunFolder(const RunFolder&) = delete;
  RunFolder& operator=(const RunFolder&) = delete;

  const std::filesystem::path& staging() const { return staging_; }
  /// Whether a fresh run found checkpoints and set them aside.
  bool set_aside_checkpoints() const { return !old_checkpoints_.empty(); }
  std::filesystem::path checkpoints() const { return out_ / "checkpoints"; }

  /// Moves the staged outputs into the folder (replacing older ones) and drops the old checkpoints;
  /// on failure nothing has changed and esvgd::Error(kIo) names the entry that could not be moved.
  /// A user's folder where the run has a file of that name is never replaced: the error says so and
  /// the staging folder is kept.
  void publish();
  /// An interrupted run: its checkpoints replace the old ones (--resume continues them); the
  /// staged outputs are discarded.
  void keep_checkpoints();

 private:
  void recover_set_aside_checkpoints();
  void restore_checkpoints();

  std::filesystem::path out_, staging_, old_checkpoints_;
  bool resume_, created_out_ = false, done_ = false, keep_staging_ = false;
  std::unique_ptr<core::FolderLock> lock_;
};

}  // namespace esvgd::cli
