#include "loader/lzx.h"

#include <mspack.h>

#include <bit>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

// libmspack's raw LZX decoder is not declared in its public header; these are
// its (stable since 0.5) entry points, exported from the static library.
extern "C" {
struct lzxd_stream;
lzxd_stream* lzxd_init(struct mspack_system* system, struct mspack_file* input, struct mspack_file* output,
                       int window_bits, int reset_interval, int input_buffer_size, off_t output_length,
                       char is_delta);
int lzxd_decompress(lzxd_stream* lzx, off_t out_bytes);
void lzxd_free(lzxd_stream* lzx);
}

namespace xdet::xex {
namespace {

// An in-memory mspack_file: a read cursor over the input or a bounded write
// cursor over the output.
struct MemFile {
  const uint8_t* in = nullptr;
  uint8_t* out = nullptr;
  size_t size = 0;
  size_t pos = 0;
};

int mem_read(struct mspack_file* f, void* buffer, int bytes) {
  auto* m = reinterpret_cast<MemFile*>(f);
  if (!m->in || bytes < 0) return -1;
  size_t n = std::min<size_t>(static_cast<size_t>(bytes), m->size - m->pos);
  if (n) std::memcpy(buffer, m->in + m->pos, n);
  m->pos += n;
  return static_cast<int>(n);
}

int mem_write(struct mspack_file* f, void* buffer, int bytes) {
  auto* m = reinterpret_cast<MemFile*>(f);
  if (!m->out || bytes < 0) return -1;
  if (static_cast<size_t>(bytes) > m->size - m->pos) return -1;  // never write past the image
  std::memcpy(m->out + m->pos, buffer, static_cast<size_t>(bytes));
  m->pos += static_cast<size_t>(bytes);
  return bytes;
}

int mem_seek(struct mspack_file*, off_t, int) { return -1; }
off_t mem_tell(struct mspack_file* f) { return static_cast<off_t>(reinterpret_cast<MemFile*>(f)->pos); }
void mem_message(struct mspack_file*, const char*, ...) {}
void* mem_alloc(struct mspack_system*, size_t bytes) { return std::malloc(bytes); }
void mem_free(void* p) { std::free(p); }
void mem_copy(void* src, void* dst, size_t bytes) { std::memmove(dst, src, bytes); }

const char* mspack_error_name(int e) {
  switch (e) {
    case MSPACK_ERR_ARGS: return "bad arguments";
    case MSPACK_ERR_READ: return "read past the end of the compressed data";
    case MSPACK_ERR_WRITE: return "output larger than the image";
    case MSPACK_ERR_NOMEMORY: return "out of memory";
    case MSPACK_ERR_DECRUNCH: return "invalid LZX bit stream";
    default: return "decoder error";
  }
}

}  // namespace

bool lzx_decompress(std::span<const uint8_t> in, std::span<uint8_t> out, uint32_t window_size, std::string* error) {
  if (window_size < 0x8000 || window_size > 0x200000 || !std::has_single_bit(window_size)) {
    *error = fmt::format("window size 0x{:X} is not a power of two in 32 KB..2 MB", window_size);
    return false;
  }
  mspack_system sys{};
  sys.read = mem_read;
  sys.write = mem_write;
  sys.seek = mem_seek;
  sys.tell = mem_tell;
  sys.message = mem_message;
  sys.alloc = mem_alloc;
  sys.free = mem_free;
  sys.copy = mem_copy;
  MemFile src{in.data(), nullptr, in.size(), 0};
  MemFile dst{nullptr, out.data(), out.size(), 0};
  int window_bits = std::countr_zero(window_size);
  lzxd_stream* lzx = lzxd_init(&sys, reinterpret_cast<mspack_file*>(&src), reinterpret_cast<mspack_file*>(&dst),
                               window_bits, 0, 0x8000, static_cast<off_t>(out.size()), 0);
  if (!lzx) {
    *error = "decoder initialisation failed";
    return false;
  }
  int rc = lzxd_decompress(lzx, static_cast<off_t>(out.size()));
  lzxd_free(lzx);
  if (rc != MSPACK_ERR_OK) {
    *error = fmt::format("{} (libmspack error {}) after 0x{:X} of 0x{:X} output bytes, input offset 0x{:X}",
                         mspack_error_name(rc), rc, dst.pos, out.size(), src.pos);
    return false;
  }
  if (dst.pos != out.size()) {
    *error = fmt::format("stream ended after 0x{:X} of 0x{:X} bytes", dst.pos, out.size());
    return false;
  }
  return true;
}

}  // namespace xdet::xex
