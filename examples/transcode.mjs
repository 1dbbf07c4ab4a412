// Decode -> encode transcoding as one pipeThrough chain.
//
// An H.264 source (made here, 640x360) is decoded by a VideoDecoderStream, each frame is cropped
// to its centre 320x180 (a new VideoFrame sharing the pixels, no copy), and a VideoEncoderStream
// re-encodes it at a lower bitrate with a key frame every second. The decoder configuration
// travels in-band ({ config } before the first chunk), as it would coming out of a demuxer.
//
//   node examples/transcode.mjs
import { createWriteStream, mkdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { VideoDecoderStream, VideoEncoderStream, VideoFrame, getLiveCounters } from '../dist/index.js';

const fps = 30;
const frameCount = 120;
const source = { width: 640, height: 360 };
const target = { width: 320, height: 180 };

const dir = join(tmpdir(), 'webcodecs-streams-examples');
mkdirSync(dir, { recursive: true });
const outPath = join(dir, 'transcoded.h264');

/** Synthetic 640x360 frames, made one at a time as the pipeline asks for them. */
function syntheticFrames() {
  const { width, height } = source;
  const pixels = new Uint8Array((width * height * 3) / 2);
  let i = 0;
  return new ReadableStream(
    {
      pull(controller) {
        if (i === frameCount) return controller.close();
        for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) pixels[y * width + x] = (x * 2 + y + i * 6) & 0xff;
        pixels.fill(128, width * height);
        controller.enqueue(new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: Math.round((i++ * 1e6) / fps) }));
      },
    },
    { highWaterMark: 0 },
  );
}

/** Encoder outputs to decoder inputs: the decoderConfig goes in-band, ahead of its chunk. */
function demuxLike() {
  return new TransformStream({
    transform({ chunk, metadata }, controller) {
      if (metadata.decoderConfig) controller.enqueue({ config: metadata.decoderConfig });
      controller.enqueue(chunk);
    },
  });
}

/** The centre of each frame, as a new frame over the same pixels. */
function cropToCentre() {
  return new TransformStream({
    transform(frame, controller) {
      const x = (frame.codedWidth - target.width) / 2;
      const y = (frame.codedHeight - target.height) / 2;
      controller.enqueue(new VideoFrame(frame, { visibleRect: { x, y, width: target.width, height: target.height } }));
      frame.close();
    },
  });
}

/** Annex B chunk bytes, and a tally of key frames. */
let keyFrames = 0;
function chunkBytes() {
  return new TransformStream({
    transform({ chunk }, controller) {
      if (chunk.type === 'key') keyFrames++;
      const bytes = new Uint8Array(chunk.byteLength);
      chunk.copyTo(bytes);
      controller.enqueue(bytes);
    },
  });
}

let peakFrames = 0;
const watch = setInterval(() => (peakFrames = Math.max(peakFrames, getLiveCounters().videoFrames)), 1);

const encoder = new VideoEncoderStream({ codec: 'avc1.42001f', ...target, framerate: fps, bitrate: 300_000, avc: { format: 'annexb' } });
// A key frame every second of output: requestKeyFrame() applies to the next frame written.
let written = 0;
const everySecond = new TransformStream({
  transform(frame, controller) {
    if (written++ % fps === 0) encoder.requestKeyFrame();
    controller.enqueue(frame);
  },
});

await syntheticFrames()
  .pipeThrough(new VideoEncoderStream({ codec: 'avc1.42001f', ...source, framerate: fps, bitrate: 2_000_000, latencyMode: 'realtime' }))
  .pipeThrough(demuxLike())
  .pipeThrough(new VideoDecoderStream(null))
  .pipeThrough(cropToCentre())
  .pipeThrough(everySecond)
  .pipeThrough(encoder)
  .pipeThrough(chunkBytes())
  .pipeTo(Writable.toWeb(createWriteStream(outPath)));
clearInterval(watch);

console.log(`transcoded ${frameCount} frames ${source.width}x${source.height} -> ${target.width}x${target.height}, ${keyFrames} key frames`);
console.log(`wrote ${statSync(outPath).size} bytes to ${outPath} (play: ffplay ${outPath})`);
console.log(`frames alive at most: ${peakFrames}; now: ${getLiveCounters().videoFrames}`);
