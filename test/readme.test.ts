// The README's "API in brief" example, run against the library: each line must do what its comment
// says. (Its types are checked against the published package in package.test.ts.)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as sg from '../lib';

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
    const body = text.replace("import * as sg from 'swiglu';", '');
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (lib: typeof sg) => Promise<Record<string, unknown>>;
    const run = new AsyncFunction('sg', `${body}\nreturn { x, y: typeof y === 'undefined' ? null : y, H, H2 };`);
    const { x, y, H, H2 } = (await run(sg)) as Record<string, Float32Array>;
    expect(Array.from(x)).toEqual([-2, -0.5, 0, 0.5, 2]); // not changed by any line of the example
    expect(Array.from(y)).toEqual([0, 0, 0, 0.5, 2]); // the in-place relu
    expect(H.length).toBe(8 * 2816);
    expect(H2).toEqual(H);
  });
});
