#include "loader/xex2_writer.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "base/byte_order.h"
#include "base/error.h"
#include "loader/xex2_format.h"

namespace xdet::xex {

namespace {

void put_be32(std::vector<uint8_t>& v, uint32_t x) {
  uint8_t b[4];
  store_be32(b, x);
  v.insert(v.end(), b, b + 4);
}
void put_be16(std::vector<uint8_t>& v, uint16_t x) {
  uint8_t b[2];
  store_be16(b, x);
  v.insert(v.end(), b, b + 2);
}
void le16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
void le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
void pad_to(std::vector<uint8_t>& v, size_t align) {
  while (v.size() % align) v.push_back(0);
}

class CbcEncryptor {
 public:
  explicit CbcEncryptor(const std::array<uint8_t, 16>& key) : ctx_(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free) {
    static const uint8_t iv[16] = {};
    if (!ctx_ || !EVP_EncryptInit_ex(ctx_.get(), EVP_aes_128_cbc(), nullptr, key.data(), iv) ||
        !EVP_CIPHER_CTX_set_padding(ctx_.get(), 0)) {
      throw Error(ExitCode::kInternal, "OpenSSL AES-128-CBC setup failed");
    }
  }
  void encrypt(uint8_t* data, size_t size) {
    int len = 0;
    if (size && (!EVP_EncryptUpdate(ctx_.get(), data, &len, data, static_cast<int>(size)) ||
                 static_cast<size_t>(len) != size)) {
      throw Error(ExitCode::kInternal, "OpenSSL AES-128-CBC encryption failed");
    }
  }

 private:
  std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)> ctx_;
};

// Minimal little-endian PE32 headers describing the memory-layout image.
void write_pe_headers(std::vector<uint8_t>& image, const XexBuildSpec& spec, uint32_t span, uint32_t page) {
  uint8_t* p = image.data();
  p[0] = 'M';
  p[1] = 'Z';
  le16(p + 2, 0x90);
  le32(p + 0x3C, 0x80);
  uint8_t* nt = p + 0x80;
  le32(nt, kPeSignature);
  le16(nt + 4, kPeMachinePowerPcBe);
  le16(nt + 6, static_cast<uint16_t>(spec.sections.size()));
  le16(nt + 20, kPeOptionalHeaderSize);
  le16(nt + 22, kPeCharacteristic32BitMachine | kPeCharacteristicExecutable);
  uint8_t* opt = nt + 24;
  uint32_t code_size = 0, data_size = 0, bss_size = 0, code_base = 0, data_base = 0;
  for (const PeSectionSpec& s : spec.sections) {
    uint32_t rva = s.address - spec.image_base;
    if (s.characteristics & 0x20) {
      code_size += s.size;
      if (!code_base) code_base = rva;
    } else if (s.characteristics & 0x80) {
      bss_size += s.size;
    } else {
      data_size += s.size;
      if (!data_base) data_base = rva;
    }
  }
  le16(opt, kPeOptionalMagicPe32);
  le32(opt + 4, code_size);
  le32(opt + 8, data_size);
  le32(opt + 12, bss_size);
  le32(opt + 16, spec.entry_point - spec.image_base);
  le32(opt + 20, code_base);
  le32(opt + 24, data_base);
  le32(opt + 28, spec.image_base);
  le32(opt + 32, page);
  le32(opt + 36, page);
  le16(opt + 40, 2);  // OS version 2.0 (not checked)
  le32(opt + 56, span);
  le32(opt + 60, 0x1000);
  le16(opt + 68, kPeSubsystemXbox);
  le32(opt + 72, spec.default_stack_size.value_or(0x40000));
  le32(opt + 76, spec.default_stack_size.value_or(0x40000));
  le32(opt + 92, 16);
  // Data directories from opt + 96, 8 bytes each: entry 3 is the exception table.
  le32(opt + 96 + 3 * 8, spec.exception_directory_rva);
  le32(opt + 96 + 3 * 8 + 4, spec.exception_directory_size);
  uint8_t* sec = opt + kPeOptionalHeaderSize;
  for (const PeSectionSpec& s : spec.sections) {
    std::memcpy(sec, s.name.data(), std::min<size_t>(8, s.name.size()));
    uint32_t rva = s.address - spec.image_base;
    le32(sec + 8, s.size);
    le32(sec + 12, rva);
    le32(sec + 16, (s.characteristics & 0x80) ? 0 : s.size);
    le32(sec + 20, (s.characteristics & 0x80) ? 0 : rva);
    le32(sec + 36, s.characteristics);
    sec += 40;
  }
}

struct Header {
  uint32_t key;
  std::vector<uint8_t> payload;  // empty for inline keys
  uint32_t inline_value = 0;
};

}  // namespace

uint8_t import_library_index(const std::vector<ImportSpec>& imports, const std::string& library) {
  std::vector<std::string> libs;
  for (const ImportSpec& i : imports)
    if (std::find(libs.begin(), libs.end(), i.library) == libs.end()) libs.push_back(i.library);
  return static_cast<uint8_t>(std::find(libs.begin(), libs.end(), library) - libs.begin());
}

std::vector<uint8_t> lzx_encode_stored(const std::vector<uint8_t>& data) {
  // LZX reads 16-bit little-endian words, most significant bit first.
  std::vector<uint8_t> out;
  uint32_t bitbuf = 0;
  int bits = 0;
  auto put_bits = [&](uint32_t value, int n) {
    for (int i = n - 1; i >= 0; --i) {
      bitbuf = (bitbuf << 1) | ((value >> i) & 1);
      if (++bits == 16) {
        out.push_back(static_cast<uint8_t>(bitbuf));
        out.push_back(static_cast<uint8_t>(bitbuf >> 8));
        bitbuf = 0;
        bits = 0;
      }
    }
  };
  put_bits(0, 1);  // no Intel E8 translation
  constexpr size_t kBlock = 0x8000;
  for (size_t pos = 0; pos < data.size() || (pos == 0 && data.empty()); pos += kBlock) {
    size_t len = std::min(kBlock, data.size() - pos);
    put_bits(3, 3);  // uncompressed block
    put_bits(static_cast<uint32_t>(len >> 8), 16);
    put_bits(static_cast<uint32_t>(len & 0xFF), 8);
    // Align to 16 bits; if already aligned the decoder still skips 16 bits.
    if (bits == 0) put_bits(0, 16);
    else put_bits(0, 16 - bits);
    for (int r = 0; r < 3; ++r) {  // R0, R1, R2 = 1
      out.push_back(1);
      out.push_back(0);
      out.push_back(0);
      out.push_back(0);
    }
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(pos),
               data.begin() + static_cast<std::ptrdiff_t>(pos + len));
    if (len & 1) out.push_back(0);
    if (data.empty()) break;
  }
  return out;
}

std::vector<uint8_t> build_xex(const XexBuildSpec& spec) {
  const uint32_t base = spec.image_base;
  const uint32_t page = base >= 0x90000000u ? 0x1000 : 0x10000;
  if (base < 0x80000000u || base >= 0xA0000000u || base % page) {
    throw Error(ExitCode::kBadInput, fmt::format("image base 0x{:08X} is not a page-aligned XEX heap address", base));
  }
  uint64_t span = 0;
  for (const RunSpec& r : spec.runs) span += uint64_t{r.pages} * page;
  if (span == 0 || base + span > (base >= 0x90000000u ? 0xA0000000ull : 0x90000000ull)) {
    throw Error(ExitCode::kBadInput, fmt::format("image span 0x{:X} at 0x{:08X} is empty or too large", span, base));
  }
  if (spec.image.size() > span) {
    throw Error(ExitCode::kBadInput,
                fmt::format("image data (0x{:X} bytes) is larger than the page runs (0x{:X})", spec.image.size(), span));
  }
  std::vector<uint8_t> image = spec.image;
  image.resize(span);
  for (size_t i = 0; i < 0x1000; ++i) {
    if (image[i]) {
      throw Error(ExitCode::kBadInput,
                  fmt::format("image byte at 0x{:08X} is inside the 4 KB reserved for the PE headers", base + i));
    }
  }
  write_pe_headers(image, spec, static_cast<uint32_t>(span), page);

  // Import records inside the image.
  std::vector<std::string> libs;
  for (const ImportSpec& i : spec.imports)
    if (std::find(libs.begin(), libs.end(), i.library) == libs.end()) libs.push_back(i.library);
  auto check_addr = [&](uint32_t a, uint32_t size, const ImportSpec& i) {
    if (a < base + 0x1000 || uint64_t{a} + size > base + span || a % 4) {
      throw Error(ExitCode::kBadInput, fmt::format("import record for {} ordinal 0x{:X} at 0x{:08X} is outside the "
                                                   "image or misaligned",
                                                   i.library, i.ordinal, a));
    }
  };
  for (const ImportSpec& i : spec.imports) {
    uint32_t lib = import_library_index(spec.imports, i.library);
    check_addr(i.variable_address, 4, i);
    store_be32(&image[i.variable_address - base], (uint32_t{lib} << 16) | i.ordinal);
    if (i.thunk_address) {
      check_addr(i.thunk_address, 16, i);
      uint8_t* t = &image[i.thunk_address - base];
      store_be32(t, 0x01000000u | (uint32_t{lib} << 16) | i.ordinal);
      if (!load_be32(t + 8) && !load_be32(t + 12)) {
        store_be32(t + 8, 0x7D6903A6);   // mtctr r11
        store_be32(t + 12, 0x4E800420);  // bctr
      }
    }
  }

  // Security info.
  std::vector<uint8_t> security;
  const uint32_t sec_size = kSecPageDescriptors + static_cast<uint32_t>(spec.runs.size()) * kPageDescriptorSize;
  security.resize(sec_size);
  uint8_t* s = security.data();
  store_be32(s + kSecHeaderSize, sec_size);
  store_be32(s + kSecImageSize, static_cast<uint32_t>(span));
  store_be32(s + kSecUnknownLength, 0x174);
  store_be32(s + kSecImageFlags, page == 0x1000 ? kImageFlag4kbPages : 0);
  store_be32(s + kSecLoadAddress, base);
  store_be32(s + kSecImportTableCount, static_cast<uint32_t>(libs.size()));
  store_be32(s + kSecRegion, 0xFFFFFFFF);
  store_be32(s + kSecAllowedMediaTypes, 0xFFFFFFFF);
  store_be32(s + kSecPageDescriptorCount, static_cast<uint32_t>(spec.runs.size()));
  std::array<uint8_t, 16> session{};
  if (spec.encrypt) {
    auto digest = sha1(image);
    std::memcpy(session.data(), digest.data(), 16);
    auto stored = encrypt_session_key(session, spec.devkit_key ? kDevkitKey : kRetailKey);
    std::memcpy(s + kSecAesKey, stored.data(), 16);
  }
  uint64_t off = 0;
  for (size_t i = 0; i < spec.runs.size(); ++i) {
    uint8_t* d = s + kSecPageDescriptors + i * kPageDescriptorSize;
    store_be32(d, (spec.runs[i].pages << 4) | (spec.runs[i].section_type & 0xF));
    uint64_t size = uint64_t{spec.runs[i].pages} * page;
    auto digest = sha1(std::span<const uint8_t>(image.data() + off, size));
    std::memcpy(d + 4, digest.data(), 20);
    off += size;
  }

  // Basefile.
  std::vector<uint8_t> basefile;
  std::vector<uint8_t> format;
  put_be32(format, 0);  // size, patched below
  put_be16(format, spec.encrypt ? kEncryptionNormal : kEncryptionNone);
  std::unique_ptr<CbcEncryptor> aes;
  if (spec.encrypt) aes = std::make_unique<CbcEncryptor>(session);
  switch (spec.compression) {
    case BaseCompression::kRaw:
      put_be16(format, kCompressionNone);
      basefile = image;
      if (aes) aes->encrypt(basefile.data(), basefile.size());
      break;
    case BaseCompression::kBasic: {
      put_be16(format, kCompressionBasic);
      // Blocks of {data, zero run}; runs shorter than 64 bytes stay data.
      // Sizes are multiples of 16 so the CBC chain stays block-aligned.
      constexpr size_t kUnit = 16, kMinZero = 64;
      auto zero_unit = [&](size_t pos) {
        for (size_t k = 0; k < kUnit; ++k)
          if (image[pos + k]) return false;
        return true;
      };
      size_t pos = 0;
      while (pos < image.size()) {
        size_t data_start = pos;
        size_t zero_start = image.size(), zero_end = image.size();
        size_t q = pos;
        while (q < image.size()) {
          if (!zero_unit(q)) {
            q += kUnit;
            continue;
          }
          size_t z = q;
          while (z < image.size() && zero_unit(z)) z += kUnit;
          if (z - q >= kMinZero || z == image.size()) {
            zero_start = q;
            zero_end = z;
            break;
          }
          q = z;
        }
        uint32_t data_size = static_cast<uint32_t>(zero_start - data_start);
        uint32_t zero_size = static_cast<uint32_t>(zero_end - zero_start);
        put_be32(format, data_size);
        put_be32(format, zero_size);
        size_t at = basefile.size();
        basefile.insert(basefile.end(), image.begin() + static_cast<std::ptrdiff_t>(data_start),
                        image.begin() + static_cast<std::ptrdiff_t>(zero_start));
        if (aes) aes->encrypt(basefile.data() + at, data_size);
        pos = zero_end;
      }
      break;
    }
    case BaseCompression::kLzxStored:
    case BaseCompression::kLzx: {
      put_be16(format, kCompressionNormal);
      constexpr uint32_t kWindow = 0x8000;
      std::vector<uint8_t> stream = spec.compression == BaseCompression::kLzx ? lzx_compress(image, kWindow)
                                                                               : lzx_encode_stored(image);
      // Blocks of up to two 0x8000-byte chunks, hash-chained back to front.
      constexpr size_t kChunk = 0x8000, kChunksPerBlock = 2;
      std::vector<std::vector<uint8_t>> bodies;
      for (size_t p = 0; p < stream.size();) {
        std::vector<uint8_t> body;
        for (size_t c = 0; c < kChunksPerBlock && p < stream.size(); ++c) {
          size_t n = std::min(kChunk, stream.size() - p);
          put_be16(body, static_cast<uint16_t>(n));
          body.insert(body.end(), stream.begin() + static_cast<std::ptrdiff_t>(p),
                      stream.begin() + static_cast<std::ptrdiff_t>(p + n));
          p += n;
        }
        put_be16(body, 0);
        bodies.push_back(std::move(body));
      }
      std::vector<std::vector<uint8_t>> blocks(bodies.size());
      uint32_t next_size = 0;
      std::array<uint8_t, 20> next_hash{};
      for (size_t i = bodies.size(); i-- > 0;) {
        std::vector<uint8_t>& b = blocks[i];
        put_be32(b, next_size);
        b.insert(b.end(), next_hash.begin(), next_hash.end());
        b.insert(b.end(), bodies[i].begin(), bodies[i].end());
        next_size = static_cast<uint32_t>(b.size());
        next_hash = sha1(b);
      }
      put_be32(format, kWindow);
      put_be32(format, next_size);
      format.insert(format.end(), next_hash.begin(), next_hash.end());
      for (const auto& b : blocks) basefile.insert(basefile.end(), b.begin(), b.end());
      if (aes) {
        pad_to(basefile, 16);
        aes->encrypt(basefile.data(), basefile.size());
      }
      break;
    }
  }
  store_be32(format.data(), static_cast<uint32_t>(format.size()));

  // Optional headers, ascending by key.
  std::vector<Header> headers;
  headers.push_back({kHeaderFileFormatInfo, format});
  headers.push_back({kHeaderEntryPoint, {}, spec.entry_point});
  headers.push_back({kHeaderImageBaseAddress, {}, base});
  if (!spec.imports.empty()) {
    std::vector<uint8_t> p;
    put_be32(p, 0);
    std::vector<uint8_t> names;
    for (const std::string& l : libs) {
      names.insert(names.end(), l.begin(), l.end());
      names.push_back(0);
      pad_to(names, 4);
    }
    put_be32(p, static_cast<uint32_t>(names.size()));
    put_be32(p, static_cast<uint32_t>(libs.size()));
    p.insert(p.end(), names.begin(), names.end());
    for (size_t li = 0; li < libs.size(); ++li) {
      std::vector<uint32_t> records;
      for (const ImportSpec& i : spec.imports) {
        if (i.library != libs[li]) continue;
        records.push_back(i.variable_address);
        if (i.thunk_address) records.push_back(i.thunk_address);
      }
      if (records.size() > 0xFFFF) throw Error(ExitCode::kBadInput, "too many import records for one library");
      put_be32(p, static_cast<uint32_t>(0x28 + records.size() * 4));
      p.insert(p.end(), 20, 0);  // next_import_digest (not checked)
      put_be32(p, 0);            // id
      put_be32(p, 0x20000000);   // version 2.0.0.0 (not checked)
      put_be32(p, 0x20000000);   // version_min
      put_be16(p, static_cast<uint16_t>(li));
      put_be16(p, static_cast<uint16_t>(records.size()));
      for (uint32_t r : records) put_be32(p, r);
    }
    store_be32(p.data(), static_cast<uint32_t>(p.size()));
    headers.push_back({kHeaderImportLibraries, p});
  }
  if (!spec.original_pe_name.empty()) {
    std::vector<uint8_t> p;
    put_be32(p, 0);
    p.insert(p.end(), spec.original_pe_name.begin(), spec.original_pe_name.end());
    p.push_back(0);
    pad_to(p, 4);
    store_be32(p.data(), static_cast<uint32_t>(p.size()));
    headers.push_back({kHeaderOriginalPeName, p});
  }
  if (spec.tls) {
    std::vector<uint8_t> p;
    put_be32(p, spec.tls->slot_count);
    put_be32(p, spec.tls->raw_data_address);
    put_be32(p, spec.tls->data_size);
    put_be32(p, spec.tls->raw_data_size);
    headers.push_back({kHeaderTlsInfo, p});
  }
  if (spec.default_stack_size) headers.push_back({kHeaderDefaultStackSize, {}, *spec.default_stack_size});
  headers.push_back({kHeaderSystemFlags, {}, spec.system_flags});
  {
    std::vector<uint8_t> p;
    put_be32(p, 0);  // media_id
    put_be32(p, 0);  // version
    put_be32(p, 0);  // base_version
    put_be32(p, spec.title_id);
    p.insert(p.end(), {0, 0, 0, 0});  // platform, executable_table, disc_number, disc_count
    put_be32(p, 0);                    // savegame_id
    headers.push_back({kHeaderExecutionInfo, p});
  }
  std::sort(headers.begin(), headers.end(), [](const Header& a, const Header& b) { return a.key < b.key; });

  std::vector<uint8_t> out;
  const uint32_t dir_end = kMainHeaderSize + static_cast<uint32_t>(headers.size()) * 8;
  const uint32_t sec_off = dir_end;
  uint32_t cursor = sec_off + sec_size;
  cursor = (cursor + 7) & ~7u;
  std::vector<uint32_t> values;
  for (const Header& h : headers) {
    if (h.payload.empty()) {
      values.push_back(h.inline_value);
    } else {
      values.push_back(cursor);
      cursor += static_cast<uint32_t>((h.payload.size() + 7) & ~size_t{7});
    }
  }
  const uint32_t header_size = (cursor + 0xFFF) & ~0xFFFu;
  out.resize(header_size);
  store_be32(&out[0], kMagicXex2);
  store_be32(&out[4], spec.module_flags);
  store_be32(&out[8], header_size);
  store_be32(&out[0xC], 0);
  store_be32(&out[0x10], sec_off);
  store_be32(&out[0x14], static_cast<uint32_t>(headers.size()));
  for (size_t i = 0; i < headers.size(); ++i) {
    store_be32(&out[kMainHeaderSize + i * 8], headers[i].key);
    store_be32(&out[kMainHeaderSize + i * 8 + 4], values[i]);
    if (!headers[i].payload.empty()) {
      std::memcpy(&out[values[i]], headers[i].payload.data(), headers[i].payload.size());
    }
  }
  std::memcpy(&out[sec_off], security.data(), security.size());
  out.insert(out.end(), basefile.begin(), basefile.end());
  return out;
}

}  // namespace xdet::xex
