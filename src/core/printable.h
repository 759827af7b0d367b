#pragma once
/// One printable line from any text: control bytes (from binary files, or a NUL that would cut a
/// C string) are shown as \xNN. Every esvgd::Error message passes through it.
#include <string>

namespace esvgd::core {

std::string printable(const std::string& text);

}  // namespace esvgd::core
