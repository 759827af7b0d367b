// IDX reader and writer: round trips raw and gzipped, and one distinct error per kind of bad file.
#include <sys/resource.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <torch/types.h>

#include "esvgd/data/idx.h"
#include "test_support.h"

namespace esvgd::test {
namespace {

namespace fs = std::filesystem;

class Idx : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("esvgd_idx_" + std::to_string(::getpid()) + "_" + info->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::string write_bytes(const std::string& name, const std::string& bytes) const {
    std::ofstream(path(name), std::ios::binary) << bytes;
    return path(name);
  }
  std::string read_bytes(const std::string& name) const {
    std::ifstream in(path(name), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  fs::path dir_;
};

// An IDX header: 0 0 type ndim, then the big-endian sizes.
std::string header(unsigned char type, const std::vector<uint32_t>& sizes) {
  std::string h = {0, 0, static_cast<char>(type), static_cast<char>(sizes.size())};
  for (uint32_t s : sizes)
    for (int shift = 24; shift >= 0; shift -= 8) h.push_back(static_cast<char>((s >> shift) & 0xff));
  return h;
}

torch::Tensor random_bytes(std::vector<int64_t> shape, uint64_t seed) {
  auto gen = make_gen(seed);
  return torch::randint(256, shape, gen, torch::kUInt8);
}

TEST_F(Idx, RawRoundTripKeepsShapeAndBytesForOneToFourDimensions) {
  const std::vector<std::vector<int64_t>> shapes = {{7}, {3, 5}, {4, 28, 28}, {2, 3, 4, 5}};
  for (const auto& shape : shapes) {
    auto t = random_bytes(shape, shape.size());
    data::write_idx(path("a.idx"), t);
    const std::string bytes = read_bytes("a.idx");
    EXPECT_EQ(bytes.size(), 4 + 4 * shape.size() + static_cast<size_t>(t.numel()));
    std::vector<uint32_t> sizes(shape.begin(), shape.end());
    EXPECT_EQ(bytes.substr(0, 4 + 4 * shape.size()), header(0x08, sizes));
    auto back = data::read_idx(path("a.idx"));
    EXPECT_EQ(back.scalar_type(), torch::kUInt8);
    EXPECT_TRUE(torch::equal(back, t)) << c10::str(t.sizes());
  }
}

TEST_F(Idx, GzipRoundTripIsCompressedAndReadsBackTheSame) {
  // Over 1 MiB: more than one zlib chunk each way.
  auto t = random_bytes({2, 700, 1024}, 1).bitwise_and(3);  // four distinct values: compressible
  data::write_idx(path("a.idx.gz"), t);
  const std::string bytes = read_bytes("a.idx.gz");
  ASSERT_GE(bytes.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(bytes[1]), 0x8b);
  EXPECT_LT(bytes.size(), static_cast<size_t>(t.numel()) / 2);
  EXPECT_TRUE(torch::equal(data::read_idx(path("a.idx.gz")), t));
  // A non-contiguous view is written as its values.
  auto v = random_bytes({6, 4}, 2).t();
  data::write_idx(path("v.idx.gz"), v);
  EXPECT_TRUE(torch::equal(data::read_idx(path("v.idx.gz")), v));
  // No temporary is left behind.
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST_F(Idx, MissingOrUnreadableFileIsAnIoError) {
  expect_error([&] { data::read_idx(path("nope.idx")); }, ErrorKind::kIo, {"nope.idx", "cannot open for reading"});
  fs::create_directories(dir_ / "sub.idx");
  expect_error([&] { data::read_idx(path("sub.idx")); }, ErrorKind::kIo, {"sub.idx", "directory"});
}

TEST_F(Idx, CorruptGzipStreamReportsZlibsMessage) {
  data::write_idx(path("a.idx.gz"), random_bytes({10, 10}, 3));
  std::string gz = read_bytes("a.idx.gz");
  std::string bad_crc = gz;
  bad_crc[bad_crc.size() - 8] ^= 0x55;  // the CRC-32 of the trailer
  write_bytes("crc.idx.gz", bad_crc);
  expect_error([&] { data::read_idx(path("crc.idx.gz")); }, ErrorKind::kFormat,
               {"crc.idx.gz", "corrupt gzip stream", "incorrect data check"});
  try {
    data::read_idx(path("crc.idx.gz"));
  } catch (const Error& e) {  // the path once, not again in zlib's message
    EXPECT_EQ(std::string(e.what()), path("crc.idx.gz") + ": corrupt gzip stream: incorrect data check");
  }
  std::string bad_method = gz;
  bad_method[2] = 7;  // compression method: only 8 (deflate) exists
  write_bytes("method.idx.gz", bad_method);
  expect_error([&] { data::read_idx(path("method.idx.gz")); }, ErrorKind::kFormat, {"method.idx.gz", "corrupt gzip stream"});
  // Cut in the data: truncation, with the cause; cut in the trailer: a damaged stream.
  write_bytes("half.idx.gz", gz.substr(0, gz.size() / 2));
  expect_error([&] { data::read_idx(path("half.idx.gz")); }, ErrorKind::kFormat,
               {"half.idx.gz", "truncated", "gzip stream ends early"});
  write_bytes("notrailer.idx.gz", gz.substr(0, gz.size() - 4));
  expect_error([&] { data::read_idx(path("notrailer.idx.gz")); }, ErrorKind::kFormat,
               {"notrailer.idx.gz", "corrupt gzip stream", "trailer"});
}

TEST_F(Idx, BadMagicReportsTheBytes) {
  write_bytes("magic.idx", std::string("\x01\x02\x08\x01\x00\x00\x00\x01\x05", 9));
  expect_error([&] { data::read_idx(path("magic.idx")); }, ErrorKind::kFormat,
               {"magic.idx", "bad magic", "0x01 0x02", "not an IDX file"});
  write_bytes("text.idx", "hello, world\n");
  expect_error([&] { data::read_idx(path("text.idx")); }, ErrorKind::kFormat, {"text.idx", "bad magic", "0x68 0x65"});
}

TEST_F(Idx, UnsupportedTypeNamesTheOnlySupportedOne) {
  write_bytes("float.idx", header(0x0d, {2}) + std::string(8, '\0'));
  expect_error([&] { data::read_idx(path("float.idx")); }, ErrorKind::kFormat,
               {"float.idx", "unsupported element type 0x0d", "only 0x08 (unsigned byte)"});
}

TEST_F(Idx, DimensionCountMustBeOneToFour) {
  write_bytes("d0.idx", header(0x08, {}));
  expect_error([&] { data::read_idx(path("d0.idx")); }, ErrorKind::kFormat, {"d0.idx", "0 dimensions", "expected 1 to 4"});
  write_bytes("d5.idx", header(0x08, {1, 1, 1, 1, 1}) + "x");
  expect_error([&] { data::read_idx(path("d5.idx")); }, ErrorKind::kFormat, {"d5.idx", "5 dimensions", "expected 1 to 4"});
}

TEST_F(Idx, ZeroSizeAndAbsurdSizesAreRefusedBeforeAllocating) {
  write_bytes("zero.idx", header(0x08, {3, 0, 2}));
  expect_error([&] { data::read_idx(path("zero.idx")); }, ErrorKind::kFormat, {"zero.idx", "dimension 1 has size 0"});
  write_bytes("huge.idx", header(0x08, {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}));
  expect_error([&] { data::read_idx(path("huge.idx")); }, ErrorKind::kFormat, {"huge.idx", "more than 2^31 elements"});
}

TEST_F(Idx, TruncationSaysExpectedAndFound) {
  write_bytes("empty.idx", "");
  expect_error([&] { data::read_idx(path("empty.idx")); }, ErrorKind::kFormat, {"empty.idx", "empty"});
  write_bytes("head.idx", header(0x08, {2, 3}).substr(0, 9));
  expect_error([&] { data::read_idx(path("head.idx")); }, ErrorKind::kFormat,
               {"head.idx", "truncated header", "expected 8", "found 5"});
  write_bytes("data.idx", header(0x08, {2, 3}) + "abcd");
  expect_error([&] { data::read_idx(path("data.idx")); }, ErrorKind::kFormat,
               {"data.idx", "truncated data", "expected 6 bytes", "[2, 3]", "found 4"});
}

TEST_F(Idx, TrailingBytesAreAnError) {
  write_bytes("tail.idx", header(0x08, {2, 3}) + "abcdef" + "xyz");
  expect_error([&] { data::read_idx(path("tail.idx")); }, ErrorKind::kFormat, {"tail.idx", "3 trailing bytes", "6 data bytes"});
  write_bytes("ok.idx", header(0x08, {2, 3}) + "abcdef");
  EXPECT_EQ(data::read_idx(path("ok.idx"))[1][2].item<int64_t>(), 'f');
}

// Reads `file` in a process whose address space may grow by 1 GB only, and exits 0 when read_idx
// refuses it as truncated. The limit is relative, so it holds under ASan too (its shadow memory is
// reserved up front).
[[noreturn]] void read_with_1gb_headroom(const std::string& file) {
  std::ifstream statm("/proc/self/statm");
  uint64_t pages = 0;
  statm >> pages;
  const rlim_t limit = pages * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + (rlim_t{1} << 30);
  const rlimit rl{limit, limit};
  if (::setrlimit(RLIMIT_AS, &rl) != 0) std::_Exit(3);
  try {
    data::read_idx(file);
  } catch (const Error& e) {
    std::_Exit(std::string(e.what()).find("truncated data: expected 2147483648 bytes") != std::string::npos ? 0 : 1);
  } catch (...) {
    std::_Exit(2);  // e.g. c10::Error from an allocation the limit refused
  }
  std::_Exit(4);
}

// A 12-byte file whose header promises 2^31 bytes is refused without allocating them first (where
// memory is not overcommitted, that allocation threw a c10::Error).
TEST_F(Idx, AHeaderPromisingGigabytesAllocatesOnlyWhatTheFileHolds) {
  write_bytes("promise.idx", header(0x08, {0x8000u, 0x10000u}) + "abcd");
  EXPECT_EXIT(read_with_1gb_headroom(path("promise.idx")), ::testing::ExitedWithCode(0), "");
}

// The trailing bytes are read in small pieces: all of them count, raw and gzipped.
TEST_F(Idx, TrailingBytesBeyondOneReadBufferAreAllCounted) {
  const std::string bytes = header(0x08, {2, 3}) + "abcdef" + std::string(10000, 'x');
  write_bytes("tail.idx", bytes);
  expect_error([&] { data::read_idx(path("tail.idx")); }, ErrorKind::kFormat, {"10000 trailing bytes"});
  gzFile gz = gzopen(path("tail.idx.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(gz), Z_OK);
  expect_error([&] { data::read_idx(path("tail.idx.gz")); }, ErrorKind::kFormat, {"10000 trailing bytes"});
}

TEST_F(Idx, WriterRefusesWhatTheFormatCannotHold) {
  expect_error([&] { data::write_idx(path("f.idx"), torch::zeros({2, 2})); }, ErrorKind::kInvalidArgument,
               {"f.idx", "uint8", "Float"});
  expect_error([&] { data::write_idx(path("d5.idx"), torch::zeros({1, 1, 1, 1, 1}, torch::kUInt8)); },
               ErrorKind::kInvalidArgument, {"d5.idx", "1 to 4 dimensions"});
  expect_error([&] { data::write_idx(path("z.idx"), torch::zeros({3, 0}, torch::kUInt8)); }, ErrorKind::kInvalidArgument,
               {"z.idx", "[3, 0]"});
  EXPECT_FALSE(fs::exists(path("f.idx")));
}

}  // namespace
}  // namespace esvgd::test
