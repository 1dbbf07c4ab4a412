#!/usr/bin/env node
// npm run bench:scaling: how throughput scales with concurrent codecs and resolution, and how
// memory scales with the stream queue bounds. Writes bench/SCALING.md (machine, date, command);
// docs/performance.md explains how to read it and size a server.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VideoEncoder, VideoFrame } from '../dist/index.js';
import { streamMemoryCaseIsolated } from './cases/stream-memory.mjs';
import { machine, measureInProcess, rawI420, readFrames } from './lib.mjs';

const here = dirname(fileURLToPath(import.meta.url));

async function encodeAll(config, frames, count) {
  let error = null;
  const encoder = new VideoEncoder({ output: () => {}, error: (e) => (error = e) });
  encoder.configure(config);
  for (let i = 0; i < count; i++) {
    while (encoder.encodeQueueSize > 2) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
    const frame = new VideoFrame(frames[i % frames.length], { format: 'I420', codedWidth: config.width, codedHeight: config.height, timestamp: i * 33333 });
    encoder.encode(frame);
    frame.close();
  }
  await encoder.flush();
  encoder.close();
  if (error) throw error;
}

const lines = [];
const row = (...cells) => lines.push(`| ${cells.join(' | ')} |`);

// 1. Concurrent codecs: N H.264 360p realtime encoders at once, 60 frames each.
{
  const frames = readFrames(rawI420(640, 360, 60), 640, 360);
  lines.push('## Concurrent encoders (H.264 640x360 realtime, 60 frames each)', '');
  row('encoders', 'total fps', 'fps per encoder', 'peak RSS MB', 'event-loop p99 ms');
  row('---', '---', '---', '---', '---');
  for (const n of [1, 2, 4, 8, 16, 32, 64]) {
    const config = { codec: 'avc1.42001e', width: 640, height: 360, bitrate: 800_000, framerate: 30, latencyMode: 'realtime' };
    const m = await measureInProcess(() => Promise.all(Array.from({ length: n }, () => encodeAll(config, frames, 60))));
    const fps = (n * 60) / m.wall;
    row(n, fps.toFixed(0), (fps / n).toFixed(1), m.peakRssMb.toFixed(0), m.loopP99.toFixed(1));
    console.log(`${n} encoders: ${fps.toFixed(0)} fps`);
  }
  lines.push('');
}

// 2. Resolution: one H.264 realtime encoder.
{
  lines.push('## Resolution (one H.264 realtime encoder)', '');
  row('size', 'fps', 'megapixels/s', 'peak RSS MB');
  row('---', '---', '---', '---');
  for (const [w, h, count] of [[320, 180, 300], [640, 360, 300], [1280, 720, 150], [1920, 1080, 90], [3840, 2160, 30]]) {
    const frames = readFrames(rawI420(w, h, Math.min(count, 30)), w, h);
    const config = { codec: 'avc1.640033', width: w, height: h, bitrate: w * h * 3, framerate: 30, latencyMode: 'realtime' };
    const m = await measureInProcess(() => encodeAll(config, frames, count));
    const fps = count / m.wall;
    row(`${w}x${h}`, fps.toFixed(1), ((fps * w * h) / 1e6).toFixed(1), m.peakRssMb.toFixed(0));
    console.log(`${w}x${h}: ${fps.toFixed(1)} fps`);
  }
  lines.push('');
}

// 3. Memory against the stream bounds: 600 1080p frames through a VideoEncoderStream with a
// consumer that pauses now and then, each configuration in a fresh process (clean RSS).
{
  lines.push('## Memory against the stream bounds (600 frames 1920x1080 through a VideoEncoderStream, slow consumer, fresh process each)', '');
  row('highWaterMark', 'readableHighWaterMark', 'peak RSS MB', 'fps');
  row('---', '---', '---', '---');
  for (const [hwm, rhwm] of [[1, 1], [2, 2], [4, 4], [8, 8], [16, 16]]) {
    const r = await streamMemoryCaseIsolated({ width: 1920, height: 1080, frames: 600, highWaterMark: hwm, readableHighWaterMark: rhwm });
    row(hwm, rhwm, r.ours.peakRssMb.toFixed(0), r.ours.fps.toFixed(1));
    console.log(`hwm ${hwm}/${rhwm}: ${r.ours.peakRssMb.toFixed(0)} MB`);
  }
  lines.push('');
}

writeFileSync(
  join(here, 'SCALING.md'),
  ['# Scaling measurements', '', `- Machine: ${machine()}`, `- Date: ${new Date().toISOString()}`, '- Command: `npm run bench:scaling`', '', ...lines].join('\n'),
);
console.log('wrote bench/SCALING.md');
