#include "esvgd/core/npy.h"

#include <charconv>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include <torch/types.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::core {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(ErrorKind::kFormat, path, "not a valid .npy file: " + what);
}

/// The text that follows `'key':` in the header dictionary, blanks skipped; empty if the key is absent.
/// A plain search (no std::regex: its recursion overflows the stack on long fields).
std::string_view field_value(std::string_view header, std::string_view key) {
  const std::string quoted = "'" + std::string(key) + "'";
  const size_t at = header.find(quoted);
  if (at == std::string_view::npos) return {};
  size_t i = header.find_first_not_of(" \t", at + quoted.size());
  if (i == std::string_view::npos || header[i] != ':') return {};
  i = header.find_first_not_of(" \t", i + 1);
  return i == std::string_view::npos ? std::string_view{} : header.substr(i);
}

/// The part of `text` between an opening `open` (its first character) and the next `close`.
std::optional<std::string_view> enclosed(std::string_view text, char open, char close) {
  if (text.empty() || text.front() != open) return std::nullopt;
  const size_t end = text.find(close, 1);
  if (end == std::string_view::npos) return std::nullopt;
  return text.substr(1, end - 1);
}

std::string clip(std::string_view text) {
  return text.size() <= 40 ? std::string(text) : std::string(text.substr(0, 40)) + "...";
}

std::vector<int64_t> parse_shape(const std::string& path, std::string_view items) {
  std::vector<int64_t> shape;
  while (!items.empty()) {
    const size_t comma = items.find(',');
    std::string_view item = items.substr(0, comma);
    items = comma == std::string_view::npos ? std::string_view{} : items.substr(comma + 1);
    const size_t first = item.find_first_not_of(" \t"), last = item.find_last_not_of(" \t");
    if (first == std::string_view::npos) continue;
    item = item.substr(first, last - first + 1);
    int64_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc() || end != item.data() + item.size()) fail(path, "bad shape entry '" + clip(item) + "'");
    if (v < 0) fail(path, "negative dimension in shape");
    shape.push_back(v);
  }
  return shape;
}

std::string descr_of(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat64: return "<f8";
    case torch::kFloat32: return "<f4";
    case torch::kInt64: return "<i8";
    case torch::kInt32: return "<i4";
    default: throw Error(ErrorKind::kInvalidArgument, "", "write_npy: unsupported dtype " + std::string(c10::toString(t)));
  }
}

struct DType {
  torch::ScalarType type;
  size_t size;
};

DType dtype_of(const std::string& path, const std::string& descr) {
  if (descr == "<f8") return {torch::kFloat64, 8};
  if (descr == "<f4") return {torch::kFloat32, 4};
  if (descr == "<i8") return {torch::kInt64, 8};
  if (descr == "<i4") return {torch::kInt32, 4};
  fail(path, "unsupported dtype '" + clip(descr) + "' (expected <f8, <f4, <i8 or <i4)");
}

}  // namespace

torch::Tensor read_npy(const std::string& path) {
  const std::string bytes = read_text(path);
  if (bytes.size() < kMagicLen + 4 || std::memcmp(bytes.data(), kMagic, kMagicLen) != 0)
    fail(path, "missing the \\x93NUMPY magic string");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) fail(path, "truncated header");
    for (int b = 0; b < 4; ++b) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + b])) << (8 * b);
    offset = 12;
  } else {
    fail(path, "unknown format version " + std::to_string(major));
  }
  if (bytes.size() < offset + header_len) fail(path, "truncated header");
  const std::string header = bytes.substr(offset, header_len);
  offset += header_len;

  const auto descr = enclosed(field_value(header, "descr"), '\'', '\'');
  if (!descr) fail(path, "header lacks 'descr'");
  const DType dt = dtype_of(path, std::string(*descr));
  const std::string_view order = field_value(header, "fortran_order");
  if (order.rfind("True", 0) == 0)
    fail(path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  if (order.rfind("False", 0) != 0) fail(path, "header lacks 'fortran_order'");
  const auto items = enclosed(field_value(header, "shape"), '(', ')');
  if (!items) fail(path, "header lacks 'shape'");
  const std::vector<int64_t> shape = parse_shape(path, *items);
  // The byte count in 64 bits without overflow: a shape too large for memory is a format error too.
  uint64_t need = dt.size;
  for (auto s : shape)
    if (__builtin_mul_overflow(need, static_cast<uint64_t>(s), &need) || need > (uint64_t{1} << 62))
      fail(path, "shape " + clip(*items) + " is too large (its byte count overflows)");
  const size_t have = bytes.size() - offset;
  if (have < need)
    fail(path, "truncated data: shape needs " + std::to_string(need) + " bytes, file has " + std::to_string(have));
  if (have > need)
    fail(path, "trailing data: shape needs " + std::to_string(need) + " bytes, file has " + std::to_string(have));
  torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(dt.type));
  if (need > 0) std::memcpy(t.data_ptr(), bytes.data() + offset, need);  // an empty tensor has no storage
  return t;
}

void write_npy(const std::string& path, const torch::Tensor& tensor) {
  const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
  std::string header = "{'descr': '" + descr_of(t.scalar_type()) + "', 'fortran_order': False, 'shape': (";
  for (int64_t d = 0; d < t.dim(); ++d) header += (d ? ", " : "") + std::to_string(t.size(d));
  if (t.dim() == 1) header += ",";  // Python's one-tuple "(n,)"
  header += "), }";
  // Pad with spaces so that magic + 4 + header (ending in \n) is a multiple of 64, as NumPy does.
  const size_t total = kMagicLen + 4 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  write_atomic(path, [&](std::ostream& os) {
    os.write(kMagic, kMagicLen);
    const char version[2] = {1, 0};
    os.write(version, 2);
    const uint16_t len = static_cast<uint16_t>(header.size());
    const char len_bytes[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    os.write(len_bytes, 2);
    os << header;
    os.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
  });
}

torch::Tensor read_particles(const std::string& path, int64_t expected_dim) {
  torch::Tensor t = read_npy(path);
  if (t.dim() != 2)
    throw Error(ErrorKind::kFormat, path, "particles must be a 2-D array [N, D], got " + std::to_string(t.dim()) + "-D");
  if (t.scalar_type() != torch::kFloat64)
    throw Error(ErrorKind::kFormat, path,
                "particles must be float64 ('<f8'), got " + std::string(c10::toString(t.scalar_type())));
  if (expected_dim > 0 && t.size(1) != expected_dim)
    throw Error(ErrorKind::kFormat, path,
                "particles have dimension D = " + std::to_string(t.size(1)) + ", the target needs D = " +
                    std::to_string(expected_dim));
  if (t.size(0) < 1) throw Error(ErrorKind::kFormat, path, "no particles (N = 0)");
  if (!torch::isfinite(t).all().item<bool>()) throw Error(ErrorKind::kFormat, path, "particles contain NaN or inf");
  return t;
}

}  // namespace esvgd::core
