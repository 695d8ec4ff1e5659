// The package as npm publishes it. A scratch copy of the package is staged (package.json, README, the
// `files` entries, and dist/ compiled fresh by the repo's tsconfig), packed with `npm pack`, and the
// tarball unpacked into a scratch project's node_modules/swiglu; no addon is built, since only types
// and the file list are checked here. Then strict consumers (CommonJS and ESM, `strict`, no
// skipLibCheck) that import 'swiglu' and use its exports, plus the README's "API in brief" example,
// type-check with the repo's TypeScript; and the tarball holds every docs/ file the README and
// `swiglu-bench --help` send a reader to. Last, nothing in the repository sends a reader outside it.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE } from '../bench/args';

// The tools this test runs (tsc, npm through /usr/bin/env, tar, git) without LD_PRELOAD: the ASan suite
// preloads the addon into every process it starts; a program that is not node cannot resolve its N-API
// symbols, and tsc under the sanitizer runs past the test's time limit. None of them loads the addon.
const TOOL_ENV: NodeJS.ProcessEnv = { ...process.env };
delete TOOL_ENV.LD_PRELOAD;

const ROOT = path.resolve(__dirname, '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

let work = '';
let consumer = '';
let packed: string[] = []; // paths in the tarball, relative to the package root

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'swiglu-pack-'));
  const stage = path.join(work, 'pkg');
  fs.mkdirSync(stage);
  for (const f of ['package.json', 'README.md']) fs.copyFileSync(path.join(ROOT, f), path.join(stage, f));
  for (const entry of pkg.files as string[]) {
    if (entry === 'dist' || !fs.existsSync(path.join(ROOT, entry))) continue; // npm pack skips missing entries too
    fs.cpSync(path.join(ROOT, entry), path.join(stage, entry), { recursive: true });
  }
  // dist/ from the current sources, never a stale one; the repo's dist/ is left alone.
  execFileSync(process.execPath, [TSC, '-p', ROOT, '--outDir', path.join(stage, 'dist')], { stdio: 'pipe', env: TOOL_ENV });
  // --ignore-scripts: no prepare (dist is fresh already) and no addon build.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], {
    cwd: stage,
    encoding: 'utf8',
    env: { ...TOOL_ENV, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' },
  });
  const info = JSON.parse(out)[0] as { filename: string; files: Array<{ path: string }> };
  packed = info.files.map((f) => f.path);

  consumer = path.join(work, 'consumer');
  const installed = path.join(consumer, 'node_modules', 'swiglu');
  fs.mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['xzf', path.join(work, info.filename), '-C', installed, '--strip-components=1'], { env: TOOL_ENV });
  // What a consumer of a Node package has anyway; the package's own dependencies are not needed for types.
  fs.mkdirSync(path.join(consumer, 'node_modules', '@types'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(consumer, 'node_modules', '@types', 'node'), 'dir');
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// Uses exports of every group; the @ts-expect-error lines fail the check if the types degrade to `any`.
const USES = `
const x = new Float32Array([-1, 0, 1, 2]);
const y: Float32Array = sg.silu(x, { beta: 1.5 });
const g: Float32Array = sg.gelu(x, { approximate: 'tanh', out: new Float32Array(4) });
const h: Float32Array = sg.swiglu(x, y);
const split: Float32Array = sg.swiglu(new Float32Array(8), { width: 2 });
const layout: sg.Layout = 'out-in';
const w: sg.WeightArray = new Float32Array(8);
const pack: sg.PackedGate = sg.packGate(w, w, { inFeatures: 4, outFeatures: 2, layout, dtype: 'f32' });
const gated: Float32Array = sg.swigluMatmul(x, pack, { out: new Float32Array(2) });
const mm: Promise<Float32Array> = sg.matmulAsync(x, x, { m: 1, k: 4, n: 1 });
const ffn: sg.PackedFfn = sg.packFfn({ gate: w, up: w, down: w, inFeatures: 4, hiddenFeatures: 2 });
const r: Float64Array = sg.reference.silu(x);
const isa: 'avx512' | 'avx2' | 'neon' | 'scalar' = sg.isa();
sg.setNumThreads(1);
pack.dispose();
// @ts-expect-error a Float64Array is not a valid input
sg.relu(new Float64Array(4));
// @ts-expect-error 'erf' is not an approximation
sg.gelu(x, { approximate: 'erf' });
void [g, h, split, gated, mm, ffn, r, isa];
`;

/** The README's "API in brief" example, verbatim. */
function readmeExample(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const m = /## API in brief\s+```ts\n([\s\S]*?)```/.exec(readme);
  if (!m) throw new Error('README.md: no ```ts block under "## API in brief"');
  return m[1];
}

function project(name: string, type: 'commonjs' | 'module', compilerOptions: object, sources: Record<string, string>): string {
  const dir = path.join(consumer, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type }));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, target: 'ES2022', ...compilerOptions }, files: Object.keys(sources) }),
  );
  for (const [file, text] of Object.entries(sources)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

function typeCheck(dir: string): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', env: TOOL_ENV });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

describe('the published types', () => {
  it('type-check in a strict CommonJS consumer', () => {
    const dir = project('cjs', 'commonjs', { module: 'commonjs', moduleResolution: 'node10' }, {
      'index.ts': `import sg = require('swiglu');\n${USES}`,
    });
    const r = typeCheck(dir);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('type-check in a strict ESM consumer, the README example included', () => {
    const dir = project('esm', 'module', { module: 'nodenext', moduleResolution: 'nodenext' }, {
      'index.ts': `import * as sg from 'swiglu';\n${USES}`,
      'readme.ts': `${readmeExample()}\nexport {};\n`,
    });
    const r = typeCheck(dir);
    expect(r.output).toBe('');
    expect(r.code).toBe(0);
  });

  it('need nothing outside the package: no skipLibCheck, no path outside dist/', () => {
    for (const file of packed.filter((p) => p.endsWith('.d.ts'))) {
      const text = fs.readFileSync(path.join(consumer, 'node_modules', 'swiglu', file), 'utf8');
      for (const m of text.matchAll(/(?:from |import\()['"](\.[^'"]*)['"]/g)) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
        expect(packed.some((p) => p === `${target}.d.ts` || p === `${target}/index.d.ts`), `${file} imports ${m[1]}`).toBe(true);
      }
    }
  });
});

describe('the published files', () => {
  it('hold every file the README and swiglu-bench --help point at', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const cited = new Set<string>();
    for (const text of [readme, USAGE]) for (const m of text.matchAll(/\bdocs\/[\w.-]+\.\w+/g)) cited.add(m[0]);
    expect(cited.has('docs/bench.md')).toBe(true);
    for (const file of cited) expect(packed, `${file} is cited but not published`).toContain(file);
  });
});

describe('the repository stands on its own', () => {
  // Spelt in pieces so that this file does not match itself.
  const OUTSIDE = [new RegExp(['DESIGN', 'md'].join('\\.')), new RegExp(['\\.\\.', 'shared'].join('/'))];
  // Lines that name such a file only to say that no output cites it: [file, text on the line].
  const ALLOWED: Array<[string, string]> = [['test/bench.test.ts', 'no output cites a ']];

  it('no tracked file refers to a design document or a shared folder outside the repository', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', env: TOOL_ENV }).split('\0').filter(Boolean);
    const hits: string[] = [];
    for (const file of files) {
      const full = path.join(ROOT, file);
      if (!fs.existsSync(full) || fs.statSync(full).size > 4 << 20) continue;
      const text = fs.readFileSync(full);
      if (text.includes(0)) continue; // binary
      text.toString('utf8').split('\n').forEach((line, i) => {
        const allowed = ALLOWED.some(([f, t]) => f === file && line.includes(t));
        if (!allowed && OUTSIDE.some((re) => re.test(line))) hits.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).toEqual([]);
  });
});
