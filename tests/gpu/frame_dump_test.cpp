// Front-buffer de-tiling and PNG output.
#include "gpu/frame_dump.h"

#include <png.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "base/byte_order.h"

namespace xdet::gpu {
namespace {

TEST(Tiling, EveryTexelHasItsOwnOffsetInsideTheSurface) {
  const uint32_t w = 96, h = 64;
  std::set<uint32_t> seen;
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) {
      uint32_t o = tiled_offset(x, y, w, 2);
      EXPECT_EQ(o % 4, 0u);
      EXPECT_LT(o, tiled_surface_size(w, h));
      seen.insert(o);
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(w) * h);
  // Texels of one 32x32 tile stay inside one 4 KB block.
  for (uint32_t y = 0; y < 32; ++y) {
    for (uint32_t x = 0; x < 32; ++x) EXPECT_LT(tiled_offset(x, y, w, 2), 4096u);
  }
  EXPECT_EQ(tiled_offset(0, 0, w, 2), 0u);
}

TEST(Tiling, DetileInvertsTiling) {
  const uint32_t w = 64, h = 40;
  std::vector<uint8_t> tiled(tiled_surface_size(w, h));
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) store_be32(tiled.data() + tiled_offset(x, y, 64, 2), 0xFF000000u | (y << 8) | x);
  }
  std::vector<uint32_t> lin = detile_8888(tiled.data(), w, h);
  for (uint32_t y = 0; y < h; ++y) {
    for (uint32_t x = 0; x < w; ++x) ASSERT_EQ(lin[y * w + x], 0xFF000000u | (y << 8) | x);
  }
}

TEST(Png, WritesARgbaImageLibpngReadsBack) {
  std::string path = std::string(::testing::TempDir()) + "/xdet_png_" + std::to_string(::getpid()) + ".png";
  std::vector<uint32_t> argb = {0xFF102030, 0x80405060, 0x00000000, 0xFFFFFFFF};
  std::string error;
  ASSERT_TRUE(write_png_argb(path, argb, 2, 2, &error)) << error;
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  ASSERT_TRUE(png_image_begin_read_from_file(&img, path.c_str()));
  EXPECT_EQ(img.width, 2u);
  EXPECT_EQ(img.height, 2u);
  img.format = PNG_FORMAT_RGBA;
  std::vector<uint8_t> px(PNG_IMAGE_SIZE(img));
  ASSERT_TRUE(png_image_finish_read(&img, nullptr, px.data(), 0, nullptr));
  EXPECT_EQ(px[0], 0x10);
  EXPECT_EQ(px[1], 0x20);
  EXPECT_EQ(px[2], 0x30);
  EXPECT_EQ(px[3], 0xFF);
  EXPECT_EQ(px[7], 0x80);
  std::remove(path.c_str());
  EXPECT_FALSE(write_png_argb("/dev/null/x.png", argb, 2, 2, &error));
  EXPECT_NE(error.find("/dev/null/x.png"), std::string::npos);
}

}  // namespace
}  // namespace xdet::gpu
