// The scan kernel for vectors of W = 4, 8 or 16 floats (SSE and NEON: 4; AVX2: 8; AVX-512: 16), as a template
// compiled once per instruction set by scan_block*.cc (each with its own -m flags and its own vector math).
//
// A block is W channels, one per lane. 16 states of W channels do not fit a 16-register file (AVX2, SSE) next to
// the exp temporaries, so the recurrence runs over a chunk of tokens once per group of G states, with only that
// group's states in registers, and adds the group's share of y_t = Σ_n C_nt h_nt into the chunk's output.
// Everything that does not depend on the state is done outside the recurrence, vectorised along the tokens:
// softplus(Δ), Δ·u, Σ_n C·B for the masked diagonal, the D skip and the SiLU gate. What is left per state
// and token is Δ·A, one exp (range reduction and a degree-5 polynomial), Δu·B and two multiply-adds.
#pragma once

#include "scan_kernel.h"
#include "scan_vector_math.h"

#include <cstring>
#include <utility>

namespace linewatch {
// Internal linkage: every kernel file compiles its own copy with its own instruction-set flags, and the linker
// must never swap one for another.
namespace {
namespace lanes {

using vmath::kLog2e;
using vmath::Splat;

constexpr int kStates = static_cast<int>(kKernelStates);
// Tokens per chunk: the chunk's Δ, Δu and output in lane order stay in L1.
constexpr int64_t kChunk = 64;

template <int W>
using Vec = typename vmath::Lanes<W>::F;

template <int W>
inline Vec<W> Load(const float* p) {
  Vec<W> v;
  std::memcpy(&v, p, sizeof(v));
  return v;
}

template <int W>
inline void Store(float* p, Vec<W> v) { std::memcpy(p, &v, sizeof(v)); }

// One round of a W x W transpose: rows `Width` apart swap their blocks of `Width` lanes.
template <int W, int Width, int... I>
inline void TransposeRound(Vec<W> r[W], std::integer_sequence<int, I...>) {
  typedef typename vmath::Lanes<W>::I Index;
  const Index low = {((I & Width) ? W + I - Width : I)...};
  const Index high = {((I & Width) ? W + I : I + Width)...};
  for (int row = 0; row < W; ++row) {
    if ((row & Width) != 0) continue;
    const Vec<W> a = r[row], b = r[row + Width];
    r[row] = __builtin_shuffle(a, b, low);
    r[row + Width] = __builtin_shuffle(a, b, high);
  }
}

// W x W transpose in registers (log2 W rounds of two-source shuffles), so moving between row order (one
// channel's tokens contiguous, as in memory) and lane order (one token's W channels in a vector) costs a few
// shuffles per token.
template <int W>
inline void Transpose(Vec<W> r[W]) {
  static_assert(W == 4 || W == 8 || W == 16, "the kernel is for 4-, 8- and 16-float vectors");
  TransposeRound<W, 1>(r, std::make_integer_sequence<int, W>{});
  TransposeRound<W, 2>(r, std::make_integer_sequence<int, W>{});
  if constexpr (W >= 8) TransposeRound<W, 4>(r, std::make_integer_sequence<int, W>{});
  if constexpr (W >= 16) TransposeRound<W, 8>(r, std::make_integer_sequence<int, W>{});
}

// rows[c][k] (W rows of kChunk floats, `stride` apart) <-> lanes[k][c] (kChunk vectors of W).
template <int W>
inline void RowsToLanes(const float* rows, int64_t stride, Vec<W>* lanes) {
  for (int64_t k0 = 0; k0 < kChunk; k0 += W) {
    Vec<W> r[W];
    for (int c = 0; c < W; ++c) r[c] = Load<W>(rows + c * stride + k0);
    Transpose<W>(r);
    for (int i = 0; i < W; ++i) lanes[k0 + i] = r[i];
  }
}

template <int W>
inline void LanesToRows(const Vec<W>* lanes, float* rows, int64_t stride) {
  for (int64_t k0 = 0; k0 < kChunk; k0 += W) {
    Vec<W> r[W];
    for (int i = 0; i < W; ++i) r[i] = lanes[k0 + i];
    Transpose<W>(r);
    for (int c = 0; c < W; ++c) Store<W>(rows + c * stride + k0, r[c]);
  }
}

// One group of G states over the chunk's tokens, in scan order. kDecayOnly: every Δ·A is <= 0 (softplus on
// and A <= 0, as in every Mamba), so exp only needs its lower clamp.
template <class Math, int W, int G, bool kDecayOnly>
inline void RecurGroup(Vec<W>* h, const Vec<W>* a, const Vec<W>* dt_lanes, const Vec<W>* du_lanes,
                       const float* bc, Vec<W>* out, int64_t count, bool reverse, bool first_group) {
  typedef Vec<W> V;
  V hg[G];
  for (int j = 0; j < G; ++j) hg[j] = h[j];
  for (int64_t i = 0; i < count; ++i) {
    const int64_t k = reverse ? count - 1 - i : i;
    const V dt = dt_lanes[k], du = du_lanes[k];
    const float* bt = bc + k * kTokenStride;  // the group's B values, its C values kStates floats on
    V acc;
    for (int j = 0; j < G; ++j) {
      const V y = dt * a[j];
      const V decay = kDecayOnly ? Math::Exp2Decay(y) : Math::Exp2(y);
      hg[j] = decay * hg[j] + du * bt[j];
      acc = j == 0 ? hg[j] * bt[kStates + j] : acc + hg[j] * bt[kStates + j];
    }
    out[k] = first_group ? acc : out[k] + acc;
  }
  for (int j = 0; j < G; ++j) h[j] = hg[j];
}

// A chunk of one row of `count` tokens, read in place when it is a whole chunk, else copied into `padded`
// (zero-filled), so the vector loops along tokens never read past the row.
inline const float* ChunkOf(const float* row, int64_t count, float* padded) {
  if (count == kChunk) return row;
  std::memset(padded, 0, kChunk * sizeof(float));
  std::memcpy(padded, row, count * sizeof(float));
  return padded;
}

// Scans channels [d0, d0+W) of batch b; requires shape.state == 16. Math: the exp and reciprocal to use.
template <class Math, int W, int G>
void ScanBlock(const ScanJob& job, int64_t b, int64_t d0) {
  typedef Vec<W> V;
  static_assert(kStates % G == 0 && kChunk % W == 0, "groups and chunks must tile the states and tokens");
  const int64_t channels = job.shape.channels, length = job.shape.length;
  const size_t row0 = static_cast<size_t>((b * channels + d0) * length);
  const float* u = job.u + row0;
  const float* delta = job.delta + row0;
  const float* z = job.z + row0;
  float* y = job.y + row0;
  const float* bc = job.bc_tokens + static_cast<size_t>(b * length * kTokenStride);
  const float* cb = job.cb_tokens + static_cast<size_t>(b * length);
  const bool reverse = job.attrs.reverse, mask = job.attrs.mask_diagonal, softplus = job.attrs.delta_softplus;

  V a[kStates];  // A[d0+lane, n] * log2(e) in lane order: exp(dt*A) = 2^(dt * A log2 e)
  bool decay_only = softplus;
  for (int n = 0; n < kStates; ++n) {
    for (int c = 0; c < W; ++c) {
      const float value = job.a[(d0 + c) * kStates + n];
      decay_only = decay_only && value <= 0.0f;
      a[n][c] = value * kLog2e;
    }
  }

  V h[kStates];
  {
    V first = Splat<V>(0.0f);
    if (job.attrs.init_from_input) {
      for (int c = 0; c < W; ++c) first[c] = u[c * length + (reverse ? length - 1 : 0)];
    }
    for (int n = 0; n < kStates; ++n) h[n] = first;
  }

  // Per chunk: row-order scratch (W channels x kChunk tokens) and its lane-order copies for the recurrence.
  alignas(64) float rows[2][W][kChunk];
  alignas(64) float padded[2][kChunk];
  V dt_lanes[kChunk], du_lanes[kChunk], out_lanes[kChunk];

  for (int64_t done = 0; done < length; done += kChunk) {
    const int64_t count = length - done < kChunk ? length - done : kChunk;
    const int64_t t0 = reverse ? length - done - count : done;  // the chunk covers tokens [t0, t0+count)

    // dt = softplus(delta + bias) and du = dt*u, along each channel's tokens.
    for (int c = 0; c < W; ++c) {
      const float* delta_row = ChunkOf(delta + c * length + t0, count, padded[0]);
      const float* u_row = ChunkOf(u + c * length + t0, count, padded[1]);
      const V bias = Splat<V>(job.delta_bias[d0 + c]);
      for (int64_t k = 0; k < kChunk; k += W) {
        V dt = Load<W>(delta_row + k) + bias;
        if (softplus) dt = vmath::Softplus<Math>(dt);
        Store<W>(&rows[0][c][k], dt);
        Store<W>(&rows[1][c][k], dt * Load<W>(u_row + k));
      }
    }
    RowsToLanes<W>(&rows[0][0][0], kChunk, dt_lanes);
    RowsToLanes<W>(&rows[1][0][0], kChunk, du_lanes);

    const float* bc_chunk = bc + t0 * kTokenStride;
    for (int g = 0; g < kStates; g += G) {
      if (decay_only) RecurGroup<Math, W, G, true>(h + g, a + g, dt_lanes, du_lanes, bc_chunk + g, out_lanes, count, reverse, g == 0);
      else RecurGroup<Math, W, G, false>(h + g, a + g, dt_lanes, du_lanes, bc_chunk + g, out_lanes, count, reverse, g == 0);
    }
    if (mask) {
      // C·(h - Δu B) = C·h - Δu (C·B): the token's own input term taken back out.
      for (int64_t k = 0; k < count; ++k) out_lanes[k] -= du_lanes[k] * cb[t0 + k];
      if (done == 0) out_lanes[reverse ? count - 1 : 0] = Splat<V>(0.0f);  // the scan's first step has no output
    }

    // Back to rows: y = (scan + D*u) * silu(z), along the tokens again.
    LanesToRows<W>(out_lanes, &rows[0][0][0], kChunk);
    for (int c = 0; c < W; ++c) {
      const float* u_row = ChunkOf(u + c * length + t0, count, padded[0]);
      const float* z_row = ChunkOf(z + c * length + t0, count, padded[1]);
      float* y_row = count == kChunk ? y + c * length + t0 : rows[1][c];
      const V skip = Splat<V>(job.d_skip[d0 + c]);
      for (int64_t k = 0; k < kChunk; k += W) {
        const V gate = vmath::Silu<Math>(Load<W>(z_row + k));
        Store<W>(y_row + k, (Load<W>(&rows[0][c][k]) + skip * Load<W>(u_row + k)) * gate);
      }
      if (count != kChunk) std::memcpy(y + c * length + t0, y_row, count * sizeof(float));
    }
  }
}

// ScanKernel::arithmetic for this kernel: the inner loop of ScanBlock (groups of G states, decay-only exp) with
// Δ, Δu, B and C made up in registers instead of read from the chunk.
template <class Math, int W, int G>
float Arithmetic(int64_t tokens) {
  typedef Vec<W> V;
  V a[kStates], h[kStates];
  for (int n = 0; n < kStates; ++n) {
    for (int c = 0; c < W; ++c) a[n][c] = -(n + 1) * (1.0f + 0.01f * c) * kLog2e;
    h[n] = Splat<V>(0.0f);
  }
  V total = Splat<V>(0.0f);
  for (int g = 0; g < kStates; g += G) {
    V hg[G];
    for (int j = 0; j < G; ++j) hg[j] = h[g + j];
    V dt = Splat<V>(0.01f);
    const V step = Splat<V>(1e-6f);
    for (int64_t t = 0; t < tokens; ++t) {
      dt += step;
      const V du = dt * Splat<V>(0.3f);
      V acc;
      for (int j = 0; j < G; ++j) {
        const V decay = Math::Exp2Decay(dt * a[g + j]);
        const float b = 0.25f + 0.01f * j, c = 0.5f - 0.01f * j;
        hg[j] = decay * hg[j] + du * b;
        acc = j == 0 ? hg[j] * c : acc + hg[j] * c;
      }
      total += acc;
    }
  }
  float sum = 0.0f;
  for (int c = 0; c < W; ++c) sum += total[c];
  return sum;
}

}  // namespace lanes
}  // namespace
}  // namespace linewatch
