#!/usr/bin/env node
'use strict';
// Run an ONNX model with ONNX Runtime (CPU) on .npy inputs, write .npy outputs.
//
//   node tools/ort/ort-run.js MODEL.onnx --input X.npy [--input NAME=X2.npy ...]
//        --output Y.npy [--output NAME=Y2.npy ...] [--threads N]
//        [--opt-level all|extended|basic|disabled] [--quiet]
//
// Positional --input/--output files bind to the model's inputs/outputs in
// order; NAME=FILE binds by name.  Prints one summary line per output.
// Exit codes: 0 ok, 1 ORT/model error, 2 usage error.

const { writeNpy } = require('./npy.js');
const { loadOrt, parseArgs, intOpt, createSession, makeFeeds } = require('./common.js');

const USAGE = 'usage: ort-run.js MODEL.onnx --input X.npy [...] --output Y.npy [...] ' +
  '[--threads N] [--opt-level all|extended|basic|disabled] [--quiet]';

function summary(t) {
  const d = t.data;
  let n = d.length, s = 0, s2 = 0, mn = Infinity, mx = -Infinity, nan = 0;
  for (let i = 0; i < n; i++) {
    const v = Number(d[i]);
    if (Number.isNaN(v)) { nan++; continue; }
    s += v; s2 += v * v; if (v < mn) mn = v; if (v > mx) mx = v;
  }
  const m = n - nan ? s / (n - nan) : NaN;
  const sd = n - nan ? Math.sqrt(Math.max(s2 / (n - nan) - m * m, 0)) : NaN;
  return `dtype=${t.type} shape=[${t.dims.join(',')}] mean=${m.toPrecision(6)} ` +
    `std=${sd.toPrecision(6)} min=${mn.toPrecision(6)} max=${mx.toPrecision(6)} nan=${nan}`;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), {
      multi: ['input', 'output'], single: ['threads', 'opt-level'], bool: ['quiet'],
    });
  } catch (e) { console.error(`error: ${e.message}\n${USAGE}`); return 2; }
  if (args.help) { console.log(USAGE); return 0; }
  if (args._.length !== 1) { console.error(USAGE); return 2; }
  const threads = intOpt(args.threads, 1, 'threads');
  const ort = loadOrt();
  const session = await createSession(ort, args._[0], threads, args['opt-level']);
  const feeds = makeFeeds(ort, session, args.input);
  const results = await session.run(feeds);
  let pos = 0;
  const written = new Set();
  for (const s of args.output) {
    let name, file;
    const eq = s.indexOf('=');
    if (eq > 0 && session.outputNames.includes(s.slice(0, eq))) {
      name = s.slice(0, eq); file = s.slice(eq + 1);
    } else {
      while (pos < session.outputNames.length && written.has(session.outputNames[pos])) pos++;
      if (pos >= session.outputNames.length) throw new Error('more --output files than model outputs');
      name = session.outputNames[pos]; file = s;
    }
    const t = results[name];
    writeNpy(file, t.type, t.data, t.dims);
    written.add(name);
  }
  if (!args.quiet) {
    for (const name of session.outputNames) console.log(`${name}: ${summary(results[name])}`);
  }
  return 0;
}

main().then((rc) => process.exit(rc), (e) => {
  console.error(`error: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
