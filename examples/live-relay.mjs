// A live relay over TCP (127.0.0.1 only; server and client in this one script).
//
// The server encodes a live 30 fps source with a VideoEncoderStream and relays every chunk to
// the connected viewers. A viewer that joins mid-stream gets the current decoder configuration
// first and then chunks from wherever the stream is: its VideoDecoderStream uses
// `skipUntilKeyChunk` to drop the delta chunks before the next key frame (instead of failing
// with DataError), and `live` so a slow viewer drops old frames instead of holding up anyone.
// Bounded: 60 frames (2 seconds), a watchdog ends the process if anything hangs.
//
//   node examples/live-relay.mjs
import { once } from 'node:events';
import { createServer, connect } from 'node:net';
import { Readable } from 'node:stream';
import { EncodedVideoChunk, VideoDecoderStream, VideoEncoderStream, VideoFrame, getLiveCounters } from '../dist/index.js';

const width = 320;
const height = 180;
const fps = 30;
const frameCount = 60;
const keyFrameEvery = 15;
const viewerJoinsAt = 20; // frames into the stream

const watchdog = setTimeout(() => {
  console.error('live-relay: took too long, giving up');
  process.exit(1);
}, 15_000);
watchdog.unref();

// --- wire format: [kind u8][timestamp f64][duration f64][length u32][payload] ------------------
const KIND_CONFIG = 0; // payload: JSON decoder config, description as base64
const KIND_KEY = 1;
const KIND_DELTA = 2;
const HEADER = 1 + 8 + 8 + 4;

function packMessage(kind, timestamp, duration, payload) {
  const message = Buffer.alloc(HEADER + payload.length);
  message.writeUInt8(kind, 0);
  message.writeDoubleLE(timestamp, 1);
  message.writeDoubleLE(duration, 9);
  message.writeUInt32LE(payload.length, 17);
  message.set(payload, HEADER);
  return message;
}

function packConfig(config) {
  const json = { ...config, description: config.description ? Buffer.from(config.description).toString('base64') : undefined };
  return packMessage(KIND_CONFIG, 0, 0, Buffer.from(JSON.stringify(json)));
}

function packChunk(chunk) {
  const payload = new Uint8Array(chunk.byteLength);
  chunk.copyTo(payload);
  return packMessage(chunk.type === 'key' ? KIND_KEY : KIND_DELTA, chunk.timestamp, chunk.duration ?? 0, payload);
}

/** Socket bytes in, decoder inputs out: `{ config }` or an EncodedVideoChunk. */
function unpackMessages() {
  let buffered = Buffer.alloc(0);
  return new TransformStream({
    transform(bytes, controller) {
      buffered = Buffer.concat([buffered, bytes]);
      while (buffered.length >= HEADER && buffered.length >= HEADER + buffered.readUInt32LE(17)) {
        const kind = buffered.readUInt8(0);
        const timestamp = buffered.readDoubleLE(1);
        const duration = buffered.readDoubleLE(9);
        const end = HEADER + buffered.readUInt32LE(17);
        const payload = buffered.subarray(HEADER, end);
        if (kind === KIND_CONFIG) {
          const config = JSON.parse(payload.toString());
          if (config.description) config.description = Uint8Array.from(Buffer.from(config.description, 'base64'));
          controller.enqueue({ config });
        } else {
          controller.enqueue(new EncodedVideoChunk({ type: kind === KIND_KEY ? 'key' : 'delta', timestamp, duration, data: payload }));
        }
        buffered = buffered.subarray(end);
      }
    },
  });
}

// --- the server: a live source, one encoder, any number of viewers --------------------------
const viewers = new Set();
let currentConfig = null;
let framesEncoded = 0;

const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => viewers.delete(socket));
  socket.on('close', () => viewers.delete(socket));
  if (currentConfig !== null) socket.write(packConfig(currentConfig));
  viewers.add(socket);
});
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

/** A live camera stand-in: one frame every 1/fps seconds, `frameCount` of them. */
function liveSource() {
  const pixels = new Uint8Array((width * height * 3) / 2);
  let i = 0;
  return new ReadableStream(
    {
      async pull(controller) {
        if (i === frameCount) return controller.close();
        await new Promise((resolve) => setTimeout(resolve, 1000 / fps));
        pixels.fill((i * 3) & 0xff, 0, width * height);
        pixels.fill(128, width * height);
        controller.enqueue(new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: Math.round((i++ * 1e6) / fps) }));
        if (i === viewerJoinsAt) startViewer();
      },
    },
    { highWaterMark: 0 },
  );
}

const encoder = new VideoEncoderStream({ codec: 'avc1.42001f', width, height, framerate: fps, bitrate: 400_000, latencyMode: 'realtime' });
const broadcasting = liveSource()
  .pipeThrough(
    new TransformStream({
      transform(frame, controller) {
        // Regular key frames, so that viewers who join late can start soon.
        controller.enqueue(framesEncoded++ % keyFrameEvery === 0 ? { frame, options: { keyFrame: true } } : frame);
      },
    }),
  )
  .pipeThrough(encoder)
  .pipeTo(
    new WritableStream({
      write({ chunk, metadata }) {
        if (metadata.decoderConfig) {
          currentConfig = metadata.decoderConfig;
          for (const viewer of viewers) viewer.write(packConfig(currentConfig));
        }
        const message = packChunk(chunk);
        // A live relay never waits for a viewer: a viewer that cannot keep up loses data.
        for (const viewer of viewers) if (viewer.writableLength < 1 << 20) viewer.write(message);
      },
      close() {
        for (const viewer of viewers) viewer.end();
      },
    }),
  );

// --- the viewer: joins late, decodes what it can ---------------------------------------------
let viewerDone;
function startViewer() {
  viewerDone = (async () => {
    const socket = connect(port, '127.0.0.1');
    await once(socket, 'connect');
    const decoder = new VideoDecoderStream(null, { skipUntilKeyChunk: true, live: { maxBufferedFrames: 4 } });
    let frames = 0;
    let first = null;
    for await (const frame of Readable.toWeb(socket).pipeThrough(unpackMessages()).pipeThrough(decoder)) {
      first ??= frame.timestamp;
      frames++;
      frame.close();
    }
    return { frames, first, droppedChunks: decoder.droppedChunks, droppedFrames: decoder.droppedFrames };
  })();
}

await broadcasting;
const viewer = await viewerDone;
server.close();
await once(server, 'close');

console.log(`server: encoded and relayed ${frameCount} frames (${width}x${height}, key frame every ${keyFrameEvery})`);
console.log(
  `viewer: joined at frame ${viewerJoinsAt}, skipped ${viewer.droppedChunks} delta chunks until the next key frame, ` +
    `decoded ${viewer.frames} frames from ${(viewer.first / 1e6).toFixed(3)} s, dropped ${viewer.droppedFrames} (live)`,
);
console.log(`frames alive now: ${getLiveCounters().videoFrames}`);
