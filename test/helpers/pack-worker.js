'use strict';
// A worker_thread for test/pack-sharing.test.ts: computes with the packs it is handed (in workerData or
// in messages) exactly as a user's worker would, passing what it received straight to the ops, and
// answers each request { id, ... } with { id, ... } or { id, error: { name, message } }.
//   workerData: { lib: path of dist/lib/index.js, packs?: { [name]: pack } }
//   { id, cmd: 'run', pack | packName, x, rounds? }  every op form that takes this pack (sync and async),
//       `rounds` times over; replies { id, results: { [form]: Float32Array } } (the last round's) and
//       { id, started: true } once the first round's async ops are in flight
//   { id, cmd: 'keep', name, pack }                   holds a pack received in a message under `name`
//   { id, cmd: 'drop', name }                         lets go of it
//   { id, cmd: 'byte', packName, index }              Atomics.load of one byte of the pack's buffer
//   { id, cmd: 'pack', weights, options, ffn }        packs here and replies { id, pack }
//   { id, cmd: 'forged', pack, x }                    the forgeries of FORGERIES, each passed to the op
const { parentPort, workerData } = require('node:worker_threads');

const sg = require(workerData.lib);
const held = { ...(workerData.packs || {}) };

// Every op form that takes this pack (a clone: its fields say what it is), with x.
async function runAll(p, x, onStarted) {
  const forms = {};
  if (p.kind === 'PackedGate') {
    const pending = { gluMatmulAsync: sg.gluMatmulAsync(x, p) };
    if (p.activation === 'silu') pending.swigluMatmulAsync = sg.swigluMatmulAsync(x, p);
    if (onStarted) onStarted();
    forms.gluMatmul = sg.gluMatmul(x, p);
    if (p.activation === 'silu') forms.swigluMatmul = sg.swigluMatmul(x, p);
    for (const [k, v] of Object.entries(pending)) forms[k] = await v;
  } else {
    const pending = { ffnAsync: sg.ffnAsync(x, p) };
    if (p.activation === 'silu' && p.gated) pending.swigluFfnAsync = sg.swigluFfnAsync(x, p);
    if (onStarted) onStarted();
    forms.ffn = sg.ffn(x, p);
    if (p.activation === 'silu' && p.gated) forms.swigluFfn = sg.swigluFfn(x, p);
    for (const [k, v] of Object.entries(pending)) forms[k] = await v;
  }
  return forms;
}

// Forged variants of a received clone `c`: [name, object]. The test expects each to be refused with
// the error class it names.
const FORGERIES = {
  'buffer of the wrong length': (c) => ({ ...c, buffer: new SharedArrayBuffer(c.buffer.byteLength + 64) }),
  'new buffer of the right length': (c) => ({ ...c, buffer: new SharedArrayBuffer(c.buffer.byteLength) }),
  'an ArrayBuffer': (c) => ({ ...c, buffer: new ArrayBuffer(c.buffer.byteLength) }),
  'inFeatures edited': (c) => ({ ...c, inFeatures: c.inFeatures + 1 }),
  'activation edited': (c) => ({ ...c, activation: c.activation === 'relu' ? 'gelu' : 'relu' }),
  'dtype edited': (c) => ({ ...c, dtype: c.dtype === 'f32' ? 'bf16' : 'f32' }),
  'no kind': (c) => ({ ...c, kind: undefined }),
  'a plain object': () => ({ inFeatures: 4, outFeatures: 4 }),
};

function errorOf(e) {
  return { name: e && e.constructor ? e.constructor.name : typeof e, message: e && e.message };
}

parentPort.on('message', async (m) => {
  const reply = (r) => parentPort.postMessage({ id: m.id, ...r });
  try {
    if (m.cmd === 'run') {
      const p = m.pack || held[m.packName];
      let results;
      for (let i = 0; i < (m.rounds || 1); i++) results = await runAll(p, m.x, i === 0 ? () => reply({ started: true }) : null);
      reply({ results });
    } else if (m.cmd === 'keep') {
      held[m.name] = m.pack;
      reply({});
    } else if (m.cmd === 'drop') {
      delete held[m.name];
      reply({});
    } else if (m.cmd === 'byte') {
      reply({ value: Atomics.load(new Uint8Array(held[m.packName].buffer), m.index) });
    } else if (m.cmd === 'pack') {
      const pack = m.ffn ? sg.packFfn({ ...m.weights, ...m.options }) : sg.packGate(m.weights.gate, m.weights.up, m.options);
      reply({ pack });
    } else if (m.cmd === 'forged') {
      const outcomes = {};
      for (const [name, forge] of Object.entries(FORGERIES)) {
        try {
          const f = forge(m.pack);
          if (m.pack.kind === 'PackedGate') sg.gluMatmul(m.x, f);
          else sg.ffn(m.x, f);
          outcomes[name] = { name: 'ok' };
        } catch (e) {
          outcomes[name] = errorOf(e);
        }
      }
      reply({ outcomes });
    } else {
      reply({ error: { name: 'Error', message: `unknown command ${m.cmd}` } });
    }
  } catch (e) {
    reply({ error: errorOf(e) });
  }
});
