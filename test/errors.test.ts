// Bad input gets the DESIGN.md error (TypeError for a wrong type or missing option, RangeError for
// a wrong length, option value or overlap) naming the argument, and never reaches a crash.
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { binding } from '../lib/binding';

const UNARY = [
  'relu', 'leakyRelu', 'relu6', 'sigmoid', 'tanh', 'silu', 'swish', 'gelu', 'quickGelu',
  'softplus', 'mish', 'elu', 'selu', 'hardSigmoid', 'hardSwish',
] as const;
const GLU = ['glu', 'reglu', 'geglu', 'swiglu', 'bilinear'] as const;

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
    expect(() => b.setIsa('sse9')).toThrow(RangeError);
  });

  it('treats a detached buffer as empty instead of reading freed memory', () => {
    const x = new Float32Array(1024);
    structuredClone(x.buffer, { transfer: [x.buffer] });
    expect(x.length).toBe(0);
    expect(sg.silu(x).length).toBe(0);
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
