#!/usr/bin/env node
// npm run bench: every case side by side with the ffmpeg CLI in the same run, medians of several
// runs, written to bench/RESULTS.md with the machine, the date and the command.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, median } from './lib.mjs';
import { videoEncodeCase } from './cases/video-encode.mjs';
import { concurrentDecodeCase, prepareBitstream, videoDecodeCase } from './cases/video-decode.mjs';
import { engineOverheadCase } from './cases/engine-overhead.mjs';
import { audioEncodeCase } from './cases/audio-encode.mjs';
import { transcodeCase } from './cases/transcode.mjs';
import { streamMemoryCaseIsolated } from './cases/stream-memory.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const CASES = [
  { id: 'h264-360p-realtime', run: () => videoEncodeCase({ codec: 'h264', width: 640, height: 360, frames: 300, latencyMode: 'realtime', bitrate: 1_000_000 }) },
  { id: 'h264-360p-quality', run: () => videoEncodeCase({ codec: 'h264', width: 640, height: 360, frames: 150, latencyMode: 'quality', bitrate: 1_000_000 }) },
  { id: 'h264-720p-realtime', run: () => videoEncodeCase({ codec: 'h264', width: 1280, height: 720, frames: 150, latencyMode: 'realtime', bitrate: 2_500_000 }) },
  { id: 'h264-720p-quality', run: () => videoEncodeCase({ codec: 'h264', width: 1280, height: 720, frames: 60, latencyMode: 'quality', bitrate: 2_500_000 }) },
  { id: 'h264-1080p-realtime', run: () => videoEncodeCase({ codec: 'h264', width: 1920, height: 1080, frames: 90, latencyMode: 'realtime', bitrate: 5_000_000 }) },
  { id: 'h264-1080p-quality', run: () => videoEncodeCase({ codec: 'h264', width: 1920, height: 1080, frames: 30, latencyMode: 'quality', bitrate: 5_000_000 }) },
  { id: 'vp8-720p-realtime', run: () => videoEncodeCase({ codec: 'vp8', width: 1280, height: 720, frames: 90, latencyMode: 'realtime', bitrate: 2_500_000 }) },
  { id: 'vp9-720p-realtime', run: () => videoEncodeCase({ codec: 'vp9', width: 1280, height: 720, frames: 90, latencyMode: 'realtime', bitrate: 2_500_000 }) },
  { id: 'av1-720p-realtime', run: () => videoEncodeCase({ codec: 'av1', width: 1280, height: 720, frames: 60, latencyMode: 'realtime', bitrate: 2_500_000 }) },
  { id: 'h264-720p-rgba', run: () => videoEncodeCase({ codec: 'h264', width: 1280, height: 720, frames: 150, latencyMode: 'realtime', bitrate: 2_500_000, rgba: true }) },
  { id: 'h264-decode-1080p', run: async () => videoDecodeCase({ codec: 'h264', width: 1920, height: 1080, prepared: (prepared.h264 ??= await prepareBitstream('h264', 1920, 1080, 120)) }) },
  { id: 'vp9-decode-1080p', run: async () => videoDecodeCase({ codec: 'vp9', width: 1920, height: 1080, prepared: (prepared.vp9 ??= await prepareBitstream('vp9', 1920, 1080, 60)) }) },
  { id: 'av1-decode-1080p', run: async () => videoDecodeCase({ codec: 'av1', width: 1920, height: 1080, prepared: (prepared.av1 ??= await prepareBitstream('av1', 1920, 1080, 30)) }) },
  { id: 'opus-encode', run: () => audioEncodeCase({ codec: 'opus', seconds: 60 }) },
  { id: 'aac-encode', run: () => audioEncodeCase({ codec: 'aac', seconds: 60 }) },
  { id: 'transcode-720p', run: () => transcodeCase({ width: 1280, height: 720, frames: 150, bitrate: 2_500_000 }) },
  { id: 'concurrent-decode-32', runs: 1, run: () => concurrentDecodeCase({ codec: 'h264', width: 640, height: 360, frames: 60, decoders: 32 }) },
  { id: 'engine-overhead', run: () => engineOverheadCase({ count: 100_000 }) },
  { id: 'stream-memory-1080p', runs: 1, run: () => streamMemoryCaseIsolated({ width: 1920, height: 1080, frames: Number(process.env.BENCH_MEMORY_FRAMES ?? 10_000) }) },
];
const prepared = {};

function summarize(results) {
  const first = results[0];
  const pick = (side, key) => median(results.map((r) => r[side][key]));
  return {
    name: first.name,
    frames: first.frames,
    oursFps: pick('ours', 'fps'),
    ffmpegFps: pick('ffmpeg', 'fps'),
    ratio: median(results.map((r) => r.ours.fps / r.ffmpeg.fps)),
    oursCpu: pick('ours', 'cpu'),
    ffmpegCpu: pick('ffmpeg', 'cpu'),
    oursRss: pick('ours', 'peakRssMb'),
    ffmpegRss: pick('ffmpeg', 'peakRssMb'),
    loop: first.ours.loop ? [0, 1, 2].map((i) => median(results.map((r) => r.ours.loop[i]))) : null,
    oursBytes: pick('ours', 'bytes'),
    ffmpegBytes: pick('ffmpeg', 'bytes'),
    oursPsnr: pick('ours', 'psnr'),
    ffmpegPsnr: pick('ffmpeg', 'psnr'),
    note: first.note ?? '',
  };
}

const f = (x, d = 1) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : '-');
const rows = [];
const started = Date.now();
for (const c of CASES) {
  if (only.length > 0 && !only.some((o) => c.id.includes(o))) continue;
  const results = [];
  for (let i = 0; i < (c.runs ?? RUNS); i++) results.push(await c.run());
  const row = summarize(results);
  rows.push(row);
  console.log(`${row.name}: ours ${f(row.oursFps)} fps, ffmpeg ${f(row.ffmpegFps)} fps, ratio ${f(row.ratio, 3)}, ` +
    `PSNR ${f(row.oursPsnr, 2)}/${f(row.ffmpegPsnr, 2)} dB, bytes ${row.oursBytes}/${row.ffmpegBytes}` +
    (row.loop ? `, loop p99 ${f(row.loop[1], 2)} ms` : '') + (row.note ? ` (${row.note})` : ''));
  writeResults(); // after every case, so an interrupted run keeps what it measured
}

function writeResults() {
const seconds = (Date.now() - started) / 1000;
const table = [
  '| case | frames | ours fps | ffmpeg fps | ratio | CPU s (ours/ffmpeg) | peak RSS MB (ours/ffmpeg) | loop delay p50/p99/max ms | bytes (ours/ffmpeg) | PSNR dB (ours/ffmpeg) | note |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map((r) =>
    `| ${r.name} | ${r.frames} | ${f(r.oursFps)} | ${f(r.ffmpegFps)} | **${f(r.ratio, 3)}** | ${f(r.oursCpu, 2)} / ${f(r.ffmpegCpu, 2)} | ${f(r.oursRss, 0)} / ${f(r.ffmpegRss, 0)} | ` +
    `${r.loop ? r.loop.map((x) => f(x, 2)).join(' / ') : '-'} | ${f(r.oursBytes, 0)} / ${f(r.ffmpegBytes, 0)} | ${f(r.oursPsnr, 2)} / ${f(r.ffmpegPsnr, 2)} |` +
    (r.note ? ` ${r.note}` : '')),
];
const md = [
  '# Benchmark results',
  '',
  `- Machine: ${machine()}`,
  `- Date: ${new Date().toISOString()}`,
  `- Command: \`npm run bench${only.length ? ' -- ' + only.join(' ') : ''}\` (BENCH_RUNS=${RUNS}; medians of ${RUNS} runs; ${f(seconds, 0)} s in all)`,
  '',
  'Ratios are ours / ffmpeg CLI, measured in the same script on the same raw input with the same encoder settings.',
  'ffmpeg\'s figures include reading the raw file; ours include building each VideoFrame from memory.',
  '',
  ...table,
  '',
];
writeFileSync(join(here, 'RESULTS.md'), md.join('\n'));
}
console.log(`wrote bench/RESULTS.md (${f((Date.now() - started) / 1000, 0)} s)`);
