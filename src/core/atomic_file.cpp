#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "esvgd/core/error.h"

namespace esvgd::core {

namespace {
void fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}
}  // namespace

void write_atomic(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    {
      std::ofstream os(tmp, std::ios::binary | std::ios::trunc);
      if (!os) throw Error(ErrorKind::kIo, path, std::string("cannot open for writing: ") + std::strerror(errno));
      write(os);
      os.flush();
      if (!os) throw Error(ErrorKind::kIo, path, "write failed (disk full?)");
    }
    fsync_path(tmp);
    if (std::rename(tmp.c_str(), path.c_str()) != 0)
      throw Error(ErrorKind::kIo, path, std::string("rename failed: ") + std::strerror(errno));
  } catch (...) {
    std::error_code ec;
    std::filesystem::remove(tmp, ec);
    throw;
  }
}

void write_text_atomic(const std::string& path, const std::string& text) {
  write_atomic(path, [&](std::ostream& os) { os << text; });
}

std::string read_text(const std::string& path) {
  std::error_code ec;  // a FIFO or a device would block or never end
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec))
    throw Error(ErrorKind::kIo, path, "is not a regular file");
  std::ifstream is(path, std::ios::binary);
  if (!is) throw Error(ErrorKind::kIo, path, "cannot open for reading: " + std::string(std::strerror(errno)));
  std::ostringstream ss;
  ss << is.rdbuf();
  return ss.str();
}

}  // namespace esvgd::core
