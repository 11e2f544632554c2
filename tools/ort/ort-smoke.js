#!/usr/bin/env node
'use strict';
// Load and run every model listed in DIR/MANIFEST.tsv (gen_test_models.py)
// with ONNX Runtime, on deterministic inputs; report whether ORT accepts it.
//
//   node tools/ort/ort-smoke.js DIR [--strict]
//
// Models with expect=ok must load and run, and their outputs must match the
// declared output shapes; --strict makes that the exit status.  For
// expect=error files ORT's verdict is only printed (ORT accepts some of them,
// e.g. unsupported-by-kiln ops).

const fs = require('fs');
const path = require('path');
const { loadOrt } = require('./common.js');

function makeInput(ort, meta, k) {
  const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const n = dims.reduce((a, b) => a * b, 1);
  switch (meta.type) {
    case 'float32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = Math.sin(0.37 * i + k) * 2;
      return new ort.Tensor('float32', a, dims);
    }
    case 'int64': return new ort.Tensor('int64', new BigInt64Array(n), dims);
    default: throw new Error(`no input generator for ${meta.type}`);
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const strict = argv.includes('--strict');
  const dir = argv.find((a) => !a.startsWith('--'));
  if (!dir) { console.error('usage: ort-smoke.js DIR [--strict]'); return 2; }
  const ort = loadOrt();
  const rows = fs.readFileSync(path.join(dir, 'MANIFEST.tsv'), 'utf8').split('\n')
    .filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
  let bad = 0;
  for (const [file, expect] of rows) {
    if (!file.endsWith('.onnx')) continue;
    let verdict;
    try {
      const s = await ort.InferenceSession.create(path.join(dir, file),
        { intraOpNumThreads: 1, interOpNumThreads: 1, logSeverityLevel: 3 });
      const feeds = {};
      s.inputMetadata.forEach((m, k) => { feeds[m.name] = makeInput(ort, m, k); });
      const out = await s.run(feeds);
      const mism = s.outputMetadata.filter((m) => m.shape.some((d, i) =>
        typeof d === 'number' && d !== out[m.name].dims[i]) || m.shape.length !== out[m.name].dims.length);
      verdict = mism.length ? `runs, but output shape differs: ${mism.map((m) => m.name)}` : 'runs';
      if (expect === 'ok' && mism.length) bad++;
    } catch (e) {
      verdict = `rejected: ${String(e.message || e).split('\n')[0].slice(0, 110)}`;
      if (expect === 'ok') bad++;
    }
    console.log(`${file.padEnd(40)} expect=${expect.padEnd(6)} ort: ${verdict}`);
  }
  console.log(`${bad} expect=ok model(s) failed in ORT`);
  return strict && bad ? 1 : 0;
}

main().then((rc) => process.exit(rc), (e) => { console.error(`error: ${e.message || e}`); process.exit(1); });
