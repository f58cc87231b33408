#include "base/byte_order.h"

#include <gtest/gtest.h>

namespace xdet {
namespace {

TEST(ByteOrder, LoadsBigEndian) {
  const uint8_t bytes[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  EXPECT_EQ(load_be16(bytes), 0x0102);
  EXPECT_EQ(load_be32(bytes), 0x01020304u);
  EXPECT_EQ(load_be64(bytes), 0x0102030405060708ull);
  EXPECT_EQ(load_be32(bytes + 1), 0x02030405u);  // unaligned
}

TEST(ByteOrder, StoreRoundTrips) {
  uint8_t buf[8] = {};
  store_be32(buf, 0xDEADBEEF);
  EXPECT_EQ(buf[0], 0xDE);
  EXPECT_EQ(buf[3], 0xEF);
  store_be64(buf, 0x1122334455667788ull);
  EXPECT_EQ(buf[0], 0x11);
  EXPECT_EQ(buf[7], 0x88);
  EXPECT_EQ(load_be64(buf), 0x1122334455667788ull);
  store_be16(buf, 0xABCD);
  EXPECT_EQ(load_be16(buf), 0xABCD);
}

}  // namespace
}  // namespace xdet
