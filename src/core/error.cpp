#include "esvgd/core/error.h"

#include "core/printable.h"

namespace esvgd {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument: return "invalid argument";
    case ErrorKind::kConfig: return "config error";
    case ErrorKind::kIo: return "I/O error";
    case ErrorKind::kFormat: return "format error";
    case ErrorKind::kNumerical: return "numerical error";
    case ErrorKind::kInternal: return "internal error";
  }
  return "error";
}

namespace {
std::string full_message(const std::string& where, const std::string& what) {
  return core::printable(where.empty() ? what : where + ": " + what);
}
}  // namespace

Error::Error(ErrorKind kind, std::string where, std::string what)
    : std::runtime_error(full_message(where, what)), kind_(kind), where_(std::move(where)), message_(std::move(what)) {}

}  // namespace esvgd
