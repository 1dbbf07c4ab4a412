#!/usr/bin/env node
// Streams acceptance: 10,000 1280x720 frames through
//   readableOfFrames.pipeThrough(VideoEncoderStream).pipeThrough(VideoDecoderStream)
// with a slow consumer; peak RSS per quarter must stay under 400 MB and flat (the last quarter's
// peak within 10% of the first's), and no frame may be left alive.
import { VideoDecoderStream, VideoEncoderStream, VideoFrame, getLiveCounters } from '../dist/index.js';

const width = 1280;
const height = 720;
const total = Number(process.argv[2] ?? 10_000);
const pixels = Array.from({ length: 8 }, (_, k) => new Uint8Array((width * height * 3) / 2).map((_, i) => (i * 7 + k * 13) & 0xff));
let made = 0;
const frames = new ReadableStream(
  {
    pull(controller) {
      if (made === total) return controller.close();
      controller.enqueue(new VideoFrame(pixels[made % 8], { format: 'I420', codedWidth: width, codedHeight: height, timestamp: made * 33333, duration: 33333 }));
      made++;
    },
  },
  { highWaterMark: 0 },
);
const toChunks = new TransformStream({
  transform({ chunk, metadata }, controller) {
    if (metadata?.decoderConfig) controller.enqueue({ config: metadata.decoderConfig });
    controller.enqueue(chunk);
  },
});
const quarters = [0, 0, 0, 0];
const sampler = setInterval(() => {
  const q = Math.min(3, Math.floor((made / total) * 4));
  quarters[q] = Math.max(quarters[q], process.memoryUsage().rss / (1 << 20));
}, 10);
const started = Date.now();
let received = 0;
const output = frames
  .pipeThrough(new VideoEncoderStream({ codec: 'avc1.64001f', width, height, bitrate: 2_000_000, framerate: 30, latencyMode: 'realtime' }))
  .pipeThrough(toChunks)
  .pipeThrough(new VideoDecoderStream(null));
for await (const frame of output) {
  frame.close();
  if (++received % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 15)); // a slow consumer
}
clearInterval(sampler);
const live = getLiveCounters().videoFrames;
const flat = quarters[3] <= quarters[0] * 1.1;
console.log(JSON.stringify({ frames: received, seconds: (Date.now() - started) / 1000, peakRssByQuarterMb: quarters.map((q) => Math.round(q)), live }));
const ok = received === total && Math.max(...quarters) < 400 && flat && live === 0;
console.log(ok ? 'PASS' : 'FAIL');
process.exitCode = ok ? 0 : 1;
