// packGate / packFfn with tensor weights {data, shape, dtype} (as loadSafetensors returns them): the same
// pack as the bare arrays (bit-identical results) for F32, BF16 and F16 in both layouts, straight from a
// safetensors file; and every wrong tensor is an error naming the argument, the expected and the actual
// shape (a transpose or a swapped weight never packs silently).
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { rand, sameBits } from './helpers/matrix';
import { safetensorsFile } from './helpers/safetensors';

const IN = 12;
const HID = 20;
const ROWS = 3;

/** Bit patterns of `v` truncated to bf16 (the test only needs some valid 16-bit weights). */
function bf16Bits(v: Float32Array): Uint16Array {
  const u = new Uint32Array(v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength));
  return Uint16Array.from(u, (x) => x >>> 16);
}
/** f16 bit patterns of small values in [-1, 1) (a sign, exponents 0x08..0x0e, any mantissa). */
function f16Bits(n: number, seed: number): Uint16Array {
  const r = rand(n, seed, 0, 1);
  return Uint16Array.from(r, (x, i) => ((i & 1) << 15) | ((8 + Math.floor(x * 7)) << 10) | Math.floor(x * 1024 * 7) % 1024);
}
/** The [c, r] transpose of a row-major [r, c] matrix. */
function transpose<T extends Float32Array | Uint16Array>(a: T, r: number, c: number): T {
  const t = new (a.constructor as new (n: number) => T)(a.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}

const WEIGHTS = {
  F32: () => ({ gate: rand(IN * HID, 1), up: rand(IN * HID, 2), down: rand(IN * HID, 3) }),
  BF16: () => ({ gate: bf16Bits(rand(IN * HID, 1)), up: bf16Bits(rand(IN * HID, 2)), down: bf16Bits(rand(IN * HID, 3)) }),
  F16: () => ({ gate: f16Bits(IN * HID, 1), up: f16Bits(IN * HID, 2), down: f16Bits(IN * HID, 3) }),
} as const;
const LOWER = { F32: 'f32', BF16: 'bf16', F16: 'f16' } as const;

describe.each(['F32', 'BF16', 'F16'] as const)('tensor weights %s', (dtype) => {
  const w = WEIGHTS[dtype]();
  const x = rand(ROWS * IN, 9);

  it('packFfn from a safetensors file (out-in, the nn.Linear layout) gives the bare arrays\' bits', () => {
    const file = safetensorsFile([
      { name: 'mlp.gate_proj.weight', dtype, shape: [HID, IN], data: w.gate },
      { name: 'mlp.up_proj.weight', dtype, shape: [HID, IN], data: w.up },
      { name: 'mlp.down_proj.weight', dtype, shape: [IN, HID], data: w.down },
    ]);
    const t = sg.loadSafetensors(file);
    const fromTensors = sg.packFfn({ gate: t['mlp.gate_proj.weight'], up: t['mlp.up_proj.weight'], down: t['mlp.down_proj.weight'], inFeatures: IN, hiddenFeatures: HID });
    expect(fromTensors.dtype).toBe(LOWER[dtype]);
    const fromArrays = sg.packFfn({ ...w, inFeatures: IN, hiddenFeatures: HID, dtype: LOWER[dtype] });
    expect(sameBits(sg.swigluFfn(x, fromTensors), sg.swigluFfn(x, fromArrays))).toBe(true);
    // plain MLP: no gate
    const mlp = sg.packFfn({ up: t['mlp.up_proj.weight'], down: t['mlp.down_proj.weight'], inFeatures: IN, hiddenFeatures: HID, activation: 'gelu' });
    const mlpArrays = sg.packFfn({ up: w.up, down: w.down, inFeatures: IN, hiddenFeatures: HID, activation: 'gelu', dtype: LOWER[dtype] });
    expect(sameBits(sg.ffn(x, mlp), sg.ffn(x, mlpArrays))).toBe(true);
  });

  it('packGate takes tensors in both layouts (and a matching options.dtype)', () => {
    const gate = { dtype, shape: [HID, IN], data: w.gate };
    const up = { dtype, shape: [HID, IN], data: w.up };
    const want = sg.gluMatmul(x, sg.packGate(w.gate, w.up, { inFeatures: IN, outFeatures: HID, dtype: LOWER[dtype] }));
    expect(sameBits(sg.gluMatmul(x, sg.packGate(gate, up, { inFeatures: IN, outFeatures: HID })), want)).toBe(true);
    expect(sameBits(sg.gluMatmul(x, sg.packGate(gate, up, { inFeatures: IN, outFeatures: HID, dtype: LOWER[dtype] })), want)).toBe(true);
    const gT = { dtype, shape: [IN, HID], data: transpose(w.gate, HID, IN) };
    const uT = { dtype, shape: [IN, HID], data: transpose(w.up, HID, IN) };
    expect(sameBits(sg.gluMatmul(x, sg.packGate(gT, uT, { inFeatures: IN, outFeatures: HID, layout: 'in-out' })), want)).toBe(true);
  });
});

describe('tensor weights: errors', () => {
  const w = WEIGHTS.BF16();
  const t = (data: Uint16Array | Float32Array, shape: number[], dtype = 'BF16') => ({ data, shape, dtype });
  const gate = t(w.gate, [HID, IN]);
  const up = t(w.up, [HID, IN]);
  const down = t(w.down, [IN, HID]);
  const opts = { inFeatures: IN, hiddenFeatures: HID };

  it('a transposed weight is a RangeError naming it, the expected and the actual shape', () => {
    expect(() => sg.packGate(t(w.gate, [IN, HID]), up, { inFeatures: IN, outFeatures: HID })).toThrow(
      new RangeError(`packGate: wGate must have shape [${HID}, ${IN}] ([outFeatures, inFeatures] for layout 'out-in'), got [${IN}, ${HID}]: that is its transpose (the other layout, or a swapped weight)`),
    );
    expect(() => sg.packGate(gate, up, { inFeatures: IN, outFeatures: HID, layout: 'in-out' })).toThrow(
      /^packGate: wGate must have shape \[12, 20\] \(\[inFeatures, outFeatures\] for layout 'in-out'\), got \[20, 12\]: that is its transpose/,
    );
    expect(() => sg.packFfn({ gate, up, down: t(w.down, [HID, IN]), ...opts })).toThrow(
      /^packFfn: options.down must have shape \[12, 20\] \(\[inFeatures, hiddenFeatures\] for layout 'out-in'\), got \[20, 12\]/,
    );
  });

  it('swapped up and down are a RangeError naming the first misplaced one', () => {
    expect(() => sg.packFfn({ gate, up: down, down: up, ...opts })).toThrow(/^packFfn: options.up must have shape \[20, 12\] .*got \[12, 20\]/);
  });

  it('a wrong shape (rank, size) is a RangeError; a shape that is not an array of numbers a TypeError', () => {
    expect(() => sg.packGate(t(w.gate, [HID * IN]), up, { inFeatures: IN, outFeatures: HID })).toThrow(/^packGate: wGate must have shape \[20, 12\] .*got \[240\]$/);
    expect(() => sg.packGate(t(w.gate, [HID, IN, 1]), up, { inFeatures: IN, outFeatures: HID })).toThrow(RangeError);
    expect(() => sg.packGate(t(w.gate, [HID, IN + 1]), up, { inFeatures: IN, outFeatures: HID })).toThrow(/got \[20, 13\]$/);
    expect(() => sg.packGate({ data: w.gate, shape: 'HxI', dtype: 'BF16' } as never, up, { inFeatures: IN, outFeatures: HID })).toThrow(
      new TypeError('packGate: wGate.shape must be an array of numbers, got "HxI"'),
    );
  });

  it('a shape that matches but data of the wrong length or type is the bare-array error on .data', () => {
    expect(() => sg.packGate(t(w.gate.subarray(1), [HID, IN]), up, { inFeatures: IN, outFeatures: HID })).toThrow(/^packGate: wGate.data must have length/);
    expect(() => sg.packGate(t(rand(HID * IN, 1), [HID, IN]), up, { inFeatures: IN, outFeatures: HID })).toThrow(
      /^packGate: wGate.data must be a Uint16Array of bf16 bit patterns for dtype 'bf16', got Float32Array/,
    );
  });

  it('mixed dtypes, a dtype the packers do not take, and a disagreeing options.dtype are errors naming the weights', () => {
    expect(() => sg.packFfn({ gate, up: t(w.up, [HID, IN], 'F16'), down, ...opts })).toThrow(
      new RangeError('packFfn: all weights of one pack must share a dtype: options.gate is BF16, options.up is F16'),
    );
    expect(() => sg.packGate(t(new Uint16Array(4 * IN * HID), [HID, IN], 'F64'), up, { inFeatures: IN, outFeatures: HID })).toThrow(
      new RangeError("packGate: wGate has dtype 'F64'; packing takes 'F32', 'BF16' or 'F16' (convert it first)"),
    );
    expect(() => sg.packGate({ data: w.gate, shape: [HID, IN], dtype: 3 } as never, up, { inFeatures: IN, outFeatures: HID })).toThrow(TypeError);
    expect(() => sg.packGate(gate, up, { inFeatures: IN, outFeatures: HID, dtype: 'f32' })).toThrow(
      new RangeError("packGate: options.dtype 'f32' does not match wGate's dtype BF16"),
    );
    // a bare array beside a tensor takes the tensor's dtype
    expect(() => sg.packGate(gate, w.up, { inFeatures: IN, outFeatures: HID })).not.toThrow();
    expect(() => sg.packGate(gate, rand(IN * HID, 1), { inFeatures: IN, outFeatures: HID })).toThrow(/^packGate: wUp must be a Uint16Array of bf16/);
  });
});
