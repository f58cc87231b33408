#include "base/hash.h"

#include <gtest/gtest.h>

namespace xdet {
namespace {

// Published FNV-1a test vectors.
TEST(Fnv1a, KnownVectors64) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ull);
}

TEST(Fnv1a, KnownVectors32) {
  EXPECT_EQ(fnv1a32(""), 0x811c9dc5u);
  EXPECT_EQ(fnv1a32("a"), 0xe40c292cu);
  EXPECT_EQ(fnv1a32("foobar"), 0xbf9cf968u);
}

TEST(Fnv1a, BytesAndStringAgree) {
  const char s[] = "xdet";
  EXPECT_EQ(fnv1a64(s, 4), fnv1a64(std::string_view("xdet")));
}

}  // namespace
}  // namespace xdet
