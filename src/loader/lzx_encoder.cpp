// LZX compressor (verbatim blocks) for `xdet pack --compress lzx`.
//
// Debian packages no LZX compressor, so this is a small one written from the
// format as libmspack's decoder reads it: one verbatim block per 32 KB frame,
// greedy hash-chain matching (length 3..257, offsets up to window - 3,
// always explicit offsets, never the R0-R2 repeat slots), length-limited
// canonical Huffman trees sent as pretree-coded deltas against the previous
// block's lengths, and the bit stream realigned to 16 bits after each frame.
// No Intel E8 translation.
#include <algorithm>
#include <array>
#include <cstdint>
#include <queue>
#include <stdexcept>
#include <vector>

#include "loader/xex2_writer.h"

namespace xdet::xex {

namespace {

constexpr uint32_t kFrame = 0x8000;
constexpr uint32_t kMinMatch = 3, kMaxMatch = 257;
constexpr uint32_t kNumChars = 256;
constexpr uint32_t kPretreeSize = 20;
constexpr uint32_t kLengthTreeSize = 249;

class BitWriter {
 public:
  void put(uint32_t value, uint32_t n) {
    for (uint32_t i = n; i-- > 0;) {
      acc_ = static_cast<uint16_t>((acc_ << 1) | ((value >> i) & 1));
      if (++bits_ == 16) flush_word();
    }
  }
  void align16() {
    if (bits_) put(0, 16 - bits_);
  }
  std::vector<uint8_t>& bytes() { return out_; }

 private:
  void flush_word() {
    out_.push_back(static_cast<uint8_t>(acc_));
    out_.push_back(static_cast<uint8_t>(acc_ >> 8));
    acc_ = 0;
    bits_ = 0;
  }
  std::vector<uint8_t> out_;
  uint16_t acc_ = 0;
  uint32_t bits_ = 0;
};

// Code lengths (<= max_len) for the frequencies; a complete code with at
// least two symbols (the decoder rejects incomplete or one-symbol trees).
std::vector<uint8_t> huffman_lengths(std::vector<uint32_t> freq, uint32_t max_len) {
  const size_t n = freq.size();
  size_t used = std::count_if(freq.begin(), freq.end(), [](uint32_t f) { return f != 0; });
  for (size_t i = 0; used < 2 && i < n; ++i) {
    if (!freq[i]) {
      freq[i] = 1;
      ++used;
    }
  }
  std::vector<uint8_t> lens(n, 0);
  for (;;) {
    struct Node {
      uint64_t weight;
      int32_t left, right;
    };
    std::vector<Node> nodes;
    using Item = std::pair<uint64_t, int32_t>;  // (weight, node) ; ties by node index: deterministic
    std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
    for (size_t i = 0; i < n; ++i) {
      if (freq[i]) {
        nodes.push_back({freq[i], -1, static_cast<int32_t>(i)});
        heap.push({freq[i], static_cast<int32_t>(nodes.size() - 1)});
      }
    }
    while (heap.size() > 1) {
      auto [wa, a] = heap.top();
      heap.pop();
      auto [wb, b] = heap.top();
      heap.pop();
      nodes.push_back({wa + wb, a, b});
      heap.push({wa + wb, static_cast<int32_t>(nodes.size() - 1)});
    }
    std::fill(lens.begin(), lens.end(), 0);
    uint32_t deepest = 0;
    std::vector<std::pair<int32_t, uint32_t>> stack{{heap.top().second, 0}};
    while (!stack.empty()) {
      auto [idx, depth] = stack.back();
      stack.pop_back();
      const Node& node = nodes[idx];
      if (node.left < 0) {
        lens[node.right] = static_cast<uint8_t>(std::max<uint32_t>(depth, 1));
        deepest = std::max(deepest, depth);
      } else {
        stack.push_back({node.left, depth + 1});
        stack.push_back({node.right, depth + 1});
      }
    }
    if (deepest <= max_len) return lens;
    for (uint32_t& f : freq)
      if (f) f = (f + 1) / 2;  // flatten and retry
  }
}

// Canonical codes: by increasing length, then symbol (as the decoder builds them).
std::vector<uint32_t> canonical_codes(const std::vector<uint8_t>& lens) {
  std::vector<uint32_t> codes(lens.size(), 0);
  uint32_t code = 0;
  for (uint32_t len = 1; len <= 16; ++len) {
    for (size_t s = 0; s < lens.size(); ++s) {
      if (lens[s] == len) codes[s] = code++;
    }
    code <<= 1;
  }
  return codes;
}

// Sends lens[first, last) as deltas against prev via a pretree.
void write_lengths(BitWriter& w, const std::vector<uint8_t>& lens, std::vector<uint8_t>& prev, size_t first,
                   size_t last) {
  std::vector<uint32_t> symbols;
  for (size_t i = first; i < last; ++i) symbols.push_back((prev[i] + 17u - lens[i]) % 17u);
  std::vector<uint32_t> freq(kPretreeSize, 0);
  for (uint32_t s : symbols) freq[s]++;
  std::vector<uint8_t> pre_lens = huffman_lengths(freq, 15);
  std::vector<uint32_t> pre_codes = canonical_codes(pre_lens);
  for (uint32_t i = 0; i < kPretreeSize; ++i) w.put(pre_lens[i], 4);
  for (uint32_t s : symbols) w.put(pre_codes[s], pre_lens[s]);
  for (size_t i = first; i < last; ++i) prev[i] = lens[i];
}

struct Token {
  uint32_t length;  // 0 = literal
  uint32_t value;   // literal byte or match offset
};

}  // namespace

std::vector<uint8_t> lzx_compress(const std::vector<uint8_t>& data, uint32_t window_size) {
  if (window_size != 0x8000) throw std::invalid_argument("lzx_compress supports a 32 KB window");
  const uint32_t position_slots = 30;  // for a 2^15 window
  const uint32_t main_size = kNumChars + position_slots * 8;
  std::array<uint32_t, 32> extra_bits{}, position_base{};
  for (uint32_t i = 0; i < 32; ++i) {
    extra_bits[i] = i < 4 ? 0 : (i - 2) / 2;
    if (i) position_base[i] = position_base[i - 1] + (1u << extra_bits[i - 1]);
  }
  const uint32_t max_offset = window_size - 3;

  BitWriter w;
  w.put(0, 1);  // no Intel E8 translation
  std::vector<uint8_t> prev_main(main_size, 0), prev_length(kLengthTreeSize, 0);

  // Hash chains over the whole input (positions are absolute).
  constexpr uint32_t kHashBits = 15, kChain = 48;
  std::vector<int32_t> head(1u << kHashBits, -1), prev(data.size(), -1);
  auto hash3 = [&](size_t p) {
    uint32_t v = (uint32_t{data[p]} << 16) | (uint32_t{data[p + 1]} << 8) | data[p + 2];
    return (v * 2654435761u) >> (32 - kHashBits);
  };
  auto insert = [&](size_t p) {
    if (p + 2 < data.size()) {
      uint32_t h = hash3(p);
      prev[p] = head[h];
      head[h] = static_cast<int32_t>(p);
    }
  };

  for (size_t frame = 0; frame < data.size() || (frame == 0 && data.empty()); frame += kFrame) {
    const size_t frame_end = std::min(data.size(), frame + kFrame);
    std::vector<Token> tokens;
    for (size_t p = frame; p < frame_end;) {
      uint32_t best_len = 0, best_off = 0;
      const size_t limit = std::min<size_t>(kMaxMatch, frame_end - p);
      if (limit >= kMinMatch && p + 2 < data.size()) {
        int32_t cand = head[hash3(p)];
        for (uint32_t steps = 0; cand >= 0 && steps < kChain; ++steps, cand = prev[cand]) {
          size_t off = p - static_cast<size_t>(cand);
          if (off > max_offset) break;
          uint32_t len = 0;
          while (len < limit && data[cand + len] == data[p + len]) ++len;
          if (len > best_len) {
            best_len = len;
            best_off = static_cast<uint32_t>(off);
            if (len == limit) break;
          }
        }
      }
      if (best_len >= kMinMatch) {
        tokens.push_back({best_len, best_off});
        for (uint32_t k = 0; k < best_len; ++k) insert(p + k);
        p += best_len;
      } else {
        tokens.push_back({0, data[p]});
        insert(p);
        ++p;
      }
    }

    // Symbol statistics for this block.
    std::vector<uint32_t> main_freq(main_size, 0), len_freq(kLengthTreeSize, 0);
    struct Coded {
      uint32_t main, length_sym, slot, footer;
      bool has_length;
    };
    std::vector<Coded> coded;
    coded.reserve(tokens.size());
    for (const Token& t : tokens) {
      Coded c{};
      if (t.length == 0) {
        c.main = t.value;
      } else {
        uint32_t formatted = t.value + 2;
        uint32_t slot = 3;
        while (slot + 1 < position_slots && position_base[slot + 1] <= formatted) ++slot;
        c.slot = slot;
        c.footer = formatted - position_base[slot];
        uint32_t header = std::min<uint32_t>(t.length - 2, 7);
        c.main = kNumChars + (slot << 3) + header;
        if (header == 7) {
          c.has_length = true;
          c.length_sym = t.length - 2 - 7;
          len_freq[c.length_sym]++;
        }
      }
      main_freq[c.main]++;
      coded.push_back(c);
    }
    std::vector<uint8_t> main_lens = huffman_lengths(main_freq, 16);
    bool any_length = std::any_of(len_freq.begin(), len_freq.end(), [](uint32_t f) { return f != 0; });
    std::vector<uint8_t> len_lens = any_length ? huffman_lengths(len_freq, 16) : std::vector<uint8_t>(kLengthTreeSize, 0);
    std::vector<uint32_t> main_codes = canonical_codes(main_lens), len_codes = canonical_codes(len_lens);

    const uint32_t block_size = static_cast<uint32_t>(frame_end - frame);
    w.put(1, 3);  // verbatim block
    w.put(block_size >> 8, 16);
    w.put(block_size & 0xFF, 8);
    write_lengths(w, main_lens, prev_main, 0, kNumChars);
    write_lengths(w, main_lens, prev_main, kNumChars, main_size);
    write_lengths(w, len_lens, prev_length, 0, kLengthTreeSize);
    for (const Coded& c : coded) {
      w.put(main_codes[c.main], main_lens[c.main]);
      if (c.main < kNumChars) continue;
      if (c.has_length) w.put(len_codes[c.length_sym], len_lens[c.length_sym]);
      if (c.slot != 3) w.put(c.footer, extra_bits[c.slot]);
    }
    w.align16();  // the decoder realigns after every 32 KB frame
    if (data.empty()) break;
  }
  return std::move(w.bytes());
}

}  // namespace xdet::xex
