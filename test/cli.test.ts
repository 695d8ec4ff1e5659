// swiglu-bench's answers that need no benchmark: --version, `help`, and an output path that cannot be
// written, refused before anything runs. The CLI is compiled from the current sources into a scratch
// folder (the repo's dist/ is left to the other suites) and spawned as users run it.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE } from '../bench/args';

const ROOT = path.resolve(__dirname, '..');
const VERSION: string = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
let work = '';
let cliJs = '';

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'swiglu-cli-'));
  // A package root of its own: package.json (the version), dist/ fresh from the sources, the
  // dependencies and the built addon of the checkout.
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(work, 'package.json'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'), 'dir');
  fs.symlinkSync(path.join(ROOT, 'build'), path.join(work, 'build'), 'dir');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', ROOT, '--outDir', path.join(work, 'dist')], { stdio: 'pipe' });
  cliJs = path.join(work, 'dist', 'bench', 'cli.js');
}, 120_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

// SWIGLU_ADDON points at nothing: a CLI that got as far as loading the addon (to run anything)
// would exit 1 with the load error, so exit 2 with the expected line proves it stopped before.
function cli(args: string[]) {
  const r = spawnSync(process.execPath, [cliJs, ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, SWIGLU_ADDON: path.join(work, 'no-addon.node') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('swiglu-bench output paths are checked before anything runs', () => {
  it.each([
    ['a missing folder', () => '/no/such/dir/x.svg', /^swiglu-bench: --svg \/no\/such\/dir\/x\.svg: cannot write there: folder \/no\/such\/dir does not exist\n$/],
    ['a folder that is a file', () => path.join(work, 'package.json', 'x.svg'), /: cannot write there: .*package\.json is not a folder\n$/],
    ['a path that is a folder', () => work, /: cannot write there: it exists and is not a regular file\n$/],
  ])('--svg into %s: one line naming the option and the path, exit 2', (_what, file, message) => {
    const target = file();
    for (const command of [[], ['activations', '--sizes', '1e3']]) {
      const r = cli([...command, '--svg', target]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.startsWith(`swiglu-bench: --svg ${target}: `)).toBe(true);
      expect(r.stdout).toBe('');
      expect(r.code).toBe(2);
    }
  });
});

describe('--version and help', () => {
  it('--version prints the package version', () => {
    const r = cli(['--version']);
    expect(r.stdout).toBe(`${VERSION}\n`);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('`help` prints what --help prints', () => {
    const help = cli(['--help']);
    expect(help.stdout).toBe(`${USAGE}\n`);
    expect(help.code).toBe(0);
    const r = cli(['help']);
    expect(r.stdout).toBe(help.stdout);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(USAGE).toMatch(/^ {2}help {9}/m);
    expect(USAGE).toMatch(/^ {2}--version {8}/m);
  });
});
