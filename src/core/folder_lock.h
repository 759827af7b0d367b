#pragma once
/// An advisory lock on a folder path, held by one process at a time: the file "<folder>.lock"
/// beside it, locked with flock(2) and removed on release. The lock outlives no process: the
/// kernel drops it when its holder dies, and the next holder removes the stale file.
#include <string>

namespace esvgd::core {

class FolderLock {
 public:
  /// Takes the lock or throws esvgd::Error(kIo) naming `folder` (and the holder's pid when another
  /// process holds it). The folder itself need not exist; its parent is created.
  explicit FolderLock(const std::string& folder);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace esvgd::core
