// Word -> handler mapping for every vector instruction.
//
// Field positions below use LSB-0 bit numbering (bit 0 = least significant),
// unlike the ISA's MSB-0 numbering.
#include "cpu/vmx/vmx_decode.h"

#include "cpu/vmx/vmx_ops.h"

namespace xdet::cpu {
namespace {

struct Entry {
  InsnHandler fn;
  const char* name;
};
constexpr Entry kNone{nullptr, nullptr};
#define E(h) Entry{&vmx::h_##h, #h}
#define EA(h, n) Entry{&vmx::h_##h, n}  // alias: same semantics, other mnemonic

// Opcode 4, VMX128 loads/stores: bits 0-1 = 0b11, key = bits 4-10 (bits
// 2-3 hold VDh).
Entry op4_vmx128_memory(uint32_t w) {
  if ((w & 3) != 3) return kNone;
  switch ((w >> 4) & 0x7F) {
    case 0x00: return E(lvsl128);
    case 0x04: return E(lvsr128);
    case 0x08: return E(lvewx128);
    case 0x0C: return E(lvx128);
    case 0x18: return E(stvewx128);
    case 0x1C: return E(stvx128);
    case 0x2C: return EA(lvx128, "lvxl128");
    case 0x3C: return EA(stvx128, "stvxl128");
    case 0x40: return E(lvlx128);
    case 0x44: return E(lvrx128);
    case 0x50: return E(stvlx128);
    case 0x54: return E(stvrx128);
    case 0x60: return EA(lvlx128, "lvlxl128");
    case 0x64: return EA(lvrx128, "lvrxl128");
    case 0x70: return EA(stvlx128, "stvlxl128");
    case 0x74: return EA(stvrx128, "stvrxl128");
    default: return kNone;
  }
}

// Opcode 4, VX form: 11-bit extended opcode in bits 0-10.
Entry op4_vx(uint32_t w) {
  switch (w & 0x7FF) {
    case 0: return E(vaddubm);
    case 2: return E(vmaxub);
    case 4: return E(vrlb);
    case 8: return E(vmuloub);
    case 10: return E(vaddfp);
    case 12: return E(vmrghb);
    case 14: return E(vpkuhum);
    case 64: return E(vadduhm);
    case 66: return E(vmaxuh);
    case 68: return E(vrlh);
    case 72: return E(vmulouh);
    case 74: return E(vsubfp);
    case 76: return E(vmrghh);
    case 78: return E(vpkuwum);
    case 128: return E(vadduwm);
    case 130: return E(vmaxuw);
    case 132: return E(vrlw);
    case 140: return E(vmrghw);
    case 142: return E(vpkuhus);
    case 206: return E(vpkuwus);
    case 258: return E(vmaxsb);
    case 260: return E(vslb);
    case 264: return E(vmulosb);
    case 266: return E(vrefp);
    case 268: return E(vmrglb);
    case 270: return E(vpkshus);
    case 322: return E(vmaxsh);
    case 324: return E(vslh);
    case 328: return E(vmulosh);
    case 330: return E(vrsqrtefp);
    case 332: return E(vmrglh);
    case 334: return E(vpkswus);
    case 384: return E(vaddcuw);
    case 386: return E(vmaxsw);
    case 388: return E(vslw);
    case 394: return E(vexptefp);
    case 396: return E(vmrglw);
    case 398: return E(vpkshss);
    case 452: return E(vsl);
    case 458: return E(vlogefp);
    case 462: return E(vpkswss);
    case 512: return E(vaddubs);
    case 514: return E(vminub);
    case 516: return E(vsrb);
    case 520: return E(vmuleub);
    case 522: return E(vrfin);
    case 524: return E(vspltb);
    case 526: return E(vupkhsb);
    case 576: return E(vadduhs);
    case 578: return E(vminuh);
    case 580: return E(vsrh);
    case 584: return E(vmuleuh);
    case 586: return E(vrfiz);
    case 588: return E(vsplth);
    case 590: return E(vupkhsh);
    case 640: return E(vadduws);
    case 642: return E(vminuw);
    case 644: return E(vsrw);
    case 650: return E(vrfip);
    case 652: return E(vspltw);
    case 654: return E(vupklsb);
    case 708: return E(vsr);
    case 714: return E(vrfim);
    case 718: return E(vupklsh);
    case 768: return E(vaddsbs);
    case 770: return E(vminsb);
    case 772: return E(vsrab);
    case 776: return E(vmulesb);
    case 778: return E(vcfux);
    case 780: return E(vspltisb);
    case 782: return E(vpkpx);
    case 832: return E(vaddshs);
    case 834: return E(vminsh);
    case 836: return E(vsrah);
    case 840: return E(vmulesh);
    case 842: return E(vcfsx);
    case 844: return E(vspltish);
    case 846: return E(vupkhpx);
    case 896: return E(vaddsws);
    case 898: return E(vminsw);
    case 900: return E(vsraw);
    case 906: return E(vctuxs);
    case 908: return E(vspltisw);
    case 970: return E(vctsxs);
    case 974: return E(vupklpx);
    case 1024: return E(vsububm);
    case 1026: return E(vavgub);
    case 1028: return E(vand);
    case 1034: return E(vmaxfp);
    case 1036: return E(vslo);
    case 1088: return E(vsubuhm);
    case 1090: return E(vavguh);
    case 1092: return E(vandc);
    case 1098: return E(vminfp);
    case 1100: return E(vsro);
    case 1152: return E(vsubuwm);
    case 1154: return E(vavguw);
    case 1156: return E(vor);
    case 1220: return E(vxor);
    case 1282: return E(vavgsb);
    case 1284: return E(vnor);
    case 1346: return E(vavgsh);
    case 1408: return E(vsubcuw);
    case 1410: return E(vavgsw);
    case 1536: return E(vsububs);
    case 1540: return E(mfvscr);
    case 1544: return E(vsum4ubs);
    case 1600: return E(vsubuhs);
    case 1604: return E(mtvscr);
    case 1608: return E(vsum4shs);
    case 1664: return E(vsubuws);
    case 1672: return E(vsum2sws);
    case 1792: return E(vsubsbs);
    case 1800: return E(vsum4sbs);
    case 1856: return E(vsubshs);
    case 1920: return E(vsubsws);
    case 1928: return E(vsumsws);
    default: return kNone;
  }
}

// Opcode 4, VC form (compares): 10-bit opcode in bits 0-9, Rc in bit 10.
Entry op4_vc(uint32_t w) {
  switch (w & 0x3FF) {
    case 6: return E(vcmpequb);
    case 70: return E(vcmpequh);
    case 134: return E(vcmpequw);
    case 198: return E(vcmpeqfp);
    case 454: return E(vcmpgefp);
    case 518: return E(vcmpgtub);
    case 582: return E(vcmpgtuh);
    case 646: return E(vcmpgtuw);
    case 710: return E(vcmpgtfp);
    case 774: return E(vcmpgtsb);
    case 838: return E(vcmpgtsh);
    case 902: return E(vcmpgtsw);
    case 966: return E(vcmpbfp);
    default: return kNone;
  }
}

// Opcode 4, VA form: 6-bit opcode in bits 0-5.
Entry op4_va(uint32_t w) {
  switch (w & 0x3F) {
    case 32: return E(vmhaddshs);
    case 33: return E(vmhraddshs);
    case 34: return E(vmladduhm);
    case 36: return E(vmsumubm);
    case 37: return E(vmsummbm);
    case 38: return E(vmsumuhm);
    case 39: return E(vmsumuhs);
    case 40: return E(vmsumshm);
    case 41: return E(vmsumshs);
    case 42: return E(vsel);
    case 43: return E(vperm);
    case 44: return (w & 0x400) ? kNone : E(vsldoi);  // SHB is 4 bits
    case 46: return E(vmaddfp);
    case 47: return E(vnmsubfp);
    default: return kNone;
  }
}

Entry decode_op4(uint32_t w) {
  Entry e = op4_vmx128_memory(w);
  if (e.fn) return e;
  e = op4_vx(w);
  if (e.fn) return e;
  e = op4_vc(w);
  if (e.fn) return e;
  e = op4_va(w);
  if (e.fn) return e;
  if (w & 0x10) return E(vsldoi128);  // bit 4 set: VMX128 shift-left-double
  return kNone;
}

// Opcode 5: VMX128 arithmetic/logical/pack. Key = bits 6-9 (op) and bit 4.
Entry decode_op5(uint32_t w) {
  const uint32_t op = (w >> 6) & 15;
  const bool b4 = (w >> 4) & 1;
  if (!b4 && op < 8) return E(vperm128);  // bits 6-8 hold VC
  if (b4) {
    switch (op) {
      case 0: return E(vaddfp128);
      case 1: return E(vsubfp128);
      case 2: return E(vmulfp128);
      case 3: return E(vmaddfp128);
      case 4: return E(vmaddcfp128);
      case 5: return E(vnmsubfp128);
      case 6: return E(vmsum3fp128);
      case 7: return E(vmsum4fp128);
      case 8: return E(vand128);
      case 9: return E(vandc128);
      case 10: return E(vnor128);
      case 11: return E(vor128);
      case 12: return E(vxor128);
      case 13: return E(vsel128);
      case 14: return E(vslo128);
      case 15: return E(vsro128);
    }
  }
  switch (op) {
    case 8: return E(vpkshss128);
    case 9: return E(vpkshus128);
    case 10: return E(vpkswss128);
    case 11: return E(vpkswus128);
    case 12: return E(vpkuhum128);
    case 13: return E(vpkuhus128);
    case 14: return E(vpkuwum128);
    case 15: return E(vpkuwus128);
    default: return kNone;
  }
}

// Opcode 6: VMX128 compares, conversions, permutes, D3D pack/unpack.
Entry decode_op6(uint32_t w) {
  const uint32_t b45 = (w >> 4) & 3;    // ISA bits 26-27
  const uint32_t b910 = (w >> 9) & 3;   // ISA bits 21-22
  if (b45 == 1 && b910 == 1) return E(vpermwi128);
  if (b45 == 1 && ((w >> 8) & 7) == 6) {  // ISA bits 21-23 = 110
    const uint32_t imm = (w >> 16) & 31;
    if ((imm >> 2) > 6 || (imm & 3) == 0) return kNone;
    return E(vpkd3d128);
  }
  if (b45 == 1 && ((w >> 8) & 7) == 7) return E(vrlimi128);
  switch ((w >> 4) & 0x7F) {  // ISA bits 21-27
    case 0x23: return E(vcfpsxws128);
    case 0x27: return E(vcfpuxws128);
    case 0x2B: return E(vcsxwfp128);
    case 0x2F: return E(vcuxwfp128);
    case 0x33: return E(vrfim128);
    case 0x37: return E(vrfin128);
    case 0x3B: return E(vrfip128);
    case 0x3F: return E(vrfiz128);
    case 0x63: return E(vrefp128);
    case 0x67: return E(vrsqrtefp128);
    case 0x6B: return E(vexptefp128);
    case 0x6F: return E(vlogefp128);
    case 0x73: return E(vspltw128);
    case 0x77: return E(vspltisw128);
    case 0x7F:
      if ((((w >> 16) & 31) >> 2) > 6) return kNone;
      return E(vupkd3d128);
    default: break;
  }
  const bool b4 = (w >> 4) & 1;
  if (!b4) {
    switch ((w >> 7) & 7) {  // ISA bits 22-24; bit 6 is Rc
      case 0: return E(vcmpeqfp128);
      case 1: return E(vcmpgefp128);
      case 2: return E(vcmpgtfp128);
      case 3: return E(vcmpbfp128);
      case 4: return E(vcmpequw128);
      default: break;
    }
  }
  const uint32_t op = (w >> 6) & 15;  // ISA bits 22-25
  if (b4) {
    switch (op) {
      case 1: return E(vrlw128);
      case 3: return E(vslw128);
      case 5: return E(vsraw128);
      case 7: return E(vsrw128);
      default: return kNone;
    }
  }
  switch (op) {
    case 10: return E(vmaxfp128);
    case 11: return E(vminfp128);
    case 12: return E(vmrghw128);
    case 13: return E(vmrglw128);
    case 14:  // unpack high: bits 5 and 10 (the VA "a"/"A" bits) select halfwords
      return ((w >> 5) & 1) && ((w >> 10) & 1) ? E(vupkhsh128) : E(vupkhsb128);
    case 15:
      return ((w >> 5) & 1) && ((w >> 10) & 1) ? E(vupklsh128) : E(vupklsb128);
    default: return kNone;
  }
}

// Opcode 31 vector loads/stores: 10-bit extended opcode in bits 1-10.
Entry decode_op31(uint32_t w) {
  if (w & 1) return kNone;
  switch ((w >> 1) & 0x3FF) {
    case 6: return E(lvsl);
    case 7: return E(lvebx);
    case 38: return E(lvsr);
    case 39: return E(lvehx);
    case 71: return E(lvewx);
    case 103: return E(lvx);
    case 135: return E(stvebx);
    case 167: return E(stvehx);
    case 199: return E(stvewx);
    case 231: return E(stvx);
    case 342: return E(dst);              // dst / dstt
    case 374: return EA(dst, "dstst");    // dstst / dststt
    case 822: return E(dss);              // dss / dssall
    case 359: return EA(lvx, "lvxl");
    case 487: return EA(stvx, "stvxl");
    case 519: return E(lvlx);
    case 551: return E(lvrx);
    case 647: return E(stvlx);
    case 679: return E(stvrx);
    case 775: return EA(lvlx, "lvlxl");
    case 807: return EA(lvrx, "lvrxl");
    case 903: return EA(stvlx, "stvlxl");
    case 935: return EA(stvrx, "stvrxl");
    default: return kNone;
  }
}

Entry lookup(uint32_t w) {
  Entry e;
  switch (w >> 26) {
    case 4: e = decode_op4(w); break;
    case 5: e = decode_op5(w); break;
    case 6: e = decode_op6(w); break;
    case 31: e = decode_op31(w); break;
    default: return kNone;
  }
  // Faster host-specific equivalents.
  static const bool ssse3 = vmx::host_has_ssse3();
  if (ssse3) {
    if (e.fn == &vmx::h_vperm) e.fn = &vmx::h_vperm_ssse3;
    else if (e.fn == &vmx::h_vperm128) e.fn = &vmx::h_vperm128_ssse3;
  }
  return e;
}

#undef E
#undef EA

}  // namespace

InsnHandler decode_vector_insn(uint32_t word) { return lookup(word).fn; }
const char* vector_insn_name(uint32_t word) { return lookup(word).name; }

}  // namespace xdet::cpu
