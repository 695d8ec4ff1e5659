/* OpenBLAS's SwiGLU gate, the way a BLAS user writes it: two sgemm calls (X·Wgᵀ, X·Wuᵀ with the
 * weights in PyTorch [out, in] layout; two sgemv at M = 1) and a loop for SiLU(g)·u. Dev-only comparison for the fused gate
 * (bench/openblas/run.sh); never built by the package, never linked into the addon.
 *
 *   cc -O2 gate.c -lopenblas -lm -o gate && ./gate [threads...]
 * Prints ms (median) and GFLOP/s per (K, N, M, threads) for the shapes of the gate bench (bench/gemm.ts). */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

extern void openblas_set_num_threads(int);
extern char* openblas_get_corename(void);

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  const int shapes[3][2] = {{1024, 2816}, {2048, 5632}, {4096, 11008}};
  const int ms[4] = {1, 8, 64, 512};
  int threads[8] = {1, 2}, nthreads = 2;
  if (argc > 1) {
    nthreads = 0;
    for (int i = 1; i < argc && nthreads < 8; ++i) threads[nthreads++] = atoi(argv[i]);
  }
  printf("OpenBLAS core %s\n%-10s %4s %3s | %9s %8s\n", openblas_get_corename(), "KxN", "M", "thr", "ms", "GFLOP/s");
  srand(1);
  for (int s = 0; s < 3; ++s) {
    const int K = shapes[s][0], N = shapes[s][1];
    float* wg = malloc(sizeof(float) * (size_t)K * N);
    float* wu = malloc(sizeof(float) * (size_t)K * N);
    for (size_t i = 0; i < (size_t)K * N; ++i) {
      wg[i] = (rand() / (float)RAND_MAX - 0.5f) * 0.1f;
      wu[i] = (rand() / (float)RAND_MAX - 0.5f) * 0.1f;
    }
    for (int mi = 0; mi < 4; ++mi) {
      const int M = ms[mi];
      float* x = malloc(sizeof(float) * (size_t)M * K);
      float* g = malloc(sizeof(float) * (size_t)M * N);
      float* u = malloc(sizeof(float) * (size_t)M * N);
      for (size_t i = 0; i < (size_t)M * K; ++i) x[i] = rand() / (float)RAND_MAX - 0.5f;
      for (int ti = 0; ti < nthreads; ++ti) {
        openblas_set_num_threads(threads[ti]);
        double t[200];
        int n = 0;
        const double start = now();
        for (int rep = -1; rep < 200; ++rep) {
          const double t0 = now();
          if (M == 1) { /* one token: GEMV streams the weights; OpenBLAS's sgemm at M=1 does not */
            cblas_sgemv(CblasRowMajor, CblasNoTrans, N, K, 1.f, wg, K, x, 1, 0.f, g, 1);
            cblas_sgemv(CblasRowMajor, CblasNoTrans, N, K, 1.f, wu, K, x, 1, 0.f, u, 1);
          } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.f, x, K, wg, K, 0.f, g, N);
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.f, x, K, wu, K, 0.f, u, N);
          }
          for (size_t i = 0; i < (size_t)M * N; ++i) g[i] = g[i] / (1.f + expf(-g[i])) * u[i];
          if (rep >= 0) t[n++] = now() - t0; /* rep -1 is the warm-up */
          if (n >= 3 && now() - start > 0.3) break;
        }
        qsort(t, n, sizeof t[0], cmp);
        const double med = t[n / 2];
        printf("%4dx%-5d %4d %3d | %9.3f %8.1f\n", K, N, M, threads[ti], med * 1e3, 4.0 * M * K * N / med / 1e9);
        fflush(stdout);
      }
      free(x);
      free(g);
      free(u);
    }
    free(wg);
    free(wu);
  }
  return 0;
}
