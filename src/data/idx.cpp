#include "esvgd/data/idx.h"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "core/atomic_file.h"
#include "esvgd/core/error.h"

namespace esvgd::data {

namespace {

// A corrupt header must not make us allocate absurd amounts: the largest dataset file we read is
// 47 MB (Fashion-MNIST train images).
constexpr uint64_t kMaxElements = uint64_t{1} << 31;
constexpr unsigned kChunk = 1u << 20;

std::string hex(unsigned char b) {
  char s[5];
  std::snprintf(s, sizeof s, "0x%02x", b);
  return s;
}

// An open gzFile (which also reads raw files) whose read failures become errors naming the file.
class GzReader {
 public:
  explicit GzReader(const std::string& path) : path_(path) {
    if (std::filesystem::is_directory(path))
      throw Error(ErrorKind::kIo, path, "cannot open for reading: it is a directory");
    errno = 0;
    f_ = gzopen(path.c_str(), "rb");
    if (f_ == nullptr)
      throw Error(ErrorKind::kIo, path, std::string("cannot open for reading: ") +
                                            (errno ? std::strerror(errno) : "out of memory"));
  }
  ~GzReader() { gzclose(f_); }
  GzReader(const GzReader&) = delete;
  GzReader& operator=(const GzReader&) = delete;

  /// Reads up to n bytes; fewer only at the end of the data, or where a gzip stream is cut short
  /// (then cut_short() is true: the caller reports it as truncation).
  uint64_t read(void* buf, uint64_t n) {
    uint64_t got = 0;
    auto* p = static_cast<unsigned char*>(buf);
    while (got < n) {
      const unsigned want = static_cast<unsigned>(std::min<uint64_t>(n - got, kChunk));
      const int r = gzread(f_, p + got, want);
      if (r < 0) fail();
      got += static_cast<uint64_t>(r);
      if (static_cast<unsigned>(r) < want) break;
    }
    if (const int err = error(); err != Z_OK && err != Z_BUF_ERROR) fail();
    return got;
  }
  bool cut_short() { return error() == Z_BUF_ERROR; }  // zlib's "unexpected end of file"

 private:
  int error() {
    int err = Z_OK;
    gzerror(f_, &err);
    return err;
  }
  [[noreturn]] void fail() {
    int err = Z_OK;
    const char* msg = gzerror(f_, &err);
    if (err == Z_ERRNO)
      throw Error(ErrorKind::kIo, path_, std::string("read failed: ") + std::strerror(errno));
    std::string what = msg ? msg : "unknown error";
    if (what.rfind(path_ + ": ", 0) == 0) what.erase(0, path_.size() + 2);  // zlib prefixes the path
    throw Error(ErrorKind::kFormat, path_, "corrupt gzip stream: " + what);
  }
  std::string path_;
  gzFile f_ = nullptr;
};

// Compresses `bytes` into a gzip member (deflate with a gzip wrapper: windowBits 15 + 16).
std::string gzip(const unsigned char* bytes, uint64_t n, const std::string& path) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw Error(ErrorKind::kInternal, path, "deflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&z, deflateEnd);
  std::string out;
  std::vector<unsigned char> buf(kChunk);
  uint64_t fed = 0;
  int ret = Z_OK;
  do {
    if (z.avail_in == 0 && fed < n) {
      z.next_in = const_cast<unsigned char*>(bytes + fed);
      z.avail_in = static_cast<unsigned>(std::min<uint64_t>(n - fed, kChunk));
      fed += z.avail_in;
    }
    z.next_out = buf.data();
    z.avail_out = kChunk;
    ret = deflate(&z, fed == n ? Z_FINISH : Z_NO_FLUSH);
    if (ret == Z_STREAM_ERROR) throw Error(ErrorKind::kInternal, path, "deflate failed");
    out.append(reinterpret_cast<char*>(buf.data()), kChunk - z.avail_out);
  } while (ret != Z_STREAM_END);
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The header: magic (two zero bytes, element type 0x08, rank 1–4), then one big-endian size per axis.
std::vector<int64_t> read_idx_shape(GzReader& in, const std::string& path) {
  unsigned char head[4];
  const uint64_t got = in.read(head, 4);
  if (got < 4)
    throw Error(ErrorKind::kFormat, path, got == 0 ? "file is empty (not an IDX file)"
                                                    : "truncated header: " + std::to_string(got) + " of 4 magic bytes");
  if (head[0] != 0 || head[1] != 0)
    throw Error(ErrorKind::kFormat, path, "bad magic: the first two bytes are " + hex(head[0]) + " " + hex(head[1]) +
                                              ", expected 0x00 0x00 (not an IDX file)");
  if (head[2] != 0x08)
    throw Error(ErrorKind::kFormat, path, "unsupported element type " + hex(head[2]) +
                                              ": only 0x08 (unsigned byte) is supported");
  const int ndim = head[3];
  if (ndim < 1 || ndim > 4)
    throw Error(ErrorKind::kFormat, path, "the header gives " + std::to_string(ndim) +
                                              " dimensions, expected 1 to 4");
  unsigned char dims[16];
  const uint64_t dgot = in.read(dims, 4 * ndim);
  if (dgot < static_cast<uint64_t>(4 * ndim))
    throw Error(ErrorKind::kFormat, path, "truncated header: expected " + std::to_string(4 * ndim) +
                                              " bytes of dimension sizes, found " + std::to_string(dgot));
  std::vector<int64_t> shape;
  uint64_t total = 1;
  for (int d = 0; d < ndim; ++d) {
    const unsigned char* b = dims + 4 * d;
    const uint64_t size = (uint64_t{b[0]} << 24) | (uint64_t{b[1]} << 16) | (uint64_t{b[2]} << 8) | b[3];
    if (size == 0) throw Error(ErrorKind::kFormat, path, "dimension " + std::to_string(d) + " has size 0");
    total *= size;  // <= 2^31 · (2^32 − 1): no overflow
    if (total > kMaxElements)
      throw Error(ErrorKind::kFormat, path, "the header's sizes give more than 2^31 elements (corrupt header?)");
    shape.push_back(static_cast<int64_t>(size));
  }
  return shape;
}

// The `total` data bytes, then nothing: missing bytes, trailing bytes and a gzip stream cut before its
// trailer are errors. The buffer grows with what the file really holds, so a corrupt header that
// promises 2^31 bytes in a 20-byte file does not allocate them first (where memory is not
// overcommitted that threw a c10::Error).
std::vector<uint8_t> read_idx_data(GzReader& in, const std::string& path, uint64_t total, const std::string& shape_text) {
  std::vector<uint8_t> bytes;
  uint64_t n = 0;
  while (n < total) {
    bytes.resize(std::min(total, std::max<uint64_t>(2 * n, 1u << 16)));
    const uint64_t want = bytes.size() - n;
    const uint64_t got_now = in.read(bytes.data() + n, want);
    n += got_now;
    if (got_now < want) break;
  }
  if (n < total)
    throw Error(ErrorKind::kFormat, path, "truncated data: expected " + std::to_string(total) + " bytes for shape " +
                                              shape_text + ", found " + std::to_string(n) +
                                              (in.cut_short() ? " (the gzip stream ends early)" : ""));
  // Reading past the end also makes zlib check the gzip trailer (CRC and length). A small buffer: a
  // good file has nothing left (a zeroed 1 MB one per call cost more than reading a small file).
  uint64_t extra = 0;
  unsigned char rest[4096];
  for (uint64_t r; (r = in.read(rest, sizeof rest)) > 0;) extra += r;
  if (in.cut_short())
    throw Error(ErrorKind::kFormat, path, "corrupt gzip stream: it ends before its trailer (file cut short)");
  if (extra > 0)
    throw Error(ErrorKind::kFormat, path, std::to_string(extra) + " trailing bytes after the " +
                                              std::to_string(total) + " data bytes for shape " + shape_text);
  return bytes;
}

}  // namespace

torch::Tensor read_idx(const std::string& path) {
  GzReader in(path);
  const std::vector<int64_t> shape = read_idx_shape(in, path);
  uint64_t total = 1;
  for (int64_t size : shape) total *= static_cast<uint64_t>(size);
  const std::vector<uint8_t> bytes = read_idx_data(in, path, total, c10::str(c10::IntArrayRef(shape)));
  auto t = torch::empty(shape, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), total);
  return t;
}

void write_idx(const std::string& path, const torch::Tensor& data) {
  if (data.scalar_type() != torch::kUInt8 || data.dim() < 1 || data.dim() > 4)
    throw Error(ErrorKind::kInvalidArgument, path, "IDX data must be a uint8 tensor of 1 to 4 dimensions, got " +
                                                       std::string(c10::toString(data.scalar_type())) + " of shape " +
                                                       c10::str(data.sizes()));
  for (int64_t d = 0; d < data.dim(); ++d)
    if (data.size(d) == 0 || data.size(d) > int64_t{0xffffffff})
      throw Error(ErrorKind::kInvalidArgument, path, "IDX sizes must be in [1, 2^32), got shape " + c10::str(data.sizes()));
  auto t = data.cpu().contiguous();
  std::string bytes = {0, 0, 0x08, static_cast<char>(t.dim())};
  for (int64_t s : t.sizes())
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((s >> shift) & 0xff));
  bytes.append(reinterpret_cast<const char*>(t.data_ptr<uint8_t>()), static_cast<size_t>(t.numel()));
  if (ends_with(path, ".gz"))
    bytes = gzip(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), path);
  core::write_text_atomic(path, bytes);
}

}  // namespace esvgd::data
