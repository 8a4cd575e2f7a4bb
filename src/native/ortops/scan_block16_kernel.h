// The vectorised scan kernel, as a template over its vector math, compiled once per instruction set by the
// scan_block16_*.cc files (each with its own -m flags) and chosen at run time by scan_block16.cc.
#pragma once

#include "scan_block16.h"

#include <cstdint>
#include <cstring>

#if defined(__AVX512F__) && defined(__AVX512DQ__)
#include <immintrin.h>
#endif

namespace linewatch {

namespace {

typedef float v16f __attribute__((vector_size(64)));
typedef int32_t v16i __attribute__((vector_size(64)));

constexpr int kStates = 16;
// Tokens per chunk: the chunk's inputs for 16 channels are transposed into lane order on the stack (3 x 4 KB).
constexpr int64_t kChunk = 64;

inline v16f Splat(float x) { return v16f{} + x; }

// Comparisons and selects on 64-byte vectors are only native with AVX-512; GCC scalarises them elsewhere,
// so min/max work on vectors of the width the build targets and are joined back.
#if defined(__AVX512F__)
constexpr int kNativeBytes = 64;
#elif defined(__AVX__)
constexpr int kNativeBytes = 32;
#else
constexpr int kNativeBytes = 16;
#endif
typedef float vnf __attribute__((vector_size(kNativeBytes)));
constexpr int kParts = 64 / kNativeBytes;

template <class Op>
inline v16f ByParts(v16f a, v16f b, Op op) {
  vnf pa[kParts], pb[kParts], pr[kParts];
  std::memcpy(pa, &a, sizeof(a));
  std::memcpy(pb, &b, sizeof(b));
  for (int i = 0; i < kParts; ++i) pr[i] = op(pa[i], pb[i]);
  v16f r;
  std::memcpy(&r, pr, sizeof(r));
  return r;
}

inline v16f Min(v16f a, v16f b) { return ByParts(a, b, [](vnf x, vnf y) { return x < y ? x : y; }); }
inline v16f Max(v16f a, v16f b) { return ByParts(a, b, [](vnf x, vnf y) { return x > y ? x : y; }); }

constexpr float kLog2e = 1.44269504f;

// 2^f for f in [-0.5, 0.5]: a degree-5 polynomial fitted for relative error (2e-7 in float32 arithmetic).
inline v16f Exp2Fraction(v16f f) {
  v16f p = Splat(1.32818893e-3f);
  p = p * f + Splat(9.67559777e-3f);
  p = p * f + Splat(5.55069670e-2f);
  p = p * f + Splat(2.40221187e-1f);
  p = p * f + Splat(6.93147004e-1f);
  return p * f + Splat(1.00000012f);
}

// log m = 2 atanh(s) = 2 (s + s^3/3 + ... + s^9/9) for s = (m-1)/(m+1), which is small for m in [0.75, 1.5).
inline v16f AtanhSeries(v16f s) {
  const v16f s2 = s * s;
  v16f series = Splat(1.0f / 9);
  series = series * s2 + Splat(1.0f / 7);
  series = series * s2 + Splat(1.0f / 5);
  series = series * s2 + Splat(1.0f / 3);
  series = series * s2 + Splat(1.0f);
  return Splat(2.0f) * s * series;
}

// log(x) for x >= 1 (all softplus needs): x = m * 2^e with m in [0.75, 1.5) (e read off x * 4/3, so no
// select is needed), log m by the atanh series.
inline v16f LogSeries(v16f x) {
  const v16f scaled = x * Splat(1.33333333f);
  v16i bits;
  std::memcpy(&bits, &scaled, sizeof(bits));
  const v16i e = ((bits >> 23) & 0xff) - 127;
  const v16i inverse_bits = (127 - e) << 23;  // 2^-e
  v16f inverse;
  std::memcpy(&inverse, &inverse_bits, sizeof(inverse));
  const v16f m = x * inverse;
  return __builtin_convertvector(e, v16f) * Splat(0.693147181f) + AtanhSeries((m - Splat(1.0f)) / (m + Splat(1.0f)));
}

// Portable vector math (AVX2 or baseline x86-64 code from the same source).
struct GenericMath {
  static v16f Reciprocal(v16f x) { return Splat(1.0f) / x; }
  static v16f LogAtLeastOne(v16f x) { return LogSeries(x); }

  // 2^y for y >= -126 (below, it flushes to 2^-126; the scan only ever needs 2^y <= 1).
  static v16f Exp2(v16f y) {
    y = Max(Min(y, Splat(127.0f)), Splat(-126.0f));
    const v16f magic = Splat(12582912.0f);  // 1.5 * 2^23: adding it rounds to an integer, kept in the low mantissa bits
    const v16f shifted = y + magic;
    const v16f k = shifted - magic;
    v16i bits;
    std::memcpy(&bits, &shifted, sizeof(bits));
    const v16i scale_bits = (bits << 23) + (127 << 23);
    v16f scale;
    std::memcpy(&scale, &scale_bits, sizeof(scale));
    return Exp2Fraction(y - k) * scale;
  }
};

#if defined(__AVX512F__) && defined(__AVX512DQ__)
// AVX-512 does the range reduction and the scaling in one instruction each: vreduceps gives f = y - floor(y)
// and vscalefps multiplies by 2^floor(y) (saturating cleanly at both ends), leaving 7 instructions per exp.
struct Avx512Math {
  static inline v16f Exp2(v16f y) {
    const v16f f = _mm512_reduce_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    // 2^f on [0, 1), degree 5, fitted for relative error (1.7e-7 in float32 arithmetic).
    v16f p = Splat(1.877576462e-03f);
    p = p * f + Splat(8.989340626e-03f);
    p = p * f + Splat(5.582631752e-02f);
    p = p * f + Splat(2.401536107e-01f);
    p = p * f + Splat(6.931530833e-01f);
    p = p * f + Splat(9.999999404e-01f);
    return _mm512_scalef_ps(p, y);
  }

  // 14-bit estimate plus one Newton step: ~23 bits, without the slow divide.
  static inline v16f Reciprocal(v16f x) {
    const v16f r = _mm512_rcp14_ps(x);
    return r * (Splat(2.0f) - x * r);
  }

  // log for x >= 1 with vgetexpps / vgetmantps doing the exponent split; same series as the generic one.
  static inline v16f LogAtLeastOne(v16f x) {
    v16f m = _mm512_getmant_ps(x, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);  // m in [0.75, 1.5)
    const v16f e = _mm512_getexp_ps(x * Splat(1.33333333f));                    // matching exponent
    return e * Splat(0.693147181f) + AtanhSeries((m - Splat(1.0f)) * Reciprocal(m + Splat(1.0f)));
  }
};
#endif

// e^x, through 2^(x log2 e); used for softplus and SiLU, where the argument is not pre-scaled.
template <class Math>
inline v16f Exp(v16f x) { return Math::Exp2(x * Splat(kLog2e)); }

// softplus(x) = x for x > 20, else log(1 + e^x). Written without a select: above 20 the log term is 20 (to
// float precision) and max(x - 20, 0) adds the rest. The argument of the log is >= 1, as both logs need.
template <class Math>
inline v16f Softplus(v16f x) {
  return Math::LogAtLeastOne(Splat(1.0f) + Exp<Math>(Min(x, Splat(20.0f)))) + Max(x - Splat(20.0f), Splat(0.0f));
}

template <class Math>
inline v16f Silu(v16f x) { return x * Math::Reciprocal(Splat(1.0f) + Exp<Math>(-x)); }

inline v16f Load(const float* p) {
  v16f v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

inline void Store(float* p, v16f v) { std::memcpy(p, &v, sizeof(v)); }

// One round of the 16x16 transpose: rows `width` apart swap their blocks of `width` lanes.
inline void TransposeRound(v16f r[16], int width, v16i low, v16i high) {
  for (int row = 0; row < 16; ++row) {
    if ((row & width) != 0) continue;
    const v16f a = r[row], b = r[row + width];
    r[row] = __builtin_shuffle(a, b, low);
    r[row + width] = __builtin_shuffle(a, b, high);
  }
}

// 16x16 transpose in registers (four rounds of two-source shuffles), so moving between row order (one
// channel's tokens contiguous, as in memory) and lane order (one token's 16 channels in a vector) costs a
// few shuffles per token instead of 32 scalar loads and stores.
inline void Transpose16(v16f r[16]) {
  TransposeRound(r, 1, v16i{0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30},
                 v16i{1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31});
  TransposeRound(r, 2, v16i{0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29},
                 v16i{2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31});
  TransposeRound(r, 4, v16i{0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27},
                 v16i{4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31});
  TransposeRound(r, 8, v16i{0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23},
                 v16i{8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31});
}

// rows[c][k] (16 rows of kChunk tokens) -> lanes[k] (kChunk vectors of 16 channels), and back.
inline void RowsToLanes(float rows[][kChunk], v16f* lanes) {
  for (int64_t k0 = 0; k0 < kChunk; k0 += kLanes) {
    v16f r[16];
    for (int c = 0; c < 16; ++c) r[c] = Load(&rows[c][k0]);
    Transpose16(r);
    for (int i = 0; i < 16; ++i) lanes[k0 + i] = r[i];
  }
}

inline void LanesToRows(const v16f* lanes, float rows[][kChunk]) {
  for (int64_t k0 = 0; k0 < kChunk; k0 += kLanes) {
    v16f r[16];
    for (int i = 0; i < 16; ++i) r[i] = lanes[k0 + i];
    Transpose16(r);
    for (int c = 0; c < 16; ++c) Store(&rows[c][k0], r[c]);
  }
}

}  // namespace

template <class Math>
inline void ScanBlock16Impl(const ScanJob& job, int64_t b, int64_t d0) {
  const int64_t channels = job.shape.channels, length = job.shape.length;
  const size_t row0 = static_cast<size_t>((b * channels + d0) * length);
  const float* u = job.u + row0;
  const float* delta = job.delta + row0;
  const float* z = job.z + row0;
  float* y = job.y + row0;
  const float* bs = job.bs + static_cast<size_t>(b * kStates * length);
  const float* cs = job.cs + static_cast<size_t>(b * kStates * length);
  const bool reverse = job.attrs.reverse, mask = job.attrs.mask_diagonal, softplus = job.attrs.delta_softplus;

  v16f a[kStates];  // A[d0+lane, n] * log2(e) in lane order: exp(dt*A) = 2^(dt * A log2 e)
  {
    float rows[kStates][kLanes];
    for (int64_t c = 0; c < kLanes; ++c)
      for (int n = 0; n < kStates; ++n) rows[n][c] = job.a[(d0 + c) * kStates + n] * kLog2e;
    for (int n = 0; n < kStates; ++n) a[n] = Load(rows[n]);
  }

  v16f h[kStates];
  {
    float first[kLanes] = {};
    if (job.attrs.init_from_input) {
      for (int64_t c = 0; c < kLanes; ++c) first[c] = u[c * length + (reverse ? length - 1 : 0)];
    }
    for (int n = 0; n < kStates; ++n) h[n] = Load(first);
  }

  // Per chunk: row-order scratch (16 channels x kChunk tokens) and its lane-order copies for the recurrence.
  alignas(64) float dt_rows[kLanes][kChunk], du_rows[kLanes][kChunk];
  v16f dt_lanes[kChunk], du_lanes[kChunk], out_lanes[kChunk];
  alignas(64) float cb[kChunk];
  alignas(64) float b_rows[kStates][kChunk], c_rows[kStates][kChunk];
  v16f b_tokens[kChunk], c_tokens[kChunk];  // [token] -> the 16 states

  int64_t step = 0;  // steps taken in scan order, for the masked first step
  for (int64_t done = 0; done < length; done += kChunk) {
    const int64_t count = length - done < kChunk ? length - done : kChunk;
    const int64_t t0 = reverse ? length - done - count : done;  // the chunk covers tokens [t0, t0+count)

    // Element-wise work, vectorised along the tokens of each channel row: dt = softplus(delta + bias), du = dt*u.
    for (int64_t c = 0; c < kLanes; ++c) {
      float delta_row[kChunk] = {}, u_row[kChunk] = {};
      std::memcpy(delta_row, delta + c * length + t0, count * sizeof(float));
      std::memcpy(u_row, u + c * length + t0, count * sizeof(float));
      const v16f bias = Splat(job.delta_bias[d0 + c]);
      for (int64_t k = 0; k < kChunk; k += kLanes) {
        v16f dt = Load(delta_row + k) + bias;
        if (softplus) dt = Softplus<Math>(dt);
        Store(&dt_rows[c][k], dt);
        Store(&du_rows[c][k], dt * Load(u_row + k));
      }
    }
    RowsToLanes(dt_rows, dt_lanes);
    RowsToLanes(du_rows, du_lanes);
    // B and C of the chunk in token order (the 16 states of a token in one cache line), so the recurrence
    // reads one line per token for each instead of sixteen rows L floats apart.
    for (int n = 0; n < kStates; ++n) {
      std::memset(b_rows[n], 0, sizeof(b_rows[n]));
      std::memset(c_rows[n], 0, sizeof(c_rows[n]));
      std::memcpy(b_rows[n], bs + n * length + t0, count * sizeof(float));
      std::memcpy(c_rows[n], cs + n * length + t0, count * sizeof(float));
    }
    if (mask) {
      // sum_n C_n B_n per token: the self term the masked diagonal takes back out (same for every channel),
      // vectorised along the tokens.
      for (int64_t k = 0; k < kChunk; k += kLanes) {
        v16f sum = Splat(0.0f);
        for (int n = 0; n < kStates; ++n) sum += Load(&b_rows[n][k]) * Load(&c_rows[n][k]);
        Store(cb + k, sum);
      }
    }
    RowsToLanes(b_rows, b_tokens);
    RowsToLanes(c_rows, c_tokens);

    // The recurrence: sequential in tokens, 16 channels x 16 states per step.
    for (int64_t i = 0; i < count; ++i, ++step) {
      const int64_t k = reverse ? count - 1 - i : i;
      const v16f dt = dt_lanes[k], du = du_lanes[k];
      float bt[kStates], ct[kStates];
      std::memcpy(bt, &b_tokens[k], sizeof(bt));
      std::memcpy(ct, &c_tokens[k], sizeof(ct));
      v16f acc0 = Splat(0.0f), acc1 = Splat(0.0f);  // two sums, to halve the dependency chain
      for (int n = 0; n < kStates; n += 2) {
        h[n] = Math::Exp2(dt * a[n]) * h[n] + du * bt[n];
        h[n + 1] = Math::Exp2(dt * a[n + 1]) * h[n + 1] + du * bt[n + 1];
        acc0 += h[n] * ct[n];
        acc1 += h[n + 1] * ct[n + 1];
      }
      v16f acc = acc0 + acc1;
      if (mask) acc = step == 0 ? Splat(0.0f) : acc - du * cb[k];
      out_lanes[k] = acc;
    }

    // Back to rows: y = (scan + D*u) * silu(z), vectorised along tokens again.
    LanesToRows(out_lanes, dt_rows);
    for (int64_t c = 0; c < kLanes; ++c) {
      float u_row[kChunk] = {}, z_row[kChunk] = {}, y_row[kChunk];
      std::memcpy(u_row, u + c * length + t0, count * sizeof(float));
      std::memcpy(z_row, z + c * length + t0, count * sizeof(float));
      const v16f skip = Splat(job.d_skip[d0 + c]);
      for (int64_t k = 0; k < kChunk; k += kLanes) {
        const v16f zk = Load(z_row + k);
        Store(y_row + k, (Load(&dt_rows[c][k]) + skip * Load(u_row + k)) * Silu<Math>(zk));
      }
      std::memcpy(y + c * length + t0, y_row, count * sizeof(float));
    }
  }
}


}  // namespace linewatch
