// `swiglu-bench train --preset smoke` end to end through the module (what the CLI runs): every arm
// learns (validation loss down by more than 1 nat from its start), the arms' parameter counts match
// within 1 %, and the JSON carries the fields docs/bench.md documents. Plus the option parser, the
// corpus split and the reports.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../bench/args';
import { main } from '../bench/cli';
import { parseTrain } from '../bench/train/args';
import { fixedWindows, loadCorpus } from '../bench/train/data';
import type { TrainReport } from '../bench/train/experiment';
import { renderTrainSvg, renderTrainText } from '../bench/train/report';

/** main(argv) as the CLI runs it, with stdout and stderr captured. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('swiglu-bench train --preset smoke', () => {
  let json: TrainReport;
  let stderr = '';
  beforeAll(async () => {
    const r = await cli(['train', '--preset', 'smoke', '--json']);
    expect(r.code, r.stderr).toBe(0);
    json = JSON.parse(r.stdout); // throws if anything else is on stdout
    stderr = r.stderr;
  }, 120_000);

  it('one progress line per run on stderr (not a terminal), nothing but JSON on stdout', () => {
    expect(stderr.trim().split('\n')).toHaveLength(4);
    expect(stderr).toMatch(/^train: relu seed 1: validation /m);
  });

  it('every arm: validation loss falls by more than 1 nat/char from its start', () => {
    expect(json.arms.map((a) => a.name)).toEqual(['relu', 'gelu', 'swiglu', 'geglu']);
    for (const a of json.arms) {
      for (const r of a.runs) {
        expect(r.startValLoss - r.finalValLoss, `${a.name} seed ${r.seed}`).toBeGreaterThan(1);
        expect(r.curve[0].valLoss - r.curve[r.curve.length - 1].valLoss, `${a.name} seed ${r.seed} curve`).toBeGreaterThan(1);
      }
    }
  });

  it('parameter counts match within 1 %', () => {
    const relu = json.arms.find((a) => a.name === 'relu')!.params;
    for (const a of json.arms) {
      expect(Math.abs(a.params / relu - 1), a.name).toBeLessThan(0.01);
      expect(Math.abs(a.paramsVsBaseline)).toBeLessThan(0.01);
    }
  });

  it('the JSON schema (docs/bench.md, train)', () => {
    expect(json.schema).toBe('swiglu-bench/train/1');
    expect(typeof json.machine.cpu).toBe('string');
    expect(json.config.preset).toBe('smoke');
    expect(json.corpus.vocab).toBeGreaterThan(20);
    expect(json.baseline).toBe('relu');
    for (const k of ['relu', 'gelu', 'swiglu', 'geglu']) expect(['package', 'local-reference']).toContain(json.backwardOps[k].source);
    for (const a of json.arms) {
      expect(typeof a.name).toBe('string');
      expect(a.params).toBeGreaterThan(0);
      expect(a.hidden % 8).toBe(0);
      expect(a.finalValLoss.n).toBe(a.runs.length);
      for (const r of a.runs) {
        expect(r.seed).toBe(1);
        expect(r.finalValLoss).toBeGreaterThan(0);
        expect(r.finalValPerplexity).toBeCloseTo(Math.exp(r.finalValLoss), 6);
        expect(r.curve.length).toBeGreaterThan(2);
        for (const p of r.curve) {
          expect(Number.isInteger(p.step)).toBe(true);
          expect(Number.isFinite(p.trainLoss)).toBe(true);
          expect(Number.isFinite(p.valLoss)).toBe(true);
        }
        expect(r.curve[r.curve.length - 1].step).toBe(json.config.steps);
        expect(r.curve[r.curve.length - 1].ffnGradNorm).toHaveLength(json.config.layers);
        expect(r.deadFraction).toBeGreaterThanOrEqual(0);
        expect(r.deadFractionByLayer).toHaveLength(json.config.layers);
        expect(r.stepMs).toBeGreaterThan(0);
        expect(r.gflopsPerSec).toBeGreaterThan(0);
        if (a.name === 'relu') expect(r.reachBaseline?.step).toBeLessThanOrEqual(json.config.steps);
        else expect(r.reachBaseline === null || r.reachBaseline.step > 0).toBe(true);
      }
    }
    expect(json.paired.map((p) => p.arm)).toEqual(['gelu', 'swiglu', 'geglu']);
  });

  it('text, Markdown and SVG reports', () => {
    const text = renderTrainText(json, false);
    for (const a of ['relu', 'gelu', 'swiglu', 'geglu']) expect(text).toContain(a);
    expect(renderTrainText(json, true)).toMatch(/^\| arm \| hidden \| params/m);
    const svg = renderTrainSvg(json);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/stroke-width="2.6"/g)!.length).toBeGreaterThanOrEqual(2 * 4); // a bold mean per arm and panel
  });
});

describe('swiglu-bench train: options and corpus', () => {
  it('a bad option or an unwritable --svg: one line and the usage on stderr, exit 2, before any training', async () => {
    const bad = await cli(['train', '--arms', 'relu,tanh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^swiglu-bench: --arms: unknown arm "tanh"/);
    const svg = await cli(['train', '--preset', 'smoke', '--svg', path.join(os.tmpdir(), 'no-such-folder-swiglu', 'x.svg')]);
    expect(svg.code).toBe(2);
    expect(svg.stderr).toMatch(/^swiglu-bench: --svg .*: cannot write there: folder .* does not exist\n$/);
    const corpus = await cli(['train', '--corpus', path.join(os.tmpdir(), 'no-such-file-swiglu.txt')]);
    expect(corpus.code).toBe(2);
    expect(corpus.stderr).toMatch(/^swiglu-bench: train: --corpus .*: cannot read it/);
    expect((await cli(['train', '--help'])).stdout).toMatch(/^usage: swiglu-bench train/);
  });

  it('presets, overrides and bad values', () => {
    const o = parseTrain(['--arms', 'relu,swiglu', '--seeds', '1,2', '--steps', '40', '--width', '64', '--heads', '4', '--lr', '3e-3']);
    expect(o.config.arms).toEqual(['relu', 'swiglu']);
    expect(o.config.seeds).toEqual([1, 2]);
    expect(o.config.steps).toBe(40);
    expect(o.config.plainHidden).toBe(256);
    expect(o.config.warmup).toBe(20);
    expect(parseTrain([]).config).toMatchObject({ layers: 4, width: 128, heads: 4, context: 64, batch: 12, steps: 2000, seeds: [1, 2, 3] });
    expect(() => parseTrain(['--arms', 'tanh'])).toThrow(UsageError);
    expect(() => parseTrain(['--preset', 'huge'])).toThrow(UsageError);
    expect(() => parseTrain(['--width', '30', '--heads', '4'])).toThrow(UsageError);
    expect(() => parseTrain(['--json', '--md'])).toThrow(UsageError);
  });

  it('--corpus FILE: the last 10 % is validation; fixed windows stay inside it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'swiglu-train-'));
    try {
      const file = path.join(dir, 'text.txt');
      fs.writeFileSync(file, 'abcdefghij'.repeat(100) + 'é—');
      const c = loadCorpus(file);
      expect(c.chars).toBe(1002);
      expect(c.vocab).toContain('—');
      expect(c.val.length).toBe(1002 - Math.floor(1002 * 0.9));
      for (const o of fixedWindows(c.val, 16, 50)) expect(o + 17).toBeLessThanOrEqual(c.val.length);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
