// Every compiled and runnable ISA's 16-bit float conversions against the scalar ones (which the TS tests
// hold to lib/reference/convert.ts): all 65536 patterns widened, and 2^26 float32 patterns narrowed (every
// 64th pattern of the whole 32-bit range with random low bits, interleaved with random ones), including
// lengths that end in a tail. Exit status 1 on any difference. Cross-built and run under qemu for NEON by
// scripts/convert-arm64.sh; on x86: `npm run build:native`, then `cmake --build build --target convert_check && build/convert_check`.
#include <cstdio>
#include <cstring>
#include <vector>

#include "../runtime/convert_table.h"
#include "../runtime/cpu.h"

using namespace swiglu;

static long compare(const char* isa, const ConvertTable& s, const ConvertTable& v) {
  long bad = 0;
  std::vector<uint16_t> h(65536);
  for (int i = 0; i < 65536; i++) h[i] = static_cast<uint16_t>(i);
  std::vector<float> a(65536), b(65536);
  for (int bf = 0; bf < 2; bf++) {
    (bf ? s.from_bf16 : s.from_f16)(h.data(), a.data(), 65536);
    (bf ? v.from_bf16 : v.from_f16)(h.data(), b.data(), 65536);
    for (int i = 0; i < 65536; i++) {
      uint32_t x, y;
      std::memcpy(&x, &a[i], 4);
      std::memcpy(&y, &b[i], 4);
      if (x != y && bad++ < 10) std::printf("%s from_%s %04x: scalar %08x, %s %08x\n", isa, bf ? "bf16" : "f16", i, x, isa, y);
    }
  }
  const size_t n = (size_t(1) << 20) - 3;  // not a multiple of any vector width: the tail runs every time
  std::vector<uint32_t> x(n);
  std::vector<uint16_t> p(n), q(n);
  uint32_t st = 12345;
  for (uint64_t base = 0; base < (uint64_t(1) << 32); base += uint64_t(n) * 64) {
    for (size_t i = 0; i < n; i++) {
      st ^= st << 13, st ^= st >> 17, st ^= st << 5;
      x[i] = (i & 1) ? st : static_cast<uint32_t>(base + i * 64 + (st & 63));
    }
    const float* f = reinterpret_cast<const float*>(x.data());
    for (int bf = 0; bf < 2; bf++) {
      (bf ? s.to_bf16 : s.to_f16)(f, p.data(), n);
      (bf ? v.to_bf16 : v.to_f16)(f, q.data(), n);
      for (size_t i = 0; i < n; i++) {
        if (p[i] != q[i] && bad++ < 10) std::printf("%s to_%s %08x: scalar %04x, %s %04x\n", isa, bf ? "bf16" : "f16", x[i], p[i], isa, q[i]);
      }
    }
  }
  std::printf("%s: %s (%ld differences from scalar)\n", isa, bad ? "FAIL" : "ok", bad);
  return bad;
}

int main() {
  long bad = 0;
  const ConvertTable& s = scalar::convert_table();
#if defined(SWIGLU_HAVE_X86)
  if (isa_runnable(Isa::kAvx2)) bad += compare("avx2", s, avx2::convert_table());
  if (isa_runnable(Isa::kAvx512)) bad += compare("avx512", s, avx512::convert_table());
#endif
#if defined(SWIGLU_HAVE_NEON)
  bad += compare("neon", s, neon::convert_table());
#endif
  return bad != 0;
}
