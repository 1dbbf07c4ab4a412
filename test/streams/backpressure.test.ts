// Backpressure, end to end: a fast producer writes 1,000 small frames (or chunks), a slow
// consumer reads; the stream keeps the codec's queue at the writable bound and its own output
// queue at the readable bound, so the number of live frames never exceeds
//   writable bound + codec delay + readable bound + the producer's one in-flight frame.
//
// The proof has two halves, each checked exactly:
//  1. The stream's part: it hands an input to the codec only while the codec's queue is below the
//     writable bound and the output queue below the readable bound (checked at every hand-over).
//  2. The codec's part, its delay: inputs it has taken and not answered yet. For the test codec
//     that is the `delay` inputs it holds back, the input in work, and the worker's inbox, which
//     the engine sizes by bytes: up to 64 small inputs (kMaxInboxInputs, native/codec_worker.h).
// Every input is in exactly one place (the sink, the codec's queue, the codec, the output queue,
// the reader), and inputs enter only through (1), so the sum bounds them all.
import t from 'tap';
import type { Test } from 'tap';
import { VideoDecoderStream, VideoEncoderStream, type EncodedVideoChunk, type VideoFrame } from '../../src/index.js';
import type { DecoderStreamInput } from '../../src/streams/decoder-stream.js';
import type { EncoderStreamInput } from '../../src/streams/encoder-stream.js';
import type { TestCodecConfig } from '../../src/testing.js';
import { encodeClip } from '../helpers/codecs.js';
import { checkNoLiveFramesAfterEach, eventually } from '../helpers/leaks.js';
import { TestDecoderStream, TestEncoderStream, chunksOnly, liveFrames, makeChunk, makeFrame, turns } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const WORKER_INBOX_MAX = 64;
const IN_WORK = 1;
const testCodecDelay = (delay: number) => delay + WORKER_INBOX_MAX + IN_WORK;

/** Largest codec queue and output queue seen at the moment an input is handed to the codec. */
interface AtHandOver {
  codecQueue: number;
  outputQueue: number;
  count: number;
}

class CheckedEncoderStream extends TestEncoderStream {
  readonly atHandOver: AtHandOver = { codecQueue: 0, outputQueue: 0, count: 0 };
  protected override submitInput(input: EncoderStreamInput<VideoFrame, { keyFrame?: boolean }>): boolean {
    record(this.atHandOver, this.encodeQueueSize, this.outputQueueSize);
    return super.submitInput(input);
  }
}

class CheckedDecoderStream extends TestDecoderStream {
  readonly atHandOver: AtHandOver = { codecQueue: 0, outputQueue: 0, count: 0 };
  protected override submitInput(input: DecoderStreamInput<EncodedVideoChunk, TestCodecConfig>): boolean {
    record(this.atHandOver, this.decodeQueueSize, this.outputQueueSize);
    return super.submitInput(input);
  }
}

function record(at: AtHandOver, codecQueue: number, outputQueue: number) {
  at.codecQueue = Math.max(at.codecQueue, codecQueue);
  at.outputQueue = Math.max(at.outputQueue, outputQueue);
  at.count++;
}

/** The highest value of each probe, sampled at every producer and consumer step and once per
 * turn of the event loop in between. */
class Peaks {
  readonly max: Record<string, number> = {};
  #running = true;

  constructor(readonly probes: Record<string, () => number>) {
    const tick = () => {
      if (!this.#running) return;
      this.sample();
      setImmediate(tick);
    };
    setImmediate(tick);
  }

  sample(): void {
    for (const [name, probe] of Object.entries(this.probes)) this.max[name] = Math.max(this.max[name] ?? 0, probe());
  }

  stop(): void {
    this.#running = false;
  }
}

/** Writes `count` items as fast as the writable lets it: the producer holds at most one item. */
async function fastProducer<T>(writable: WritableStream<T>, count: number, make: (i: number) => T, peaks: Peaks): Promise<void> {
  const writer = writable.getWriter();
  for (let i = 0; i < count; i++) {
    await writer.ready;
    const item = make(i);
    peaks.sample();
    void writer.write(item);
    peaks.sample();
  }
  await writer.close();
}

/** Reads everything, pausing a few turns of the event loop per item; closes frames after the pause. */
async function slowConsumer<T>(readable: ReadableStream<T>, peaks: Peaks, finish: (item: T) => number): Promise<number[]> {
  const seen: number[] = [];
  for await (const item of readable) {
    peaks.sample();
    await turns(3);
    peaks.sample();
    seen.push(finish(item));
  }
  return seen;
}

function checkAllInOrder(t: Test, seen: number[], count: number) {
  t.equal(seen.length, count, 'every output arrived');
  t.ok(
    seen.every((ts, i) => ts === i * 1000),
    'outputs in input order',
  );
}

function checkHandOvers(t: Test, at: AtHandOver, W: number, R: number, count: number) {
  t.equal(at.count, count, 'every input was handed over');
  t.ok(at.codecQueue <= W - 1, `inputs handed over only while the codec queue was below ${W} (max ${at.codecQueue})`);
  t.ok(at.outputQueue <= R - 1, `and the output queue below ${R} (max ${at.outputQueue})`);
}

const configurations = [
  { W: 2, R: 2, delay: 3 },
  { W: 1, R: 4, delay: 0 },
  { W: 6, R: 1, delay: 8 },
];

for (const { W, R, delay } of configurations) {
  t.test(`encoder stream, W=${W} R=${R} delay=${delay}: 1,000 frames, fast producer, slow consumer`, async (t) => {
    const stream = new CheckedEncoderStream({ delay, latencyUs: 50 }, { highWaterMark: W, readableHighWaterMark: R });
    const peaks = new Peaks({ live: liveFrames, codecQueue: () => stream.encodeQueueSize, outputQueue: () => stream.outputQueueSize });
    const producing = fastProducer(stream.writable, 1000, (i) => makeFrame(i), peaks);
    // Nobody reads at first: the output queue fills up to its bound and writes stop resolving.
    t.ok(await eventually(() => stream.outputQueueSize >= R), `the output queue filled to the readable bound (${R})`);
    await turns(20);
    const handedOver = stream.atHandOver.count;
    await turns(20);
    t.equal(stream.atHandOver.count, handedOver, 'and while nobody reads, no more input goes to the codec');
    const seen = await slowConsumer(stream.readable, peaks, ({ chunk }) => chunk.timestamp);
    await producing;
    peaks.stop();
    checkAllInOrder(t, seen, 1000);
    checkHandOvers(t, stream.atHandOver, W, R, 1000);
    t.ok(peaks.max.codecQueue! <= W, `the codec queue never passed ${W} (max ${peaks.max.codecQueue})`);
    const bound = W + testCodecDelay(delay) + R + 1;
    t.ok(peaks.max.live! <= bound, `live frames peaked at ${peaks.max.live} <= ${bound}`);
    // The frames the worker holds are released on its thread and not counted by
    // getLiveCounters(); what JavaScript holds is exactly the writable bound + the producer's frame.
    t.ok(peaks.max.live! <= W + 1, `frames held in JavaScript peaked at ${peaks.max.live} <= W + 1`);
  });

  t.test(`decoder stream, W=${W} R=${R} delay=${delay}: 1,000 chunks in, frames out to a slow consumer`, async (t) => {
    const stream = new CheckedDecoderStream({ delay, latencyUs: 50 }, { highWaterMark: W, readableHighWaterMark: R });
    const peaks = new Peaks({ live: liveFrames, codecQueue: () => stream.decodeQueueSize, outputQueue: () => stream.outputQueueSize });
    const producing = fastProducer(stream.writable, 1000, (i) => makeChunk(i), peaks);
    t.ok(await eventually(() => stream.outputQueueSize >= R), `the output queue filled to the readable bound (${R})`);
    const seen = await slowConsumer(stream.readable, peaks, (frame) => {
      frame.close();
      return frame.timestamp;
    });
    await producing;
    peaks.stop();
    checkAllInOrder(t, seen, 1000);
    checkHandOvers(t, stream.atHandOver, W, R, 1000);
    const bound = W + testCodecDelay(delay) + R + 1;
    t.ok(peaks.max.live! <= bound, `live frames peaked at ${peaks.max.live} <= ${bound}`);
  });
}

t.test('a slow codec keeps the codec queue at the writable bound, never above', async (t) => {
  const W = 3;
  const stream = new CheckedEncoderStream({ latencyUs: 1000 }, { highWaterMark: W });
  const peaks = new Peaks({ live: liveFrames, codecQueue: () => stream.encodeQueueSize });
  const producing = fastProducer(stream.writable, 120, (i) => makeFrame(i), peaks);
  const reading = slowConsumer(stream.readable, peaks, ({ chunk }) => chunk.timestamp);
  // Once the worker's inbox is full, inputs wait in the codec's queue, and writes wait for room.
  t.ok(await eventually(() => stream.encodeQueueSize === W), `the codec queue reached ${W}`);
  const [, seen] = await Promise.all([producing, reading]);
  peaks.stop();
  t.equal(seen.length, 120);
  t.equal(peaks.max.codecQueue, W, `and never passed it`);
  t.ok(stream.atHandOver.codecQueue <= W - 1);
  t.ok(peaks.max.live! <= W + 1, `frames held in JavaScript peaked at ${peaks.max.live}`);
});

t.test("encoder -> decoder chain: live frames within the sum of both streams' bounds", async (t) => {
  const [W, R, d1, d2] = [2, 2, 3, 2];
  const encoder = new TestEncoderStream({ delay: d1, latencyUs: 50 }, { highWaterMark: W, readableHighWaterMark: R });
  const decoder = new TestDecoderStream({ delay: d2, latencyUs: 100 }, { highWaterMark: W, readableHighWaterMark: R });
  const peaks = new Peaks({ live: liveFrames });
  const readable = encoder.readable.pipeThrough(chunksOnly()).pipeThrough(decoder);
  const [, seen] = await Promise.all([
    fastProducer(encoder.writable, 1000, (i) => makeFrame(i), peaks),
    slowConsumer(readable, peaks, (frame) => {
      frame.close();
      return frame.timestamp;
    }),
  ]);
  peaks.stop();
  checkAllInOrder(t, seen, 1000);
  // Frames exist before the encoder and after the decoder; chunks in between are not frames.
  const bound = W + testCodecDelay(d1) + 1 + (W + testCodecDelay(d2) + R);
  t.ok(peaks.max.live! <= bound, `live frames peaked at ${peaks.max.live} <= ${bound}`);
});

t.test('live mode: a reader that never catches up costs maxBufferedFrames, not backpressure', async (t) => {
  const stream = new TestDecoderStream({}, { live: { maxBufferedFrames: 3 } });
  const peaks = new Peaks({ live: liveFrames, outputQueue: () => stream.outputQueueSize });
  // Nobody reads while all 200 chunks are written: the writes still resolve.
  await fastProducer(stream.writable, 200, (i) => makeChunk(i), peaks);
  peaks.stop();
  t.ok(peaks.max.outputQueue! <= 3, `at most 3 frames held (peak ${peaks.max.outputQueue})`);
  t.ok(peaks.max.live! <= 3, `live frames peaked at ${peaks.max.live}`);
  t.equal(stream.droppedFrames, 197, 'the oldest frames were closed, dropped and counted');
  const left: number[] = [];
  for await (const frame of stream.readable) {
    left.push(frame.timestamp);
    frame.close();
  }
  t.same(left, [197000, 198000, 199000], 'the reader gets the newest ones');
});

t.test('H.264 decode -> encode with a slow consumer: live frames within both streams\' bounds', async (t) => {
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 160, height: 96, latencyMode: 'realtime' }, 90);
  const [W, R] = [2, 2];
  const decoder = new VideoDecoderStream(clip.decoderConfig, { highWaterMark: W, readableHighWaterMark: R });
  const encoder = new VideoEncoderStream(
    { codec: 'avc1.42001e', width: 160, height: 96, latencyMode: 'realtime' },
    { highWaterMark: W, readableHighWaterMark: R },
  );
  const peaks = new Peaks({ live: liveFrames });
  let next = 0;
  const source = new ReadableStream<EncodedVideoChunk>({
    pull(controller) {
      if (next < clip.chunks.length) controller.enqueue(clip.chunks[next++]!);
      else controller.close();
    },
  });
  const seen = await slowConsumer(source.pipeThrough(decoder).pipeThrough(encoder), peaks, ({ chunk }) => chunk.timestamp);
  peaks.stop();
  t.equal(seen.length, 90);
  // The h264 decoder's own delay: frame threads hold one picture each (a realtime stream has no
  // reordering); the machine has 2 cores, FFmpeg uses at most a handful of threads.
  const h264DecoderDelay = 16;
  const bound = W + (WORKER_INBOX_MAX + IN_WORK + h264DecoderDelay) + R + (W + 1);
  t.ok(peaks.max.live! <= bound, `live frames peaked at ${peaks.max.live} <= ${bound}`);
});
