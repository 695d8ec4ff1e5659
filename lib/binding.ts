// Loads the compiled addon. If it is missing or cannot be loaded, the error says why and how to
// rebuild it, instead of a bare "Cannot find module".
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Binding } from './binding-types';

const ADDON = path.join('build', 'Release', 'swiglu.node');

/** The package root: the nearest folder above this file that holds our package.json. */
function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg)) {
      try {
        if (JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'swiglu') return dir;
      } catch {
        /* not ours: keep looking */
      }
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(__dirname, '..');
    dir = up;
  }
}

function load(): Binding {
  // SWIGLU_ADDON lets the sanitizer and cross builds point at another build of the same sources.
  const file = process.env.SWIGLU_ADDON || path.join(packageRoot(), ADDON);
  try {
    return require(file) as Binding;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (/SWIGLU_ISA/.test(reason)) throw err; // a forced ISA this CPU cannot run: already explicit
    const missing = !fs.existsSync(file);
    const e = new Error(
      `swiglu: cannot load the native addon ${file}\n` +
        (missing ? '  It has not been built.\n' : `  Reason: ${reason}\n`) +
        '  Rebuild it with `npm rebuild swiglu` (or `npm run build:native` in a checkout);\n' +
        '  that needs cmake >= 3.15 and a C++17 compiler (g++ >= 9 or clang >= 10) on PATH.',
    );
    (e as Error & { cause?: unknown }).cause = err;
    throw e;
  }
}

export const binding: Binding = load();
