// Vector math for the scan kernels, written with GCC vector extensions so one source serves every width
// (4, 8 or 16 floats) and every target (SSE, AVX2, AVX-512, NEON). Accuracy: exp and log1p to a few 1e-7
// relative, so the kernels stay within 1e-5 of the scalar reference over thousands of tokens.
#pragma once

#include <cstdint>

#if defined(__SSE__)
#include <immintrin.h>
#elif defined(__ARM_NEON)
#include <arm_neon.h>
#endif

namespace linewatch {
// Internal linkage: every kernel file compiles its own copy with its own instruction-set flags, and the linker
// must never swap one for another.
namespace {
namespace vmath {

template <int W>
struct Lanes {
  typedef float F __attribute__((vector_size(4 * W)));
  typedef int32_t I __attribute__((vector_size(4 * W)));
};

template <class V>
struct IntOf {
  typedef int32_t type __attribute__((vector_size(sizeof(V))));
};

template <class V>
inline V Splat(float x) { return V{} + x; }

// min and max as one instruction each. GCC compiles `a < b ? a : b` on vectors to a compare and a blend
// (it must keep the select's NaN and signed-zero semantics), which costs the exp in the scan's inner loop an
// extra two operations; these instructions return b when either is NaN, which is what the select does too.
template <class V>
inline V Min(V a, V b) {
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64) return (V)_mm512_min_ps((__m512)a, (__m512)b);
#endif
#if defined(__AVX__)
  if constexpr (sizeof(V) == 32) return (V)_mm256_min_ps((__m256)a, (__m256)b);
#endif
#if defined(__SSE__)
  if constexpr (sizeof(V) == 16) return (V)_mm_min_ps((__m128)a, (__m128)b);
#elif defined(__ARM_NEON)
  if constexpr (sizeof(V) == 16) return (V)vminq_f32((float32x4_t)a, (float32x4_t)b);
#endif
  return a < b ? a : b;
}

template <class V>
inline V Max(V a, V b) {
#if defined(__AVX512F__)
  if constexpr (sizeof(V) == 64) return (V)_mm512_max_ps((__m512)a, (__m512)b);
#endif
#if defined(__AVX__)
  if constexpr (sizeof(V) == 32) return (V)_mm256_max_ps((__m256)a, (__m256)b);
#endif
#if defined(__SSE__)
  if constexpr (sizeof(V) == 16) return (V)_mm_max_ps((__m128)a, (__m128)b);
#elif defined(__ARM_NEON)
  if constexpr (sizeof(V) == 16) return (V)vmaxq_f32((float32x4_t)a, (float32x4_t)b);
#endif
  return a > b ? a : b;
}

constexpr float kLog2e = 1.44269504f;
constexpr float kRoundMagic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer, kept in the low mantissa bits

// 2^f for f in [-0.5, 0.5]: 1 + f·q(f), q of degree 4 fitted for relative error (9e-8; 2e-7 in float32).
// Exact at f = 0, so the error of a decay factor close to 1 is proportional to its distance from 1 and a
// slowly decaying state does not accumulate it.
template <class V>
inline V Exp2Fraction(V f) {
  V p = Splat<V>(1.326472731e-03f);
  p = p * f + Splat<V>(9.671512991e-03f);
  p = p * f + Splat<V>(5.550733581e-02f);
  p = p * f + Splat<V>(2.402224243e-01f);
  p = p * f + Splat<V>(6.931470037e-01f);
  return p * f + Splat<V>(1.0f);
}

// 2^y for y in [-126, 127] (callers clamp): the nearest integer k by the magic-number rounding, 2^(y-k) by the
// polynomial, and 2^k added straight into the exponent bits (k << 23; a negative k wraps correctly).
template <class V>
inline V Exp2Clamped(V y) {
  typedef typename IntOf<V>::type I;
  const V magic = Splat<V>(kRoundMagic);
  const V shifted = y + magic;
  const V k = shifted - magic;
  return (V)((I)Exp2Fraction(y - k) + ((I)shifted << 23));
}

// 2^y for any y; below -126 it flushes to about 2^-126.
template <class V>
inline V Exp2(V y) { return Exp2Clamped(Max(Min(y, Splat<V>(127.0f)), Splat<V>(-126.0f))); }

// The primitives the kernels build on (exp, reciprocal), portable; AVX-512 has faster ones (scan_block16_avx512.cc).
struct PortableMath {
  template <class V> static V Exp2(V y) { return vmath::Exp2(y); }
  // For y already within [-126, 127].
  template <class V> static V Exp2InRange(V y) { return vmath::Exp2Clamped(y); }
  // For y <= 0 (a decay factor): only the lower clamp is needed.
  template <class V> static V Exp2Decay(V y) { return vmath::Exp2Clamped(Max(y, Splat<V>(-126.0f))); }
  template <class V> static V Reciprocal(V x) { return Splat<V>(1.0f) / x; }
};

// log(1 + t) for t in [0, 1]: 2 atanh(s) with s = t / (2 + t) <= 1/3, by the series 2 (s + s^3/3 + ... + s^11/11)
// (1.5e-7 relative).
template <class Math, class V>
inline V Log1pUnit(V t) {
  const V s = t * Math::Reciprocal(Splat<V>(2.0f) + t);
  const V s2 = s * s;
  V series = Splat<V>(2.0f / 11);
  series = series * s2 + Splat<V>(2.0f / 9);
  series = series * s2 + Splat<V>(2.0f / 7);
  series = series * s2 + Splat<V>(2.0f / 5);
  series = series * s2 + Splat<V>(2.0f / 3);
  series = series * s2 + Splat<V>(2.0f);
  return s * series;
}

// softplus(x) = max(x, 0) + log(1 + e^-|x|): one exp of a non-positive argument and a log of [1, 2], no select.
// e^-|x| is floored at e^-40 (4e-18, far below what the sum keeps), so no intermediate becomes subnormal, which
// x86 handles in slow microcode. Above 20 it equals x to float precision, as the contract's x > 20 ? x : ... does.
template <class Math, class V>
inline V Softplus(V x) {
  const V minus_abs = Min(x, -x);
  const V t = Math::Exp2InRange(Max(minus_abs, Splat<V>(-40.0f)) * Splat<V>(kLog2e));
  return Max(x, Splat<V>(0.0f)) + Log1pUnit<Math>(t);
}

template <class Math, class V>
inline V Silu(V x) { return x * Math::Reciprocal(Splat<V>(1.0f) + Math::Exp2(x * Splat<V>(-kLog2e))); }

}  // namespace vmath
}  // namespace
}  // namespace linewatch
