#include "run_folder.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::cli {

namespace fs = std::filesystem;

namespace {

/// Marks a staging folder as made by esvgd: only such folders are ever swept.
constexpr const char* kMarker = ".esvgd-staging";

bool is_our_staging(const fs::path& dir, const std::string& prefix) {
  const std::string name = dir.filename().string();
  if (name.rfind(prefix, 0) != 0) return false;
  const std::string pid = name.substr(prefix.size());
  std::error_code ec;
  return !pid.empty() && pid.find_first_not_of("0123456789") == std::string::npos &&
         fs::is_regular_file(dir / kMarker, ec);
}

/// The folder must be a folder (or not exist yet) that this process can write.
void check_writable(const fs::path& out) {
  std::error_code ec;
  if (fs::exists(out, ec) && !fs::is_directory(out, ec))
    throw Error(ErrorKind::kIo, out.string(), "exists and is not a folder; choose another --out");
  fs::path existing = out;
  while (!existing.empty() && !fs::exists(existing, ec)) existing = existing.parent_path();
  if (existing.empty()) existing = ".";
  if (!fs::is_directory(existing, ec))
    throw Error(ErrorKind::kIo, out.string(), existing.string() + " is not a folder, so the output folder cannot be made");
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    throw Error(ErrorKind::kIo, out.string(), "cannot write into " + existing.string() + ": " + std::strerror(errno));
}

void rename_or_throw(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::rename(from, to, ec);
  if (ec) throw Error(ErrorKind::kIo, to.string(), "cannot move " + from.filename().string() + " here: " + ec.message());
}

}  // namespace

RunFolder::RunFolder(const fs::path& out, bool resume) : out_(out), resume_(resume) {
  check_writable(out_);
  lock_ = std::make_unique<core::FolderLock>(out_.string());
  const std::string prefix = out_.filename().string() + ".tmp.";
  std::error_code ec;
  // Holding the lock, every marked staging folder of this output is a killed run's.
  for (const auto& entry : fs::directory_iterator(out_.parent_path(), ec))
    if (is_our_staging(entry.path(), prefix)) fs::remove_all(entry.path(), ec);
  staging_ = out_.parent_path() / (prefix + std::to_string(::getpid()));
  fs::remove_all(staging_, ec);
  fs::create_directories(staging_);
  core::write_text_atomic((staging_ / kMarker).string(), "staging folder of esvgd pid " + std::to_string(::getpid()) + "\n");
  created_out_ = !fs::exists(out_, ec);
  recover_set_aside_checkpoints();
  if (!resume && fs::exists(checkpoints(), ec)) {
    old_checkpoints_ = out_ / (".checkpoints.old." + std::to_string(::getpid()));
    fs::remove_all(old_checkpoints_, ec);
    rename_or_throw(checkpoints(), old_checkpoints_);
  }
}

RunFolder::~RunFolder() {
  std::error_code ec;
  if (!keep_staging_) fs::remove_all(staging_, ec);
  if (done_) return;
  restore_checkpoints();
  if (created_out_ && fs::is_empty(out_, ec)) fs::remove(out_, ec);
}

void RunFolder::recover_set_aside_checkpoints() {
  // A killed fresh run leaves the checkpoints it set aside: they come back unless it wrote its own.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(out_, ec)) {
    if (entry.path().filename().string().rfind(".checkpoints.old.", 0) != 0) continue;
    if (fs::exists(checkpoints(), ec)) fs::remove_all(entry.path(), ec);
    else fs::rename(entry.path(), checkpoints(), ec);
  }
}

void RunFolder::restore_checkpoints() {
  if (resume_) return;  // a resumed run's checkpoints are the run's own progress
  std::error_code ec;
  fs::remove_all(checkpoints(), ec);
  if (!old_checkpoints_.empty()) fs::rename(old_checkpoints_, checkpoints(), ec);
}

void RunFolder::keep_checkpoints() {
  std::error_code ec;
  if (!old_checkpoints_.empty()) fs::remove_all(old_checkpoints_, ec);
  done_ = true;
}

void RunFolder::publish() {
  std::error_code ec;
  // A folder where the run has a file of the same name (or the reverse) is the user's: replace
  // nothing, and leave the outputs where the user finds them.
  for (const auto& entry : fs::directory_iterator(staging_)) {
    const fs::path target = out_ / entry.path().filename();
    if (fs::exists(fs::symlink_status(target)) && fs::is_directory(target, ec) != entry.is_directory()) {
      fs::remove(staging_ / kMarker, ec);
      keep_staging_ = true;
      throw Error(ErrorKind::kIo, target.string(),
                  std::string(entry.is_directory() ? "is not a folder" : "is a folder") +
                      ", but the run writes one of that name; nothing was replaced: the outputs are in " +
                      staging_.string());
    }
  }
  fs::create_directories(out_);
  // Older outputs of the same names are set aside first, so that a failed move can put back
  // everything as it was.
  const fs::path old = out_ / (".outputs.old." + std::to_string(::getpid()));
  fs::remove_all(old, ec);
  fs::create_directories(old);
  std::vector<std::string> moved, set_aside;
  try {
    for (const auto& entry : fs::directory_iterator(staging_)) {
      const std::string name = entry.path().filename().string();
      if (name == kMarker) continue;
      if (fs::exists(fs::symlink_status(out_ / name))) {
        rename_or_throw(out_ / name, old / name);
        set_aside.push_back(name);
      }
      rename_or_throw(entry.path(), out_ / name);
      moved.push_back(name);
    }
  } catch (...) {
    for (const auto& name : moved) fs::rename(out_ / name, staging_ / name, ec);
    for (const auto& name : set_aside) fs::rename(old / name, out_ / name, ec);
    fs::remove_all(old, ec);
    throw;
  }
  fs::remove_all(old, ec);
  if (!old_checkpoints_.empty()) fs::remove_all(old_checkpoints_, ec);
  done_ = true;
}

}  // namespace esvgd::cli
