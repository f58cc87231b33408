// XeCrypt: AES-128 (key schedule in guest memory, ECB and CBC), SHA-1 and SHA-256 (streaming state in guest memory, one-shot),
// HMAC-SHA1, MD5, RC4 and the random generator. Digests come from OpenSSL;
// the streaming states keep the console's layout {u32 count, u32 chain[],
// u8 block[64]} in guest memory so a title can copy or inspect them.
// XeCryptRandom is a deterministic stream seeded from the run's --seed.
#include <algorithm>
#include <array>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include "kernel/exports/exports.h"
#include "kernel/title_state.h"

// The block transforms are the only way to run SHA on a caller-held state;
// OpenSSL 3 marks them deprecated but keeps them.
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

namespace xdet::kernel {

namespace {

std::vector<uint8_t> read_bytes(GuestMemory& mem, uint32_t addr, uint32_t n) { return read_guest_bytes(mem, addr, n); }

// Up to three (pointer, length) pieces, as the one-shot digests take them.
std::vector<uint8_t> gather(ExportCall& c, int first, int pieces) {
  std::vector<uint8_t> all;
  for (int i = 0; i < pieces; ++i) {
    uint32_t p = c.arg(first + 2 * i), n = c.arg(first + 2 * i + 1);
    if (p && n) {
      auto v = read_bytes(c.mem(), p, n);
      all.insert(all.end(), v.begin(), v.end());
    }
  }
  return all;
}

void digest_to_guest(ExportCall& c, uint32_t out, uint32_t out_len, const uint8_t* d, uint32_t d_len) {
  if (out && out_len) c.mem().write_bytes(out, d, std::min(out_len, d_len));
}

// ---- streaming SHA on a guest state ----
template <int kWords>
struct ShaState {
  uint32_t count;
  uint32_t h[kWords];
  uint8_t block[64];
};

template <int kWords>
ShaState<kWords> load_state(GuestMemory& mem, uint32_t s) {
  ShaState<kWords> st;
  st.count = mem.read32(s);
  for (int i = 0; i < kWords; ++i) st.h[i] = mem.read32(s + 4 + 4 * i);
  mem.read_bytes(s + 4 + 4 * kWords, st.block, 64);
  return st;
}

template <int kWords>
void store_state(GuestMemory& mem, uint32_t s, const ShaState<kWords>& st) {
  mem.write32(s, st.count);
  for (int i = 0; i < kWords; ++i) mem.write32(s + 4 + 4 * i, st.h[i]);
  mem.write_bytes(s + 4 + 4 * kWords, st.block, 64);
}

void transform(ShaState<5>& st, const uint8_t* block) {
  SHA_CTX ctx{};
  ctx.h0 = st.h[0], ctx.h1 = st.h[1], ctx.h2 = st.h[2], ctx.h3 = st.h[3], ctx.h4 = st.h[4];
  SHA1_Transform(&ctx, block);
  st.h[0] = ctx.h0, st.h[1] = ctx.h1, st.h[2] = ctx.h2, st.h[3] = ctx.h3, st.h[4] = ctx.h4;
}

void transform(ShaState<8>& st, const uint8_t* block) {
  SHA256_CTX ctx{};
  std::copy(st.h, st.h + 8, ctx.h);
  SHA256_Transform(&ctx, block);
  std::copy(ctx.h, ctx.h + 8, st.h);
}

template <int kWords>
void sha_update(ShaState<kWords>& st, const uint8_t* data, size_t n) {
  while (n) {
    uint32_t used = st.count % 64;
    uint32_t take = static_cast<uint32_t>(std::min<size_t>(64 - used, n));
    std::copy(data, data + take, st.block + used);
    st.count += take;
    data += take;
    n -= take;
    if (st.count % 64 == 0) transform(st, st.block);
  }
}

template <int kWords>
std::array<uint8_t, 4 * kWords> sha_final(ShaState<kWords> st) {
  uint64_t bits = static_cast<uint64_t>(st.count) * 8;
  uint8_t pad[72] = {0x80};
  uint32_t used = st.count % 64;
  uint32_t pad_len = used < 56 ? 56 - used : 120 - used;
  sha_update(st, pad, pad_len);
  uint8_t len[8];
  for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(bits >> (56 - 8 * i));
  sha_update(st, len, 8);
  std::array<uint8_t, 4 * kWords> d;
  for (int i = 0; i < kWords; ++i) {
    for (int b = 0; b < 4; ++b) d[4 * i + b] = static_cast<uint8_t>(st.h[i] >> (24 - 8 * b));
  }
  return d;
}

constexpr uint32_t kSha1Init[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
constexpr uint32_t kSha256Init[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

template <int kWords>
void sha_init_guest(ExportCall& c, const uint32_t* init) {
  ShaState<kWords> st{};
  std::copy(init, init + kWords, st.h);
  store_state(c.mem(), c.arg(0), st);
}

template <int kWords>
void sha_update_guest(ExportCall& c) {
  auto st = load_state<kWords>(c.mem(), c.arg(0));
  auto data = read_bytes(c.mem(), c.arg(1), c.arg(2));
  sha_update(st, data.data(), data.size());
  store_state(c.mem(), c.arg(0), st);
}

template <int kWords>
void sha_final_guest(ExportCall& c) {
  auto st = load_state<kWords>(c.mem(), c.arg(0));
  auto d = sha_final(st);
  digest_to_guest(c, c.arg(1), c.arg(2), d.data(), 4 * kWords);
}

void xe_crypt_sha_init(ExportCall& c) { sha_init_guest<5>(c, kSha1Init); }
void xe_crypt_sha_update(ExportCall& c) { sha_update_guest<5>(c); }
void xe_crypt_sha_final(ExportCall& c) { sha_final_guest<5>(c); }
void xe_crypt_sha256_init(ExportCall& c) { sha_init_guest<8>(c, kSha256Init); }
void xe_crypt_sha256_update(ExportCall& c) { sha_update_guest<8>(c); }
void xe_crypt_sha256_final(ExportCall& c) { sha_final_guest<8>(c); }

void one_shot(ExportCall& c, const EVP_MD* md, int first_piece) {
  auto data = gather(c, first_piece, 3);
  uint8_t d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(data.data(), data.size(), d, &n, md, nullptr);
  digest_to_guest(c, c.arg(first_piece + 6), c.arg(first_piece + 7), d, n);
}

// (d1, l1, d2, l2, d3, l3, out, out_len)
void xe_crypt_sha(ExportCall& c) { one_shot(c, EVP_sha1(), 0); }
void xe_crypt_sha256(ExportCall& c) { one_shot(c, EVP_sha256(), 0); }
void xe_crypt_md5(ExportCall& c) { one_shot(c, EVP_md5(), 0); }

// (key, key_len, d1, l1, d2, l2, d3, l3, out, out_len)
void xe_crypt_hmac_sha(ExportCall& c) {
  auto key = read_bytes(c.mem(), c.arg(0), c.arg(1));
  auto data = gather(c, 2, 3);
  uint8_t d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), d, &n);
  digest_to_guest(c, c.arg(8), c.arg(9), d, n);
}

// RC4 state: S[256], i, j (bytes).
void xe_crypt_rc4_key(ExportCall& c) {
  uint32_t st = c.arg(0);
  auto key = read_bytes(c.mem(), c.arg(1), c.arg(2));
  uint8_t s[256];
  for (int i = 0; i < 256; ++i) s[i] = static_cast<uint8_t>(i);
  if (!key.empty()) {
    uint8_t j = 0;
    for (int i = 0; i < 256; ++i) {
      j = static_cast<uint8_t>(j + s[i] + key[i % key.size()]);
      std::swap(s[i], s[j]);
    }
  }
  c.mem().write_bytes(st, s, 256);
  c.mem().write8(st + 256, 0);
  c.mem().write8(st + 257, 0);
}

void xe_crypt_rc4_ecb(ExportCall& c) {
  uint32_t st = c.arg(0), data = c.arg(1), n = c.arg(2);
  uint8_t s[256];
  c.mem().read_bytes(st, s, 256);
  uint8_t i = c.mem().read8(st + 256), j = c.mem().read8(st + 257);
  auto buf = read_bytes(c.mem(), data, n);
  for (uint8_t& b : buf) {
    i = static_cast<uint8_t>(i + 1);
    j = static_cast<uint8_t>(j + s[i]);
    std::swap(s[i], s[j]);
    b ^= s[static_cast<uint8_t>(s[i] + s[j])];
  }
  if (n) c.mem().write_bytes(data, buf.data(), n);
  c.mem().write_bytes(st, s, 256);
  c.mem().write8(st + 256, i);
  c.mem().write8(st + 257, j);
}

// XECRYPT_AES_STATE (0x160): the AES-128 encryption key schedule (11 round
// keys of 16 bytes, FIPS-197 order), then the same round keys in reverse
// order for decryption. The cipher calls use round key 0 (the key itself)
// with OpenSSL, so they do not depend on the schedule's layout.
std::array<uint8_t, 256> aes_sbox() {
  std::array<uint8_t, 256> sbox{};
  uint8_t p = 1, q = 1;
  auto rotl = [](uint8_t x, int s) { return static_cast<uint8_t>(x << s | x >> (8 - s)); };
  do {
    p = static_cast<uint8_t>(p ^ (p << 1) ^ (p & 0x80 ? 0x1B : 0));  // p * 3
    q ^= static_cast<uint8_t>(q << 1);                                 // q / 3
    q ^= static_cast<uint8_t>(q << 2);
    q ^= static_cast<uint8_t>(q << 4);
    if (q & 0x80) q ^= 0x09;
    sbox[p] = static_cast<uint8_t>(q ^ rotl(q, 1) ^ rotl(q, 2) ^ rotl(q, 3) ^ rotl(q, 4) ^ 0x63);
  } while (p != 1);
  sbox[0] = 0x63;
  return sbox;
}

void xe_crypt_aes_key(ExportCall& c) {
  static const std::array<uint8_t, 256> sbox = aes_sbox();
  uint32_t st = c.arg(0);
  auto key = read_bytes(c.mem(), c.arg(1), 16);
  uint8_t w[176];
  std::copy(key.begin(), key.end(), w);
  uint8_t rcon = 1;
  for (int i = 16; i < 176; i += 4) {
    uint8_t t[4] = {w[i - 4], w[i - 3], w[i - 2], w[i - 1]};
    if (i % 16 == 0) {
      uint8_t t0 = t[0];
      t[0] = static_cast<uint8_t>(sbox[t[1]] ^ rcon);
      t[1] = sbox[t[2]];
      t[2] = sbox[t[3]];
      t[3] = sbox[t0];
      rcon = static_cast<uint8_t>(rcon << 1 ^ (rcon & 0x80 ? 0x1B : 0));
    }
    for (int k = 0; k < 4; ++k) w[i + k] = static_cast<uint8_t>(w[i - 16 + k] ^ t[k]);
  }
  c.mem().write_bytes(st, w, 176);
  for (uint32_t r = 0; r < 11; ++r) c.mem().write_bytes(st + 0xB0 + 16 * r, w + 16 * (10 - r), 16);
}

bool aes_run(const uint8_t key[16], const uint8_t* iv, const uint8_t* in, uint8_t* out, int n, bool encrypt) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (!ctx) return false;
  int len = 0;
  bool ok = EVP_CipherInit_ex(ctx, iv ? EVP_aes_128_cbc() : EVP_aes_128_ecb(), nullptr, key, iv, encrypt ? 1 : 0) == 1 &&
            EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_CipherUpdate(ctx, out, &len, in, n) == 1;
  EVP_CIPHER_CTX_free(ctx);
  return ok;
}

std::array<uint8_t, 16> aes_key_of(ExportCall& c, uint32_t st) {
  std::array<uint8_t, 16> key;
  c.mem().read_bytes(st, key.data(), 16);
  return key;
}

// (state, in, out, encrypt): one 16-byte block.
void xe_crypt_aes_ecb(ExportCall& c) {
  auto key = aes_key_of(c, c.arg(0));
  auto in = read_bytes(c.mem(), c.arg(1), 16);
  uint8_t out[16];
  if (aes_run(key.data(), nullptr, in.data(), out, 16, c.arg(3) != 0)) c.mem().write_bytes(c.arg(2), out, 16);
}

// (state, in, length, out, feed (16-byte IV, updated), encrypt): whole blocks.
void xe_crypt_aes_cbc(ExportCall& c) {
  auto key = aes_key_of(c, c.arg(0));
  uint32_t n = c.arg(2) & ~15u, feed = c.arg(4);
  bool encrypt = c.arg(5) != 0;
  if (!n) return;
  auto in = read_bytes(c.mem(), c.arg(1), n);
  auto iv = read_bytes(c.mem(), feed, 16);
  std::vector<uint8_t> out(n);
  if (!aes_run(key.data(), iv.data(), in.data(), out.data(), static_cast<int>(n), encrypt)) return;
  c.mem().write_bytes(c.arg(3), out.data(), n);
  // The feed becomes the last ciphertext block, ready for the next call.
  c.mem().write_bytes(feed, (encrypt ? out.data() : in.data()) + n - 16, 16);
}

void xe_crypt_random(ExportCall& c) {
  uint32_t buf = c.arg(0), n = c.arg(1);
  uint8_t piece[4096];
  for (uint32_t done = 0; done < n;) {
    uint32_t take = std::min<uint32_t>(sizeof piece, n - done);
    c.k.title().random_bytes(piece, take);
    c.mem().write_bytes(buf + done, piece, take);
    done += take;
  }
  c.ret(kStatusSuccess);
}

const ExportInfo kExports[] = {
    {345, "XeCryptAesKey", 2, xe_crypt_aes_key},
    {346, "XeCryptAesEcb", 4, xe_crypt_aes_ecb},
    {347, "XeCryptAesCbc", 6, xe_crypt_aes_cbc},
    {386, "XeCryptHmacSha", 10, xe_crypt_hmac_sha},
    {391, "XeCryptMd5", 8, xe_crypt_md5},
    {394, "XeCryptRandom", 2, xe_crypt_random},
    {395, "XeCryptRc4Key", 3, xe_crypt_rc4_key},
    {396, "XeCryptRc4Ecb", 3, xe_crypt_rc4_ecb},
    {399, "XeCryptShaInit", 1, xe_crypt_sha_init},
    {400, "XeCryptShaUpdate", 3, xe_crypt_sha_update},
    {401, "XeCryptShaFinal", 3, xe_crypt_sha_final},
    {402, "XeCryptSha", 8, xe_crypt_sha},
    {784, "XeCryptSha256Init", 1, xe_crypt_sha256_init},
    {785, "XeCryptSha256Update", 3, xe_crypt_sha256_update},
    {786, "XeCryptSha256Final", 3, xe_crypt_sha256_final},
    {787, "XeCryptSha256", 8, xe_crypt_sha256},
};

}  // namespace

ExportTable crypt_exports() { return {kExports, sizeof(kExports) / sizeof(kExports[0])}; }

}  // namespace xdet::kernel
