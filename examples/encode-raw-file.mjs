// Raw frames file -> VideoEncoderStream -> file of chunks.
//
// Writes a raw I420 file (what `ffmpeg -f rawvideo -pix_fmt yuv420p` reads and writes), then
// streams it back from disk, cuts the bytes into VideoFrames, encodes them through a
// VideoEncoderStream and writes the chunks as an H.264 Annex B file. Every stage is a stream, so
// only a few frames are ever in memory, however long the file.
//
//   node examples/encode-raw-file.mjs
import { createReadStream, createWriteStream, mkdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { VideoEncoderStream, VideoFrame, getLiveCounters } from '../dist/index.js';

const width = 320;
const height = 180;
const fps = 30;
const frameCount = 90;
const frameBytes = (width * height * 3) / 2;

const dir = join(tmpdir(), 'webcodecs-streams-examples');
mkdirSync(dir, { recursive: true });
const rawPath = join(dir, 'input.yuv');
const outPath = join(dir, 'encoded.h264');

// 1. A raw input file: a moving gradient, frame after frame, no header.
const raw = Buffer.alloc(frameBytes * frameCount);
for (let i = 0; i < frameCount; i++) {
  const frame = raw.subarray(i * frameBytes, (i + 1) * frameBytes);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) frame[y * width + x] = (x + 2 * y + 4 * i) & 0xff;
  frame.fill(128 + (i % 32), width * height, width * height * 1.25);
  frame.fill(160 - (i % 32), width * height * 1.25);
}
await writeFile(rawPath, raw);

/** Bytes in, one VideoFrame per `frameBytes` out (file reads do not line up with frames). */
function framesFromBytes() {
  let pending = new Uint8Array(0);
  let index = 0;
  return new TransformStream({
    transform(bytes, controller) {
      const joined = new Uint8Array(pending.length + bytes.length);
      joined.set(pending);
      joined.set(bytes, pending.length);
      let offset = 0;
      for (; offset + frameBytes <= joined.length; offset += frameBytes) {
        const timestamp = Math.round((index++ * 1e6) / fps);
        controller.enqueue(
          new VideoFrame(joined.subarray(offset, offset + frameBytes), { format: 'I420', codedWidth: width, codedHeight: height, timestamp }),
        );
      }
      pending = joined.slice(offset);
    },
    flush() {
      if (pending.length > 0) throw new Error(`the file ends with ${pending.length} bytes of a partial frame`);
    },
  });
}

/** { chunk } in, chunk bytes out (Annex B chunks can simply be concatenated). */
function chunkBytes() {
  return new TransformStream({
    transform({ chunk }, controller) {
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      controller.enqueue(bytes);
    },
  });
}

// 2. File -> frames -> encoder -> bytes -> file, with backpressure from the disk to the disk.
let peakFrames = 0;
const watch = setInterval(() => (peakFrames = Math.max(peakFrames, getLiveCounters().videoFrames)), 1);
const encoder = new VideoEncoderStream({
  codec: 'avc1.42001f',
  width,
  height,
  framerate: fps,
  bitrate: 500_000,
  latencyMode: 'realtime',
  avc: { format: 'annexb' },
});
await Readable.toWeb(createReadStream(rawPath, { highWaterMark: 64 * 1024 }))
  .pipeThrough(framesFromBytes())
  .pipeThrough(encoder)
  .pipeThrough(chunkBytes())
  .pipeTo(Writable.toWeb(createWriteStream(outPath)));
clearInterval(watch);

console.log(`read ${frameCount} raw ${width}x${height} frames from ${rawPath}`);
console.log(`wrote ${statSync(outPath).size} bytes of H.264 to ${outPath} (play: ffplay ${outPath})`);
console.log(`frames alive at most: ${peakFrames}; now: ${getLiveCounters().videoFrames}`);
