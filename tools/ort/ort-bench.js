#!/usr/bin/env node
'use strict';
// Time ONNX Runtime (CPU) inference of a model, as kiln's speed peer.
//
//   node tools/ort/ort-bench.js MODEL.onnx --input X.npy [...] [--threads N]
//        [--iterations K] [--warmup W] [--opt-level all|...]
//
// Output (stdout): one machine-readable line, then one line for humans:
//   ort_median_ms=12.345 ort_min_ms=12.001 ort_mean_ms=12.400 ort_max_ms=13.2 iterations=K warmup=W threads=N
//   ORT 1.30.0 MODEL.onnx: median 12.345 ms, min 12.001 ms over K runs (W warmup, N threads)
// The timed region is session.run() only (feeds are created once).

const { loadOrt, parseArgs, intOpt, createSession, makeFeeds } = require('./common.js');

const USAGE = 'usage: ort-bench.js MODEL.onnx --input X.npy [...] [--threads N] ' +
  '[--iterations K] [--warmup W] [--opt-level all|extended|basic|disabled]';

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2), {
      multi: ['input'], single: ['threads', 'iterations', 'warmup', 'opt-level'],
    });
  } catch (e) { console.error(`error: ${e.message}\n${USAGE}`); return 2; }
  if (args.help) { console.log(USAGE); return 0; }
  if (args._.length !== 1) { console.error(USAGE); return 2; }
  const threads = intOpt(args.threads, 1, 'threads');
  const iters = Math.max(1, intOpt(args.iterations, 20, 'iterations'));
  const warmup = intOpt(args.warmup, 3, 'warmup');
  const ort = loadOrt();
  const session = await createSession(ort, args._[0], threads, args['opt-level']);
  const feeds = makeFeeds(ort, session, args.input);
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const ms = [];
  for (let i = 0; i < iters; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  const mid = ms.length >> 1;
  const median = ms.length % 2 ? ms[mid] : (ms[mid - 1] + ms[mid]) / 2;
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  const f = (v) => v.toFixed(3);
  console.log(`ort_median_ms=${f(median)} ort_min_ms=${f(ms[0])} ort_mean_ms=${f(mean)} ` +
    `ort_max_ms=${f(ms[ms.length - 1])} iterations=${iters} warmup=${warmup} threads=${threads}`);
  console.log(`ORT ${ort.env.versions.node} ${args._[0]}: median ${f(median)} ms, min ${f(ms[0])} ms ` +
    `over ${iters} runs (${warmup} warmup, ${threads} thread${threads === 1 ? '' : 's'})`);
  return 0;
}

main().then((rc) => process.exit(rc), (e) => {
  console.error(`error: ${e && e.message ? e.message : e}`);
  process.exit(1);
});
