#include "gemm_widen.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>

namespace swiglu {

namespace {

// The calibration problem: kRows row panels of the ISA's tile height against one micro-panel of kSteps
// k steps, everything in L1/L2, plain store epilogue. Values are ones: no subnormals, no overflow.
constexpr size_t kSteps = 256;
constexpr size_t kRows = 4;
constexpr int kRounds = 7;

double seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

size_t measure(const GemmTable& g, WType type) {
  const size_t mr = static_cast<size_t>(g.mr);
  const size_t a_floats = kRows * mr * kSteps, b_elems = kSteps * kPanelWidth;
  std::unique_ptr<void, AlignedFree> a_mem(aligned_bytes(a_floats, sizeof(float)));
  std::unique_ptr<void, AlignedFree> b_mem(aligned_bytes(b_elems, sizeof(uint16_t)));
  std::unique_ptr<void, AlignedFree> w_mem(aligned_bytes(b_elems, sizeof(float)));
  std::unique_ptr<void, AlignedFree> c_mem(aligned_bytes(kRows * mr * kPanelWidth, sizeof(float)));
  if (!a_mem || !b_mem || !w_mem || !c_mem) return SIZE_MAX;
  float* a = static_cast<float*>(a_mem.get());
  uint16_t* b = static_cast<uint16_t*>(b_mem.get());
  float* w = static_cast<float*>(w_mem.get());
  float* c = static_cast<float*>(c_mem.get());
  for (size_t i = 0; i < a_floats; ++i) a[i] = 1.0f / 1024;
  const uint16_t one = type == WType::kBF16 ? 0x3f80 : 0x3c00;
  for (size_t i = 0; i < b_elems; ++i) b[i] = one;
  const auto widen = g.widen[static_cast<int>(type)];
  widen(b, w, b_elems);

  TileArgs ta{};
  ta.kc = kSteps;
  ta.b_strip = kSteps * kStripWidth;
  ta.final_block = true;
  ta.epilogue = Epilogue::kStore;
  ta.ldc = kPanelWidth;
  ta.cols = kPanelWidth;
  auto tiles = [&](WType t, const void* panel) {
    const TileFn fn = g.tile[static_cast<int>(t)][mr];
    ta.b = panel;
    const double t0 = seconds();
    for (size_t r = 0; r < kRows; ++r) {
      ta.a = a + r * mr * kSteps;
      ta.c = c + r * mr * kPanelWidth;
      fn(ta);
    }
    return (seconds() - t0) / kRows;
  };
  auto widening = [&]() {
    const double t0 = seconds();
    widen(b, w, b_elems);
    return seconds() - t0;
  };
  // Alternating, best of each: robust to another job's time slices.
  double t16 = 1e30, t32 = 1e30, conv = 1e30;
  for (int i = 0; i < kRounds; ++i) {
    t16 = std::min(t16, tiles(type, b));
    conv = std::min(conv, widening());
    t32 = std::min(t32, tiles(WType::kF32, w));
  }
  if (!(t32 < 0.98 * t16)) return SIZE_MAX;  // no clear per-tile saving: keep the in-tile path
  const double n = std::ceil(conv / (t16 - t32));
  return n < 2 ? 2 : n > 1e6 ? SIZE_MAX : static_cast<size_t>(n);
}

}  // namespace

size_t widen_once_min_row_panels(Isa isa, const GemmTable& g, WType type) {
  if (type == WType::kF32 || !g.widen[static_cast<int>(type)]) return SIZE_MAX;
  // 0: not measured yet, else the answer + 1. Two threads racing here both measure; either is valid.
  static std::atomic<size_t> decided[kIsaCount][kWTypeCount];
  std::atomic<size_t>& d = decided[static_cast<int>(isa)][static_cast<int>(type)];
  size_t v = d.load(std::memory_order_relaxed);
  if (v == 0) {
    const size_t n = measure(g, type);
    v = n == SIZE_MAX ? SIZE_MAX : n + 1;
    d.store(v, std::memory_order_relaxed);
  }
  return v == SIZE_MAX ? SIZE_MAX : v - 1;
}

}  // namespace swiglu
