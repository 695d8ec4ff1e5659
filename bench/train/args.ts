// `swiglu-bench train`'s options: its own parser (node:util parseArgs), errors as the bench's UsageError.
import { parseArgs } from 'node:util';
import { UsageError, positiveInt } from '../args';
import { ARMS, Arm, PRESETS, TrainConfig } from './config';

export interface TrainOptions {
  config: TrainConfig;
  corpus: string | null;
  format: 'table' | 'md' | 'json';
  svg: string | null;
  help: boolean;
}

export const TRAIN_USAGE = `usage: swiglu-bench train [options]

ReLU vs GELU vs SwiGLU vs GEGLU FFNs in a small character-level transformer LM, trained on Moby-Dick
(or --corpus FILE), the FFN forward and backward through this package's ops. See docs/experiment.md.

options:
  --preset NAME    default (4 layers, width 128, 4 heads, context 64, batch 12, 2000 steps, seeds 1,2,3;
                   minutes per run on 2 cores) or smoke (1 layer, width 48, 150 steps, seed 1; seconds)
  --arms LIST      FFNs to compare, e.g. relu,swiglu (default relu,gelu,swiglu,geglu)
  --seeds LIST     init seeds, e.g. 1,2,3 (every arm sees the same batches whatever the seed)
  --steps N        optimizer steps per run
  --layers N, --width N, --heads N, --context N, --batch N
                   the model (width = d; plain FFN hidden 4·d, GLU hidden ≈ 2/3 of that, multiple of 8)
  --lr X           peak learning rate (AdamW; linear warmup, then cosine to 10 %)
  --warmup N       warmup steps
  --eval-every N   steps between validation points of the curves
  --corpus FILE    any UTF-8 text instead of Moby-Dick (the last 10 % is the validation set)
  --json           print only JSON on stdout (schema: docs/bench.md)
  --md             print Markdown tables
  --svg FILE       also write the loss curves (per arm: seeds thin, mean bold)
  -h, --help       this text`;

function num(text: string, name: string): number {
  const v = Number(text);
  if (!/^\s*[0-9.]+([eE][-+]?[0-9]+)?\s*$/.test(text) || !Number.isFinite(v) || v <= 0 || v > 1) throw new UsageError(`${name}: expected a number in (0, 1], got "${text}"`);
  return v;
}

export function parseTrain(argv: string[]): TrainOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        preset: { type: 'string' },
        arms: { type: 'string' },
        seeds: { type: 'string' },
        steps: { type: 'string' },
        layers: { type: 'string' },
        width: { type: 'string' },
        heads: { type: 'string' },
        context: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        warmup: { type: 'string' },
        'eval-every': { type: 'string' },
        corpus: { type: 'string' },
        json: { type: 'boolean' },
        md: { type: 'boolean' },
        svg: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('. ')[0].replace(/\.$/, '') : String(err);
    throw new UsageError(`train: ${msg}`);
  }
  const v = parsed.values;
  if (v.json && v.md) throw new UsageError('--json and --md are exclusive');
  const preset = v.preset ?? 'default';
  if (preset !== 'default' && preset !== 'smoke') throw new UsageError(`--preset: unknown preset "${preset}" (default or smoke)`);
  const c: TrainConfig = { ...PRESETS[preset], preset, arms: [...ARMS], plainHidden: 0 };
  if (v.arms !== undefined) {
    const arms = v.arms.split(',').map((s) => s.trim());
    for (const a of arms) if (!(ARMS as readonly string[]).includes(a)) throw new UsageError(`--arms: unknown arm "${a}" (one of ${ARMS.join(', ')})`);
    c.arms = [...new Set(arms)] as Arm[];
  }
  if (v.seeds !== undefined) c.seeds = [...new Set(v.seeds.split(',').map((s) => positiveInt(s, '--seeds', 2 ** 31 - 1)))];
  const int = (key: 'steps' | 'layers' | 'width' | 'heads' | 'context' | 'batch' | 'warmup', max: number) => {
    const t = v[key];
    if (t !== undefined) c[key] = positiveInt(t, `--${key}`, max);
  };
  int('steps', 1e7);
  int('layers', 64);
  int('width', 4096);
  int('heads', 256);
  int('context', 4096);
  int('batch', 4096);
  int('warmup', 1e7);
  if (v.lr !== undefined) c.lr = num(v.lr, '--lr');
  if (v['eval-every'] !== undefined) c.evalEvery = positiveInt(v['eval-every'], '--eval-every', 1e7);
  if (c.width % c.heads !== 0) throw new UsageError(`--width ${c.width} must be a multiple of --heads ${c.heads}`);
  // A warmup longer than half the run leaves no room for the cosine: clamp it.
  c.warmup = Math.min(c.warmup, Math.max(1, Math.floor(c.steps / 2)));
  c.evalEvery = Math.min(c.evalEvery, c.steps);
  c.plainHidden = 4 * c.width;
  if (v.svg !== undefined && v.svg.trim() === '') throw new UsageError('--svg: expected a file name');
  return { config: c, corpus: v.corpus ?? null, format: v.json ? 'json' : v.md ? 'md' : 'table', svg: v.svg ?? null, help: !!v.help };
}
