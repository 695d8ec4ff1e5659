// package.json's `engines.node` promises only Node versions on which every runtime dependency
// installs and runs: for each package reachable through `dependencies` (and installed
// `optionalDependencies`) from ours, as resolved in node_modules/, our range must be a subset of its
// own `engines.node`. The README's install sentence states the same range.
import * as fs from 'node:fs';
import * as path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

interface Manifest {
  name: string;
  version: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

const read = (dir: string): Manifest => JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));

/** Where Node would find `name` when `from` (a package folder) requires it; null if not installed. */
function resolveFrom(from: string, name: string): string | null {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dir === path.dirname(dir)) return null;
  }
}

/** Every installed runtime dependency of ours, transitively: folder → manifest. */
function runtimeDependencies(): Map<string, Manifest> {
  const seen = new Map<string, Manifest>();
  const visit = (dir: string, m: Manifest, optional: Set<string>) => {
    for (const name of [...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {})]) {
      const at = resolveFrom(dir, name);
      if (at === null) {
        // a required dependency must be installed for its engines to be checked
        expect(optional.has(name), `${m.name} needs ${name}, which is not installed`).toBe(true);
        continue;
      }
      if (seen.has(at)) continue;
      const dep = read(at);
      seen.set(at, dep);
      visit(at, dep, new Set(Object.keys(dep.optionalDependencies ?? {})));
    }
  };
  const own = read(ROOT);
  visit(ROOT, own, new Set(Object.keys(own.optionalDependencies ?? {})));
  return seen;
}

describe('engines', () => {
  const ours = read(ROOT).engines?.node ?? '';

  it('is a valid range', () => {
    expect(semver.validRange(ours)).not.toBeNull();
  });

  it('is no wider than any runtime dependency allows', () => {
    const deps = runtimeDependencies();
    expect([...deps.values()].map((d) => d.name)).toContain('cmake-js');
    const wider: string[] = [];
    for (const dep of deps.values()) {
      const theirs = dep.engines?.node;
      if (theirs === undefined) continue;
      if (!semver.subset(ours, theirs)) wider.push(`${dep.name}@${dep.version} needs node ${theirs}`);
    }
    expect(wider, `engines.node is "${ours}"`).toEqual([]);
  });

  it('is what the README tells users they need', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const sentence = /You need Node[\s\S]*?\.(?=\s)/.exec(readme)?.[0] ?? ''; // up to the first full stop
    expect(sentence).toContain(`\`${ours}\``);
  });
});
