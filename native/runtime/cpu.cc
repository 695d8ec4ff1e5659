// CPU feature detection: CPUID for what the core implements, XGETBV for what the OS saves and
// restores on a context switch. Trusting CPUID alone crashes under hypervisors and containers
// that hide the wider register state.
#include "cpu.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#endif

namespace swiglu {

namespace {

struct Features {
  bool avx2 = false;    // AVX2 + FMA + F16C, YMM state enabled by the OS
  bool avx512 = false;  // AVX-512 F/BW/DQ/VL, ZMM + opmask state enabled by the OS
  bool neon = false;
};

#if defined(__x86_64__) || defined(_M_X64)
unsigned long long read_xcr0() {
  unsigned eax = 0, edx = 0;
  // xgetbv with ecx = 0; encoded as bytes so no -mxsave flag is needed for this baseline unit.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}

Features detect() {
  Features f;
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
  const bool fma = c & (1u << 12);
  const bool osxsave = c & (1u << 27);
  const bool avx = c & (1u << 28);
  const bool f16c = c & (1u << 29);
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = read_xcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;            // SSE + AVX state
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;          // + opmask, ZMM_Hi256, Hi16_ZMM
  if (__get_cpuid_max(0, nullptr) < 7) return f;
  __cpuid_count(7, 0, a, b, c, d);
  const bool avx2 = b & (1u << 5);
  const bool avx512f = b & (1u << 16), avx512dq = b & (1u << 17);
  const bool avx512bw = b & (1u << 30), avx512vl = b & (1u << 31);
  f.avx2 = ymm_state && avx2 && fma && f16c;
  f.avx512 = f.avx2 && zmm_state && avx512f && avx512dq && avx512bw && avx512vl;
  return f;
}
#elif defined(__aarch64__)
Features detect() {
  Features f;
  f.neon = true;  // AdvSIMD is mandatory on AArch64
  return f;
}
#else
Features detect() { return Features{}; }
#endif

const Features& features() {
  static const Features f = detect();
  return f;
}

}  // namespace

bool isa_runnable(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return true;
#if defined(SWIGLU_HAVE_X86)
    case Isa::kAvx2: return features().avx2;
    case Isa::kAvx512: return features().avx512;
#endif
#if defined(SWIGLU_HAVE_NEON)
    case Isa::kNeon: return features().neon;
#endif
    default: return false;
  }
}

Isa best_isa() {
  if (isa_runnable(Isa::kAvx512)) return Isa::kAvx512;
  if (isa_runnable(Isa::kAvx2)) return Isa::kAvx2;
  if (isa_runnable(Isa::kNeon)) return Isa::kNeon;
  return Isa::kScalar;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2: return "avx2";
    case Isa::kAvx512: return "avx512";
    case Isa::kNeon: return "neon";
  }
  return "unknown";
}

bool parse_isa(const char* name, Isa* out) {
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (std::strcmp(name, isa_name(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

const char* isa_unavailable_reason(Isa isa) {
  if (isa_runnable(isa)) return "";
  switch (isa) {
    case Isa::kAvx2:
    case Isa::kAvx512:
#if defined(SWIGLU_HAVE_X86)
      return isa == Isa::kAvx2 ? "this CPU (or its OS) lacks AVX2+FMA+F16C with YMM state enabled"
                               : "this CPU (or its OS) lacks AVX-512 F/BW/DQ/VL with ZMM state enabled";
#else
      return "this build is not for x86-64";
#endif
    case Isa::kNeon: return "this build is not for aarch64";
    default: return "unknown ISA";
  }
}

namespace {

size_t parse_size(const char* s) {
  char* end = nullptr;
  unsigned long long v = std::strtoull(s, &end, 10);
  if (end == s) return 0;
  if (*end == 'K' || *end == 'k') v <<= 10;
  else if (*end == 'M' || *end == 'm') v <<= 20;
  else if (*end == 'G' || *end == 'g') v <<= 30;
  return static_cast<size_t>(v);
}

bool read_line(const char* path, char* buf, size_t n) {
  FILE* f = std::fopen(path, "r");
  if (!f) return false;
  const bool ok = std::fgets(buf, static_cast<int>(n), f) != nullptr;
  std::fclose(f);
  return ok;
}

CacheSizes detect_caches() {
  CacheSizes c{32 << 10, 1 << 20, 8 << 20};  // defaults: a typical x86 / big ARM core
  for (int i = 0; i < 8; ++i) {
    char path[128], level[32], type[32], size[32];
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
    if (!read_line(path, level, sizeof level)) break;
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
    if (!read_line(path, type, sizeof type)) continue;
    std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
    if (!read_line(path, size, sizeof size)) continue;
    const size_t bytes = parse_size(size);
    if (bytes < 4096) continue;  // nonsense: keep the default
    const int lv = std::atoi(level);
    if (lv == 1 && std::strncmp(type, "Instruction", 11) != 0) c.l1d = bytes;
    else if (lv == 2) c.l2 = bytes;
    else if (lv == 3) c.l3 = bytes;
  }
  return c;
}

}  // namespace

const CacheSizes& cache_sizes() {
  static const CacheSizes c = detect_caches();
  return c;
}

}  // namespace swiglu
