'use strict';
// Shared helpers for ort-run.js / ort-bench.js.

const path = require('path');
const { readNpy } = require('./npy.js');

function loadOrt() {
  try {
    return require('onnxruntime-node');
  } catch (e) {
    const dir = path.relative(process.cwd(), __dirname) || '.';
    process.stderr.write(`error: cannot load onnxruntime-node (${e.message.split('\n')[0]})\n` +
      `       run ${path.join(dir, 'install.sh')} first\n`);
    process.exit(2);
  }
}

// Tiny argv parser: flags listed in `multi` may repeat, others take one value.
function parseArgs(argv, spec) {
  const out = { _: [] };
  for (const k of spec.multi || []) out[k] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-h' || a === '--help') { out.help = true; continue; }
    if (a.startsWith('--')) {
      let key = a.slice(2), val;
      const eq = key.indexOf('=');
      if (eq >= 0) { val = key.slice(eq + 1); key = key.slice(0, eq); }
      if ((spec.bool || []).includes(key)) { out[key] = true; continue; }
      if (!(spec.multi || []).includes(key) && !(spec.single || []).includes(key)) {
        throw new Error(`unknown option --${key}`);
      }
      if (val === undefined) {
        if (i + 1 >= argv.length) throw new Error(`--${key} needs a value`);
        val = argv[++i];
      }
      if ((spec.multi || []).includes(key)) out[key].push(val); else out[key] = val;
    } else {
      out._.push(a);
    }
  }
  return out;
}

function intOpt(v, def, name) {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer`);
  return n;
}

async function createSession(ort, model, threads, optLevel) {
  return ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: optLevel || 'all',
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
}

// Inputs are "FILE.npy" (bound to session.inputNames in order) or
// "NAME=FILE.npy".
function makeFeeds(ort, session, specs) {
  const feeds = {};
  let pos = 0;
  for (const s of specs) {
    let name, file;
    const eq = s.indexOf('=');
    if (eq > 0 && !s.slice(0, eq).includes('/') && session.inputNames.includes(s.slice(0, eq))) {
      name = s.slice(0, eq); file = s.slice(eq + 1);
    } else {
      while (pos < session.inputNames.length && session.inputNames[pos] in feeds) pos++;
      if (pos >= session.inputNames.length) throw new Error(`too many inputs (model has ${session.inputNames.length})`);
      name = session.inputNames[pos]; file = s;
    }
    const a = readNpy(file);
    feeds[name] = new ort.Tensor(a.type, a.data, a.dims);
  }
  const missing = session.inputNames.filter((n) => !(n in feeds));
  if (missing.length) throw new Error(`missing inputs: ${missing.join(', ')}`);
  return feeds;
}

module.exports = { loadOrt, parseArgs, intOpt, createSession, makeFeeds };
