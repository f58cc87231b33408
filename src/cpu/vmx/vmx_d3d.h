#pragma once
// Direct3D vertex-format conversions behind vpkd3d128/vupkd3d128 (exposed
// for unit tests and for kernel code that needs the same conversions).
#include <cstdint>

#include "cpu/ppc_context.h"

namespace xdet::cpu::vmx {

float xenos_half_to_float(uint16_t h);
uint16_t float_to_xenos_half(float f);
// type 0..6 (see vmx_d3d.cpp); other types give zero.
Vec128 d3d_unpack(const Vec128& src, uint32_t type);
// Packed value in word 3 (32-bit types) or words 2-3 (64-bit types).
Vec128 d3d_pack(const Vec128& src, uint32_t type);
// Insert a packed value into d: mode 1 = 32-bit, 2/3 = 64-bit; shift 0..3.
void d3d_insert(Vec128& d, const Vec128& packed, uint32_t mode, uint32_t shift);

}  // namespace xdet::cpu::vmx
