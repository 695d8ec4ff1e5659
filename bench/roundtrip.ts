// The call round trip JS → native → JS for a 16-element op (bar: ≤ 1 µs, verdicts.ts), through the public API
// (with its argument checks), through the raw binding, and through onnxruntime-node's session.run.
import { raw, sg } from './api';
import { Context } from './context';
import { inputs } from './ops';
import { Act } from '../lib/ops';
import { OrtRunner, unaryGraph } from './peers/ort';
import { mapStat, stat, timeAsync, timeCalls } from './timing';

export const ROUND_TRIP_ELEMENTS = 16;

export async function runRoundTrip(ctx: Context): Promise<void> {
  const n = ROUND_TRIP_ELEMENTS;
  const x = inputs(n, 3);
  const out = new Float32Array(n);
  const t = { ...ctx.timing, minSampleMs: Math.max(ctx.timing.minSampleMs, 10) };
  const us = (secs: number[]) => mapStat(stat(secs), (s) => s * 1e6);
  ctx.progress.tick('round trip');
  sg.setNumThreads(1);
  ctx.report.roundTrip.push({ impl: 'swiglu', op: 'silu', elements: n, microsPerCall: us(await timeCalls(() => sg.silu(x, { out }), t)) });
  ctx.report.roundTrip.push({
    impl: 'swiglu-binding',
    op: 'silu',
    elements: n,
    microsPerCall: us(await timeCalls(() => raw.unary(Act.silu, x, out, 1, 0), t)),
  });
  if (ctx.useOrt) {
    const r = await OrtRunner.create(unaryGraph('silu', n)!, { X: x }, 1);
    if (r) {
      ctx.report.roundTrip.push({ impl: 'onnxruntime', op: 'silu', elements: n, microsPerCall: us(await timeAsync(() => r.run(), t)) });
      await r.release();
    }
  }
}
