// The version of the installed swiglu package, read from its package.json without loading the addon
// (so that `swiglu-bench --version` answers even where the addon cannot load).
import * as fs from 'node:fs';
import * as path from 'node:path';

/** package.json's version: from dist/bench/ (installed or built) or bench/ (run from source); 'unknown' if neither is ours. */
export function packageVersion(): string {
  for (const p of [path.join(__dirname, '..', '..', 'package.json'), path.join(__dirname, '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (pkg.name === 'swiglu') return String(pkg.version);
    } catch {
      /* keep looking */
    }
  }
  return 'unknown';
}
