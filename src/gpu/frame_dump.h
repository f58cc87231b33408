#pragma once
// Front buffers as images: Xenos 2D tiling of 32-bit texels and PNG output
// (Debian libpng). The console scans out a tiled 8888 front buffer; each
// texel is a 32-bit word that reads big-endian as 0xAARRGGBB (what a CPU
// writing D3DFMT_A8R8G8B8 pixels stores).
#include <cstdint>
#include <string>
#include <vector>

namespace xdet::gpu {

// Byte offset of texel (x, y) in a tiled surface whose pitch is
// `pitch` texels (a multiple of 32), for 2^log2_bpp bytes per texel.
uint32_t tiled_offset(uint32_t x, uint32_t y, uint32_t pitch, uint32_t log2_bpp);
// Bytes a tiled 32-bit surface of width x height occupies (32x32 tiles).
uint32_t tiled_surface_size(uint32_t width, uint32_t height);
// Linear 0xAARRGGBB texels of a tiled 32-bit surface.
std::vector<uint32_t> detile_8888(const uint8_t* tiled, uint32_t width, uint32_t height);
// Writes an 8-bit RGBA PNG from 0xAARRGGBB texels. False + *error on failure.
bool write_png_argb(const std::string& path, const std::vector<uint32_t>& argb, uint32_t width, uint32_t height,
                    std::string* error);

}  // namespace xdet::gpu
