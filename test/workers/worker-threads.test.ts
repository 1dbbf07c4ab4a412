// worker_threads: four Workers encode H.264 with the package at the same time as the main thread,
// pass media to it the documented way (docs/worker-threads.md: copy the bytes, transfer the
// buffer, rebuild the object), and are terminated in the middle of encoding. Nothing crashes, the
// main thread keeps working, and every codec thread and frame of the Workers is released.
import t from 'tap';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EncodedVideoChunk, VideoFrame, getLiveCounters, type VideoDecoderConfig } from '../../src/index.js';
import { decodeClip, encodeClip } from '../helpers/codecs.js';
import { eventually } from '../helpers/leaks.js';
import { pixelsOf } from '../helpers/media.js';

const entry = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'index.js')).href;
const WIDTH = 160;
const HEIGHT = 120;

// The Worker's program (CommonJS, `eval: true`): it loads the built package, as an application's
// Worker would, and encodes until it is terminated.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const { VideoEncoder, VideoFrame } = await import(workerData.entry);
  const { width, height } = workerData;
  let outputs = 0;
  const encoder = new VideoEncoder({
    output(chunk, metadata) {
      outputs++;
      if (outputs === 1) {
        // A chunk to another thread: copy its bytes into a buffer and transfer the buffer.
        const data = new ArrayBuffer(chunk.byteLength);
        chunk.copyTo(data);
        const init = { type: chunk.type, timestamp: chunk.timestamp, duration: chunk.duration ?? undefined, data };
        parentPort.postMessage({ type: 'chunk', init, decoderConfig: metadata.decoderConfig }, [data]);
      }
      parentPort.postMessage({ type: 'progress', outputs });
    },
    error(error) {
      parentPort.postMessage({ type: 'error', message: String(error) });
    },
  });
  encoder.configure({ codec: 'avc1.42001f', width, height, bitrate: 300000, framerate: 30 });
  const pixels = new Uint8Array(width * height * 3 / 2);
  for (let i = 0; ; i++) {
    for (let p = 0; p < width * height; p++) pixels[p] = (p + i * 7) & 0xff;
    const frame = new VideoFrame(pixels, { format: 'I420', codedWidth: width, codedHeight: height, timestamp: i * 33333 });
    if (i === 0) {
      // A frame to another thread: copyTo() a buffer in its layout, transfer it, send the init.
      const data = new ArrayBuffer(frame.allocationSize());
      const layout = await frame.copyTo(data);
      const init = { format: frame.format, codedWidth: frame.codedWidth, codedHeight: frame.codedHeight, timestamp: frame.timestamp, layout };
      parentPort.postMessage({ type: 'frame', init, data }, [data]);
    }
    encoder.encode(frame, { keyFrame: i % 30 === 0 });
    frame.close();
    // Back-pressure, and a turn of the event loop for the outputs.
    if (encoder.encodeQueueSize > 2) await new Promise((resolve) => encoder.addEventListener('dequeue', resolve, { once: true }));
    else await new Promise((resolve) => setImmediate(resolve));
  }
})();
`;

interface WorkerState {
  worker: Worker;
  outputs: number;
  chunk: { init: { type: 'key' | 'delta'; timestamp: number; duration?: number; data: ArrayBuffer }; decoderConfig: VideoDecoderConfig } | null;
  frame: { init: { format: 'I420'; codedWidth: number; codedHeight: number; timestamp: number }; data: ArrayBuffer } | null;
  errors: string[];
}

function startWorker(): WorkerState {
  const state: WorkerState = { worker: new Worker(WORKER_SOURCE, { eval: true, workerData: { entry, width: WIDTH, height: HEIGHT } }), outputs: 0, chunk: null, frame: null, errors: [] };
  state.worker.on('message', (message: { type: string; outputs?: number; message?: string }) => {
    if (message.type === 'progress') state.outputs = message.outputs!;
    if (message.type === 'chunk') state.chunk = message as unknown as WorkerState['chunk'];
    if (message.type === 'frame') state.frame = message as unknown as WorkerState['frame'];
    if (message.type === 'error') state.errors.push(message.message!);
  });
  state.worker.on('error', (error) => state.errors.push(String(error)));
  return state;
}

t.test('four Workers encode H.264, send media to the main thread, and are terminated mid-encode', async (t) => {
  t.ok(await eventually(() => getLiveCounters().codecs === 0), 'no codec thread before the test');
  const workers = Array.from({ length: 4 }, startWorker);

  // The main thread encodes and decodes a clip of its own meanwhile.
  const clip = await encodeClip({ codec: 'avc1.42001f', width: WIDTH, height: HEIGHT, framerate: 30 }, 20);
  const decoded = await decodeClip(clip.decoderConfig, clip.chunks);
  t.equal(decoded.length, 20, 'the main thread encodes and decodes while the Workers encode');
  for (const frame of decoded) frame.close();

  t.ok(await eventually(() => workers.every((w) => w.outputs >= 10 && w.chunk !== null && w.frame !== null), 60_000), 'every Worker is encoding');
  t.ok(getLiveCounters().codecs >= 4, 'one codec thread per Worker encoder (the counters are process-wide)');

  // What the Workers sent arrives as plain buffers; rebuilding the objects is the receiver's job.
  for (const w of workers) {
    const chunk = new EncodedVideoChunk(w.chunk!.init);
    t.equal(chunk.type, 'key');
    const frames = await decodeClip(w.chunk!.decoderConfig, [chunk]);
    t.equal(frames.length, 1, 'the transferred chunk decodes on the main thread');
    frames[0]!.close();
    const frame = new VideoFrame(new Uint8Array(w.frame!.data), w.frame!.init);
    const pixels = await pixelsOf(frame);
    t.equal(pixels[1], 1, 'the transferred pixels are the Worker\'s frame');
    frame.close();
  }

  // Terminate them all while they are encoding.
  const exitCodes = await Promise.all(workers.map((w) => w.worker.terminate()));
  t.same(exitCodes, [1, 1, 1, 1], 'terminate() ends each Worker');
  t.same(workers.flatMap((w) => w.errors), [], 'no Worker reported an error');
  t.ok(await eventually(() => getLiveCounters().codecs === 0), 'every codec thread of the Workers is stopped and joined');
  t.ok(await eventually(() => getLiveCounters().videoFrames === 0), 'every frame of the Workers is released');

  // The main thread is unaffected.
  const after = await encodeClip({ codec: 'avc1.42001f', width: WIDTH, height: HEIGHT, framerate: 30 }, 5);
  t.equal(after.chunks.length, 5, 'the main thread still encodes after the Workers are gone');
  t.ok(await eventually(() => getLiveCounters().codecs === 0), 'and its codecs close');
});
