#include "core/folder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "esvgd/core/error.h"

namespace esvgd::core {

namespace {

std::string holder_of(int fd) {
  char pid[32] = {};
  const ssize_t n = ::pread(fd, pid, sizeof pid - 1, 0);
  return n > 0 ? std::string(pid, static_cast<size_t>(n)) : std::string("unknown");
}

}  // namespace

FolderLock::FolderLock(const std::string& folder) : path_(folder + ".lock") {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(path_).parent_path(), ec);
  // The file may be removed by its previous holder between our open and flock; then the lock we
  // got is on a dead file, and we try again on the new one.
  for (;;) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) throw Error(ErrorKind::kIo, folder, std::string("cannot create the lock file: ") + std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      const std::string pid = holder_of(fd_);
      ::close(fd_);
      throw Error(ErrorKind::kIo, folder,
                  "another esvgd run (pid " + pid + ") is writing into this folder; wait for it or choose another --out");
    }
    struct stat held {}, named {};
    if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      break;
    ::close(fd_);
  }
  const std::string pid = std::to_string(::getpid());
  // The pid only serves the message of a refused run: the lock holds without it.
  const bool noted = ::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) > 0;
  (void)noted;
}

FolderLock::~FolderLock() {
  ::unlink(path_.c_str());  // before closing: whoever opens the old file next sees it is gone
  ::close(fd_);
}

}  // namespace esvgd::core
