// The one table of the elementwise activations. Every other list derives from it: enum Act and kActInfo
// below, the kernel tables (an entry per row: kernels/elementwise_table.h, kernels/grad_entries.h), the
// activations the GEMM epilogue fuses (runtime/gemm.h), the accuracy sweep's cases, roots and edge checks
// (tools/accuracy.cc), act_bench's ops; and on the TypeScript side lib/activation-table.ts, generated from
// these rows and SWIGLU_GLU_OPS below by scripts/gen-activation-table.js (npm run generate): lib's Act
// indices, fused activations and GLU gates, and through them the test cases, the bench's rows and their
// plain-JS loops (test/op-table.test.ts checks the generated file against this header and the addon).
// Adding an activation: a row here, then npm run generate; its kernels Activation<V, kId> and
// Grad<V, kId> (kernels/activations.h, kernels/backward.h); its float64 definition, f and f' (lib/reference/
// and tools/accuracy.cc's reference() and derivative()); its public functions with their documentation
// (lib/activations.ts, lib/backward.ts). test/op-table.test.ts names what is missing.
// ISA-neutral (plain C++), shared by every translation unit.
//
// A row: X(Id, name, a, b, bar, grad_bar, f_pos, f_neg, fp_pos, fp_neg, fused)
//   Id              the enumerator's suffix (kId); rows are in the order of the N-API index (a contract)
//   name            the activation's key in lib/ops.ts
//   a, b            the parameters (ActParams) the public function passes by default
//   bar             max error of f over every float32 input, in ulps; 0: bitwise the correctly rounded f
//                   (README, "Accuracy")
//   grad_bar        the same for dy·f′ (README, "Training")
//   f_pos, f_neg    f(+Inf) and f(−Inf), bitwise (the sign of a zero included)
//   fp_pos, fp_neg  f′(+Inf) and f′(−Inf) (the sign of a zero not checked)
//   fused           true if the GEMM epilogue applies it (packGate's and packFfn's activation)
// gelu is the erf form x·Φ(x), geluTanh its tanh approximation, quickGelu x·sigmoid(1.702x); identity is
// the bilinear GLU's (no public function of its own). selu's f(−Inf) is −scale·alpha, its f′(+Inf) scale.
#pragma once
#include <limits>

#define SWIGLU_ACTIVATIONS(X)                                                                                  \
  X(Relu, relu, 0.0, 0.0, 0, 0, kInf, 0.0f, 1.0f, 0.0f, true)                                                   \
  X(LeakyRelu, leakyRelu, 0.01, 0.0, 1, 1, kInf, -kInf, 1.0f, 0.01f, false)                                     \
  X(Relu6, relu6, 0.0, 0.0, 0, 0, 6.0f, 0.0f, 0.0f, 0.0f, false)                                                \
  X(Sigmoid, sigmoid, 0.0, 0.0, 4, 4, 1.0f, 0.0f, 0.0f, 0.0f, true)                                             \
  X(Tanh, tanh, 0.0, 0.0, 4, 4, 1.0f, -1.0f, 0.0f, 0.0f, false)                                                 \
  X(Silu, silu, 1.0, 0.0, 4, 4, kInf, -0.0f, 1.0f, 0.0f, true)                                                  \
  X(Gelu, gelu, 0.0, 0.0, 4, 8, kInf, -0.0f, 1.0f, 0.0f, true)                                                  \
  X(GeluTanh, geluTanh, 0.0, 0.0, 4, 8, kInf, -0.0f, 1.0f, 0.0f, true)                                          \
  X(QuickGelu, quickGelu, 0.0, 0.0, 4, 4, kInf, -0.0f, 1.0f, 0.0f, false)                                       \
  X(Softplus, softplus, 1.0, 20.0, 4, 4, kInf, 0.0f, 1.0f, 0.0f, false)                                         \
  X(Mish, mish, 0.0, 0.0, 8, 8, kInf, -0.0f, 1.0f, 0.0f, false)                                                 \
  X(Elu, elu, 1.0, 0.0, 4, 4, kInf, -1.0f, 1.0f, 0.0f, false)                                                   \
  X(Selu, selu, 0.0, 0.0, 4, 4, kInf, -1.75809934084737685994f, 1.05070098735548049342f, 0.0f, false)          \
  X(HardSigmoid, hardSigmoid, 0.0, 0.0, 4, 1, 1.0f, 0.0f, 0.0f, 0.0f, false)                                    \
  X(HardSwish, hardSwish, 0.0, 0.0, 4, 4, kInf, 0.0f, 1.0f, 0.0f, false)                                        \
  X(Identity, identity, 0.0, 0.0, 0, 0, kInf, -kInf, 1.0f, 1.0f, true)

// The GLU family, op(gate, up) = act(gate) ⊙ up, each op with its gate's activation (a row above, taken
// with that row's default parameters) and the activation its approximate 'tanh' form takes instead (the
// same where it has none). lib's GLU_GATES (lib/activation-table.ts) and the accuracy sweep's GLU cases
// derive from it.
//   X(op, Gate, TanhGate)   op: the public function's name; Gate, TanhGate: the rows' Id
#define SWIGLU_GLU_OPS(X)          \
  X(glu, Sigmoid, Sigmoid)         \
  X(reglu, Relu, Relu)             \
  X(geglu, Gelu, GeluTanh)         \
  X(swiglu, Silu, Silu)            \
  X(bilinear, Identity, Identity)

namespace swiglu {

// The N-API index of each activation (lib/ops.ts's Act).
enum Act : int {
#define SWIGLU_ACT_ENUM(Id, ...) k##Id,
  SWIGLU_ACTIVATIONS(SWIGLU_ACT_ENUM)
#undef SWIGLU_ACT_ENUM
  kActCount
};

// Scalar parameters of an activation, as JS gave them (double). Kernels split them into float
// hi/lo pairs where the product with x must be exact (silu beta, softplus beta, leakyRelu slope).
//   leakyRelu: a = slope        silu: a = beta         softplus: a = beta, b = threshold
//   elu: a = alpha              others: unused
struct ActParams {
  double a = 0.0;
  double b = 0.0;
};

struct ActInfo {
  const char* name;
  ActParams defaults;
  double bar, grad_bar;
  float f_pos, f_neg, fp_pos, fp_neg;
  bool fused;
};

// The rows as data, indexed by Act. (kInf is the rows' spelling of the float +Inf, for this expansion only.)
#define kInf std::numeric_limits<float>::infinity()
#define SWIGLU_ACT_INFO(Id, name, a, b, bar, grad_bar, f_pos, f_neg, fp_pos, fp_neg, fused) \
  {#name, {a, b}, bar, grad_bar, f_pos, f_neg, fp_pos, fp_neg, fused},
inline constexpr ActInfo kActInfo[kActCount] = {SWIGLU_ACTIVATIONS(SWIGLU_ACT_INFO)};
#undef SWIGLU_ACT_INFO
#undef kInf

}  // namespace swiglu
