// bfloat16 / binary16 <-> binary32 over the vector layer: V::load_bf16 / V::load_f16 widen, V::store_bf16 /
// V::store_f16 narrow (round to nearest even), N lanes at a time. The last n mod N elements go through a
// zero-padded lane buffer with the same V calls, so every element of every length gets the same bits, and
// nothing is read or written outside [0, n).
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace swiglu {
namespace SWIGLU_NS {

template <class V, bool kBf16>
void narrow(const float* x, uint16_t* out, size_t n) {
  constexpr size_t N = V::N;
  size_t i = 0;
  for (; i + N <= n; i += N) {
    if constexpr (kBf16) V::store_bf16(out + i, V::load(x + i));
    else V::store_f16(out + i, V::load(x + i));
  }
  if (i < n) {
    float in[N] = {};
    uint16_t res[N];
    std::memcpy(in, x + i, (n - i) * sizeof(float));
    if constexpr (kBf16) V::store_bf16(res, V::load(in));
    else V::store_f16(res, V::load(in));
    std::memcpy(out + i, res, (n - i) * sizeof(uint16_t));
  }
}

template <class V, bool kBf16>
void widen(const uint16_t* x, float* out, size_t n) {
  constexpr size_t N = V::N;
  size_t i = 0;
  for (; i + N <= n; i += N) V::store(out + i, kBf16 ? V::load_bf16(x + i) : V::load_f16(x + i));
  if (i < n) {
    uint16_t in[N] = {};
    float res[N];
    std::memcpy(in, x + i, (n - i) * sizeof(uint16_t));
    V::store(res, kBf16 ? V::load_bf16(in) : V::load_f16(in));
    std::memcpy(out + i, res, (n - i) * sizeof(float));
  }
}

}  // namespace SWIGLU_NS
}  // namespace swiglu
