#!/usr/bin/env node
// Writes lib/activation-table.ts from native/runtime/activation_list.h, the one table of the elementwise
// activations, so that TypeScript reads the same rows as the kernels: the names and N-API indices
// (lib/ops.ts's Act), the default parameters, the bars, which activations the GEMM epilogue fuses, and
// the GLU family's gates (SWIGLU_GLU_OPS).
//
//   node scripts/gen-activation-table.js           rewrite lib/activation-table.ts
//   node scripts/gen-activation-table.js --check   exit 1 if it is not what the table gives
// (npm run generate runs the first; test/op-table.test.ts runs the second.)
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SOURCE = 'native/runtime/activation_list.h';
const TARGET = 'lib/activation-table.ts';

const FIELDS = ['id', 'name', 'a', 'b', 'bar', 'gradBar', 'fPos', 'fNeg', 'fpPos', 'fpNeg', 'fused'];

/** A C++ literal of the table as a JS number or boolean (kInf is the table's +Inf; 1.0f and -0.0f as written). */
function literal(text, where) {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  const m = /^(-?)(kInf|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)f?$/.exec(t);
  if (!m) throw new Error(`${SOURCE}: cannot read ${JSON.stringify(t)} (${where})`);
  const v = m[2] === 'kInf' ? Infinity : Number(m[2]);
  return m[1] ? -v : v;
}

/** The cells of each X(...) row of the X-macro `macro`, in order, each row of `width` cells. */
function readMacro(header, macro, width) {
  const start = header.indexOf(`#define ${macro}(X)`);
  if (start < 0) throw new Error(`${SOURCE}: no #define ${macro}(X)`);
  const body = [];
  for (const line of header.slice(start).split('\n').slice(1)) {
    body.push(line.replace(/\\\s*$/, ''));
    if (!/\\\s*$/.test(line)) break;
  }
  const rows = [...body.join('\n').matchAll(/X\(([^)]*)\)/g)].map((m) => {
    const cells = m[1].split(',').map((c) => c.trim());
    if (cells.length !== width) throw new Error(`${SOURCE}: ${macro} row ${m[0]} has ${cells.length} cells, not ${width}`);
    return cells;
  });
  if (rows.length === 0) throw new Error(`${SOURCE}: ${macro} has no rows`);
  return rows;
}

/** The rows of SWIGLU_ACTIVATIONS, in index order. */
function readRows(header) {
  return readMacro(header, 'SWIGLU_ACTIVATIONS', FIELDS.length).map((cells, index) => {
    const row = { index };
    FIELDS.forEach((f, i) => {
      row[f] = f === 'id' || f === 'name' ? cells[i] : literal(cells[i], `${cells[1]}.${f}`);
    });
    return row;
  });
}

/** The rows of SWIGLU_GLU_OPS: {op, gate, tanhGate}, the gates as activation rows. */
function readGluOps(header, rows) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return readMacro(header, 'SWIGLU_GLU_OPS', 3).map(([op, gate, tanhGate]) => {
    for (const id of [gate, tanhGate]) if (!byId.has(id)) throw new Error(`${SOURCE}: SWIGLU_GLU_OPS ${op}: no activation ${id}`);
    return { op, gate: byId.get(gate), tanhGate: byId.get(tanhGate) };
  });
}

/** A number as TypeScript source; a float cell keeps the float's value (f(−Inf) of selu is a float). */
function num(v, float) {
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  const x = float ? Math.fround(v) : v;
  return Object.is(x, -0) ? '-0' : String(x);
}

/** The kebab-case name packGate and the bench take ('geluTanh' → 'gelu-tanh'). */
const kebab = (name) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

function render(rows, glu) {
  const out = [];
  out.push(`// Generated from ${SOURCE} by scripts/gen-activation-table.js (npm run generate); do not edit.`);
  out.push('// test/op-table.test.ts fails while this file differs from what the table gives, and checks the compiled');
  out.push("// addon's table (_testing.activations()) against it.");
  out.push('');
  out.push('/** The N-API index of each activation, in the order of the native table (a contract with the addon). */');
  out.push('export const Act = {');
  for (const r of rows) out.push(`  ${r.name}: ${r.index},`);
  out.push('} as const;');
  out.push('export type ActName = keyof typeof Act;');
  out.push('');
  out.push('/** One row of the native table. */');
  out.push('export interface ActivationInfo {');
  out.push('  readonly name: ActName;');
  out.push('  readonly index: number;');
  out.push('  /** The parameters the public function passes by default (leakyRelu: slope; silu: beta; softplus: beta, threshold; elu: alpha). */');
  out.push('  readonly a: number;');
  out.push('  readonly b: number;');
  out.push('  /** Max ULP error of f and of dy·f′ over every float32 input (0: bitwise the correctly rounded value). */');
  out.push('  readonly bar: number;');
  out.push('  readonly gradBar: number;');
  out.push('  /** f(±Inf) (bitwise) and f′(±Inf). */');
  out.push('  readonly fPosInf: number;');
  out.push('  readonly fNegInf: number;');
  out.push('  readonly fpPosInf: number;');
  out.push('  readonly fpNegInf: number;');
  out.push('  /** Whether the GEMM epilogue applies it (packGate\'s and packFfn\'s activation). */');
  out.push('  readonly fused: boolean;');
  out.push('}');
  out.push('');
  out.push('export const ACTIVATIONS: readonly ActivationInfo[] = [');
  for (const r of rows) {
    out.push(
      `  { name: '${r.name}', index: ${r.index}, a: ${num(r.a)}, b: ${num(r.b)}, bar: ${num(r.bar)}, gradBar: ${num(r.gradBar)}, ` +
        `fPosInf: ${num(r.fPos, true)}, fNegInf: ${num(r.fNeg, true)}, fpPosInf: ${num(r.fpPos, true)}, fpNegInf: ${num(r.fpNeg, true)}, fused: ${r.fused} },`,
    );
  }
  out.push('];');
  out.push('');
  out.push("/** The activations the GEMM epilogue fuses, by the names packGate's `activation` takes. */");
  out.push(`export const FUSED_ACTIVATIONS = [${rows.filter((r) => r.fused).map((r) => `'${kebab(r.name)}'`).join(', ')}] as const;`);
  out.push('');
  out.push('/**');
  out.push(' * The GLU family, op(gate, up) = act(gate) ⊙ up: each op\'s gate activation, the parameter passed with it');
  out.push(" * (that activation's default), and the activation its approximate 'tanh' form takes instead, if any.");
  out.push(' */');
  out.push('export const GLU_GATES = {');
  for (const g of glu) {
    const tanh = g.tanhGate === g.gate ? '' : `, approximateTanh: '${g.tanhGate.name}'`;
    out.push(`  ${g.op}: { act: '${g.gate.name}', a: ${num(g.gate.a)}${tanh} },`);
  }
  out.push('} as const;');
  out.push('');
  return out.join('\n');
}

function main() {
  const header = fs.readFileSync(path.join(ROOT, SOURCE), 'utf8');
  const rows = readRows(header);
  const text = render(rows, readGluOps(header, rows));
  const target = path.join(ROOT, TARGET);
  if (process.argv.includes('--check')) {
    const now = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (now !== text) {
      process.stderr.write(`${TARGET} is not what ${SOURCE} gives: run npm run generate\n`);
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(target, text);
}

if (require.main === module) main();
module.exports = { readRows, readGluOps, render };
