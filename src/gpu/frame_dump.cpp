#include "gpu/frame_dump.h"

#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/byte_order.h"

namespace xdet::gpu {

uint32_t tiled_offset(uint32_t x, uint32_t y, uint32_t pitch, uint32_t log2_bpp) {
  // Xenos 2D tiling: 32x32-texel macro tiles in row order, inside them
  // micro tiles interleaved by bank and pipe bits of x and y.
  uint32_t macro_row = ((y >> 5) * (pitch >> 5)) << (log2_bpp + 7);
  uint32_t micro_row = ((y & 6) << 2) << log2_bpp;
  uint32_t row = macro_row + ((micro_row & ~0xFu) << 1) + (micro_row & 0xF) + ((y & 8) << (3 + log2_bpp)) +
                 ((y & 1) << 4);
  uint32_t macro = (x >> 5) << (log2_bpp + 7);
  uint32_t micro = (x & 7) << log2_bpp;
  uint32_t offset = row + macro + ((micro & ~0xFu) << 1) + (micro & 0xF);
  uint32_t address = ((offset & ~0x1FFu) << 3) + ((offset & 0x1C0) << 2) + (offset & 0x3F) + ((y & 16) << 7) +
                     (((((y & 8) >> 2) + (x >> 3)) & 3) << 6);
  return address;
}

uint32_t tiled_surface_size(uint32_t width, uint32_t height) {
  uint32_t pitch = (width + 31) & ~31u;
  uint32_t rows = (height + 31) & ~31u;
  return pitch * rows * 4;
}

std::vector<uint32_t> detile_8888(const uint8_t* tiled, uint32_t width, uint32_t height) {
  std::vector<uint32_t> out(static_cast<size_t>(width) * height);
  uint32_t pitch = (width + 31) & ~31u;
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      uint32_t texel = tiled_offset(x, y, pitch, 2) >> 2;
      out[static_cast<size_t>(y) * width + x] = load_be32(tiled + 4 * static_cast<size_t>(texel));
    }
  }
  return out;
}

bool write_png_argb(const std::string& path, const std::vector<uint32_t>& argb, uint32_t width, uint32_t height,
                    std::string* error) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    *error = "libpng: out of memory";
    return false;
  }
  std::vector<uint8_t> row(static_cast<size_t>(width) * 4);
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    std::fclose(f);
    *error = path + ": libpng failed to write the image";
    return false;
  }
  png_init_io(png, f);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      uint32_t p = argb[static_cast<size_t>(y) * width + x];
      row[4 * x + 0] = static_cast<uint8_t>(p >> 16);
      row[4 * x + 1] = static_cast<uint8_t>(p >> 8);
      row[4 * x + 2] = static_cast<uint8_t>(p);
      row[4 * x + 3] = static_cast<uint8_t>(p >> 24);
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  if (std::fclose(f) != 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

}  // namespace xdet::gpu
