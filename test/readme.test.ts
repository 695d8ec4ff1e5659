// The README's examples ("API in brief", "Weights from a checkpoint", "One FFN training step"), run
// against the library: each line must do what its comment says (the second reads a checkpoint this test
// writes first). They are TypeScript: the types are stripped here (ts.transpileModule) and the body run
// with sg given. (package.test.ts compiles them strictly, as written, against the packed package and runs
// them there too.)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';
import { safetensorsFile } from './helpers/safetensors';

/** The example's body as JavaScript: its import of 'swiglu' removed (sg is given), its types stripped. */
function jsBody(code: string): string {
  const body = code.replace("import * as sg from 'swiglu';", '');
  return ts.transpileModule(body, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext } }).outputText.replace(/^export \{\};$/m, '');
}

function readmeExample(): string {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const m = /## API in brief\s+```ts\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md: no ```ts block under "## API in brief"');
  return m[1];
}

describe('the README example', () => {
  it('runs, and x is still the array it was made as when reference.silu(x) describes sg.silu(x)', async () => {
    const text = readmeExample();
    expect(text).toContain("import * as sg from 'swiglu';");
    // The example is plain JavaScript apart from its import: run its body with sg given.
    const body = jsBody(text);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (lib: typeof sg) => Promise<Record<string, unknown>>;
    const run = new AsyncFunction('sg', `${body}\nreturn { x, y: typeof y === 'undefined' ? null : y, H, H2 };`);
    const { x, y, H, H2 } = (await run(sg)) as Record<string, Float32Array>;
    expect(Array.from(x)).toEqual([-2, -0.5, 0, 0.5, 2]); // not changed by any line of the example
    expect(Array.from(y)).toEqual([0, 0, 0, 0.5, 2]); // the in-place relu
    expect(H.length).toBe(8 * 2816);
    expect(H2).toEqual(H);
  });
});

describe('the README checkpoint example', () => {
  it('loads a LLaMA-style FFN\'s three bf16 tensors from a safetensors file and runs swigluFfn on them', async () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const m = /## Weights from a checkpoint\s+```ts\n([\s\S]*?)```/.exec(readme);
    if (!m) throw new Error('README.md: no ```ts block under "## Weights from a checkpoint"');
    expect(m[1]).toContain("import * as sg from 'swiglu';");
    expect(m[1]).toContain("'model.safetensors'");
    // the file the example reads: small, but shaped and named as a LLaMA checkpoint stores it
    const d = 64;
    const hidden = 176;
    const bf16 = (seed: number, n: number) => Uint16Array.from({ length: n }, (_, i) => 0x3c00 | (((i * 2654435761 + seed) >>> 0) % 0x7f) | ((i & 1) << 15));
    const gate = bf16(1, hidden * d);
    const up = bf16(2, hidden * d);
    const down = bf16(3, d * hidden);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swiglu-readme-'));
    try {
      const file = path.join(dir, 'model.safetensors');
      fs.writeFileSync(file, safetensorsFile([
        { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'BF16', shape: [d, hidden], data: down },
        { name: 'model.layers.0.mlp.gate_proj.weight', dtype: 'BF16', shape: [hidden, d], data: gate },
        { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'BF16', shape: [hidden, d], data: up },
      ], { format: 'pt' }));
      const body = jsBody(m[1].replace("'model.safetensors'", JSON.stringify(file)));
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (lib: typeof sg) => Promise<Record<string, unknown>>;
      const run = new AsyncFunction('sg', `${body}\nreturn { y, ffn, d, hidden };`);
      const r = (await run(sg)) as { y: Float32Array; ffn: sg.PackedFfn; d: number; hidden: number };
      expect([r.d, r.hidden]).toEqual([d, hidden]);
      expect(r.ffn.dtype).toBe('bf16');
      const want = sg.swigluFfn(new Float32Array(4 * d), sg.packFfn({ gate, up, down, inFeatures: d, hiddenFeatures: hidden, dtype: 'bf16' }));
      expect(r.y).toEqual(want);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the README training example', () => {
  it('takes one FFN step (forward, loss gradient, ffnBackward, SGD) that lowers the loss it starts from', async () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
    const m = /### One FFN training step\s+```ts\n([\s\S]*?)```/.exec(readme);
    if (!m) throw new Error('README.md: no ```ts block under "### One FFN training step"');
    expect(m[1]).toContain("import * as sg from 'swiglu';");
    const body = jsBody(m[1]);
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (lib: typeof sg) => Promise<Record<string, unknown>>;
    const run = new AsyncFunction('sg', `${body}\nreturn { w, shape, x, target, loss, dx, dGate, rows, d, hidden };`);
    const r = (await run(sg)) as {
      w: { gate: Float32Array; up: Float32Array; down: Float32Array };
      shape: sg.FfnBackwardOptions;
      x: Float32Array;
      target: Float32Array;
      loss: number;
      dx: Float32Array;
      dGate: Float32Array;
      rows: number;
      d: number;
      hidden: number;
    };
    expect(r.dx.length).toBe(r.rows * r.d);
    expect(r.dGate.length).toBe(r.hidden * r.d);
    // the step lowers the loss: the forward again with the updated weights
    const packed = sg.packFfn({ ...r.w, ...r.shape });
    const y = sg.ffn(r.x, packed);
    packed.dispose();
    const after = y.reduce((s, v, i) => s + (v - r.target[i]) ** 2, 0) / y.length;
    expect(after).toBeLessThan(r.loss);
  });
});
