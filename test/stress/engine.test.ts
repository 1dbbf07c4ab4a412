// Stress on the codec engine, in this process (the child-process tests are in lifecycle.test.ts
// and cycles.test.ts): input far past capacity, decodes while decodes are pending, flush, reset
// and close during active work, close with callbacks pending, 200 instances at once. Each test
// ends with the queue at 0, every codec thread gone and no frame alive; none measures time.
// RELIABILITY_SCALE multiplies the counts.
import t from 'tap';
import { EncodedVideoChunk, getLiveCounters, VideoDecoder, VideoEncoder, type VideoFrame } from '../../src/index.js';
import { TestCodec, type TestCodecOutput } from '../../src/testing.js';
import { encodeClip } from '../helpers/codecs.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { makeI420Frame } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

const SCALE = Math.max(0.1, Number(process.env.RELIABILITY_SCALE ?? '1') || 1);
const n = (count: number) => Math.max(1, Math.round(count * SCALE));

/** Polls once per 1 ms timer turn, bounded (a liveness bound, not a timing assertion). */
async function eventually(predicate: () => boolean, turns = 30_000): Promise<boolean> {
  for (let i = 0; i < turns && !predicate(); i++) await new Promise((resolve) => setTimeout(resolve, 1));
  return predicate();
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

function closeAll(outputs: TestCodecOutput[] | VideoFrame[]): void {
  for (const o of outputs) if ('close' in o) o.close();
}

t.afterEach(async () => {
  // Closing is asynchronous on the worker side: every thread must be gone before the next test.
  if (!(await eventually(() => getLiveCounters().codecs === 0))) throw new Error(`codec threads still alive: ${getLiveCounters().codecs}`);
});

t.test('encode calls far past capacity: every input queued at once comes out once, in order', async (t) => {
  const count = n(20_000);
  const timestamps: number[] = [];
  const codec = new TestCodec({ output: (o) => timestamps.push(o.timestamp), error: (e) => t.fail(String(e)) });
  let dequeues = 0;
  codec.ondequeue = () => dequeues++;
  codec.configure({ delay: 3 });
  let peak = 0;
  for (let i = 0; i < count; i++) {
    const frame = makeI420Frame(16, 16, i);
    codec.encode(frame);
    frame.close();
    peak = Math.max(peak, codec.queueLength);
  }
  t.ok(peak > count / 2, `the queue held what the worker could not take yet (peak ${peak} of ${count})`);
  await codec.flush();
  t.equal(codec.queueLength, 0, 'queue back to 0');
  t.equal(timestamps.length, count, 'one output per input');
  t.ok(timestamps.every((ts, i) => ts === i * 33333), 'outputs in input order');
  t.ok(dequeues >= 1 && dequeues < count, `dequeue events coalesced (${dequeues} for ${count} inputs)`);
  codec.close();

  const chunks: number[] = [];
  const encoder = new VideoEncoder({ output: (c) => chunks.push(c.timestamp), error: (e) => t.fail(String(e)) });
  encoder.configure({ codec: 'avc1.42001e', width: 64, height: 64, latencyMode: 'realtime' });
  const frames = n(1000);
  for (let i = 0; i < frames; i++) {
    const frame = makeI420Frame(64, 64, i);
    encoder.encode(frame);
    frame.close();
  }
  t.ok(encoder.encodeQueueSize > 0, `H.264: ${encoder.encodeQueueSize} of ${frames} frames still queued after the loop`);
  await encoder.flush();
  t.equal(encoder.encodeQueueSize, 0);
  t.same(chunks, Array.from({ length: frames }, (_, i) => i * 33333), 'H.264: every frame encoded once, in order');
  encoder.close();
});

t.test('decode while decodes are pending, including decodes issued from the output callback', async (t) => {
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 64, height: 64, latencyMode: 'realtime' }, 30, 10);
  const rounds = n(20);
  const total = rounds * clip.chunks.length;
  const seen: number[] = [];
  let submitted = 0;
  const decodeNext = (decoder: VideoDecoder) => {
    const source = clip.chunks[submitted % clip.chunks.length]!;
    const data = new Uint8Array(source.byteLength);
    source.copyTo(data);
    decoder.decode(new EncodedVideoChunk({ type: source.type, timestamp: submitted, data }));
    submitted++;
  };
  const decoder: VideoDecoder = new VideoDecoder({
    output: (frame) => {
      seen.push(frame.timestamp);
      frame.close();
      // Keep the decoder busy from inside its own callback: two more for each output, up to total.
      for (let k = 0; k < 2 && submitted < total; k++) decodeNext(decoder);
    },
    error: (e) => t.fail(String(e)),
  });
  decoder.configure(clip.decoderConfig);
  for (let i = 0; i < total / 2; i++) decodeNext(decoder);
  // Flushing while the output callback keeps adding decodes: repeat until all were submitted.
  // (Bounded: a frame that never comes out fails the count below instead of looping.)
  for (let i = 0; i < total && (submitted < total || seen.length < submitted); i++) await decoder.flush().catch((e) => t.fail(String(e)));
  t.equal(seen.length, total, 'one frame per chunk');
  t.same(seen, Array.from({ length: total }, (_, i) => i), 'frames in decode order (baseline: no reordering)');
  t.equal(decoder.decodeQueueSize, 0);
  decoder.close();
});

t.test('flush during active encoding: interleaved flushes resolve in order, each after its outputs', async (t) => {
  for (const variant of ['test', 'h264'] as const) {
    const outputs: number[] = [];
    const codec =
      variant === 'test'
        ? new TestCodec({ output: (o) => outputs.push(o.timestamp), error: (e) => t.fail(String(e)) })
        : new VideoEncoder({ output: (c) => outputs.push(c.timestamp), error: (e) => t.fail(String(e)) });
    if (codec instanceof TestCodec) codec.configure({ latencyUs: 50, delay: 2 });
    else codec.configure({ codec: 'avc1.42001e', width: 32, height: 32 });
    const flushes = variant === 'test' ? n(50) : n(10);
    const perFlush = variant === 'test' ? 40 : 10;
    const settled: string[] = [];
    const promises: Promise<void>[] = [];
    let submitted = 0;
    for (let f = 0; f < flushes; f++) {
      for (let i = 0; i < perFlush; i++) {
        const frame = makeI420Frame(32, 32, submitted++);
        codec.encode(frame);
        frame.close();
      }
      const due = submitted;
      promises.push(codec.flush().then(() => void settled.push(`${f}:${outputs.length >= due ? 'after' : 'BEFORE'} its outputs`)));
      if (f % 3 === 0) await turn(); // some flushes are queued while the codec is mid-work
    }
    await Promise.all(promises);
    t.same(settled, Array.from({ length: flushes }, (_, f) => `${f}:after its outputs`), `${variant}: flushes resolved in order, after their outputs`);
    t.same(outputs, Array.from({ length: submitted }, (_, i) => i * 33333), `${variant}: every output once, in order`);
    codec.close();
  }
});

t.test('reset during active encoding, again and again: nothing from before a reset comes out after it', async (t) => {
  for (const variant of ['test', 'h264'] as const) {
    const outputs: number[] = [];
    let generationStart = 0; // the first frame index of the current generation
    let stale = 0;
    const output = (timestamp: number) => {
      outputs.push(timestamp);
      if (timestamp / 33333 < generationStart) stale++;
    };
    const codec =
      variant === 'test'
        ? new TestCodec({ output: (o) => output(o.timestamp), error: (e) => t.fail(String(e)) })
        : new VideoEncoder({ output: (c) => output(c.timestamp), error: (e) => t.fail(String(e)) });
    const configure = () =>
      codec instanceof TestCodec ? codec.configure({ latencyUs: 100, delay: 1 }) : codec.configure({ codec: 'avc1.42001e', width: 32, height: 32, latencyMode: 'realtime' });
    const rounds = variant === 'test' ? n(200) : n(40);
    let index = 0;
    let aborted = 0;
    for (let round = 0; round < rounds; round++) {
      configure();
      for (let i = 0; i < 10; i++) {
        const frame = makeI420Frame(32, 32, index++);
        codec.encode(frame);
        frame.close();
      }
      const flush = codec.flush().catch((e: DOMException) => {
        if (e.name === 'AbortError') aborted++;
        else t.fail(`flush rejected with ${e.name}`);
      });
      // Reset at different points of the work: before the worker starts, mid-batch, after some
      // outputs were delivered.
      if (round % 2 === 0) for (let k = 0; k < round % 6; k++) await turn();
      else await new Promise((resolve) => setTimeout(resolve, (round % 5) * (variant === 'h264' ? 8 : 1)));
      codec.reset();
      generationStart = index;
      const queued = codec instanceof TestCodec ? codec.queueLength : codec.encodeQueueSize;
      if (queued !== 0) t.fail(`${variant}: reset() left ${queued} inputs queued`);
      await flush;
    }
    configure();
    const last = makeI420Frame(32, 32, index++);
    codec.encode(last);
    last.close();
    await codec.flush();
    t.equal(stale, 0, `${variant}: no output from before a reset arrived after it (${outputs.length} outputs, ${aborted} flushes aborted)`);
    t.equal(outputs.at(-1), (index - 1) * 33333, `${variant}: the codec still works after ${rounds} resets`);
    codec.close();
  }
});

t.test('close during active encoding and with callbacks pending: no callback afterwards', async (t) => {
  const instances = n(60);
  let late = 0;
  const closers: Promise<void>[] = [];
  for (let i = 0; i < instances; i++) {
    let closed = false;
    const isTest = i % 3 !== 0;
    const onOutput = (o: TestCodecOutput | { timestamp: number }) => {
      if (closed) late++;
      if ('close' in o && typeof o.close === 'function') o.close();
      // One in four closes from inside its first output callback, with the rest of the batch pending.
      if (i % 4 === 1 && !closed) {
        closed = true;
        codec.close();
      }
    };
    const onError = () => {
      if (closed) late++;
    };
    const codec: TestCodec | VideoEncoder = isTest
      ? new TestCodec({ output: onOutput, error: onError })
      : new VideoEncoder({ output: onOutput, error: onError });
    if (codec instanceof TestCodec) codec.configure({ latencyUs: 200, delay: i % 3 });
    else codec.configure({ codec: 'avc1.42001e', width: 32, height: 32, latencyMode: 'realtime' });
    for (let k = 0; k < 20; k++) {
      const frame = makeI420Frame(32, 32, k);
      codec.encode(frame);
      frame.close();
    }
    const flush = codec.flush().catch(() => {});
    closers.push(
      (async () => {
        for (let k = 0; k < i % 5; k++) await turn();
        if (!closed) {
          closed = true;
          codec.close();
        }
        await flush;
      })(),
    );
  }
  await Promise.all(closers);
  await eventually(() => getLiveCounters().codecs === 0);
  for (let k = 0; k < 10; k++) await turn();
  t.equal(late, 0, `no output or error callback after close() across ${instances} codecs`);
});

t.test('200 codec instances at once (test codec, H.264 encoders and decoders), all working', async (t) => {
  const count = n(200);
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 32, height: 32, latencyMode: 'realtime' }, 5);
  const results = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const outputs: (TestCodecOutput | VideoFrame | { timestamp: number })[] = [];
      const error = (e: DOMException) => t.fail(`instance ${i}: ${e.name} ${e.message}`);
      const kind = i % 3;
      if (kind === 0) {
        const codec = new TestCodec({ output: (o) => outputs.push(o), error });
        codec.configure({ latencyUs: 100, delay: 1 });
        for (let k = 0; k < 10; k++) {
          const frame = makeI420Frame(16, 16, k);
          codec.encode(frame);
          frame.close();
        }
        await codec.flush();
        codec.close();
        closeAll(outputs as TestCodecOutput[]);
        return outputs.length === 10;
      }
      if (kind === 1) {
        const encoder = new VideoEncoder({ output: (c) => outputs.push(c), error });
        encoder.configure({ codec: 'avc1.42001e', width: 32, height: 32, latencyMode: 'realtime' });
        for (let k = 0; k < 5; k++) {
          const frame = makeI420Frame(32, 32, k);
          encoder.encode(frame);
          frame.close();
        }
        await encoder.flush();
        encoder.close();
        return outputs.length === 5;
      }
      const decoder = new VideoDecoder({ output: (f) => outputs.push(f), error });
      decoder.configure(clip.decoderConfig);
      for (const chunk of clip.chunks) decoder.decode(chunk);
      await decoder.flush();
      decoder.close();
      closeAll(outputs as VideoFrame[]);
      return outputs.length === clip.chunks.length;
    }),
  );
  t.equal(results.filter(Boolean).length, count, `all ${count} instances produced every output`);
});
