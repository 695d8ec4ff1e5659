// The result of a call made without options.out: a plain Float32Array that owns its whole
// ArrayBuffer (offset 0, exactly 4·length bytes, not a view into Node's Buffer pool), allocated
// without zero-filling, and every float of it written by the kernel. To make a float the kernel
// skipped visible, the allocation is poisoned here (every byte 0xff, a NaN pattern) and each
// default-form result must equal, bit for bit, the same call writing into a zeroed `out`.
import { Buffer } from 'node:buffer';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as sg from '../lib';
import { GLU_GATES, type GluName } from '../lib/ops';
import { ELEMENTWISE_FUNCTIONS } from './helpers/cases';

type F32 = Float32Array;

function rand(n: number, seed: number): F32 {
  let r = seed >>> 0 || 1;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    r ^= r << 13;
    r ^= r >>> 17;
    r ^= r << 5;
    a[i] = ((r >>> 0) / 2 ** 32) * 8 - 4;
  }
  return a;
}

function expectOwned(r: F32, length: number): void {
  expect(Object.getPrototypeOf(r)).toBe(Float32Array.prototype); // not a Buffer or other subclass
  expect(r.length).toBe(length);
  expect(r.byteOffset).toBe(0);
  expect(r.buffer).toBeInstanceOf(ArrayBuffer);
  expect(r.buffer.byteLength).toBe(length * 4);
}

const bits = (a: F32) => new Uint32Array(a.buffer, a.byteOffset, a.length);

/** Runs `call` once with the default allocation poisoned; returns the result and how many allocations were poisoned. */
function poisoned<T>(call: () => T): { result: T; allocations: number } {
  const real = Buffer.allocUnsafeSlow;
  const spy = vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size: number) => real(size).fill(0xff));
  try {
    return { result: call(), allocations: spy.mock.calls.length };
  } finally {
    spy.mockRestore();
  }
}

afterEach(() => vi.restoreAllMocks());

const x = rand(1000, 3);
const y = rand(1000, 5);

// [name, default form, out form, result length]
const ELEMENTWISE: Array<[string, () => F32, (out: F32) => F32, number]> = [
  ...(ELEMENTWISE_FUNCTIONS as Array<keyof typeof sg>).map(
    (n): [string, () => F32, (out: F32) => F32, number] => [n, () => (sg[n] as (a: F32) => F32)(x), (out) => (sg[n] as (a: F32, o: object) => F32)(x, { out }), x.length],
  ),
  ['gelu tanh', () => sg.gelu(x, { approximate: 'tanh' }), (out) => sg.gelu(x, { approximate: 'tanh', out }), x.length],
  ['silu beta', () => sg.silu(x, { beta: 1.5 }), (out) => sg.silu(x, { beta: 1.5, out }), x.length],
  ...(Object.keys(GLU_GATES) as GluName[]).map((n): [string, () => F32, (out: F32) => F32, number] => [
    n,
    () => sg[n](x, y),
    (out) => sg[n](x, y, { out }),
    x.length,
  ]),
  ['swiglu split', () => sg.swiglu(x, { width: 50 }), (out) => sg.swiglu(x, { width: 50, out }), 500],
  ['swiglu split, one row', () => sg.swiglu(x, { width: 500 }), (out) => sg.swiglu(x, { width: 500, out }), 500],
];

describe('default call form: the result owns its memory and every float of it is written', () => {
  it.each(ELEMENTWISE)('%s', (_name, fresh, into, length) => {
    const want = into(new Float32Array(length));
    const { result, allocations } = poisoned(fresh);
    expect(allocations).toBe(1);
    expectOwned(result, length);
    expect(bits(result)).toEqual(bits(want));
  });

  it('empty inputs give empty arrays of their own', () => {
    const e = new Float32Array(0);
    for (const r of [sg.silu(e), sg.relu(e), sg.swiglu(e, e), sg.swiglu(e, { width: 3 }), sg.matmul(e, e, { m: 0, k: 0, n: 0 })]) {
      expectOwned(r, 0);
    }
  });

  const m = 9, k = 33, n = 70;
  const a = rand(m * k, 7);
  const b = rand(k * n, 11);
  const small = rand(2 * k, 13);

  it.each([
    ['matmul, packed B', () => sg.matmul(a, b, { m, k, n }), (out: F32) => sg.matmul(a, b, { m, k, n, out }), m * n],
    ['matmul, small M', () => sg.matmul(small, b, { m: 2, k, n }), (out: F32) => sg.matmul(small, b, { m: 2, k, n, out }), 2 * n],
    ['matmul, transB', () => sg.matmul(a, b, { m, k, n, transB: true }), (out: F32) => sg.matmul(a, b, { m, k, n, transB: true, out }), m * n],
  ] as Array<[string, () => F32, (out: F32) => F32, number]>)('%s', (_name, fresh, into, length) => {
    const want = into(new Float32Array(length));
    const { result, allocations } = poisoned(fresh);
    expect(allocations).toBe(1);
    expectOwned(result, length);
    expect(bits(result)).toEqual(bits(want));
  });

  it.each([1, 2, 64])('matmul with K = 0 gives +0 everywhere (M = %i)', (rows) => {
    const { result } = poisoned(() => sg.matmul(new Float32Array(0), new Float32Array(0), { m: rows, k: 0, n: 5 }));
    expectOwned(result, rows * 5);
    expect(bits(result)).toEqual(new Uint32Array(rows * 5));
  });

  it('matmulAsync with K = 0 resolves to +0 everywhere', async () => {
    const real = Buffer.allocUnsafeSlow;
    vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size: number) => real(size).fill(0xff));
    const result = await sg.matmulAsync(new Float32Array(0), new Float32Array(0), { m: 20, k: 0, n: 3 });
    expectOwned(result, 60);
    expect(bits(result)).toEqual(new Uint32Array(60));
  });

  it('the fused gate and the FFN, sync and async, packed and on the fly', async () => {
    const inF = 40, outF = 24;
    const wg = rand(inF * outF, 17).map((v) => v * 0.1);
    const wu = rand(inF * outF, 19).map((v) => v * 0.1);
    const wd = rand(inF * outF, 23).map((v) => v * 0.1);
    const xs = rand(5 * inF, 29);
    const gate = sg.packGate(wg, wu, { inFeatures: inF, outFeatures: outF });
    const ffn = sg.packFfn({ gate: wg, up: wu, down: wd, inFeatures: inF, hiddenFeatures: outF });
    const gateWant = bits(sg.swigluMatmul(xs, gate, { out: new Float32Array(5 * outF) }));
    const ffnWant = bits(sg.swigluFfn(xs, ffn, { out: new Float32Array(5 * inF) }));

    const real = Buffer.allocUnsafeSlow;
    const spy = vi.spyOn(Buffer, 'allocUnsafeSlow').mockImplementation((size: number) => real(size).fill(0xff));
    const results: Array<[F32, Uint32Array, number]> = [
      [sg.swigluMatmul(xs, gate), gateWant, 5 * outF],
      [sg.swigluMatmul(xs, wg, wu, { inFeatures: inF, outFeatures: outF }), gateWant, 5 * outF],
      [await sg.swigluMatmulAsync(xs, gate), gateWant, 5 * outF],
      [sg.swigluFfn(xs, ffn), ffnWant, 5 * inF],
      [await sg.swigluFfnAsync(xs, ffn), ffnWant, 5 * inF],
      [sg.swigluMatmul(new Float32Array(0), gate), new Uint32Array(0), 0],
      [sg.swigluFfn(new Float32Array(0), ffn), new Uint32Array(0), 0],
    ];
    expect(spy.mock.calls.length).toBe(results.length);
    spy.mockRestore();
    for (const [r, want, length] of results) {
      expectOwned(r, length);
      expect(bits(r)).toEqual(want);
    }
    gate.dispose();
    ffn.dispose();
  });

  it('a call that fails returns nothing: the error is thrown, not a half-written array', () => {
    expect(() => sg.swiglu(x, { width: 7 })).toThrow(RangeError);
    expect(() => sg.matmul(a, b, { m, k, n: n + 1 })).toThrow(RangeError);
  });
});
