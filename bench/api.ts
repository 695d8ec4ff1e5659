// The package under test, as the benchmark sees it. The matrix ops (matmul, packGate, swigluMatmul,
// packFfn, swigluFfn) are typed loosely and feature-detected, so that the bench still runs against an
// addon built from older sources: those subcommands then say "not available in this build".
import * as lib from '../lib';
import { binding } from '../lib/binding';
import type { TestingBinding } from '../lib/binding-types';
import { _testing } from '../lib/testing';

type F32 = Float32Array;
export interface MatrixApi {
  matmul?: (a: F32, b: F32, o: { m: number; k: number; n: number; transB?: boolean; out?: F32 }) => F32;
  packGate?: (
    wGate: F32 | Uint16Array,
    wUp: F32 | Uint16Array,
    o: { inFeatures: number; outFeatures: number; layout?: 'out-in' | 'in-out'; dtype?: Dtype; activation?: FusedActivation },
  ) => Packed;
  swigluMatmul?: (x: F32, packed: Packed, o?: { out?: F32 }) => F32;
  gluMatmul?: (x: F32, packed: Packed, o?: { out?: F32 }) => F32;
  packFfn?: (o: {
    gate?: F32 | Uint16Array;
    up: F32 | Uint16Array;
    down: F32 | Uint16Array;
    inFeatures: number;
    hiddenFeatures: number;
    dtype?: Dtype;
    activation?: FusedActivation;
  }) => Packed;
  swigluFfn?: (x: F32, packed: Packed, o?: { out?: F32 }) => F32;
  ffn?: (x: F32, packed: Packed, o?: { out?: F32 }) => F32;
}
type FusedActivation = 'silu' | 'gelu' | 'gelu-tanh' | 'relu' | 'sigmoid' | 'identity';
type Dtype = 'f32' | 'bf16' | 'f16';
/** PackedGate / PackedFfn, as far as the bench needs them. */
export interface Packed {
  dispose?: () => void;
}

export const sg = lib as unknown as Omit<typeof lib, keyof MatrixApi> & MatrixApi;
/** The raw addon, beneath lib's checks. */
export const raw = binding;
/**
 * The addon's testing hooks (lib/testing.ts): setIsa and, when this build has them, fmaPeak(seconds, threads)
 * → GFLOP/s and readBandwidth(mib, threads, passes) → GB/s per pass.
 */
export const testing = _testing as Omit<TestingBinding, 'fmaPeak' | 'readBandwidth'> & {
  fmaPeak?: (seconds?: number, threads?: number) => number;
  readBandwidth?: (mib: number, threads: number, passes: number) => number[];
};

/** True when both lib/ and the compiled addon have these matrix ops (either may lag the other). */
export function has(...names: Array<keyof MatrixApi>): boolean {
  const b = binding as unknown as Record<string, unknown>;
  return names.every((n) => typeof sg[n] === 'function' && typeof b[n] === 'function');
}
