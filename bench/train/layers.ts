// The model's parts, each a forward that returns what its backward needs and a backward that returns
// the input gradient and writes the parameter gradients (overwriting: every parameter is used once per
// step). Row-major f32; sg.matmul for every product (./mm). Checked against finite differences in
// test/train-grad.test.ts.
import { mm, mmAT, mmBT } from './mm';

// ---- embedding: x[t] = E[token[t]] + P[t mod context] ----

export function embedForward(tokens: Int32Array, E: Float32Array, P: Float32Array, context: number, d: number): Float32Array {
  const x = new Float32Array(tokens.length * d);
  for (let t = 0; t < tokens.length; t++) {
    const e = tokens[t] * d;
    const p = (t % context) * d;
    const o = t * d;
    for (let j = 0; j < d; j++) x[o + j] = E[e + j] + P[p + j];
  }
  return x;
}

export function embedBackward(tokens: Int32Array, dx: Float32Array, gE: Float32Array, gP: Float32Array, context: number, d: number): void {
  gE.fill(0);
  gP.fill(0);
  for (let t = 0; t < tokens.length; t++) {
    const e = tokens[t] * d;
    const p = (t % context) * d;
    const o = t * d;
    for (let j = 0; j < d; j++) {
      gE[e + j] += dx[o + j];
      gP[p + j] += dx[o + j];
    }
  }
}

// ---- RMSNorm: y = x / sqrt(mean(x²) + eps) ⊙ g ----

export const RMS_EPS = 1e-5;
export interface NormCache {
  x: Float32Array;
  rinv: Float64Array;
}

export function rmsForward(x: Float32Array, g: Float32Array, d: number): { y: Float32Array; cache: NormCache } {
  const rows = x.length / d;
  const y = new Float32Array(x.length);
  const rinv = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    let ss = 0;
    for (let j = 0; j < d; j++) ss += x[o + j] * x[o + j];
    const ri = 1 / Math.sqrt(ss / d + RMS_EPS);
    rinv[r] = ri;
    for (let j = 0; j < d; j++) y[o + j] = x[o + j] * ri * g[j];
  }
  return { y, cache: { x, rinv } };
}

export function rmsBackward(c: NormCache, g: Float32Array, dy: Float32Array, gg: Float32Array, d: number): Float32Array {
  const { x, rinv } = c;
  const rows = x.length / d;
  const dx = new Float32Array(x.length);
  const acc = new Float64Array(d);
  for (let r = 0; r < rows; r++) {
    const o = r * d;
    const ri = rinv[r];
    let dot = 0; // Σ dxhat·xhat
    for (let j = 0; j < d; j++) {
      const xh = x[o + j] * ri;
      acc[j] += dy[o + j] * xh;
      dot += dy[o + j] * g[j] * xh;
    }
    const m = dot / d;
    for (let j = 0; j < d; j++) dx[o + j] = ri * (dy[o + j] * g[j] - x[o + j] * ri * m);
  }
  for (let j = 0; j < d; j++) gg[j] = acc[j];
  return dx;
}

// ---- causal multi-head self-attention: y = concat_h(softmax(q kᵀ/√hd + mask) v) · Wo, [q|k|v] = x·Wqkv ----

export interface AttnShape {
  batch: number; // sequences
  context: number; // tokens per sequence
  d: number;
  heads: number;
}
export interface AttnCache {
  x: Float32Array; // [T, d]
  q: Float32Array; // [batch·heads, context, hd], likewise k, v
  k: Float32Array;
  v: Float32Array;
  p: Float32Array; // attention weights [batch·heads, context, context]
  o: Float32Array; // heads concatenated [T, d]
}

/** [T, 3d] → three [B·H, C, hd] arrays (and back with `back`). */
function splitHeads(qkv: Float32Array, s: AttnShape, q: Float32Array, k: Float32Array, v: Float32Array, back = false): void {
  const { batch, context: C, d, heads: H } = s;
  const hd = d / H;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < C; t++) {
      const row = (b * C + t) * 3 * d;
      for (let h = 0; h < H; h++) {
        const dst = ((b * H + h) * C + t) * hd;
        const src = row + h * hd;
        for (let j = 0; j < hd; j++) {
          if (back) {
            qkv[src + j] = q[dst + j];
            qkv[src + d + j] = k[dst + j];
            qkv[src + 2 * d + j] = v[dst + j];
          } else {
            q[dst + j] = qkv[src + j];
            k[dst + j] = qkv[src + d + j];
            v[dst + j] = qkv[src + 2 * d + j];
          }
        }
      }
    }
  }
}

/** [B·H, C, hd] ↔ [T, d] (heads side by side). */
function mergeHeads(heads: Float32Array, s: AttnShape, out: Float32Array, back = false): void {
  const { batch, context: C, d, heads: H } = s;
  const hd = d / H;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < H; h++) {
      for (let t = 0; t < C; t++) {
        const src = ((b * H + h) * C + t) * hd;
        const dst = (b * C + t) * d + h * hd;
        for (let j = 0; j < hd; j++) {
          if (back) heads[src + j] = out[dst + j];
          else out[dst + j] = heads[src + j];
        }
      }
    }
  }
}

export function attnForward(x: Float32Array, wqkv: Float32Array, wo: Float32Array, s: AttnShape): { y: Float32Array; cache: AttnCache } {
  const { batch, context: C, d, heads: H } = s;
  const T = batch * C;
  const hd = d / H;
  const scale = 1 / Math.sqrt(hd);
  const qkv = mm(x, wqkv, T, d, 3 * d);
  const q = new Float32Array(T * d);
  const k = new Float32Array(T * d);
  const v = new Float32Array(T * d);
  splitHeads(qkv, s, q, k, v);
  const p = new Float32Array(batch * H * C * C);
  const oh = new Float32Array(T * d);
  for (let bh = 0; bh < batch * H; bh++) {
    const qs = q.subarray(bh * C * hd, (bh + 1) * C * hd);
    const ks = k.subarray(bh * C * hd, (bh + 1) * C * hd);
    const vs = v.subarray(bh * C * hd, (bh + 1) * C * hd);
    const ps = p.subarray(bh * C * C, (bh + 1) * C * C);
    mmBT(qs, ks, C, hd, C, ps);
    for (let i = 0; i < C; i++) {
      const r = i * C;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) max = Math.max(max, ps[r + j] * scale);
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp(ps[r + j] * scale - max);
        ps[r + j] = e;
        sum += e;
      }
      for (let j = 0; j <= i; j++) ps[r + j] /= sum;
      for (let j = i + 1; j < C; j++) ps[r + j] = 0;
    }
    mm(ps, vs, C, C, hd, oh.subarray(bh * C * hd, (bh + 1) * C * hd));
  }
  const o = new Float32Array(T * d);
  mergeHeads(oh, s, o);
  const y = mm(o, wo, T, d, d);
  return { y, cache: { x, q, k, v, p, o } };
}

export function attnBackward(c: AttnCache, wqkv: Float32Array, wo: Float32Array, dy: Float32Array, gqkv: Float32Array, gwo: Float32Array, s: AttnShape): Float32Array {
  const { batch, context: C, d, heads: H } = s;
  const T = batch * C;
  const hd = d / H;
  const scale = 1 / Math.sqrt(hd);
  mmAT(c.o, dy, d, T, d, gwo);
  const dO = mmBT(dy, wo, T, d, d);
  const dOh = new Float32Array(T * d);
  mergeHeads(dOh, s, dO, true);
  const dq = new Float32Array(T * d);
  const dk = new Float32Array(T * d);
  const dv = new Float32Array(T * d);
  const dP = new Float32Array(C * C);
  for (let bh = 0; bh < batch * H; bh++) {
    const sl = (a: Float32Array) => a.subarray(bh * C * hd, (bh + 1) * C * hd);
    const ps = c.p.subarray(bh * C * C, (bh + 1) * C * C);
    const dOs = sl(dOh);
    mmBT(dOs, sl(c.v), C, hd, C, dP); // dP = dO·vᵀ
    mmAT(ps, dOs, C, C, hd, sl(dv)); // dv = Pᵀ·dO
    for (let i = 0; i < C; i++) {
      // dS = P ⊙ (dP − Σ_j P·dP) · scale (masked entries have P = 0)
      const r = i * C;
      let dot = 0;
      for (let j = 0; j <= i; j++) dot += ps[r + j] * dP[r + j];
      for (let j = 0; j < C; j++) dP[r + j] = j <= i ? ps[r + j] * (dP[r + j] - dot) * scale : 0;
    }
    mm(dP, sl(c.k), C, C, hd, sl(dq)); // dq = dS·k
    mmAT(dP, sl(c.q), C, C, hd, sl(dk)); // dk = dSᵀ·q
  }
  const dqkv = new Float32Array(T * 3 * d);
  splitHeads(dqkv, s, dq, dk, dv, true);
  mmAT(c.x, dqkv, d, T, 3 * d, gqkv);
  return mmBT(dqkv, wqkv, T, 3 * d, d);
}

// ---- the output head and softmax cross-entropy (mean over tokens, nats) ----

export function crossEntropy(logits: Float32Array, targets: Int32Array, V: number, wantGrad: boolean): { loss: number; dlogits: Float32Array | null } {
  const T = targets.length;
  const dl = wantGrad ? new Float32Array(T * V) : null;
  let total = 0;
  for (let t = 0; t < T; t++) {
    const o = t * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) max = Math.max(max, logits[o + j]);
    let sum = 0;
    for (let j = 0; j < V; j++) sum += Math.exp(logits[o + j] - max);
    const lse = max + Math.log(sum);
    total += lse - logits[o + targets[t]];
    if (dl) {
      for (let j = 0; j < V; j++) dl[o + j] = Math.exp(logits[o + j] - lse) / T;
      dl[o + targets[t]] -= 1 / T;
    }
  }
  return { loss: total / T, dlogits: dl };
}

/** The head y = x·W (W [d×V]): forward is mm; backward writes gW = xᵀ·dy and returns dy·Wᵀ. */
export function linearBackward(x: Float32Array, w: Float32Array, dy: Float32Array, gw: Float32Array, rows: number, din: number, dout: number): Float32Array {
  mmAT(x, dy, din, rows, dout, gw);
  return mmBT(dy, w, rows, dout, din);
}
