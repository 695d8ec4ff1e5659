// The elementwise gradients' argument errors: TypeError for a wrong type or option, RangeError for a
// wrong length, option value or overlap, each naming the function and the argument.
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { ELEMENTWISE_FUNCTIONS } from './helpers/cases';

const NAMES = ELEMENTWISE_FUNCTIONS.map((f) => `${f}Backward` as keyof typeof sg);

describe('elementwise gradient argument errors', () => {
  it.each(NAMES)('%s', (name) => {
    const f = sg[name] as (x: unknown, dy: unknown, o?: unknown) => Float32Array;
    const x = new Float32Array(8), dy = new Float32Array(8);
    expect(() => f(new Float64Array(8), dy)).toThrow(new RegExp(`${name}: x must be a Float32Array`));
    expect(() => f(x, [1, 2])).toThrow(TypeError);
    expect(() => f(x, [1, 2])).toThrow(new RegExp(`${name}: dy must be a Float32Array`));
    expect(() => f(x, new Float32Array(7))).toThrow(new RegExp(`${name}: dy must have the length of x \\(8\\), got 7`));
    expect(() => f(x, dy, { out: new Float32Array(7) })).toThrow(RangeError);
    const buf = new Float32Array(20);
    expect(() => f(buf.subarray(0, 8), dy, { out: buf.subarray(2, 10) })).toThrow(/overlaps x/);
    expect(() => f(x, buf.subarray(0, 8), { out: buf.subarray(4, 12) })).toThrow(/overlaps dy/);
    expect(f(x, dy, { out: x })).toBe(x);
    expect(f(x, dy, { out: dy })).toBe(dy);
    expect(() => f(x, dy, { bogus: 1 })).toThrow(TypeError);
    expect(() => f(x, dy, 5)).toThrow(TypeError);
  });
  it('checks the forward options', () => {
    const x = new Float32Array(4), dy = new Float32Array(4);
    expect(() => sg.leakyReluBackward(x, dy, { slope: 2 ** 70 })).toThrow(/leakyReluBackward: options.slope/);
    expect(() => sg.siluBackward(x, dy, { beta: Infinity })).toThrow(RangeError);
    expect(() => sg.geluBackward(x, dy, { approximate: 'fast' as never })).toThrow(/geluBackward: options.approximate/);
    expect(() => sg.softplusBackward(x, dy, { beta: -1 })).toThrow(/softplusBackward: options.beta must be > 0/);
    expect(() => sg.eluBackward(x, dy, { alpha: 'one' as never })).toThrow(TypeError);
  });
});
