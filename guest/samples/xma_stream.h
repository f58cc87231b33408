/* A generator of XMA2 bitstreams: 2048-byte packets with the XMA packet
 * header, carrying WMA Pro-style frames of 512 samples per channel. Plain
 * C99 without libc, so a guest sample builds its stream at start-up and the
 * host tests (tests/apu) build the same bytes.
 *
 * What a frame looks like (the syntax libavcodec's XMA2 decoder reads, with
 * XMA's fixed decode flags: length-prefixed frames, up to 4 subframes, DRC
 * byte present, 16-bit scaling):
 *
 *   frame length in bits (15, counting these 15 and the 2 trailing bits)
 *   tile header: 1 (all channels share one layout), 0 (one 512-sample subframe)
 *   stereo only: 0 (no post-processing transform)
 *   DRC gain (8), 0 (no start/end trim)
 *   subframe: 0 (no extended header; or 1, then "00", 4-bit size 15,
 *     15-bit filler length - 1 and that many filler bits), 0 (reserved)
 *     stereo only: 0 (no channel transform flag), 1 0 (group without transform)
 *     per channel: transmit-coefficients bit
 *     if any channel transmits:
 *       1 (vector count transmitted), per channel 8 bits of 0 (no vector
 *       coefficients: everything is run-level coded)
 *       quantisation step delta (signed 6 bits; the step is 90 + delta)
 *       stereo only: modifier length (3) = 0, per channel 0 (no modifier)
 *       per transmitting channel: scale-factor step (2) = 0, then one DPCM
 *       code "1" (difference 0) per scale-factor band
 *     per transmitting channel: 0 (coefficient table 0), run-level codes
 *       (run r = 0..4 with level 1: "00", "011", "110", "1001", "1111",
 *       each followed by a sign bit, 1 = positive; further coefficients in
 *       the next bins as run 0), end of block "0101011"
 *   one filler bit (0), then the "more frames in this packet" bit.
 *
 * Packet header (32 bits, big-endian bit order): frames beginning in this
 * packet (6), bits at the packet's start that finish the previous frame
 * (15; the first new frame starts 32 + this many bits into the packet),
 * metadata (3) = 1 (XMA2), packets to skip to this stream's next packet (8).
 * Frames run on across packet boundaries; a packet in which 63 frames
 * began (the header's limit) and the last packet are padded with zero bits. */
#ifndef XDET_XMA_STREAM_H
#define XDET_XMA_STREAM_H

#include <stdint.h>

#define XMA_PACKET_BYTES 2048u
#define XMA_PACKET_BITS (XMA_PACKET_BYTES * 8u)
#define XMA_PACKET_HEADER_BITS 32u
#define XMA_PAYLOAD_BITS (XMA_PACKET_BITS - XMA_PACKET_HEADER_BITS)
#define XMA_FRAME_SAMPLES 512u
#define XMA_MAX_STREAM_FRAMES 512u

/* One frame's content. */
typedef struct {
  uint32_t bin;       /* 0..4: the first MDCT coefficient carrying the signal */
  uint32_t width;     /* coefficients bin.. bin+width-1 (0 counts as 1), at most 500 */
  int32_t quant;      /* quantisation step delta, -31..30 */
  int32_t silent;     /* nonzero: no coefficients at all (exact zeros) */
  int32_t negative;   /* the coefficient's sign */
  uint32_t fill;      /* filler bits in the subframe's extended header (0..32000) */
} xma_frame_spec;

/* The stream under construction: frames are laid out in a payload bit
 * string first (xma_add_frame), then cut into packets (xma_finish). */
typedef struct {
  uint8_t* out;              /* packets (capacity: max_packets * 2048 bytes) */
  uint32_t max_packets;
  uint32_t channels;         /* 1 or 2 */
  uint32_t sample_rate;      /* 24000, 32000, 44100 or 48000 */
  uint32_t frames;
  uint32_t frame_start[XMA_MAX_STREAM_FRAMES];  /* payload bit offsets */
  uint32_t frame_bits[XMA_MAX_STREAM_FRAMES];
  uint32_t payload_bits;     /* bits written so far */
  int32_t error;             /* nonzero: out of space */
} xma_stream;

/* Payload bit p lives in packet p / XMA_PAYLOAD_BITS after its header. */
static inline uint32_t xma_payload_to_stream_bit(uint32_t p) {
  return (p / XMA_PAYLOAD_BITS) * XMA_PACKET_BITS + XMA_PACKET_HEADER_BITS + p % XMA_PAYLOAD_BITS;
}

static inline void xma_put_bits(xma_stream* s, uint32_t value, uint32_t count) {
  while (count--) {
    uint32_t p = s->payload_bits;
    uint32_t bit = xma_payload_to_stream_bit(p);
    if (bit / XMA_PACKET_BITS >= s->max_packets) {
      s->error = 1;
      return;
    }
    uint8_t* byte = &s->out[bit >> 3];
    uint8_t mask = (uint8_t)(0x80u >> (bit & 7u));
    if ((value >> count) & 1u) {
      *byte = (uint8_t)(*byte | mask);
    } else {
      *byte = (uint8_t)(*byte & ~mask);
    }
    s->payload_bits = p + 1;
  }
}

static inline void xma_stream_init(xma_stream* s, uint8_t* out, uint32_t max_packets, uint32_t channels,
                                   uint32_t sample_rate) {
  uint32_t i;
  s->out = out;
  s->max_packets = max_packets;
  s->channels = channels;
  s->sample_rate = sample_rate;
  s->frames = 0;
  s->payload_bits = 0;
  s->error = 0;
  for (i = 0; i < max_packets * XMA_PACKET_BYTES; ++i) out[i] = 0;
}

/* Scale-factor bands of a 512-sample subframe at `rate` (the band edges
 * follow the decoder's critical-frequency table). */
static inline uint32_t xma_scale_factor_bands(uint32_t rate) {
  static const uint16_t critical_freq[] = {
      100,  200,  300,  400,  510,  630,  770,  920,  1080,  1270,  1480,  1720,  2000,  2320,
      2700, 3150, 3700, 4400, 5300, 6400, 7700, 9500, 12000, 15500, 20675, 28575, 41375, 63875,
  };
  const uint32_t len = XMA_FRAME_SAMPLES;
  uint32_t band = 1, prev = 0, x;
  for (x = 0; x < 27u; ++x) {
    uint32_t offset = ((len * 2u * critical_freq[x]) / rate + 2u) & ~3u;
    if (offset > prev) {
      prev = offset;
      ++band;
    }
    if (offset >= len) break;
  }
  return band - 1u;
}

/* Appends one frame. */
static inline void xma_add_frame(xma_stream* s, const xma_frame_spec* f) {
  static const uint8_t run_code[5] = {0x0, 0x3, 0x6, 0x9, 0xF};
  static const uint8_t run_bits[5] = {2, 3, 3, 4, 4};
  uint32_t ch, b, start, bands = xma_scale_factor_bands(s->sample_rate);
  uint32_t stereo = s->channels == 2;
  if (s->frames >= XMA_MAX_STREAM_FRAMES) {
    s->error = 1;
    return;
  }
  /* A packet header counts at most 63 frames: after that the packet is
   * padded and the next frame starts the next packet. */
  {
    uint32_t packet = s->payload_bits / XMA_PAYLOAD_BITS, n = 0, i;
    for (i = 0; i < s->frames; ++i) n += s->frame_start[i] / XMA_PAYLOAD_BITS == packet;
    if (n == 63u) s->payload_bits = (packet + 1u) * XMA_PAYLOAD_BITS;
  }
  start = s->payload_bits;
  xma_put_bits(s, 0, 15);   /* length: patched below */
  xma_put_bits(s, 1, 1);    /* one layout for all channels */
  xma_put_bits(s, 0, 1);    /* one 512-sample subframe */
  if (stereo) xma_put_bits(s, 0, 1);
  xma_put_bits(s, 0, 8);    /* DRC gain */
  xma_put_bits(s, 0, 1);    /* no trim */
  if (f->fill) {            /* extended header: filler bits */
    xma_put_bits(s, 1, 1);
    if (f->fill <= 3u) {
      xma_put_bits(s, f->fill, 2);
    } else {
      xma_put_bits(s, 0, 2);
      xma_put_bits(s, 15, 4);
      xma_put_bits(s, f->fill - 1u, 15);
    }
    for (b = 0; b < f->fill; ++b) xma_put_bits(s, 0, 1);
  } else {
    xma_put_bits(s, 0, 1);  /* no extended header */
  }
  xma_put_bits(s, 0, 1);    /* reserved bit */
  if (stereo) xma_put_bits(s, 0x2, 3);
  for (ch = 0; ch < s->channels; ++ch) xma_put_bits(s, f->silent ? 0u : 1u, 1);
  if (!f->silent) {
    xma_put_bits(s, 1, 1);
    for (ch = 0; ch < s->channels; ++ch) xma_put_bits(s, 0, 8);
    xma_put_bits(s, (uint32_t)f->quant & 0x3Fu, 6);
    if (stereo) xma_put_bits(s, 0, 3 + 2);
    for (ch = 0; ch < s->channels; ++ch) {
      xma_put_bits(s, 0, 2);
      for (b = 0; b < bands; ++b) xma_put_bits(s, 1, 1);
    }
    for (ch = 0; ch < s->channels; ++ch) {
      uint32_t bin = f->bin > 4u ? 4u : f->bin;
      xma_put_bits(s, 0, 1);
      uint32_t k, width = f->width ? (f->width > 500u ? 500u : f->width) : 1u;
      xma_put_bits(s, run_code[bin], run_bits[bin]);
      xma_put_bits(s, f->negative ? 0u : 1u, 1);
      for (k = 1; k < width; ++k) {
        xma_put_bits(s, run_code[0], run_bits[0]);
        xma_put_bits(s, (f->negative ^ k) & 1u ? 0u : 1u, 1);  /* alternating signs */
      }
      xma_put_bits(s, 0x2B, 7);
    }
  }
  xma_put_bits(s, 0, 1);    /* filler */
  xma_put_bits(s, 0, 1);    /* more frames: patched by xma_finish */
  if (s->error) return;
  {
    uint32_t bits = s->payload_bits - start, end = s->payload_bits;
    s->payload_bits = start;
    xma_put_bits(s, bits, 15);
    s->payload_bits = end;
    s->frame_start[s->frames] = start;
    s->frame_bits[s->frames] = bits;
    ++s->frames;
  }
}

/* Writes the packet headers and the "more frames" bits; returns the number
 * of packets (0 on error). */
static inline uint32_t xma_finish(xma_stream* s) {
  uint32_t packets, k, i, first = 0;
  if (s->error || s->frames == 0) return 0;
  packets = (s->payload_bits + XMA_PAYLOAD_BITS - 1u) / XMA_PAYLOAD_BITS;
  for (i = 0; i < s->frames; ++i) {
    uint32_t end = s->frame_start[i] + s->frame_bits[i];
    uint32_t more = i + 1 < s->frames && s->frame_start[i + 1] == end && end % XMA_PAYLOAD_BITS != 0;
    uint32_t save = s->payload_bits;
    s->payload_bits = end - 1u;
    xma_put_bits(s, more, 1);
    s->payload_bits = save;
  }
  for (k = 0; k < packets; ++k) {
    uint32_t lo = k * XMA_PAYLOAD_BITS, hi = lo + XMA_PAYLOAD_BITS, count = 0, offset = XMA_PAYLOAD_BITS;
    uint8_t* h = s->out + k * XMA_PACKET_BYTES;
    uint32_t header;
    while (first < s->frames && s->frame_start[first] < lo) ++first;
    for (i = first; i < s->frames && s->frame_start[i] < hi; ++i) ++count;
    if (count) offset = s->frame_start[first] - lo;
    header = (count << 26) | (offset << 11) | (1u << 8) | 0u;
    h[0] = (uint8_t)(header >> 24);
    h[1] = (uint8_t)(header >> 16);
    h[2] = (uint8_t)(header >> 8);
    h[3] = (uint8_t)header;
  }
  return packets;
}

/* Input-buffer bit offset (as XMA contexts count: packet headers included)
 * of frame `i`'s first bit, and of the bit after stream frame `i`. */
static inline uint32_t xma_frame_offset(const xma_stream* s, uint32_t i) {
  return xma_payload_to_stream_bit(s->frame_start[i]);
}
static inline uint32_t xma_frame_end_offset(const xma_stream* s, uint32_t i) {
  return xma_payload_to_stream_bit(s->frame_start[i] + s->frame_bits[i]);
}

#endif
