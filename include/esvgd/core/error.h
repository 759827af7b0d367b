#pragma once
/// esvgd::Error: the one exception type of the library.
///
/// It carries what failed, where (a file, an option such as "SvgdOptions::max_steps", a config key or a
/// step) and what was expected, so that the command line can print it on one line. Library code names
/// options; the experiment layer renames them to the config keys that set them (core/config.h). Use ESVGD_CHECK(cond, pieces...) at every boundary
/// (user input, files, config); never name a macro CHECK or LOG (glog leaks those from torch).
#include <sstream>
#include <stdexcept>
#include <string>

namespace esvgd {

/// Error kinds let callers branch without a class hierarchy.
enum class ErrorKind { kInvalidArgument, kConfig, kIo, kFormat, kNumerical, kInternal };

const char* to_string(ErrorKind kind);

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string where, std::string what);
  ErrorKind kind() const { return kind_; }
  /// File, option, config key, or step where the problem was found (may be empty).
  const std::string& where() const { return where_; }
  /// What failed, without `where`.
  const std::string& message() const { return message_; }

 private:
  ErrorKind kind_;
  std::string where_, message_;
};

namespace detail {
template <typename... Args>
std::string concat(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace esvgd

/// Throws esvgd::Error(kind, "", message) when cond is false; the message is the concatenation of pieces.
#define ESVGD_CHECK_KIND(cond, kind, ...)                                              \
  do {                                                                                 \
    if (!(cond)) throw ::esvgd::Error((kind), "", ::esvgd::detail::concat(__VA_ARGS__)); \
  } while (false)
#define ESVGD_CHECK(cond, ...) ESVGD_CHECK_KIND(cond, ::esvgd::ErrorKind::kInvalidArgument, __VA_ARGS__)
#define ESVGD_ASSERT(cond)                                                                  \
  ESVGD_CHECK_KIND(cond, ::esvgd::ErrorKind::kInternal, "internal error: ", #cond, " at ", \
                   __FILE__, ":", __LINE__)
