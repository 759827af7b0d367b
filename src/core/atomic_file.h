#pragma once
/// Atomic output: a file is written to a temporary sibling and renamed into place, so a reader
/// never sees half a file and a crash leaves at most a stray "*.tmp.*" that is never the result.
#include <functional>
#include <ostream>
#include <string>

namespace esvgd::core {

/// Calls write(stream) on a temporary file next to `path`, flushes, fsyncs and renames it to `path`.
/// Throws esvgd::Error(kIo) naming the path on any failure; the temporary is removed then.
void write_atomic(const std::string& path, const std::function<void(std::ostream&)>& write);

/// Convenience: write a string atomically.
void write_text_atomic(const std::string& path, const std::string& text);

/// Reads a whole file; throws esvgd::Error(kIo) naming the path if it cannot be read.
std::string read_text(const std::string& path);

}  // namespace esvgd::core
