#!/usr/bin/env node
// The same measurement as `ecgstream bench inference`, from node's onnxruntime-node on the same
// native libonnxruntime (installed by tools/bench/setup-node.sh into .deps/node-bench). Inputs are
// zero-filled tensors created once (dynamic dimensions set to the batch); outputs are allocated by
// ORT per run, as node users get them. Prints JSON with the same fields.
//   node tools/bench/ort-node-bench.js --model M.onnx [--batch 1] [--threads 1] [--runs 1000] [--warmup 50]
'use strict';
const path = require('path');
const fs = require('fs');

const args = { batch: 1, threads: 1, runs: 1000, warmup: 50 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i].replace(/^--/, '');
  const value = process.argv[i + 1];
  if (value === undefined) { console.error(`missing value for --${key}`); process.exit(2); }
  args[key] = key === 'model' ? value : Number(value);
}
if (!args.model) { console.error('usage: ort-node-bench.js --model M.onnx [--batch B] [--threads T] [--runs R] [--warmup W]'); process.exit(2); }

const root = path.resolve(__dirname, '..', '..');
const ort = require(path.join(root, '.deps', 'node-bench', 'node_modules', 'onnxruntime-node'));

function residentKiB() {
  const pages = Number(fs.readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
  return pages * 4096 / 1024;
}

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1));
  return sorted[i];
}

(async () => {
  const session = await ort.InferenceSession.create(args.model, {
    intraOpNumThreads: args.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
    executionMode: 'sequential', executionProviders: ['cpu'],
  });
  const feeds = {};
  for (const meta of session.inputMetadata) {
    const dims = meta.shape.map(d => (typeof d === 'number' && d >= 0 ? d : args.batch));
    const size = dims.reduce((a, b) => a * b, 1);
    feeds[meta.name] = new ort.Tensor('float32', new Float32Array(size), dims);
  }
  for (let i = 0; i < args.warmup; i++) await session.run(feeds);
  const rssAfterWarmup = residentKiB();
  const latencies = new Float64Array(args.runs);
  const cpuBefore = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < args.runs; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
  }
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  const round = (x) => Math.round(x * 1e4) / 1e4;
  console.log(JSON.stringify({
    model: path.resolve(args.model),
    frontend: `onnxruntime-node ${require(path.join(root, '.deps', 'node-bench', 'node_modules', 'onnxruntime-node', 'package.json')).version}`,
    batch: args.batch, threads: args.threads, runs: args.runs, warmup: args.warmup,
    latency_ms: {
      p50: round(percentile(sorted, 50)), p90: round(percentile(sorted, 90)), p99: round(percentile(sorted, 99)),
      max: round(sorted[sorted.length - 1]), mean: round(sorted.reduce((a, b) => a + b, 0) / sorted.length),
    },
    cpu_ms_per_run: round((cpu.user + cpu.system) / 1000 / args.runs),
    runs_per_second: Math.round(args.runs / wall * 10) / 10,
    windows_per_second: Math.round(args.runs * args.batch / wall * 10) / 10,
    rss_kib_after_warmup: rssAfterWarmup,
    rss_kib_end: residentKiB(),
  }, null, 2));
})().catch((e) => { console.error(e); process.exit(1); });
