// The package as npm publishes it. A scratch copy of the package is staged (package.json, README, the
// `files` entries, and dist/ compiled fresh by the repo's tsconfig), packed with `npm pack`, and the
// tarball unpacked into a scratch project's node_modules/swiglu. The install's addon build (cmake-js,
// minutes on this machine) is not repeated: the checkout's built addon (SWIGLU_ADDON if set, as under the
// ASan and clang suites, else build/Release/swiglu.node) is linked at build/Release/swiglu.node inside
// the installed package, where its loader looks, and the consumers run without SWIGLU_ADDON. Strict
// consumers (CommonJS and ESM, `strict`, no skipLibCheck) that import 'swiglu' and use its exports, and
// every ```ts example of the README as written, are compiled by the repo's TypeScript and run by node.
// The tarball holds every docs/ file the README and `swiglu-bench --help` send a reader to. Last, nothing
// in the repository sends a reader outside it.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE } from '../bench/args';
import { safetensorsFile } from './helpers/safetensors';

// The tools this test runs (tsc, npm through /usr/bin/env, tar, git) without LD_PRELOAD: the ASan suite
// preloads the addon into every process it starts; a program that is not node cannot resolve its N-API
// symbols, and tsc under the sanitizer runs past the test's time limit. None of them loads the addon.
const TOOL_ENV: NodeJS.ProcessEnv = { ...process.env };
delete TOOL_ENV.LD_PRELOAD;
// The consumers run as a user runs them: the installed package finds its own addon. (LD_PRELOAD stays:
// under the ASan suite the preloaded addon is the very file the link points at.)
const RUN_ENV: NodeJS.ProcessEnv = { ...process.env };
delete RUN_ENV.SWIGLU_ADDON;

const ROOT = path.resolve(__dirname, '..');
const TSC = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const ADDON = process.env.SWIGLU_ADDON || path.join(ROOT, 'build', 'Release', 'swiglu.node');

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
  expect(fs.existsSync(path.join(installed, 'build')), 'the tarball holds no build/').toBe(false);
  fs.mkdirSync(path.join(installed, 'build', 'Release'), { recursive: true });
  fs.symlinkSync(ADDON, path.join(installed, 'build', 'Release', 'swiglu.node'));
  // What a consumer of a Node package has anyway; the package's own dependencies are not needed for types.
  fs.mkdirSync(path.join(consumer, 'node_modules', '@types'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', '@types', 'node'), path.join(consumer, 'node_modules', '@types', 'node'), 'dir');
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// Uses exports of every group, and checks at run time what it computed; the @ts-expect-error lines fail
// the compilation if the types degrade to `any`, and `new Blob([...])` fails it if results are typed as
// arrays that may be shared. Prints one JSON line.
const USES = `
function mustThrow(f: () => unknown, cls: new (message?: string) => Error, what: string): void {
  try {
    f();
  } catch (e) {
    if (e instanceof cls) return;
    throw new Error(what + ': threw ' + String(e));
  }
  throw new Error(what + ': did not throw');
}
async function main(): Promise<void> {
  const x = new Float32Array([-1, 0, 1, 2]);
  const y: Float32Array = sg.silu(x, { beta: 1.5 });
  const g: Float32Array = sg.gelu(x, { approximate: 'tanh', out: new Float32Array(4) });
  const h: Float32Array = sg.swiglu(x, y);
  const split: Float32Array = sg.swiglu(new Float32Array(8), { width: 2 });
  const layout: sg.Layout = 'out-in';
  const w: sg.WeightArray = new Float32Array(8).fill(0.25);
  const pack: sg.PackedGate = sg.packGate(w, w, { inFeatures: 4, outFeatures: 2, layout, dtype: 'f32' });
  const gated: Float32Array = sg.swigluMatmul(x, pack, { out: new Float32Array(2) });
  const mm: Float32Array = await sg.matmulAsync(x, x, { m: 1, k: 4, n: 1 });
  const ffn: sg.PackedFfn = sg.packFfn({ gate: w, up: w, down: w, inFeatures: 4, hiddenFeatures: 2 });
  const r: Float64Array = sg.reference.silu(x);
  const isa: 'avx512' | 'avx2' | 'neon' | 'scalar' = sg.isa();
  sg.setNumThreads(1);
  const blob = new Blob([sg.silu(x), sg.swigluFfn(x, ffn), sg.toBf16(x), await sg.swigluMatmulAsync(x, pack)]);
  pack.dispose();
  // @ts-expect-error a Float64Array is not a valid input
  mustThrow(() => sg.relu(new Float64Array(4)), TypeError, 'relu(Float64Array)');
  // @ts-expect-error 'erf' is not an approximation
  mustThrow(() => sg.gelu(x, { approximate: 'erf' }), RangeError, "gelu({ approximate: 'erf' })");
  mustThrow(() => sg.swigluMatmul(x, pack), TypeError, 'swigluMatmul with a disposed pack');
  const silu = Array.from(sg.silu(x));
  console.log(JSON.stringify({ isa, runnable: sg.runnableIsas(), silu, ref: Array.from(r), mm: Array.from(mm), gated: Array.from(gated), blob: blob.size, lengths: [y.length, g.length, h.length, split.length] }));
}
main().catch((e) => {
  console.error(e);
  process.exit(1);
});
`;

interface Output {
  isa: string;
  runnable: string[];
  silu: number[];
  ref: number[];
  mm: number[];
  gated: number[];
  blob: number;
  lengths: number[];
}

/** Every ```ts block of the README, in order, with the heading it stands under. */
function readmeExamples(): Array<{ heading: string; code: string }> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const out: Array<{ heading: string; code: string }> = [];
  let heading = '';
  const lines = readme.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^#+ /.test(lines[i])) heading = lines[i].replace(/^#+ /, '');
    if (lines[i].trim() !== '```ts') continue;
    const start = ++i;
    while (i < lines.length && lines[i].trim() !== '```') i++;
    out.push({ heading, code: lines.slice(start, i).join('\n') + '\n' });
  }
  return out;
}

function project(name: string, type: 'commonjs' | 'module', compilerOptions: object, sources: Record<string, string>): string {
  const dir = path.join(consumer, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${name}`, private: true, type }));
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', outDir: 'out', ...compilerOptions }, files: Object.keys(sources) }),
  );
  for (const [file, text] of Object.entries(sources)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}

function compile(dir: string): { code: number | null; output: string } {
  const r = spawnSync(process.execPath, [TSC, '-p', dir], { encoding: 'utf8', env: TOOL_ENV });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Runs dir/out/<file>.js with node in dir, as a user runs a compiled program. */
function run(dir: string, file: string): { code: number | null; stdout: string; stderr: string } {
  const js = path.join(dir, 'out', file.replace(/\.ts$/, '.js'));
  const r = spawnSync(process.execPath, [js], { cwd: dir, encoding: 'utf8', env: RUN_ENV, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function checkOutput(stdout: string): void {
  const o = JSON.parse(stdout) as Output;
  expect(['avx512', 'avx2', 'neon', 'scalar']).toContain(o.isa);
  expect(o.runnable).toContain(o.isa);
  o.silu.forEach((v, i) => expect(Math.abs(v - o.ref[i])).toBeLessThanOrEqual(1e-6 * Math.abs(o.ref[i])));
  expect(o.mm).toEqual([6]); // x·x = 1 + 0 + 1 + 4
  // SiLU(x·Wg) ⊙ (x·Wu) with every weight 0.25: x·w = 0.5 for both outputs
  for (const v of o.gated) expect(v).toBeCloseTo((0.5 * 0.5) / (1 + Math.exp(-0.5)), 6);
  expect(o.blob).toBe(16 + 16 + 8 + 8); // silu, swigluFfn, toBf16, the gate
  expect(o.lengths).toEqual([4, 4, 4, 4]);
}

describe('the published package, installed', () => {
  it('compiles and runs in a strict CommonJS consumer', () => {
    const dir = project('cjs', 'commonjs', { module: 'commonjs', moduleResolution: 'node10' }, {
      'index.ts': `import sg = require('swiglu');\n${USES}`,
    });
    const c = compile(dir);
    expect(c.output).toBe('');
    expect(c.code).toBe(0);
    const r = run(dir, 'index.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    checkOutput(r.stdout);
  }, 180_000); // tsc + node in a scratch project: ~1 min on a shared 2-core machine

  it("compiles and runs in a strict ESM consumer, with every ```ts example of the README as written", () => {
    const examples = readmeExamples();
    expect(examples.map((e) => e.heading)).toEqual(expect.arrayContaining(['API in brief', 'Weights from a checkpoint']));
    const sources: Record<string, string> = { 'index.ts': `import * as sg from 'swiglu';\n${USES}` };
    examples.forEach((e, i) => (sources[`readme-${i}.ts`] = `${e.code}export {};\n`));
    const dir = project('esm', 'module', { module: 'nodenext', moduleResolution: 'nodenext' }, sources);
    // The file the checkpoint example reads: small, shaped and named as a LLaMA checkpoint stores it.
    const d = 64;
    const hidden = 176;
    const bf16 = (seed: number, n: number) => Uint16Array.from({ length: n }, (_, i) => 0x3c00 | (((i * 2654435761 + seed) >>> 0) % 0x7f) | ((i & 1) << 15));
    fs.writeFileSync(path.join(dir, 'model.safetensors'), safetensorsFile([
      { name: 'model.layers.0.mlp.down_proj.weight', dtype: 'BF16', shape: [d, hidden], data: bf16(3, d * hidden) },
      { name: 'model.layers.0.mlp.gate_proj.weight', dtype: 'BF16', shape: [hidden, d], data: bf16(1, hidden * d) },
      { name: 'model.layers.0.mlp.up_proj.weight', dtype: 'BF16', shape: [hidden, d], data: bf16(2, hidden * d) },
    ], { format: 'pt' }));
    const c = compile(dir);
    expect(c.output).toBe('');
    expect(c.code).toBe(0);
    const r = run(dir, 'index.ts');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    checkOutput(r.stdout);
    examples.forEach((e, i) => {
      const x = run(dir, `readme-${i}.ts`);
      expect(x.stderr, `README example under "${e.heading}"`).toBe('');
      expect(x.code, `README example under "${e.heading}"`).toBe(0);
    });
  }, 180_000);

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
