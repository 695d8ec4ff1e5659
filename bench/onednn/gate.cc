// oneDNN's SwiGLU gate, the way a oneDNN user writes it: two f32 matmul primitives with fused epilogues,
// G = swish(X·Wgᵀ) (eltwise post-op, alpha = 1: x·sigmoid(x) = SiLU) and H = (X·Wuᵀ) ⊙ G (binary-mul
// post-op reading G), the weights given in PyTorch nn.Linear layout [out][in] and reordered once into the
// layout each primitive prefers (format_tag::any). Dev-only comparison for the fused gate
// (bench/onednn/run.sh, `swiglu-bench gate --onednn`); never built by the package, never linked into the addon.
//
//   g++ -O2 -fopenmp gate.cc -ldnnl -o onednn_gate
//   OMP_NUM_THREADS=1 ONEDNN_MAX_CPU_ISA=AVX2 ./onednn_gate [--shapes 1024x2816,...] [--m 1,8,64,512]
//                                                          [--repeat 9] [--min-sample-ms 20] [--no-check]
//
// Threads: the Debian build runs on OpenMP, so the thread count is OMP_NUM_THREADS (printed as read back).
// ISA: ONEDNN_MAX_CPU_ISA caps the kernels; the first line prints the effective ISA, and
// ONEDNN_VERBOSE=1 names the implementation each primitive picked.
//
// Timing: for each shape, one sample of every M in turn per round (round-robin: a slow spell on a shared
// machine hits every M alike), after one warm-up round; a sample runs the gate back to back until it has
// lasted --min-sample-ms and counts ms per call (as swiglu-bench's samples do); a row is the median.
// Check: before timing, rows 0, M/2 and M-1 of H against a float64 reference of the same inputs; the
// row says `ok` when the relative Frobenius error is ≤ 1e-5 (the package's matrix bar), else `FAIL`
// and the program exits 1 at the end, so that a wrong setup cannot pass as a fast time.
//
// Output, one line per (shape, M):   KxN  M  thr | ms  GFLOP/s | rel-err ok
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "oneapi/dnnl/dnnl.hpp"

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

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

const char* isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    case dnnl_cpu_isa_all: return "all";
    default: return "other";
  }
}

struct Shape {
  int k, n;
};

// One M of one shape: the two primitives, their memories and the samples taken.
struct Gate {
  int m = 0;
  memory x, g, h, wg, wu;
  dnnl::matmul gate_mm, up_mm;
  std::vector<double> samples;  // ms per call
  double err = 0;
  bool ok = false;

  void run(dnnl::stream& s) {
    gate_mm.execute(s, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, wg}, {DNNL_ARG_DST, g}});
    up_mm.execute(s, {{DNNL_ARG_SRC, x},
                      {DNNL_ARG_WEIGHTS, wu},
                      {DNNL_ARG_DST, h},
                      {DNNL_ARG_ATTR_MULTIPLE_POST_OP(0) | DNNL_ARG_SRC_1, g}});
    s.wait();
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<Shape> shapes = {{1024, 2816}, {2048, 5632}, {4096, 11008}};
  std::vector<int> ms = {1, 8, 64, 512};
  int repeat = 9;
  double min_sample_ms = 20;
  bool check = true;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "onednn_gate: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--shapes") {
      shapes.clear();
      for (const auto& s : split(next(), ',')) {
        int k = 0, n = 0;
        if (std::sscanf(s.c_str(), "%dx%d", &k, &n) != 2 || k <= 0 || n <= 0) {
          std::fprintf(stderr, "onednn_gate: bad shape %s (KxN)\n", s.c_str());
          return 2;
        }
        shapes.push_back({k, n});
      }
    } else if (a == "--m") {
      ms.clear();
      for (const auto& s : split(next(), ',')) ms.push_back(std::max(1, std::atoi(s.c_str())));
    } else if (a == "--repeat") {
      repeat = std::max(1, std::atoi(next().c_str()));
    } else if (a == "--min-sample-ms") {
      min_sample_ms = std::max(0.0, std::atof(next().c_str()));
    } else if (a == "--no-check") {
      check = false;
    } else {
      std::fprintf(stderr, "usage: onednn_gate [--shapes KxN,...] [--m 1,8,...] [--repeat N] [--min-sample-ms MS] [--no-check]\n");
      return 2;
    }
  }

  dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream strm(eng);
  const dnnl_version_t* v = dnnl_version();
  const int threads = omp_get_max_threads();
  std::printf("oneDNN %d.%d.%d (%s) runtime %s isa %s threads %d\n", v->major, v->minor, v->patch, v->hash,
              v->cpu_runtime == DNNL_RUNTIME_OMP ? "OMP" : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "SEQ" : "other",
              isa_name(dnnl_get_effective_cpu_isa()), threads);
  std::printf("%-10s %4s %3s | %9s %8s | %8s\n", "KxN", "M", "thr", "ms", "GFLOP/s", "check");
  std::fflush(stdout);

  bool all_ok = true;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> uni(-1.f, 1.f);
  for (const Shape sh : shapes) {
    const int K = sh.k, N = sh.n;
    // PyTorch layout [out][in] = [N][K]; in oneDNN's matmul terms a {K, N} weights tensor in format ba.
    std::vector<float> wg_src(size_t(N) * K), wu_src(size_t(N) * K);
    const float ws = 1.f / std::sqrt(float(K));
    for (auto& w : wg_src) w = uni(rng) * ws;
    for (auto& w : wu_src) w = uni(rng) * ws;
    const memory::desc w_user({K, N}, dt::f32, tag::ba);
    memory wg_user(w_user, eng, wg_src.data()), wu_user(w_user, eng, wu_src.data());

    std::vector<Gate> gates(ms.size());
    std::vector<std::pair<memory, memory>> reordered;  // one pair per distinct preferred layout
    for (size_t i = 0; i < ms.size(); ++i) {
      Gate& gt = gates[i];
      const int M = gt.m = ms[i];
      const memory::desc x_md({M, K}, dt::f32, tag::ab), y_md({M, N}, dt::f32, tag::ab);
      const memory::desc w_any({K, N}, dt::f32, tag::any);
      dnnl::post_ops swish;
      swish.append_eltwise(1.f, dnnl::algorithm::eltwise_swish, 1.f, 0.f);
      dnnl::primitive_attr gate_attr;
      gate_attr.set_post_ops(swish);
      dnnl::matmul::primitive_desc gate_pd(dnnl::matmul::desc(x_md, w_any, y_md), gate_attr, eng);
      dnnl::post_ops mul;
      mul.append_binary(dnnl::algorithm::binary_mul, y_md);
      dnnl::primitive_attr up_attr;
      up_attr.set_post_ops(mul);
      dnnl::matmul::primitive_desc up_pd(dnnl::matmul::desc(x_md, w_any, y_md), up_attr, eng);
      gt.gate_mm = dnnl::matmul(gate_pd);
      gt.up_mm = dnnl::matmul(up_pd);
      // Reorder the weights once per preferred layout (M's that share one share the copy).
      auto place = [&](const memory::desc& want, bool up) -> memory {
        for (auto& r : reordered) {
          memory& m = up ? r.second : r.first;
          if (m && m.get_desc() == want) return m;
        }
        memory dst(want, eng);
        dnnl::reorder(up ? wu_user : wg_user, dst).execute(strm, up ? wu_user : wg_user, dst);
        strm.wait();
        reordered.push_back(up ? std::make_pair(memory(), dst) : std::make_pair(dst, memory()));
        return dst;
      };
      gt.wg = place(gate_pd.weights_desc(), false);
      gt.wu = place(up_pd.weights_desc(), true);
      gt.x = memory(x_md, eng);
      gt.g = memory(y_md, eng);
      gt.h = memory(y_md, eng);
      float* xp = static_cast<float*>(gt.x.get_data_handle());
      for (size_t j = 0; j < size_t(M) * K; ++j) xp[j] = uni(rng);

      gt.ok = true;
      if (check) {
        gt.run(strm);
        const float* hp = static_cast<const float*>(gt.h.get_data_handle());
        double num = 0, den = 0;
        std::vector<int> rows = {0, M / 2, M - 1};
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
        for (int r : rows) {
          for (int j = 0; j < N; ++j) {
            double a = 0, b = 0;
            const float* wgr = &wg_src[size_t(j) * K];
            const float* wur = &wu_src[size_t(j) * K];
            const float* xr = &xp[size_t(r) * K];
            for (int kk = 0; kk < K; ++kk) {
              a += double(xr[kk]) * wgr[kk];
              b += double(xr[kk]) * wur[kk];
            }
            const double ref = a / (1 + std::exp(-a)) * b;
            const double d = double(hp[size_t(r) * N + j]) - ref;
            num += d * d;
            den += ref * ref;
          }
        }
        gt.err = den > 0 ? std::sqrt(num / den) : std::sqrt(num);
        gt.ok = gt.err <= 1e-5;
        all_ok = all_ok && gt.ok;
      }
    }

    // Round-robin: round 0 is the warm-up; each round takes one sample of every M.
    for (int round = 0; round <= repeat; ++round) {
      for (Gate& gt : gates) {
        int calls = 0;
        const double t0 = now();
        double t = t0;
        do {
          gt.run(strm);
          ++calls;
          t = now();
        } while ((t - t0) * 1e3 < min_sample_ms);
        if (round > 0) gt.samples.push_back((t - t0) * 1e3 / calls);
      }
    }
    for (Gate& gt : gates) {
      std::sort(gt.samples.begin(), gt.samples.end());
      const double med = gt.samples[gt.samples.size() / 2];
      char chk[32];
      if (check) std::snprintf(chk, sizeof chk, "%.1e %s", gt.err, gt.ok ? "ok" : "FAIL");
      else std::snprintf(chk, sizeof chk, "- unchecked");
      std::printf("%4dx%-5d %4d %3d | %9.4f %8.1f | %s\n", K, N, gt.m, threads, med,
                  4.0 * gt.m * K * double(N) / (med * 1e-3) / 1e9, chk);
      std::fflush(stdout);
    }
  }
  return all_ok ? 0 : 1;
}
