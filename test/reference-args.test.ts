// The float64 reference's own argument checks: a split width that cannot split rows and a layout that is
// neither of the two are RangeErrors (they hung, and mixed the layouts, before).
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';

describe('reference argument checks', () => {
  it('splitRows: width must be a positive integer; a partial last row is dropped', () => {
    for (const w of [0, -1, 1.5, NaN]) expect(() => sg.reference.splitRows([1, 2, 3, 4], w)).toThrow(RangeError);
    const [g, u] = sg.reference.splitRows([1, 2, 3, 4, 5], 1);
    expect(Array.from(g)).toEqual([1, 3]);
    expect(Array.from(u)).toEqual([2, 4]);
  });
  it("gluMatmulBackward and ffnBackward: layout 'out-in' or 'in-out' only", () => {
    const bad = 'in_out' as unknown as 'in-out';
    expect(() => sg.reference.gluMatmulBackward([1], [1], [1], [1], { inFeatures: 1, outFeatures: 1, activation: 'silu', layout: bad })).toThrow(RangeError);
    expect(() => sg.reference.ffnBackward([1], { up: [1], down: [1] }, [1], { inFeatures: 1, hiddenFeatures: 1, activation: 'relu', layout: bad })).toThrow(RangeError);
    expect(() => sg.reference.gluMatmulBackward([1], [1], [1], [1], { inFeatures: 1, outFeatures: 1, activation: 'silu', layout: 'in-out' })).not.toThrow();
  });
});
