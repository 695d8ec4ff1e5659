// The exact surface of the compiled addon (build/Release/swiglu.node). Types only: lib/ wraps it
// with the checks and friendly errors users see. Arguments are trusted to be of these types; the
// native side still validates types, lengths and overlap so that no call can corrupt memory.

/** Index of an activation in the native dispatch table; order fixed by native/runtime/op_table.h. */
export type ActIndex = number;

export interface RuntimeBinding {
  isa(): 'avx512' | 'avx2' | 'neon' | 'scalar';
  runnableIsas(): Array<'avx512' | 'avx2' | 'neon' | 'scalar'>;
  /** Switches this environment's kernels; throws if the CPU cannot run it. */
  setIsa(name: string): void;
  setNumThreads(n: number): void;
  getNumThreads(): number;
  availableCores(): number;
  /** FMA throughput of the active ISA in GFLOP/s, measured for ~seconds on `threads` threads at once. */
  fmaPeak(seconds?: number, threads?: number): number;
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

// Filled in by the matrix work (issue 3): matmul, packed gate, FFN and their async twins.
export interface MatrixBinding {}

export interface Binding extends RuntimeBinding, ElementwiseBinding, MatrixBinding {}
