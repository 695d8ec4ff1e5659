// Bad input gets the README's error (TypeError for a wrong type or missing option, RangeError for
// a wrong length, option value or overlap) naming the argument, and never reaches a crash.
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';
import { GLU_GATES, type GluName } from '../lib/ops';
import { ELEMENTWISE_FUNCTIONS } from './helpers/cases';

const UNARY = ELEMENTWISE_FUNCTIONS as Array<keyof typeof sg>;
const GLU = Object.keys(GLU_GATES) as GluName[];

describe('elementwise argument errors', () => {
  it.each(UNARY)('%s rejects wrong input types with a TypeError naming x', (name) => {
    const f = sg[name] as (x: unknown, o?: unknown) => Float32Array;
    for (const bad of [new Float64Array(4), [1, 2, 3], null, undefined, 'abc', 3, {}, new Uint8Array(4), new ArrayBuffer(16)]) {
      expect(() => f(bad)).toThrow(TypeError);
      expect(() => f(bad)).toThrow(/x must be a Float32Array/);
    }
  });

  it.each(UNARY)('%s rejects a wrong out: type, length, partial overlap', (name) => {
    const f = sg[name] as (x: unknown, o?: unknown) => Float32Array;
    const x = new Float32Array(8);
    expect(() => f(x, { out: new Float64Array(8) })).toThrow(TypeError);
    expect(() => f(x, { out: new Float32Array(7) })).toThrow(/out must have length 8, got 7/);
    expect(() => f(x, { out: new Float32Array(7) })).toThrow(RangeError);
    const buf = new Float32Array(12);
    expect(() => f(buf.subarray(0, 8), { out: buf.subarray(2, 10) })).toThrow(/overlaps x/);
    expect(() => f(buf.subarray(0, 8), { out: buf.subarray(2, 10) })).toThrow(RangeError);
    expect(() => f(buf.subarray(0, 8), { out: buf.subarray(4, 12) })).toThrow(RangeError);
    // adjacent views of one buffer do not overlap
    expect(f(buf.subarray(0, 6), { out: buf.subarray(6, 12) }).length).toBe(6);
  });

  it.each(UNARY)('%s rejects odd option objects', (name) => {
    const f = sg[name] as (x: unknown, o?: unknown) => Float32Array;
    const x = new Float32Array(3);
    expect(() => f(x, 5)).toThrow(TypeError);
    expect(() => f(x, 'out')).toThrow(TypeError);
    expect(() => f(x, [])).toThrow(TypeError);
    expect(() => f(x, null)).toThrow(TypeError);
    expect(() => f(x, { bogus: 1 })).toThrow(/unknown option 'bogus'/);
  });

  it('checks option values', () => {
    const x = new Float32Array(3);
    expect(() => sg.leakyRelu(x, { slope: NaN })).toThrow(RangeError);
    expect(() => sg.leakyRelu(x, { slope: '0.1' as unknown as number })).toThrow(TypeError);
    expect(() => sg.silu(x, { beta: Infinity })).toThrow(/beta must be finite/);
    expect(() => sg.softplus(x, { beta: 0 })).toThrow(/beta must be > 0/);
    expect(() => sg.softplus(x, { beta: -1 })).toThrow(RangeError);
    expect(() => sg.softplus(x, { threshold: NaN })).toThrow(RangeError);
    expect(() => sg.elu(x, { alpha: -Infinity })).toThrow(RangeError);
    expect(() => sg.gelu(x, { approximate: 'erf' as 'none' })).toThrow(/approximate must be one of 'none', 'tanh', got 'erf'/);
    expect(() => sg.gelu(x, { approximate: true as unknown as 'none' })).toThrow(TypeError);
  });

  it('checks thread counts', () => {
    expect(() => sg.setNumThreads(0)).toThrow(RangeError);
    expect(() => sg.setNumThreads(1.5)).toThrow(RangeError);
    expect(() => sg.setNumThreads(1e9)).toThrow(RangeError);
    expect(() => sg.setNumThreads('2' as unknown as number)).toThrow(TypeError);
  });
});

describe('GLU argument errors', () => {
  it.each(GLU)('%s rejects wrong types, lengths, widths and overlaps', (name) => {
    const f = sg[name] as (a: unknown, b?: unknown, c?: unknown) => Float32Array;
    const g = new Float32Array(8);
    expect(() => f(new Float64Array(8), g)).toThrow(TypeError);
    expect(() => f(g, new Float64Array(8))).toThrow(/up must be a Float32Array/);
    expect(() => f(g, new Float32Array(7))).toThrow(/up must have the length of gate \(8\), got 7/);
    expect(() => f(g, new Float32Array(8), { out: new Float32Array(4) })).toThrow(RangeError);
    expect(() => f(g, {})).toThrow(/options.width is missing/);
    expect(() => f(g, { width: 3 })).toThrow(/rows of 2·width = 6/);
    expect(() => f(g, { width: 0 })).toThrow(RangeError);
    expect(() => f(g, { width: 2.5 })).toThrow(RangeError);
    expect(() => f(g, { width: '2' })).toThrow(TypeError);
    expect(() => f(g, { width: 2, out: g.subarray(0, 4) })).toThrow(/overlaps x/);
    const buf = new Float32Array(12);
    expect(() => f(buf.subarray(0, 8), buf.subarray(4, 12))).not.toThrow(); // inputs may overlap each other
    expect(() => f(buf.subarray(0, 6), new Float32Array(6), { out: buf.subarray(3, 9) })).toThrow(/overlaps gate/);
    expect(() => f(new Float32Array(6), buf.subarray(0, 6), { out: buf.subarray(3, 9) })).toThrow(/overlaps up/);
  });
});

describe('the binding itself stays memory-safe when called directly', () => {
  it('rejects wrong types, lengths, op indices and overlaps without crashing', () => {
    const x = new Float32Array(8);
    const b = binding as unknown as Record<string, (...a: unknown[]) => unknown>;
    expect(() => b.unary(0, x, new Float32Array(7))).toThrow(RangeError);
    expect(() => b.unary(99, x, new Float32Array(8))).toThrow(RangeError);
    expect(() => b.unary(-1, x, new Float32Array(8))).toThrow(RangeError);
    expect(() => b.unary(0.5, x, new Float32Array(8))).toThrow(RangeError);
    expect(() => b.unary(0, new Float64Array(8), x)).toThrow(TypeError);
    expect(() => b.unary(0, x)).toThrow(TypeError);
    expect(() => b.unary()).toThrow(TypeError);
    const buf = new Float32Array(16);
    expect(() => b.unary(0, buf.subarray(0, 8), buf.subarray(1, 9))).toThrow(RangeError);
    expect(() => b.glu(5, x, new Float32Array(4), x)).toThrow(RangeError);
    expect(() => b.gluSplit(5, x, new Float32Array(3), 1)).toThrow(RangeError);
    expect(() => b.gluSplit(5, x, new Float32Array(4), 0)).toThrow(RangeError);
    expect(() => b.gluSplit(5, x, new Float32Array(4), 3)).toThrow(RangeError);
    expect(() => binding._testing.setIsa('sse9')).toThrow(RangeError);
  });

  it('treats a detached buffer as empty instead of reading freed memory', () => {
    // The public API refuses detached arrays (below); the binding beneath it sees length 0.
    const x = new Float32Array(1024);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    expect(x.length).toBe(0);
    expect(binding.unary(5, x, new Float32Array(0)).length).toBe(0);
  });

  it('accepts SharedArrayBuffer-backed arrays', () => {
    const x = new Float32Array(new SharedArrayBuffer(4 * 33)).fill(2);
    expect(Array.from(sg.relu(x))).toEqual(new Array(33).fill(2));
    expect(sg.relu(x, { out: x })).toBe(x);
  });
});

describe('scale parameters outside what float32 kernels can carry are refused, not turned into NaN', () => {
  it('bounds slope, beta and alpha', () => {
    const x = new Float32Array([-1, 0, 1]);
    expect(() => sg.silu(x, { beta: 1e300 })).toThrow(/beta must be 0 or of magnitude in \[2\^-20, 2\^64\], got 1e\+300/);
    expect(() => sg.silu(x, { beta: 1e-30 })).toThrow(RangeError);
    expect(() => sg.leakyRelu(x, { slope: 1e308 })).toThrow(RangeError);
    expect(() => sg.leakyRelu(x, { slope: 1e-40 })).toThrow(RangeError);
    expect(() => sg.softplus(x, { beta: 1e-10 })).toThrow(/beta must be of magnitude in \[2\^-20, 2\^64\]/);
    expect(() => sg.elu(x, { alpha: 1e39 })).toThrow(RangeError);
    // the edges of the domains and zero are accepted
    expect(sg.silu(x, { beta: 0 })[2]).toBe(0.5);
    expect(sg.silu(x, { beta: 2 ** -20 }).length).toBe(3);
    expect(sg.silu(x, { beta: -(2 ** 64) }).length).toBe(3);
    expect(sg.leakyRelu(x, { slope: 0 })[0]).toBe(-0);
    expect(sg.leakyRelu(x, { slope: -0.5 })[0]).toBe(0.5);
  });
});

// ---- one documented error per situation, naming the function and the argument -----------------

/** What f threw (or the rejection of the promise it returned); fails if it returned normally. */
async function errorOf(f: () => unknown): Promise<Error> {
  try {
    await f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return e as Error;
  }
  throw new Error('expected an error, got a result');
}

async function expectError(f: () => unknown, cls: typeof TypeError | typeof RangeError, message: string): Promise<void> {
  const e = await errorOf(f);
  expect(e.message).toBe(message);
  expect(e).toBeInstanceOf(cls);
}

/** A Float32Array that had n floats; its ArrayBuffer has since been transferred away (length 0 now). */
function detached(n = 8): Float32Array {
  const a = new Float32Array(n);
  structuredClone(a.buffer, { transfer: [a.buffer] });
  return a;
}
const DETACHED = 'is detached (its ArrayBuffer was transferred)';

describe('a detached array is a TypeError naming the function and the argument', () => {
  it.each(UNARY)('%s: x and options.out', async (name) => {
    const f = sg[name] as (x: unknown, o?: unknown) => Float32Array;
    const fn = name === 'swish' ? 'silu' : name; // swish is silu itself
    await expectError(() => f(detached()), TypeError, `${fn}: x ${DETACHED}`);
    await expectError(() => f(detached(0)), TypeError, `${fn}: x ${DETACHED}`); // was empty, still detached
    await expectError(() => f(new Float32Array(8), { out: detached() }), TypeError, `${fn}: options.out ${DETACHED}`);
  });

  it.each(GLU)('%s: gate, up, the split form\'s x and options.out', async (name) => {
    const f = sg[name] as (a: unknown, b?: unknown, c?: unknown) => Float32Array;
    const g = new Float32Array(8);
    await expectError(() => f(detached(), g), TypeError, `${name}: gate ${DETACHED}`);
    await expectError(() => f(g, detached()), TypeError, `${name}: up ${DETACHED}`);
    await expectError(() => f(g, g, { out: detached() }), TypeError, `${name}: options.out ${DETACHED}`);
    await expectError(() => f(detached(), { width: 2 }), TypeError, `${name}: x ${DETACHED}`);
    await expectError(() => f(g, { width: 2, out: detached(4) }), TypeError, `${name}: options.out ${DETACHED}`);
  });

  it('matrix ops: inputs, weights and options.out, sync and async alike', async () => {
    const a = new Float32Array(6), b = new Float32Array(6), w = new Float32Array(6);
    const shape = { m: 2, k: 3, n: 2 };
    for (const fn of ['matmul', 'matmulAsync'] as const) {
      const f = sg[fn] as (a: unknown, b: unknown, o: unknown) => unknown;
      await expectError(() => f(detached(6), b, shape), TypeError, `${fn}: a ${DETACHED}`);
      await expectError(() => f(a, detached(6), shape), TypeError, `${fn}: b ${DETACHED}`);
      await expectError(() => f(a, b, { ...shape, out: detached(4) }), TypeError, `${fn}: options.out ${DETACHED}`);
    }
    const gateShape = { inFeatures: 3, outFeatures: 2 };
    await expectError(() => sg.packGate(detached(6), w, gateShape), TypeError, `packGate: wGate ${DETACHED}`);
    await expectError(() => sg.packGate(w, detached(6), gateShape), TypeError, `packGate: wUp ${DETACHED}`);
    const ffn = { gate: w, up: w, down: w, inFeatures: 3, hiddenFeatures: 2 };
    await expectError(() => sg.packFfn({ ...ffn, down: detached(6) }), TypeError, `packFfn: options.down ${DETACHED}`);
    const gate = sg.packGate(w, w, gateShape);
    const packedFfn = sg.packFfn(ffn);
    for (const fn of ['swigluMatmul', 'swigluMatmulAsync'] as const) {
      const f = sg[fn] as (...args: unknown[]) => unknown;
      await expectError(() => f(detached(3), gate), TypeError, `${fn}: x ${DETACHED}`);
      await expectError(() => f(new Float32Array(3), gate, { out: detached(2) }), TypeError, `${fn}: options.out ${DETACHED}`);
      await expectError(() => f(new Float32Array(3), w, detached(6), gateShape), TypeError, `${fn}: wUp ${DETACHED}`);
    }
    for (const fn of ['swigluFfn', 'swigluFfnAsync'] as const) {
      const f = sg[fn] as (...args: unknown[]) => unknown;
      await expectError(() => f(detached(3), packedFfn), TypeError, `${fn}: x ${DETACHED}`);
      await expectError(() => f(new Float32Array(3), packedFfn, { out: detached(3) }), TypeError, `${fn}: options.out ${DETACHED}`);
    }
    gate.dispose();
    packedFfn.dispose();
  });
});

describe('a disposed pack is a TypeError naming the function and the argument', () => {
  it('swigluMatmul, swigluFfn and their async twins', async () => {
    const w = new Float32Array(6);
    const gate = sg.packGate(w, w, { inFeatures: 3, outFeatures: 2 });
    const ffn = sg.packFfn({ gate: w, up: w, down: w, inFeatures: 3, hiddenFeatures: 2 });
    gate.dispose();
    ffn.dispose();
    const x = new Float32Array(3);
    await expectError(() => sg.swigluMatmul(x, gate), TypeError, 'swigluMatmul: packed (a PackedGate) has been disposed');
    await expectError(() => sg.swigluMatmulAsync(x, gate), TypeError, 'swigluMatmulAsync: packed (a PackedGate) has been disposed');
    await expectError(() => sg.swigluFfn(x, ffn), TypeError, 'swigluFfn: packed (a PackedFfn) has been disposed');
    await expectError(() => sg.swigluFfnAsync(x, ffn), TypeError, 'swigluFfnAsync: packed (a PackedFfn) has been disposed');
  });
});

describe('an async rejection names the function', () => {
  // options.out transferred right after the call, on the JS thread: the op cannot have completed
  // yet (completion runs on this thread too), so it always finds out detached when it does.
  const DURING = 'options.out was detached (its ArrayBuffer was transferred) while the operation ran';

  it('matmulAsync, swigluMatmulAsync and swigluFfnAsync with options.out detached while they run', async () => {
    const w = new Float32Array(6).fill(0.5);
    const gate = sg.packGate(w, w, { inFeatures: 3, outFeatures: 2 });
    const ffn = sg.packFfn({ gate: w, up: w, down: w, inFeatures: 3, hiddenFeatures: 2 });
    const calls = {
      matmulAsync: (out: Float32Array) => sg.matmulAsync(new Float32Array(6), w, { m: 2, k: 3, n: 2, out }),
      swigluMatmulAsync: (out: Float32Array) => sg.swigluMatmulAsync(new Float32Array(6), gate, { out }),
      swigluFfnAsync: (out: Float32Array) => sg.swigluFfnAsync(new Float32Array(6), ffn, { out }),
    };
    const outLength = { matmulAsync: 4, swigluMatmulAsync: 4, swigluFfnAsync: 6 };
    for (const [fn, call] of Object.entries(calls) as Array<[keyof typeof calls, (o: Float32Array) => Promise<Float32Array>]>) {
      const out = new Float32Array(outLength[fn]);
      const pending = call(out);
      structuredClone(out.buffer, { transfer: [out.buffer] });
      await expectError(() => pending, TypeError, `${fn}: ${DURING}`);
    }
    gate.dispose();
    ffn.dispose();
  });
});
