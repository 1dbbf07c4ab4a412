#!/usr/bin/env node
// Foundation acceptance: 120 frames of 1280x720 I420 encoded to H.264 in both bitstream formats
// and decoded back with PSNR >= 35 dB, while the worst delay of a 1 ms interval timer stays
// under 20 ms. A measurement (timing), so it lives here and not in the test suite.
import { EncodedVideoChunk, VideoDecoder, VideoEncoder, VideoFrame } from '../dist/index.js';

const width = 1280;
const height = 720;
const count = 120;

function picture(i) {
  const data = new Uint8Array((width * height * 3) / 2);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = (((x + 3 * i) * 200) / width + ((y + i) * 50) / height) | 0;
  }
  data.fill(120 + (i % 16), width * height, (width * height * 5) / 4);
  data.fill(136 - (i % 16), (width * height * 5) / 4);
  return data;
}

function psnr(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum === 0 ? Infinity : 10 * Math.log10((255 * 255) / (sum / a.length));
}

// The script's own JavaScript work (making the pictures, computing PSNR) stays out of the timed
// part, which measures what the library does to the event loop.
const sources = Array.from({ length: count }, (_, i) => picture(i));

let worst = 0;
let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  worst = Math.max(worst, now - last);
  last = now;
}, 1);

let ok = true;
const results = [];
for (const format of ['avc', 'annexb']) {
  const chunks = [];
  let config;
  const encoder = new VideoEncoder({ output: (c, m) => { chunks.push(c); if (m?.decoderConfig) config = m.decoderConfig; }, error: (e) => { throw e; } });
  encoder.configure({ codec: 'avc1.64001f', width, height, bitrate: 6_000_000, framerate: 30, avc: { format } });
  for (let i = 0; i < count; i++) {
    const frame = new VideoFrame(sources[i], { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33333, duration: 33333 });
    encoder.encode(frame);
    frame.close();
    if (encoder.encodeQueueSize > 8) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
  }
  await encoder.flush();
  encoder.close();
  let decoded = 0;
  const pending = [];
  const outputs = [];
  const decoder = new VideoDecoder({
    output: (frame) => {
      const index = Math.round(frame.timestamp / 33333);
      const out = new Uint8Array(frame.allocationSize());
      pending.push(frame.copyTo(out).then(() => { outputs.push([index, out]); frame.close(); }));
      decoded++;
    },
    error: (e) => { throw e; },
  });
  decoder.configure(config);
  for (const chunk of chunks) decoder.decode(chunk);
  await decoder.flush();
  await Promise.all(pending);
  decoder.close();
  results.push({ format, chunks: chunks.length, decoded, outputs });
}
clearInterval(timer);
for (const { format, chunks, decoded, outputs } of results) {
  let minPsnr = Infinity;
  for (const [index, out] of outputs) minPsnr = Math.min(minPsnr, psnr(out, sources[index]));
  console.log(`${format}: ${chunks} chunks, ${decoded} frames decoded, min PSNR ${minPsnr.toFixed(2)} dB`);
  ok &&= decoded === count && minPsnr >= 35;
}
console.log(`worst delay of a 1 ms interval timer: ${worst.toFixed(1)} ms`);
ok &&= worst < 20;
console.log(ok ? 'PASS' : 'FAIL');
process.exitCode = ok ? 0 : 1;
void EncodedVideoChunk;
