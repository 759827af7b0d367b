#include "esvgd/core/npy.h"

#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <vector>

#include <torch/torch.h>

#include "esvgd/core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::core {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicLen = 6;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Error(ErrorKind::kFormat, path, "not a valid .npy file: " + what);
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
  fail(path, "unsupported dtype '" + descr + "' (expected <f8, <f4, <i8 or <i4)");
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

  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([^']*)')"))) fail(path, "header lacks 'descr'");
  const DType dt = dtype_of(path, m[1]);
  if (!std::regex_search(header, m, std::regex(R"('fortran_order'\s*:\s*(True|False))")))
    fail(path, "header lacks 'fortran_order'");
  if (m[1] == "True") fail(path, "Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))"))) fail(path, "header lacks 'shape'");
  std::vector<int64_t> shape;
  {
    std::stringstream ss(m[1].str());
    std::string item;
    while (std::getline(ss, item, ',')) {
      const auto first = item.find_first_not_of(" \t");
      if (first == std::string::npos) continue;
      try {
        shape.push_back(std::stoll(item.substr(first)));
      } catch (const std::exception&) {
        fail(path, "bad shape entry '" + item + "'");
      }
      if (shape.back() < 0) fail(path, "negative dimension in shape");
    }
  }
  int64_t count = 1;
  for (auto s : shape) count *= s;
  const size_t need = static_cast<size_t>(count) * dt.size;
  const size_t have = bytes.size() - offset;
  if (have < need)
    fail(path, "truncated data: shape needs " + std::to_string(need) + " bytes, file has " + std::to_string(have));
  if (have > need)
    fail(path, "trailing data: shape needs " + std::to_string(need) + " bytes, file has " + std::to_string(have));
  torch::Tensor t = torch::empty(shape, torch::TensorOptions().dtype(dt.type));
  std::memcpy(t.data_ptr(), bytes.data() + offset, need);
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
