// `esvgd launch` in-process (cli/launch.h): the line that names a failed rank reaches the terminal in
// one piece. The other ranks write their own errors at that moment; a line written in parts came out
// with one of theirs inside it (tests/dist/failures.sh failed once on exactly that).
#include <regex>
#include <streambuf>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/launch.h"

namespace {

/// An output stream that keeps every write it is handed as a separate piece.
class Pieces : public std::streambuf {
 public:
  std::vector<std::string> pieces;

 protected:
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    pieces.emplace_back(s, static_cast<size_t>(n));
    return n;
  }
  int_type overflow(int_type c) override {
    if (c != traits_type::eof()) pieces.emplace_back(1, traits_type::to_char_type(c));
    return c;
  }
};

}  // namespace

TEST(Launch, TheLineNamingAKilledRankIsOneWrite) {
  Pieces buffer;
  std::ostream err(&buffer);
  esvgd::cli::LaunchOptions options;
  options.nproc = 2;
  options.grace_seconds = 1;
  const int status = esvgd::cli::launch({"/bin/sh", "-c", "kill -9 $$"}, options, err);
  EXPECT_EQ(status, 128 + 9);
  ASSERT_EQ(buffer.pieces.size(), 1u) << "the line came in " << buffer.pieces.size() << " writes";
  EXPECT_TRUE(std::regex_match(buffer.pieces[0], std::regex("esvgd launch: rank [01] was killed by signal 9 .*\n")))
      << buffer.pieces[0];
}
