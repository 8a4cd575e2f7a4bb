// The scan kernel for AVX-512 (compiled with -mavx512f -mavx512dq; only called where the CPU has both):
// 16 channels per block, one per lane, the 16 states of each channel in 16 zmm registers.
#include "scan_kernel.h"
#include "scan_vector_math.h"

#include <immintrin.h>

#include <cstring>

namespace linewatch {

namespace {

using vmath::kLog2e;
using vmath::Splat;
typedef vmath::Lanes<16>::F v16f;
typedef vmath::Lanes<16>::I v16i;

constexpr int kStates = 16;
constexpr int64_t kLanes = 16;
// Tokens per chunk: the chunk's inputs for 16 channels are transposed into lane order on the stack (3 x 4 KB).
constexpr int64_t kChunk = 64;

// AVX-512 does the range reduction and the scaling in one instruction each: vreduceps gives f = y - floor(y)
// and vscalefps multiplies by 2^floor(y) (saturating cleanly at both ends), leaving 7 instructions per exp.
struct Avx512Math {
  static inline v16f Exp2(v16f y) {
    const v16f f = _mm512_reduce_ps(y, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    // 2^f on [0, 1), degree 5, fitted for relative error (1.7e-7 in float32 arithmetic).
    v16f p = Splat<v16f>(1.877576462e-03f);
    p = p * f + Splat<v16f>(8.989340626e-03f);
    p = p * f + Splat<v16f>(5.582631752e-02f);
    p = p * f + Splat<v16f>(2.401536107e-01f);
    p = p * f + Splat<v16f>(6.931530833e-01f);
    p = p * f + Splat<v16f>(9.999999404e-01f);
    return _mm512_scalef_ps(p, y);
  }

  // 14-bit estimate plus one Newton step: ~23 bits, without the slow divide.
  static inline v16f Reciprocal(v16f x) {
    const v16f r = _mm512_rcp14_ps(x);
    return r * (Splat<v16f>(2.0f) - x * r);
  }

  // log for x >= 1 with vgetexpps / vgetmantps doing the exponent split; same series as the generic one.
  static inline v16f LogAtLeastOne(v16f x) {
    v16f m = _mm512_getmant_ps(x, _MM_MANT_NORM_p75_1p5, _MM_MANT_SIGN_src);  // m in [0.75, 1.5)
    const v16f e = _mm512_getexp_ps(x * Splat<v16f>(1.33333333f));                    // matching exponent
    return e * Splat<v16f>(0.693147181f) + vmath::AtanhSeries((m - Splat<v16f>(1.0f)) * Reciprocal(m + Splat<v16f>(1.0f)));
  }
};

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

void ScanBlock16(const ScanJob& job, int64_t b, int64_t d0) {
  using Math = Avx512Math;
  const int64_t channels = job.shape.channels, length = job.shape.length;
  const size_t row0 = static_cast<size_t>((b * channels + d0) * length);
  const float* u = job.u + row0;
  const float* delta = job.delta + row0;
  const float* z = job.z + row0;
  float* y = job.y + row0;
  const float* bc = job.bc_tokens + static_cast<size_t>(b * length * kTokenStride);
  const float* cb = job.cb_tokens + static_cast<size_t>(b * length);
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

  int64_t step = 0;  // steps taken in scan order, for the masked first step
  for (int64_t done = 0; done < length; done += kChunk) {
    const int64_t count = length - done < kChunk ? length - done : kChunk;
    const int64_t t0 = reverse ? length - done - count : done;  // the chunk covers tokens [t0, t0+count)

    // Element-wise work, vectorised along the tokens of each channel row: dt = softplus(delta + bias), du = dt*u.
    for (int64_t c = 0; c < kLanes; ++c) {
      float delta_row[kChunk] = {}, u_row[kChunk] = {};
      std::memcpy(delta_row, delta + c * length + t0, count * sizeof(float));
      std::memcpy(u_row, u + c * length + t0, count * sizeof(float));
      const v16f bias = Splat<v16f>(job.delta_bias[d0 + c]);
      for (int64_t k = 0; k < kChunk; k += kLanes) {
        v16f dt = Load(delta_row + k) + bias;
        if (softplus) dt = vmath::Softplus<Math>(dt);
        Store(&dt_rows[c][k], dt);
        Store(&du_rows[c][k], dt * Load(u_row + k));
      }
    }
    RowsToLanes(dt_rows, dt_lanes);
    RowsToLanes(du_rows, du_lanes);
    // The recurrence: sequential in tokens, 16 channels x 16 states per step.
    for (int64_t i = 0; i < count; ++i, ++step) {
      const int64_t k = reverse ? count - 1 - i : i;
      const v16f dt = dt_lanes[k], du = du_lanes[k];
      const float* bt = bc + (t0 + k) * kTokenStride;  // the token's 16 B values, then its 16 C values
      const float* ct = bt + kStates;
      v16f acc0 = Splat<v16f>(0.0f), acc1 = Splat<v16f>(0.0f);  // two sums, to halve the dependency chain
      for (int n = 0; n < kStates; n += 2) {
        h[n] = Math::Exp2(dt * a[n]) * h[n] + du * bt[n];
        h[n + 1] = Math::Exp2(dt * a[n + 1]) * h[n + 1] + du * bt[n + 1];
        acc0 += h[n] * ct[n];
        acc1 += h[n + 1] * ct[n + 1];
      }
      v16f acc = acc0 + acc1;
      if (mask) acc = step == 0 ? Splat<v16f>(0.0f) : acc - du * cb[t0 + k];
      out_lanes[k] = acc;
    }

    // Back to rows: y = (scan + D*u) * silu(z), vectorised along tokens again.
    LanesToRows(out_lanes, dt_rows);
    for (int64_t c = 0; c < kLanes; ++c) {
      float u_row[kChunk] = {}, z_row[kChunk] = {}, y_row[kChunk];
      std::memcpy(u_row, u + c * length + t0, count * sizeof(float));
      std::memcpy(z_row, z + c * length + t0, count * sizeof(float));
      const v16f skip = Splat<v16f>(job.d_skip[d0 + c]);
      for (int64_t k = 0; k < kChunk; k += kLanes) {
        const v16f zk = Load(z_row + k);
        Store(y_row + k, (Load(&dt_rows[c][k]) + skip * Load(u_row + k)) * vmath::Silu<Math>(zk));
      }
      std::memcpy(y + c * length + t0, y_row, count * sizeof(float));
    }
  }
}

// ScanKernel::arithmetic for this kernel: the recurrence of ScanBlock16 with Δ, Δu, B and C made up in registers.
float Arithmetic(int64_t tokens) {
  v16f a[kStates], h[kStates];
  for (int n = 0; n < kStates; ++n) {
    for (int c = 0; c < kLanes; ++c) a[n][c] = -(n + 1) * (1.0f + 0.01f * c) * kLog2e;
    h[n] = Splat<v16f>(0.0f);
  }
  v16f total = Splat<v16f>(0.0f), dt = Splat<v16f>(0.01f);
  const v16f step = Splat<v16f>(1e-6f);
  for (int64_t t = 0; t < tokens; ++t) {
    dt += step;
    const v16f du = dt * Splat<v16f>(0.3f);
    v16f acc0 = Splat<v16f>(0.0f), acc1 = Splat<v16f>(0.0f);
    for (int n = 0; n < kStates; n += 2) {
      h[n] = Avx512Math::Exp2(dt * a[n]) * h[n] + du * (0.25f + 0.01f * n);
      h[n + 1] = Avx512Math::Exp2(dt * a[n + 1]) * h[n + 1] + du * (0.26f + 0.01f * n);
      acc0 += h[n] * (0.5f - 0.01f * n);
      acc1 += h[n + 1] * (0.49f - 0.01f * n);
    }
    total += acc0 + acc1;
  }
  float sum = 0.0f;
  for (int c = 0; c < kLanes; ++c) sum += total[c];
  return sum;
}

}  // namespace

extern const ScanKernel kScanKernelAvx512{"avx512", kLanes, ScanBlock16, Arithmetic};

}  // namespace linewatch
