#!/usr/bin/env node
// VideoFrame memory acceptance (issue: "creating and closing 100,000 1280x720 frames, and 10,000
// frames left to the garbage collector, ends with the live counter at zero and RSS within 50 MB
// of where it started"). Run with --expose-gc: node --expose-gc bench/frame-memory.mjs
import { VideoFrame, getLiveCounters } from '../dist/index.js';

const width = 1280;
const height = 720;
const pixels = new Uint8Array((width * height * 3) / 2).fill(128);
const mb = () => process.memoryUsage().rss / (1 << 20);
const settle = async () => {
  for (let i = 0; i < 50 && getLiveCounters().videoFrames > 0; i++) {
    globalThis.gc?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  globalThis.gc?.();
};

// Warm up so the start figure includes the addon, the buffer pool (a bounded number of spare
// buffers) and V8 in their steady state.
for (let i = 0; i < 1000; i++) new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i }).close();
await settle();
const start = mb();

let started = Date.now();
for (let i = 0; i < 100_000; i++) {
  const frame = new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i });
  frame.close();
}
await settle();
const afterClosed = { live: getLiveCounters().videoFrames, rss: mb(), seconds: (Date.now() - started) / 1000 };

process.on('warning', () => {}); // the one-time WebCodecsWarning is expected here
started = Date.now();
for (let i = 0; i < 10_000; i++) {
  new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i }); // never closed
  if (i % 100 === 99) await new Promise((resolve) => setImmediate(resolve)); // let finalizers run
}
await settle();
const afterCollected = { live: getLiveCounters().videoFrames, rss: mb(), seconds: (Date.now() - started) / 1000 };

console.log(JSON.stringify({ start: start.toFixed(0), afterClosed, afterCollected }, (k, v) => (typeof v === 'number' ? Number(v.toFixed(1)) : v)));
const ok = afterClosed.live === 0 && afterCollected.live === 0 && afterClosed.rss - start < 50 && afterCollected.rss - start < 50;
console.log(ok ? 'PASS: live counter 0, RSS within 50 MB of the start' : 'FAIL');
process.exitCode = ok ? 0 : 1;
