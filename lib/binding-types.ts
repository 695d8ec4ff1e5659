// The exact surface of the compiled addon (build/Release/swiglu.node). Types only: lib/ wraps it
// with the checks and friendly errors users see. Arguments are trusted to be of these types; the
// native side still validates types, lengths and overlap so that no call can corrupt memory.
// It lives in lib/ as a .ts file so that tsc emits its declarations into dist/lib/ beside the
// files that import them: the published .d.ts files resolve without anything outside dist/.
import type { ActivationInfo } from './activation-table';

/** Index of an activation in the native dispatch table: lib/activation-table.ts's Act (native/runtime/activation_list.h's order). */
export type ActIndex = number;

export interface RuntimeBinding {
  isa(): 'avx512' | 'avx2' | 'neon' | 'scalar';
  runnableIsas(): Array<'avx512' | 'avx2' | 'neon' | 'scalar'>;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  /** Process-wide: microseconds the pool's helpers poll for the next call in a burst (0: they sleep). */
  setSpinWait(microseconds: number): void;
  getSpinWait(): number;
  readonly maxSpinWait: number;
  readonly maxThreads: number;
}

export interface ElementwiseBinding {
  /** out[i] = act(x[i]); returns out. a, b: activation parameters (see ActParams). */
  unary(op: ActIndex, x: Float32Array, out: Float32Array, a?: number, b?: number): Float32Array;
  /** out[i] = act(gate[i]) * up[i]; returns out. */
  glu(op: ActIndex, gate: Float32Array, up: Float32Array, out: Float32Array, a?: number, b?: number): Float32Array;
  /** Rows of x are [gate(width) | up(width)]; out rows are act(gate) * up; returns out. */
  gluSplit(op: ActIndex, x: Float32Array, out: Float32Array, width: number, a?: number, b?: number): Float32Array;
}

export interface GradBinding {
  /** out[i] = dy[i] * act'(x[i]); out may be exactly x or dy; returns out. */
  unaryBackward(op: ActIndex, x: Float32Array, dy: Float32Array, out: Float32Array, a?: number, b?: number): Float32Array;
  /** outUp = dh * act(gate), outGate = dh * up * act'(gate); each out may be exactly one input, never the other out. */
  gluBackward(op: ActIndex, gate: Float32Array, up: Float32Array, dh: Float32Array, outGate: Float32Array, outUp: Float32Array, a?: number, b?: number): void;
  /** Rows of x are [gate | up], rows of dh width long; out rows are [dGate | dUp]; out may be exactly x; returns out. */
  gluBackwardSplit(op: ActIndex, x: Float32Array, dh: Float32Array, out: Float32Array, width: number, a?: number, b?: number): Float32Array;
}

// Matrix ops: matmul, packed gate, FFN and their async twins. Shapes are validated
// natively too (sizes with overflow checks, lengths, overlap); lib/matrix.ts gives the friendly errors.

/**
 * A pack as the addon reads it on every call (native/addon/packs.h): the panels' bytes, all of a
 * SharedArrayBuffer, and the dimensions they were packed with, dims = [kind, inFeatures, outFeatures,
 * dtype (DtypeIndex), activation (ActIndex), gated (1 or 0)]; kind 0 is a gate (outFeatures its
 * outputs, gated 1), 1 an FFN (outFeatures its hiddenFeatures). The addon checks the length and the
 * header in the bytes against the dims each time. (Numbers in one typed array: read in one call.)
 */
export type PackedHandle = readonly [bytes: Uint8Array, dims: Float64Array];

/** Weight element type: 0 = f32 (Float32Array), 1 = bf16, 2 = f16 (Uint16Array of bit patterns). */
export type DtypeIndex = 0 | 1 | 2;

export interface MatrixBinding {
  /** out[m×n] (+)= (transA ? a[k×m]ᵀ : a[m×k]) · (transB ? b[n×k]ᵀ : b[k×n]) (+= with accumulate); out may be exactly a or b; returns out. */
  matmul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transB: boolean, transA?: boolean, accumulate?: boolean): Float32Array;
  /** As matmul, off the JS thread; every error (including a detached input) is a rejection. */
  matmulAsync(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, transB: boolean, transA?: boolean, accumulate?: boolean): Promise<Float32Array>;
  /** The byte length of the SharedArrayBuffer a pack of these dimensions fills (kind and outFeatures as in PackedHandle). */
  packBytes(kind: 0 | 1, inFeatures: number, outFeatures: number, dtype: DtypeIndex, gated: boolean): number;
  /** Throws what an op given this descriptor would: TypeError for bytes that hold no pack of this build, RangeError for fields that do not match the pack they hold. */
  checkPack(packed: PackedHandle, kind: 0 | 1): void;
  /** Packs both weights (each inFeatures·outFeatures long; inOut: [in][out] rows, else nn.Linear [out][in])
   *  into dest, a Uint8Array over all of a SharedArrayBuffer of packBytes(0, …) bytes.
   *  activation: the fused epilogue's (silu, gelu, geluTanh, relu, sigmoid or identity; default silu). */
  packGate(dest: Uint8Array, wGate: Float32Array | Uint16Array, wUp: Float32Array | Uint16Array, inFeatures: number, outFeatures: number, inOut: boolean, dtype: DtypeIndex, activation?: ActIndex): void;
  /** Packs gate, up ([hidden][in] or [in][hidden]) and down ([in][hidden] or [hidden][in]) into dest
   *  (packBytes(1, …) bytes, as for packGate); gate null: a plain MLP act(x·Wu)·Wd. activation as for packGate. */
  packFfn(dest: Uint8Array, gate: Float32Array | Uint16Array | null, up: Float32Array | Uint16Array, down: Float32Array | Uint16Array, inFeatures: number, hiddenFeatures: number, inOut: boolean, dtype: DtypeIndex, activation?: ActIndex): void;
  /** out[rows×outFeatures] = act(x·Wg) ⊙ (x·Wu) with the pack's activation, rows = x.length / inFeatures; returns out. */
  swigluMatmul(x: Float32Array, packed: PackedHandle, out: Float32Array): Float32Array;
  swigluMatmulAsync(x: Float32Array, packed: PackedHandle, out: Float32Array): Promise<Float32Array>;
  /** out[rows×inFeatures] = (act(x·Wg) ⊙ (x·Wu))·Wd, or act(x·Wu)·Wd for a plain MLP pack; out may be exactly x; returns out. */
  swigluFfn(x: Float32Array, packed: PackedHandle, out: Float32Array): Float32Array;
  swigluFfnAsync(x: Float32Array, packed: PackedHandle, out: Float32Array): Promise<Float32Array>;
}

/**
 * The fused backward passes from raw f32 weights (inOut: [in][out] rows, else nn.Linear [out][in]).
 * Every result has its own output array: dx (rows·inFeatures), then each weight's gradient in the order
 * of the weights (features·inFeatures floats each, in their layout); no output shares memory with another
 * or with an input. activation as for packGate.
 */
export interface MatrixBackwardBinding {
  gluMatmulBackward(x: Float32Array, wGate: Float32Array, wUp: Float32Array, dh: Float32Array, dx: Float32Array, dWGate: Float32Array, dWUp: Float32Array, inFeatures: number, outFeatures: number, inOut: boolean, activation: ActIndex): void;
  gluMatmulBackwardAsync(x: Float32Array, wGate: Float32Array, wUp: Float32Array, dh: Float32Array, dx: Float32Array, dWGate: Float32Array, dWUp: Float32Array, inFeatures: number, outFeatures: number, inOut: boolean, activation: ActIndex): Promise<void>;
  /** gate null (and dGate null): a plain MLP act(x·Wu)·Wd. */
  ffnBackward(x: Float32Array, gate: Float32Array | null, up: Float32Array, down: Float32Array, dy: Float32Array, dx: Float32Array, dGate: Float32Array | null, dUp: Float32Array, dDown: Float32Array, inFeatures: number, hiddenFeatures: number, inOut: boolean, activation: ActIndex): void;
  ffnBackwardAsync(x: Float32Array, gate: Float32Array | null, up: Float32Array, down: Float32Array, dy: Float32Array, dx: Float32Array, dGate: Float32Array | null, dUp: Float32Array, dDown: Float32Array, inFeatures: number, hiddenFeatures: number, inOut: boolean, activation: ActIndex): Promise<void>;
}

/** 16-bit float conversions (round to nearest even when narrowing); x and out the same length, no shared bytes; return out. */
export interface ConvertBinding {
  f32ToBf16(x: Float32Array, out: Uint16Array): Uint16Array;
  f32ToF16(x: Float32Array, out: Uint16Array): Uint16Array;
  bf16ToF32(x: Uint16Array, out: Float32Array): Float32Array;
  f16ToF32(x: Uint16Array, out: Float32Array): Float32Array;
}

/** The hooks of the tests, the fuzzer and the bench (native/addon/testing.cc): none changes a result. */
export interface TestingBinding {
  /** Switches this environment's kernels; throws if the CPU cannot run it. */
  setIsa(name: string): void;
  /** This environment's GEMM cache blocking (k steps per block, row panels per row block, weight panels per
   *  task; 0 = what the CPU suggests). Never changes a result. */
  setGemmTuning(kc: number, mc: number, nc: number): void;
  /** FMA throughput of the active ISA in GFLOP/s, measured for ~seconds on `threads` threads at once. */
  fmaPeak(seconds?: number, threads?: number): number;
  /** DRAM read bandwidth in GB/s, one figure per timed pass over a fresh `mib` MiB buffer on `threads` threads. */
  readBandwidth(mib: number, threads: number, passes: number): number[];
  /** What the C allocator holds (glibc: every arena), for leak tests; null where the C library does not say. */
  mallocStats(): { inUse: number; mapped: number } | null;
  /** Packs the addon holds, in the whole process: calls running and async ops not yet settled (0 between calls; for leak tests). */
  livePacks(): number;
  /** The per-call working blocks kept for reuse (native/runtime/scratch.h), and the most kept. */
  scratchStats(): { keptBytes: number; keptBlocks: number; maxKeptBytes: number };
  /** The cores this process may run on: the default thread count. */
  availableCores(): number;
  /** Jobs the thread pool has run on more than one thread since the process started (native/runtime/pool.h). */
  pooledJobs(): number;
  /** Helper places withdrawn from pooled jobs whose tasks were all taken before the helper came (pool.h). */
  withdrawnHelpers(): number;
  /** Elementwise calls whose arrays (inputs + output) reach this many bytes write with non-temporal stores. */
  readonly streamMinBytes: number;
  /** The table of activations (native/runtime/activation_list.h), in index order. */
  activations(): ActivationRow[];
}

/** One row of native/runtime/activation_list.h, as the addon returns it (lib/activation-table.ts holds the same rows). */
export type ActivationRow = ActivationInfo;

export interface Binding extends RuntimeBinding, ElementwiseBinding, GradBinding, MatrixBinding, MatrixBackwardBinding, ConvertBinding {
  /** Not part of the API: the tests' and the bench's hooks. */
  readonly _testing: TestingBinding;
}
