// The demo: a synthetic clip (moving gradient) encoded to H.264 with webcodecs-streams alone,
// written as an Annex B elementary stream that ffplay, VLC or `ffmpeg -i` can read.
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VideoEncoder, VideoFrame } from '../dist/index.js';

const width = 640;
const height = 360;
const fps = 30;
const frames = 90;

const chunks = [];
const encoder = new VideoEncoder({
  output: (chunk) => {
    const bytes = new Uint8Array(chunk.byteLength);
    chunk.copyTo(bytes);
    chunks.push(bytes);
  },
  error: (e) => {
    console.error('encoder error:', e.message);
    process.exitCode = 1;
  },
});
encoder.configure({ codec: 'avc1.42001e', width, height, framerate: fps, bitrate: 1_000_000, avc: { format: 'annexb' } });

const pixels = new Uint8Array((width * height * 3) / 2);
for (let i = 0; i < frames; i++) {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels[y * width + x] = (x + y + i * 4) & 0xff;
  }
  pixels.fill(128 + ((i * 2) % 64), width * height, (width * height * 5) / 4);
  pixels.fill(128 - ((i * 2) % 64), (width * height * 5) / 4);
  const frame = new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: Math.round((i * 1e6) / fps) });
  encoder.encode(frame, { keyFrame: i % fps === 0 });
  frame.close();
}
await encoder.flush();
encoder.close();

const dir = join(tmpdir(), 'webcodecs-streams-demo');
mkdirSync(dir, { recursive: true });
const out = join(dir, 'demo.h264');
writeFileSync(out, Buffer.concat(chunks));
console.log(`encoded ${frames} frames (${width}x${height} H.264) to ${out} (${chunks.reduce((n, c) => n + c.length, 0)} bytes)`);
console.log(`play it with: ffplay ${out}`);
