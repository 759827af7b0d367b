// .npy files: round trips, interoperability with NumPy, and every malformed-file error.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include <torch/types.h>

#include "core/test_util.h"
#include "esvgd/core/npy.h"

namespace esvgd::test {
namespace {

using core::read_npy;
using core::read_particles;
using core::write_npy;

class Npy : public ScratchDir {};

TEST_F(Npy, RoundTripDtypesAndShapes) {
  const std::vector<std::vector<int64_t>> shapes{{7}, {3, 4}, {2, 3, 5}, {0, 3}, {0}, {}, {1, 1}};
  int k = 0;
  for (auto dtype : {torch::kFloat64, torch::kFloat32, torch::kInt64, torch::kInt32}) {
    for (const auto& shape : shapes) {
      int64_t count = 1;
      for (auto s : shape) count *= s;
      auto t = (torch::arange(count, torch::kFloat64) * 1.37 - 5.1).to(dtype).reshape(shape);
      const std::string p = path("t" + std::to_string(k++) + ".npy");
      write_npy(p, t);
      auto back = read_npy(p);
      EXPECT_EQ(back.scalar_type(), dtype) << p;
      EXPECT_EQ(back.sizes(), t.sizes()) << p;
      EXPECT_TRUE(torch::equal(back, t)) << p;
      // NumPy's layout: the data starts at a multiple of 64 bytes.
      const std::string bytes = read_bytes(p);
      const size_t header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8);
      EXPECT_EQ((10 + header_len) % 64, 0u) << p;
      EXPECT_EQ(bytes[10 + header_len - 1], '\n') << p;
    }
  }
  // Exact float64 bits survive (including -0.0, denormals, extremes).
  auto special = torch::tensor({-0.0, 5e-324, 1.7976931348623157e308, -1e-300, M_PI}, torch::kFloat64);
  write_npy(path("special.npy"), special);
  auto back = read_npy(path("special.npy"));
  EXPECT_EQ(std::memcmp(back.data_ptr(), special.data_ptr(), 5 * sizeof(double)), 0);
  // Non-contiguous input is written in logical (C) order.
  auto nc = torch::arange(12, torch::kFloat64).view({3, 4}).t();
  write_npy(path("nc.npy"), nc);
  EXPECT_TRUE(torch::equal(read_npy(path("nc.npy")), nc));
  // Unsupported dtypes are rejected.
  EXPECT_THROW(write_npy(path("bool.npy"), torch::ones({2}, torch::kBool)), esvgd::Error);
}

bool have_numpy() {
  return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0;
}

TEST_F(Npy, ReadsFilesWrittenByNumpy) {
  if (!have_numpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  const std::string script = path("make.py");
  write_bytes(script,
              "import numpy as np, sys\n"
              "d = sys.argv[1]\n"
              "np.save(d + '/a.npy', np.arange(12, dtype='<f8').reshape(3, 4) * 0.25 - 1)\n"
              "np.save(d + '/b.npy', np.arange(6, dtype='<f4').reshape(2, 1, 3) / 3)\n"
              "np.save(d + '/c.npy', np.arange(-3, 4, dtype='<i8'))\n"
              "np.save(d + '/d.npy', np.zeros((0, 3)))\n"
              "np.save(d + '/e.npy', np.asfortranarray(np.arange(6.0).reshape(2, 3)))\n"
              "with open(d + '/f.npy', 'wb') as f:\n"
              "    np.lib.format.write_array(f, np.arange(5, dtype='<i4'), version=(2, 0))\n"
              "np.save(d + '/g.npy', np.arange(4, dtype='<c16'))\n"
              "np.save(d + '/h.npy', np.arange(4, dtype='>f8'))\n");
  ASSERT_EQ(std::system(("/usr/bin/python3 " + script + " " + dir_.string()).c_str()), 0);
  EXPECT_TRUE(torch::equal(read_npy(path("a.npy")), torch::arange(12, torch::kFloat64).view({3, 4}) * 0.25 - 1));
  // float32 division in NumPy and in LibTorch round identically.
  EXPECT_TRUE(torch::equal(read_npy(path("b.npy")), torch::arange(6, torch::kFloat32).view({2, 1, 3}) / 3));
  EXPECT_TRUE(torch::equal(read_npy(path("c.npy")), torch::arange(-3, 4, torch::kInt64)));
  EXPECT_EQ(read_npy(path("d.npy")).sizes(), (std::vector<int64_t>{0, 3}));
  expect_error([&] { read_npy(path("e.npy")); }, ErrorKind::kFormat, {path("e.npy"), "Fortran"});
  EXPECT_TRUE(torch::equal(read_npy(path("f.npy")), torch::arange(5, torch::kInt32)));
  expect_error([&] { read_npy(path("g.npy")); }, ErrorKind::kFormat, {path("g.npy"), "unsupported dtype", "<c16"});
  expect_error([&] { read_npy(path("h.npy")); }, ErrorKind::kFormat, {path("h.npy"), "unsupported dtype", ">f8"});
}

TEST_F(Npy, NumpyReadsOurFiles) {
  if (!have_numpy()) GTEST_SKIP() << "/usr/bin/python3 with numpy is not available";
  write_npy(path("x.npy"), torch::arange(24, torch::kFloat64).view({2, 3, 4}) / 7);
  write_npy(path("y.npy"), torch::arange(5, torch::kInt64));
  write_npy(path("z.npy"), torch::zeros({0, 3}, torch::kFloat32));
  const std::string script = path("check.py");
  write_bytes(script,
              "import numpy as np, sys\n"
              "d = sys.argv[1]\n"
              "x = np.load(d + '/x.npy'); y = np.load(d + '/y.npy'); z = np.load(d + '/z.npy')\n"
              "ok = x.dtype == np.float64 and np.array_equal(x, np.arange(24.0).reshape(2, 3, 4) / 7)\n"
              "ok = ok and y.dtype == np.int64 and np.array_equal(y, np.arange(5))\n"
              "ok = ok and z.dtype == np.float32 and z.shape == (0, 3)\n"
              "sys.exit(0 if ok else 1)\n");
  EXPECT_EQ(std::system(("/usr/bin/python3 " + script + " " + dir_.string()).c_str()), 0);
}

/// A version-1.0 .npy file with a given header dictionary and payload.
std::string npy_bytes(const std::string& dict, const std::string& payload, const std::string& magic = "\x93NUMPY") {
  std::string header = dict;
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::string out = magic;
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>(header.size() >> 8);
  return out + header + payload;
}

std::string doubles(int n) {
  std::string s(n * 8, '\0');
  for (int i = 0; i < n; ++i) {
    const double v = i;
    std::memcpy(&s[i * 8], &v, 8);
  }
  return s;
}

TEST_F(Npy, MalformedFilesNameTheFileAndTheCause) {
  const std::string ok_dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
  write_bytes(path("ok.npy"), npy_bytes(ok_dict, doubles(6)));
  EXPECT_TRUE(torch::equal(read_npy(path("ok.npy")), torch::arange(6, torch::kFloat64).view({2, 3})));

  struct Bad {
    std::string name, bytes, cause;
  };
  const std::vector<Bad> bad{
      {"truncated.npy", npy_bytes(ok_dict, doubles(6)).substr(0, npy_bytes(ok_dict, doubles(6)).size() - 3),
       "truncated data"},
      {"trailing.npy", npy_bytes(ok_dict, doubles(6) + "xyz"), "trailing data"},
      {"magic.npy", npy_bytes(ok_dict, doubles(6), "\x93NUMPZ"), "magic"},
      {"empty.npy", "", "magic"},
      {"short_header.npy", npy_bytes(ok_dict, doubles(6)).substr(0, 40), "truncated header"},
      {"fortran.npy", npy_bytes("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", doubles(6)),
       "Fortran"},
      {"complex.npy", npy_bytes("{'descr': '<c16', 'fortran_order': False, 'shape': (3,), }", doubles(6)),
       "unsupported dtype '<c16'"},
      {"bigendian.npy", npy_bytes("{'descr': '>f8', 'fortran_order': False, 'shape': (6,), }", doubles(6)),
       "unsupported dtype"},
      {"nodescr.npy", npy_bytes("{'fortran_order': False, 'shape': (6,), }", doubles(6)), "descr"},
      {"noshape.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, }", doubles(6)), "shape"},
      {"badshape.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", doubles(6)),
       "bad shape"},
      {"negshape.npy", npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (-2, 3), }", doubles(6)),
       "negative"},
      {"version.npy",
       [&] {
         auto b = npy_bytes(ok_dict, doubles(6));
         b[6] = 9;
         return b;
       }(),
       "version"},
  };
  for (const auto& b : bad) {
    write_bytes(path(b.name), b.bytes);
    expect_error([&] { read_npy(path(b.name)); }, ErrorKind::kFormat, {path(b.name), b.cause});
  }
  expect_error([&] { read_npy(path("missing.npy")); }, ErrorKind::kIo, {path("missing.npy")});
}

// Found by a hostile-input probe: a 60 KB header field crashed the std::regex parser (stack
// overflow), and a shape whose byte count overflows reached LibTorch with no file named.
TEST_F(Npy, HostileHeadersGiveErrorsNotCrashes) {
  const std::string long_descr = "{'descr': '" + std::string(60000, 'x') + "', 'fortran_order': False, 'shape': (50, 2), }";
  write_bytes(path("long_descr.npy"), npy_bytes(long_descr, std::string(800, '\0')));
  expect_error([&] { read_npy(path("long_descr.npy")); }, ErrorKind::kFormat, {path("long_descr.npy"), "unsupported dtype 'xxx"});
  const std::string long_shape = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + std::string(60000, ' ') + "2,), }";
  write_bytes(path("long_shape.npy"), npy_bytes(long_shape, doubles(2)));
  EXPECT_EQ(read_npy(path("long_shape.npy")).sizes(), (std::vector<int64_t>{2}));
  for (const std::string shape : {"(4611686018427387904, 4)", "(9223372036854775807, 9223372036854775807)",
                                  "(65536, 65536, 65536, 65536)"}) {
    write_bytes(path("huge.npy"), npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': " + shape + ", }", doubles(6)));
    expect_error([&] { read_npy(path("huge.npy")); }, ErrorKind::kFormat, {path("huge.npy"), "too large"});
  }
  write_bytes(path("toolong.npy"), npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", doubles(6)));
  expect_error([&] { read_npy(path("toolong.npy")); }, ErrorKind::kFormat, {path("toolong.npy"), "bad shape entry"});
  write_bytes(path("unclosed.npy"), npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3", doubles(6)));
  expect_error([&] { read_npy(path("unclosed.npy")); }, ErrorKind::kFormat, {path("unclosed.npy"), "shape"});
}

TEST_F(Npy, ReadParticlesChecks) {
  write_npy(path("good.npy"), torch::randn({5, 2}, torch::kFloat64));
  EXPECT_EQ(read_particles(path("good.npy"), 2).sizes(), (std::vector<int64_t>{5, 2}));
  EXPECT_EQ(read_particles(path("good.npy"), 0).sizes(), (std::vector<int64_t>{5, 2}));  // no D check
  write_npy(path("f32.npy"), torch::randn({5, 2}, torch::kFloat64).to(torch::kFloat32));
  expect_error([&] { read_particles(path("f32.npy"), 2); }, ErrorKind::kFormat, {path("f32.npy"), "float64"});
  write_npy(path("i64.npy"), torch::ones({5, 2}, torch::kInt64));
  expect_error([&] { read_particles(path("i64.npy"), 2); }, ErrorKind::kFormat, {path("i64.npy"), "float64"});
  write_npy(path("1d.npy"), torch::randn({5}, torch::kFloat64));
  expect_error([&] { read_particles(path("1d.npy"), 2); }, ErrorKind::kFormat, {path("1d.npy"), "2-D"});
  write_npy(path("3d.npy"), torch::randn({5, 2, 1}, torch::kFloat64));
  expect_error([&] { read_particles(path("3d.npy"), 2); }, ErrorKind::kFormat, {path("3d.npy"), "2-D"});
  expect_error([&] { read_particles(path("good.npy"), 3); }, ErrorKind::kFormat,
               {path("good.npy"), "D = 2", "D = 3"});
  auto nan = torch::randn({5, 2}, torch::kFloat64);
  nan[3][1] = std::nan("");
  write_npy(path("nan.npy"), nan);
  expect_error([&] { read_particles(path("nan.npy"), 2); }, ErrorKind::kFormat, {path("nan.npy"), "NaN"});
  auto inf = torch::randn({5, 2}, torch::kFloat64);
  inf[0][0] = std::numeric_limits<double>::infinity();
  write_npy(path("inf.npy"), inf);
  expect_error([&] { read_particles(path("inf.npy"), 2); }, ErrorKind::kFormat, {path("inf.npy"), "inf"});
  write_npy(path("empty.npy"), torch::zeros({0, 2}, torch::kFloat64));
  expect_error([&] { read_particles(path("empty.npy"), 2); }, ErrorKind::kFormat, {path("empty.npy"), "N = 0"});
}

}  // namespace
}  // namespace esvgd::test
