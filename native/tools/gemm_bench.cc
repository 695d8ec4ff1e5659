// GEMM harness: a correctness self-check of every runnable ISA against a double reference, and the
// fused-gate benchmark (GFLOP/s, % of the FMA peak measured in the same run, fused vs
// unfused, optionally OpenBLAS's two-sgemm gate side by side via dlopen — a dev-only comparison,
// never linked; bf16 and f16 rows are timed against OpenBLAS on the f32 weights).
//
//   gemm_bench --check
//   gemm_bench [--shapes 1024x2816,2048x5632,4096x11008] [--m 1,8,64,512] [--threads 1,2]
//              [--dtype f32,bf16,f16] [--isa avx512] [--openblas] [--unfused] [--min-time 0.3]
//              [--kc N] [--mc N] [--nc N]   (override the GEMM's cache blocking; never changes results)
//              [--no-probes]   (calls back to back, no FMA / read probe between them: the weights stay where
//                               the previous call left them, as a plain loop of calls finds them; %peak
//                               and %DRAM then against the start-up probes)
//              [--spin-wait US]   (the pool's helpers poll up to US microseconds between the calls of a
//                                  burst before they sleep: setSpinWait; default the package's, 200, but 0
//                                  with --openblas, whose calls would otherwise run beside our polling
//                                  helpers in the round-robin)
//   gemm_bench --matmul [--shapes ...] [--m 1,8] [--threads 1,2]   (small-M matmul: packed vs unpacked B)
#include <dlfcn.h>
#include <sys/mman.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <time.h>
#include <vector>

#include "../runtime/cpu.h"
#include "../runtime/dispatch.h"
#include "../runtime/gemm.h"
#include "../runtime/pool.h"
#include "../runtime/probes.h"

using namespace swiglu;

namespace {

// Results of the probes land here so the compiler cannot drop them.
volatile float g_sink;

// --kc/--mc/--nc: the blocking every timed gemm() call uses (0: what the CPU suggests).
GemmTuning g_tuning;

// GEMM_BENCH_CPUTIME=1 (dev, on a machine shared with other jobs): process CPU time instead of wall
// time, for the calls and the interleaved FMA probe alike, so time slices lost to other processes do not
// count (the pool blocks, never spins, when idle). It sums the threads: ms and GFLOP/s are per thread-sum
// with --threads 2 (the % of peak stays comparable); meant for --threads 1.
bool cpu_clock() {
  static const bool cpu = std::getenv("GEMM_BENCH_CPUTIME") != nullptr;
  return cpu;
}
double now() {
  if (cpu_clock()) {
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= s.size()) {
    size_t e = s.find(sep, b);
    if (e == std::string::npos) e = s.size();
    if (e > b) out.push_back(s.substr(b, e - b));
    b = e + 1;
  }
  return out;
}

uint16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  u += 0x7fff + ((u >> 16) & 1);  // round to nearest even (finite inputs only here)
  return static_cast<uint16_t>(u >> 16);
}
float from_bf16(uint16_t h) {
  uint32_t u = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}
uint16_t to_f16(float f) {  // finite, normal-range inputs only (the harness's weights)
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const uint32_t sign = (u >> 16) & 0x8000u;
  int e = int((u >> 23) & 0xff) - 127 + 15;
  uint32_t m = u & 0x7fffffu;
  if (e <= 0) return static_cast<uint16_t>(sign);
  uint32_t h = (uint32_t(e) << 10) | (m >> 13);
  const uint32_t rest = m & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1))) ++h;
  return static_cast<uint16_t>(sign | h);
}
float from_f16(uint16_t h) {
  const uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
  float v = e == 0 ? std::ldexp(float(m), -24) : std::ldexp(float(m | 0x400), int(e) - 25);
  return (h & 0x8000) ? -v : v;
}

// A gate pack in memory of its own, made as the addon's long-lived packs are (addon/packs.cc): from a
// kHugePage boundary, with advise_huge_pages before the first write (pack_gate's per-call scratch gets
// 4 KiB pages, which no packGate user meets).
struct HugeGatePack {
  PackedB P;
  void* base = nullptr;
  size_t length = 0;
  bool make(WeightSrc g, WeightSrc u, WType type, size_t K, size_t N) {
    if (!panel_layout(&P, type, true, K, N)) return false;
    length = P.bytes + kHugePage;
    base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return base = nullptr, false;
    char* start = reinterpret_cast<char*>((reinterpret_cast<uintptr_t>(base) + kHugePage - 1) / kHugePage * kHugePage);
    advise_huge_pages(start, P.bytes);
    P.data.reset(start);
    pack_gate_into(&P, g, u, 2);
    return true;
  }
  ~HugeGatePack() {
    (void)P.data.release();
    if (base) munmap(base, length);
  }
};

// ---------------------------------------------------------------------------------------------
// Correctness: random shapes around the tile and panel edges, both layouts, all weight types.
int check() {
  std::mt19937 rng(12345);
  // Biased away from zero-mean: a float32 dot product of K zero-mean terms can cancel to a result
  // far below its rounding error (a property of float32 accumulation, not of the kernel).
  std::uniform_real_distribution<float> dist(-0.5f, 1.f);
  const size_t Ms[] = {1, 2, 3, 7, 8, 12, 13, 14, 64, 129};
  const size_t Ks[] = {1, 3, 17, 100, 257, 700};
  const size_t Ns[] = {1, 3, 17, 33, 100};
  int failures = 0, cases = 0;
  for (int ii = 0; ii < kIsaCount; ++ii) {
    const Isa isa = static_cast<Isa>(ii);
    if (!isa_runnable(isa)) continue;
    for (size_t M : Ms)
      for (size_t K : Ks)
        for (size_t N : Ns)
          for (int type_index = 0; type_index < kWTypeCount; ++type_index)
            for (int gate = 0; gate < 2; ++gate) {
              const bool trans = (M + K + N + type_index) & 1;
              const WType type = static_cast<WType>(type_index);
              std::vector<float> A(M * K), Wg(K * N), Wu(K * N);
              for (auto& v : A) v = dist(rng);
              for (auto& v : Wg) v = dist(rng);
              for (auto& v : Wu) v = dist(rng);
              std::vector<uint16_t> Hg(K * N), Hu(K * N);
              if (type != WType::kF32) {
                for (size_t i = 0; i < K * N; ++i) {
                  Hg[i] = type == WType::kBF16 ? to_bf16(Wg[i]) : to_f16(Wg[i]);
                  Hu[i] = type == WType::kBF16 ? to_bf16(Wu[i]) : to_f16(Wu[i]);
                  Wg[i] = type == WType::kBF16 ? from_bf16(Hg[i]) : from_f16(Hg[i]);
                  Wu[i] = type == WType::kBF16 ? from_bf16(Hu[i]) : from_f16(Hu[i]);
                }
              }
              // Element (k, n): trans ? W[n*K + k] : W[k*N + n].
              auto at = [&](const std::vector<float>& W, size_t k, size_t n) { return trans ? W[n * K + k] : W[k * N + n]; };
              const void* sg = type == WType::kF32 ? static_cast<const void*>(Wg.data()) : Hg.data();
              const void* su = type == WType::kF32 ? static_cast<const void*>(Wu.data()) : Hu.data();
              PackedB B;
              bool ok = gate ? pack_gate(&B, {sg, trans}, {su, trans}, type, K, N, 2) : pack_b(&B, {sg, trans}, type, K, N, 2);
              std::vector<float> C(M * N, -7.f), C2(M * N, -9.f);
              ok = ok && gemm(isa, A.data(), K, M, B, gate ? EpilogueOp(Epilogue::kGlu, kSilu) : EpilogueOp(), C.data(), N, 1);
              ok = ok && gemm(isa, A.data(), K, M, B, gate ? EpilogueOp(Epilogue::kGlu, kSilu) : EpilogueOp(), C2.data(), N, 2);
              double err2 = 0, ref2 = 0, maxref = 0, maxerr = 0;
              for (size_t m = 0; m < M; ++m)
                for (size_t n = 0; n < N; ++n) {
                  double g = 0, u = 0;
                  for (size_t k = 0; k < K; ++k) {
                    g += double(A[m * K + k]) * at(Wg, k, n);
                    u += double(A[m * K + k]) * at(Wu, k, n);
                  }
                  const double ref = gate ? g / (1 + std::exp(-g)) * u : g;
                  const double e = std::fabs(C[m * N + n] - ref);
                  err2 += e * e;
                  ref2 += ref * ref;
                  maxref = std::max(maxref, std::fabs(ref));
                  maxerr = std::max(maxerr, e);
                }
              bool same = std::memcmp(C.data(), C2.data(), C.size() * 4) == 0;
              // Other cache blockings (short K blocks, one row panel per row block, one weight panel per
              // task): the same bits.
              for (const GemmTuning& tn : {GemmTuning{64, 1, 1}, GemmTuning{48, 2, 3}}) {
                std::vector<float> C3(M * N, -11.f);
                ok = ok && gemm(isa, A.data(), K, M, B, gate ? EpilogueOp(Epilogue::kGlu, kSilu) : EpilogueOp(), C3.data(), N, 2, tn);
                same = same && std::memcmp(C.data(), C3.data(), C.size() * 4) == 0;
              }
              if (type != WType::kF32) {
                // A 16-bit pack widens exactly, whichever way its tiles load it: the same bits as the f32
                // pack of the widened weights (Wg, Wu hold them).
                PackedB B32;
                std::vector<float> C4(M * N, -13.f);
                ok = ok && (gate ? pack_gate(&B32, {Wg.data(), trans}, {Wu.data(), trans}, WType::kF32, K, N, 2)
                                 : pack_b(&B32, {Wg.data(), trans}, WType::kF32, K, N, 2));
                ok = ok && gemm(isa, A.data(), K, M, B32, gate ? EpilogueOp(Epilogue::kGlu, kSilu) : EpilogueOp(), C4.data(), N, 1);
                same = same && std::memcmp(C.data(), C4.data(), C.size() * 4) == 0;
              }
              if (!gate && type == WType::kF32 && M <= kSmallM) {
                // matmul's unpacked small-M kernel: within tolerance of the same reference, and
                // identical at 1 and 2 threads (its N split is over threads).
                std::vector<float> S(M * N, -5.f), S2(M * N, -6.f);
                matmul_small(isa, A.data(), K, M, Wg.data(), trans, K, N, S.data(), N, 1);
                matmul_small(isa, A.data(), K, M, Wg.data(), trans, K, N, S2.data(), N, 2);
                same = same && std::memcmp(S.data(), S2.data(), S.size() * 4) == 0;
                for (size_t i = 0; i < M * N; ++i) {
                  const double e = std::fabs(double(S[i]) - double(C[i]));
                  if (!(e <= 2e-5 * (std::fabs(double(C[i])) + 1.0) * std::sqrt(double(K)))) same = false;
                }
                // B [K][N]: the same k-ascending order as the packed tile, so the same bits.
                if (!trans && std::memcmp(S.data(), C.data(), C.size() * 4) != 0) same = false;
              }
              const bool pass = ok && same && std::sqrt(err2) <= 1e-5 * std::sqrt(ref2) + 1e-30 && maxerr <= 1e-4 * maxref + 1e-30;
              ++cases;
              if (!pass) {
                ++failures;
                if (failures < 20)
                  std::printf("FAIL %s M=%zu K=%zu N=%zu dtype=%d gate=%d trans=%d ok=%d same=%d rel=%.3g maxerr=%.3g maxref=%.3g\n",
                              isa_name(isa), M, K, N, type_index, gate, trans, ok, same, std::sqrt(err2 / (ref2 + 1e-300)), maxerr, maxref);
              }
            }
  }
  std::printf("check: %d cases, %d failures\n", cases, failures);
  return failures ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// Benchmark.

struct OpenBlas {
  void* h = nullptr;
  void (*sgemm)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int) = nullptr;
  void (*sgemv)(int, int, int, int, float, const float*, int, const float*, int, float, float*, int) = nullptr;
  void (*set_threads)(int) = nullptr;
  char* (*corename)() = nullptr;
  bool load() {
    for (const char* name : {"libopenblas.so.0", "libopenblas.so"}) {
      h = dlopen(name, RTLD_NOW | RTLD_LOCAL);
      if (h) break;
    }
    if (!h) return false;
    sgemm = reinterpret_cast<decltype(sgemm)>(dlsym(h, "cblas_sgemm"));
    sgemv = reinterpret_cast<decltype(sgemv)>(dlsym(h, "cblas_sgemv"));
    set_threads = reinterpret_cast<decltype(set_threads)>(dlsym(h, "openblas_set_num_threads"));
    corename = reinterpret_cast<decltype(corename)>(dlsym(h, "openblas_get_corename"));
    return sgemm && sgemv && set_threads;
  }
};

// Median seconds of fn over enough repetitions to fill min_time.
template <class Fn>
double time_it(Fn&& fn, double min_time) {
  fn();  // warm-up (page faults, pool wake-up, caches)
  std::vector<double> t;
  const double start = now();
  while (t.size() < 3 || (now() - start < min_time && t.size() < 200)) {
    const double t0 = now();
    fn();
    t.push_back(now() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}


double fma_peak(Isa isa, int threads) {
  double flops = 0, best = 1e30;
  fma_pass(isa, threads, 1000000, &flops);  // warm-up (pool wake-up, clocks)
  for (int r = 0; r < 5; ++r) best = std::min(best, fma_pass(isa, threads, 4000000, &flops));
  return flops / best / 1e9;
}

double read_bw(Isa isa, int threads) {
  std::vector<float> buf(size_t(256) << 20 >> 2, 1.0f);  // 256 MiB of floats
  double bytes = 0, best = 1e30;
  read_pass(isa, buf.data(), buf.size(), threads, &bytes);
  for (int r = 0; r < 5; ++r) best = std::min(best, read_pass(isa, buf.data(), buf.size(), threads, &bytes));
  return bytes / best / 1e9;
}

int bench(int argc, char** argv) {
  std::string shapes = "1024x2816,2048x5632,4096x11008", ms = "1,8,64,512", ths = "1,2", dtypes = "f32,bf16", isa_s;
  bool use_ob = false, unfused = false, matmul_mode = false, probes = true, spin_set = false;
  double min_time = 0.3;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (a == "--shapes") shapes = next();
    else if (a == "--m") ms = next();
    else if (a == "--threads") ths = next();
    else if (a == "--dtype") dtypes = next();
    else if (a == "--isa") isa_s = next();
    else if (a == "--openblas") use_ob = true;
    else if (a == "--unfused") unfused = true;
    else if (a == "--no-probes") probes = false;
    else if (a == "--matmul") matmul_mode = true;
    else if (a == "--min-time") min_time = std::atof(next().c_str());
    else if (a == "--kc") g_tuning.kc = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--mc") g_tuning.mc = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--nc") g_tuning.nc = std::strtoull(next().c_str(), nullptr, 10);
    else if (a == "--spin-wait") {
      set_spin_wait_us(std::atoi(next().c_str()));
      spin_set = true;
    }
  }
  Isa isa = best_isa();
  if (!isa_s.empty() && (!parse_isa(isa_s.c_str(), &isa) || !isa_runnable(isa))) {
    std::fprintf(stderr, "ISA %s not runnable\n", isa_s.c_str());
    return 2;
  }
  const GemmTable& g = gemm_table(isa);
  if (matmul_mode) {
    // matmul at small M: pack B + GEMM (what every matmul call did) vs the unpacked small-M kernel.
    std::mt19937 rng(3);
    std::uniform_real_distribution<float> dist(-1.f, 1.f);
    std::printf("matmul (B = weights, K x N), 1 thread unless --threads\n%-10s %4s %6s %3s | %10s %10s %8s\n", "KxN", "M", "transB",
                "thr", "pack+gemm", "unpacked", "speedup");
    for (auto& shape : split(shapes, ',')) {
      const size_t K = std::strtoul(shape.c_str(), nullptr, 10);
      const size_t N = std::strtoul(shape.c_str() + shape.find('x') + 1, nullptr, 10);
      std::vector<float> W(N * K);
      for (auto& v : W) v = dist(rng);
      for (auto& mstr : split(ms, ',')) {
        const size_t M = std::strtoul(mstr.c_str(), nullptr, 10);
        if (M > kSmallM) continue;
        std::vector<float> X(M * K), C(M * N);
        for (auto& v : X) v = dist(rng);
        for (int trans = 0; trans < 2; ++trans)
          for (auto& ts : split(ths, ',')) {
            const int th = std::atoi(ts.c_str());
            const double tp = time_it([&] {
              PackedB B;
              pack_b(&B, {W.data(), trans != 0}, WType::kF32, K, N, th);
              gemm(isa, X.data(), K, M, B, Epilogue::kStore, C.data(), N, th, g_tuning);
            }, min_time);
            const double tsml = time_it([&] { matmul_small(isa, X.data(), K, M, W.data(), trans != 0, K, N, C.data(), N, th); }, min_time);
            std::printf("%-10s %4zu %6s %3d | %8.3fms %8.3fms %7.1fx  (%.1f GB/s)\n", shape.c_str(), M, trans ? "true" : "false", th,
                        tp * 1e3, tsml * 1e3, tp / tsml, double(K) * N * 4 / tsml / 1e9);
            std::fflush(stdout);
          }
      }
    }
    return 0;
  }
  OpenBlas ob;
  if (use_ob && !ob.load()) {
    std::fprintf(stderr, "OpenBLAS not found (apt-get install -y libopenblas-dev); continuing without it\n");
    use_ob = false;
  }
  if (use_ob && !spin_set) set_spin_wait_us(0);
  std::vector<int> threads;
  for (auto& s : split(ths, ',')) threads.push_back(std::atoi(s.c_str()));
  const CacheSizes& cs = cache_sizes();
  std::printf("isa %s, mr %d, caches L1d %zuK L2 %zuK L3 %zuK, pool spin wait %d us%s%s\n", g.isa, g.mr, cs.l1d >> 10,
              cs.l2 >> 10, cs.l3 >> 10, spin_wait_us(), use_ob ? ", OpenBLAS core " : "", use_ob && ob.corename ? ob.corename() : "");
  std::vector<double> peak(threads.size()), bw(threads.size());
  for (size_t i = 0; i < threads.size(); ++i) {
    peak[i] = fma_peak(isa, threads[i]);
    bw[i] = read_bw(isa, threads[i]);
    std::printf("threads %d: FMA peak %.1f GFLOP/s, DRAM read %.1f GB/s\n", threads[i], peak[i], bw[i]);
  }
  std::printf("%-10s %5s %4s %3s | %9s %8s %6s %7s | %9s %9s | %9s %7s | %6s %6s\n", "KxN", "dtype", "M", "thr", "fused ms",
              "GFLOP/s", "%peak", "%DRAM", "unfus ms", "fus/unf", "OBLAS ms", "OB/ours", "probe", "%best");
  std::printf("(%%peak: against the median FMA probe run interleaved with this row, each probe as long as one fused\n"
              " call; last columns: that probe's GFLOP/s, and %% of the best probe seen so far in the run)\n");
  std::vector<float> rbuf(size_t(256) << 20 >> 2, 1.0f);  // interleaved read probe (M = 1 rows)
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.f, 1.f);
  for (auto& shape : split(shapes, ',')) {
    const size_t K = std::strtoul(shape.c_str(), nullptr, 10);
    const size_t N = std::strtoul(shape.c_str() + shape.find('x') + 1, nullptr, 10);
    std::vector<float> Wg(N * K), Wu(N * K);  // PyTorch [out, in]
    for (auto& v : Wg) v = dist(rng) * 0.05f;
    for (auto& v : Wu) v = dist(rng) * 0.05f;
    std::unique_ptr<HugeGatePack> P32;  // the f32 pack of this shape, kept for the 16-bit rows' M = 1 comparison
    for (auto& ds : split(dtypes, ',')) {
      const WType type = ds == "bf16" ? WType::kBF16 : ds == "f16" ? WType::kF16 : WType::kF32;
      std::vector<uint16_t> hg, hu;
      if (type != WType::kF32) {
        hg.resize(N * K);
        hu.resize(N * K);
        for (size_t i = 0; i < N * K; ++i) {
          hg[i] = type == WType::kBF16 ? to_bf16(Wg[i]) : to_f16(Wg[i]);
          hu[i] = type == WType::kBF16 ? to_bf16(Wu[i]) : to_f16(Wu[i]);
        }
      }
      const void* sg = type == WType::kF32 ? static_cast<const void*>(Wg.data()) : hg.data();
      const void* su = type == WType::kF32 ? static_cast<const void*>(Wu.data()) : hu.data();
      auto hp = std::make_unique<HugeGatePack>();
      if (!hp->make({sg, true}, {su, true}, type, K, N)) return 3;
      PackedB& P = hp->P;
      PackedB Pg, Pu;
      if (unfused && (!pack_b(&Pg, {sg, true}, type, K, N, 2) || !pack_b(&Pu, {su, true}, type, K, N, 2))) return 3;
      if (std::getenv("GEMM_BENCH_RAW")) {  // dev: raw read speed of the packed bytes themselves
        const double tr = time_it([&] { g_sink = probe_table(isa).read(static_cast<const float*>(P.data.get()), P.bytes / 4 / 64 * 64); }, min_time);
        std::printf("raw read of the pack: %.3f ms, %.1f GB/s\n", tr * 1e3, P.bytes / tr / 1e9);
      }
      for (auto& mstr : split(ms, ',')) {
        const size_t M = std::strtoul(mstr.c_str(), nullptr, 10);
        std::vector<float> X(M * K), H(M * N), G(M * N), U(M * N);
        for (auto& v : X) v = dist(rng);
        for (size_t ti = 0; ti < threads.size(); ++ti) {
          const int th = threads[ti];
          const double flops = 4.0 * M * K * N;
          // Round-robin: fused, FMA probe, unfused, OpenBLAS, one run of each per round, so every figure
          // (and the peak the ratio divides by) sees the same machine load; medians per kind.
          const GluFn glu = op_table(isa).glu[kSilu];
          const Store store = store_for(3 * M * N * sizeof(float));  // as the addon decides
          auto run_fused = [&] { gemm(isa, X.data(), K, M, P, EpilogueOp(Epilogue::kGlu, kSilu), H.data(), N, th, g_tuning); };
          auto run_unfused = [&] {
            gemm(isa, X.data(), K, M, Pg, Epilogue::kStore, G.data(), N, th, g_tuning);
            gemm(isa, X.data(), K, M, Pu, Epilogue::kStore, U.data(), N, th, g_tuning);
            const size_t total = M * N, chunk = (total + th - 1) / th;
            parallel_for(size_t(th), th, [&](size_t t) {
              const size_t b = t * chunk, e = std::min(total, b + chunk);
              if (b < e) glu(G.data() + b, U.data() + b, H.data() + b, e - b, ActParams{1.0, 0.0}, store);
            });
          };
          // A 16-bit row's OpenBLAS figure is the same gate on the f32 weights it was rounded from (OpenBLAS
          // has no 16-bit sgemm): what a user without this package would run.
          const bool do_ob = use_ob;
          auto run_ob = [&] {
            if (M == 1) {  // one token: OpenBLAS's GEMV, which streams the weights (its sgemm does not)
              ob.sgemv(101, 111, int(N), int(K), 1.f, Wg.data(), int(K), X.data(), 1, 0.f, G.data(), 1);
              ob.sgemv(101, 111, int(N), int(K), 1.f, Wu.data(), int(K), X.data(), 1, 0.f, U.data(), 1);
            } else {
              ob.sgemm(101, 111, 112, int(M), int(N), int(K), 1.f, X.data(), int(K), Wg.data(), int(K), 0.f, G.data(), int(N));
              ob.sgemm(101, 111, 112, int(M), int(N), int(K), 1.f, X.data(), int(K), Wu.data(), int(K), 0.f, U.data(), int(N));
            }
            for (size_t i = 0; i < M * N; ++i) H[i] = G[i] / (1.f + std::exp(-G[i])) * U[i];
          };
          if (do_ob) ob.set_threads(th);
          run_fused();
          // The probe runs about as long as one fused call (>= 1 ms), so both see the same share of
          // the core when other jobs time-slice it (a sub-slice probe would always see a whole core).
          uint64_t probe_iters;
          {
            double t0 = now();
            run_fused();
            const double tfu = std::max(now() - t0, 1e-3);
            double fl = 0;
            const double pt = fma_pass(isa, th, 100000, &fl);
            probe_iters = uint64_t(std::min(1e9, std::max(1e4, 100000.0 * tfu / std::max(pt, 1e-6))));
          }
          if (unfused) run_unfused();
          if (do_ob) run_ob();
          // M = 1 is DRAM-bound: the read probe runs in the round-robin as well (the bandwidth other
          // jobs leave us can move widely from minute to minute), and a 16-bit pack is raced against the
          // f32 pack of the same shape (the bf16/f32 bar).
          const bool m1 = M == 1;
          const bool vs32 = m1 && type != WType::kF32 && P32;
          std::vector<double> vf, vu, vo, vp, vr, v32;
          const double start = now();
          while (vf.size() < 3 || (now() - start < min_time * (1 + unfused + do_ob) && vf.size() < 200)) {
            double t0 = now();
            run_fused();
            vf.push_back(now() - t0);
            if (probes) {
              double pf = 0;
              t0 = now();
              double pt = fma_pass(isa, th, probe_iters, &pf);
              if (cpu_clock()) pt = now() - t0;  // the same clock as the calls it is the peak for
              vp.push_back(pf / pt / 1e9);
            }
            if (m1 && probes) {
              double bytes = 0;
              const double tr = read_pass(isa, rbuf.data(), rbuf.size(), th, &bytes);
              vr.push_back(bytes / tr / 1e9);
            }
            if (vs32) {
              t0 = now();
              gemm(isa, X.data(), K, M, P32->P, EpilogueOp(Epilogue::kGlu, kSilu), H.data(), N, th, g_tuning);
              v32.push_back(now() - t0);
            }
            if (unfused) {
              t0 = now();
              run_unfused();
              vu.push_back(now() - t0);
            }
            if (do_ob) {
              t0 = now();
              run_ob();
              vo.push_back(now() - t0);
            }
          }
          const double tf = median(vf), tu = median(vu), to = median(vo);
          const double row_peak = probes ? median(vp) : peak[ti];
          const double row_bw = m1 && probes ? median(vr) : bw[ti];
          if (row_peak > peak[ti]) peak[ti] = row_peak;  // the best the probe ever saw (conservative %)
          const double gf = flops / tf / 1e9;
          const double wbytes = 2.0 * K * N * wtype_bytes(type);
          std::printf("%-10s %5s %4zu %3d | %9.3f %8.1f %5.1f%% %6.1f%% | %9.3f %9.2f | %9.3f %7.2f | %6.1f %5.1f%%\n", shape.c_str(), ds.c_str(), M, th,
                      tf * 1e3, gf, 100 * gf / row_peak, 100 * wbytes / tf / 1e9 / row_bw, tu * 1e3, tu > 0 ? tu / tf : 0.0,
                      to * 1e3, to > 0 ? to / tf : 0.0, row_peak, 100 * gf / peak[ti]);
          if (m1) {
            std::printf("           M=1: weights %.1f GB/s vs read probe %.1f GB/s (%s)", wbytes / tf / 1e9, row_bw,
                        probes ? "interleaved medians" : "start-up probe; calls back to back");
            if (vs32) std::printf("; f32 pack %.3f ms -> %s/f32 speedup %.2fx", median(v32) * 1e3, ds.c_str(), median(v32) / tf);
            std::printf("\n");
          }
          std::fflush(stdout);
        }
      }
      if (type == WType::kF32) P32 = std::move(hp);
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--check") == 0) return check();
  return bench(argc, argv);
}
