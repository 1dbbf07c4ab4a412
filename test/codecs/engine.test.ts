// The codec processing model (spec 2.3 and the control message queue) on the deterministic test
// codec and on H.264: the worker never blocks JavaScript, callbacks run on the main thread,
// saturation and dequeue, reset/close semantics, flush promises, resource reclamation.
import t from 'tap';
import { isMainThread } from 'node:worker_threads';
import { VideoDecoder, VideoEncoder, type EncodedVideoChunk, type VideoFrame } from '../../src/index.js';
import { TestCodec, type TestCodecOutput } from '../../src/testing.js';
import { encodeClip } from '../helpers/codecs.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { makeI420Frame } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

function collectTest(config = {}) {
  const outputs: TestCodecOutput[] = [];
  const errors: DOMException[] = [];
  const codec = new TestCodec({ output: (o) => outputs.push(o), error: (e) => errors.push(e) });
  codec.configure(config);
  return { codec, outputs, errors };
}

function closeAll(outputs: TestCodecOutput[]) {
  for (const o of outputs) if ('close' in o) o.close();
}

t.test('encode and decode do not block the event loop: a timer keeps firing through them', async (t) => {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  const encoder = new VideoEncoder({ output: () => {}, error: (e) => t.fail(String(e)) });
  encoder.configure({ codec: 'avc1.640028', width: 1280, height: 720, framerate: 30 });
  const frames = Array.from({ length: 20 }, (_, i) => makeI420Frame(1280, 720, i));
  let ticksDuringEncode = -1;
  for (const f of frames) encoder.encode(f);
  for (const f of frames) f.close();
  const startTicks = ticks;
  await encoder.flush();
  ticksDuringEncode = ticks - startTicks;
  encoder.close();
  clearInterval(timer);
  t.ok(ticksDuringEncode > 0, `the interval fired ${ticksDuringEncode} times while 20 720p frames were encoded`);
});

t.test('callbacks run on the main thread, never synchronously inside encode()', async (t) => {
  let insideEncode = false;
  const seen: boolean[] = [];
  const { codec, outputs } = collectTest();
  const encoder = new VideoEncoder({
    output: () => seen.push(isMainThread && !insideEncode),
    error: () => t.fail('no error'),
  });
  encoder.configure({ codec: 'avc1.42001e', width: 64, height: 64, latencyMode: 'realtime' });
  for (let i = 0; i < 5; i++) {
    const f = makeI420Frame(64, 64, i);
    insideEncode = true;
    encoder.encode(f);
    insideEncode = false;
    f.close();
  }
  await encoder.flush();
  encoder.close();
  t.equal(seen.length, 5);
  t.ok(seen.every(Boolean), 'every output callback ran on the main thread in its own task');
  codec.close();
  closeAll(outputs);
});

t.test('many concurrent codec instances work at once', async (t) => {
  const count = 16;
  const results = await Promise.all(
    Array.from({ length: count }, () => encodeClip({ codec: 'avc1.42001e', width: 96, height: 64, latencyMode: 'realtime' }, 10)),
  );
  t.equal(results.length, count);
  for (const r of results) t.equal(r.chunks.length, 10, 'each instance encoded all its frames');
});

t.test('encode calls far beyond the codec capacity queue up, fire dequeue events, and all come out in order', async (t) => {
  const { codec, outputs, errors } = collectTest({ latencyUs: 500 });
  let dequeues = 0;
  codec.ondequeue = () => dequeues++;
  let listenerCalls = 0;
  codec.addEventListener('dequeue', () => listenerCalls++);
  const n = 300;
  let maxQueue = 0;
  for (let i = 0; i < n; i++) {
    const f = makeI420Frame(16, 16, i);
    codec.encode(f);
    f.close();
    maxQueue = Math.max(maxQueue, codec.queueLength);
  }
  t.ok(maxQueue > n - 20, `the queue held the inputs the worker had not taken (max ${maxQueue})`);
  await codec.flush();
  t.equal(codec.queueLength, 0, 'queue drained');
  t.equal(outputs.length, n, 'every input produced its output');
  t.same(outputs.map((o) => o.timestamp), Array.from({ length: n }, (_, i) => i * 33333), 'outputs in input order');
  t.ok(dequeues > 0 && dequeues < n, `dequeue events are coalesced (${dequeues} for ${n} inputs)`);
  t.equal(listenerCalls, dequeues, 'ondequeue and addEventListener both see each event');
  t.same(errors, []);
  codec.close();
});

t.test('decode while decodes are pending: every frame comes back once', async (t) => {
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 160, height: 96, latencyMode: 'realtime' }, 30);
  const frames: VideoFrame[] = [];
  const decoder = new VideoDecoder({ output: (f) => frames.push(f), error: (e) => t.fail(String(e)) });
  decoder.configure(clip.decoderConfig);
  for (const chunk of clip.chunks) {
    decoder.decode(chunk);
    t.ok(decoder.decodeQueueSize >= 0);
  }
  await decoder.flush();
  t.equal(frames.length, 30);
  t.same(frames.map((f) => f.timestamp), clip.chunks.map((c) => c.timestamp));
  for (const f of frames) f.close();
  decoder.close();
});

t.test('flush during active encoding resolves after every earlier output, and encoding continues', async (t) => {
  const { codec, outputs } = collectTest({ latencyUs: 200, delay: 3 });
  const order: string[] = [];
  for (let i = 0; i < 10; i++) {
    const f = makeI420Frame(16, 16, i);
    codec.encode(f);
    f.close();
  }
  const first = codec.flush().then(() => order.push(`flush1@${outputs.length}`));
  for (let i = 10; i < 20; i++) {
    const f = makeI420Frame(16, 16, i);
    codec.encode(f);
    f.close();
  }
  const second = codec.flush().then(() => order.push(`flush2@${outputs.length}`));
  await Promise.all([first, second]);
  t.same(order, ['flush1@10', 'flush2@20'], 'each flush resolves exactly after the outputs queued before it');
  codec.close();
});

t.test('reset during active encoding: no output from before the reset, pending flushes reject with AbortError', async (t) => {
  const { codec, outputs, errors } = collectTest({ latencyUs: 1000, delay: 2 });
  for (let i = 0; i < 20; i++) {
    const f = makeI420Frame(16, 16, i);
    codec.encode(f);
    f.close();
  }
  const flush = codec.flush();
  const before = outputs.length;
  codec.reset();
  t.equal(codec.state, 'unconfigured');
  t.equal(codec.queueLength, 0, 'queue emptied at once');
  await t.rejects(flush, { name: 'AbortError' });
  codec.configure({ delay: 0 });
  const f = makeI420Frame(16, 16, 1000);
  codec.encode(f);
  f.close();
  await codec.flush();
  t.same(outputs.slice(before).map((o) => o.timestamp), [1000 * 33333], 'only the post-reset output arrives');
  t.same(errors, []);
  codec.close();
});

t.test('reset() called from inside an output callback drops the rest of the batch', async (t) => {
  const outputs: TestCodecOutput[] = [];
  let codec: TestCodec;
  codec = new TestCodec({
    output: (o) => {
      outputs.push(o);
      if (outputs.length === 3) codec.reset();
    },
    error: () => t.fail('no error'),
  });
  codec.configure({ delay: 5 });
  for (let i = 0; i < 10; i++) {
    const f = makeI420Frame(16, 16, i);
    codec.encode(f);
    f.close();
  }
  await t.rejects(codec.flush(), { name: 'AbortError' });
  await new Promise((r) => setTimeout(r, 50));
  t.equal(outputs.length, 3, 'nothing after the reset, even from the same native batch');
  codec.close();
});

t.test('close with callbacks pending: no callback runs after close()', async (t) => {
  let after = 0;
  let closed = false;
  const codec = new TestCodec({
    output: () => {
      if (closed) after++;
    },
    error: () => {
      if (closed) after++;
    },
  });
  codec.configure({ latencyUs: 200 });
  for (let i = 0; i < 50; i++) {
    const f = makeI420Frame(16, 16, i);
    codec.encode(f);
    f.close();
  }
  const flush = codec.flush();
  await new Promise((r) => setTimeout(r, 2));
  codec.close();
  closed = true;
  await t.rejects(flush, { name: 'AbortError' });
  await new Promise((r) => setTimeout(r, 50));
  t.equal(after, 0);
  t.equal(codec.state, 'closed');
  t.throws(() => codec.reset(), { name: 'InvalidStateError' });
  t.throws(() => codec.close(), { name: 'InvalidStateError' }, 'close() on a closed codec throws, as Reset does');
});

t.test('close() rejects pending flushes with AbortError, flush() when unconfigured rejects InvalidStateError', async (t) => {
  const { codec } = collectTest({ latencyUs: 2000 });
  const f = makeI420Frame(16, 16, 0);
  codec.encode(f);
  f.close();
  const a = codec.flush();
  const b = codec.flush();
  codec.close();
  await t.rejects(a, { name: 'AbortError' });
  await t.rejects(b, { name: 'AbortError' });
  const fresh = new TestCodec({ output: () => {}, error: () => {} });
  await t.rejects(fresh.flush(), { name: 'InvalidStateError' });
  fresh.close();
});

t.test('an injected codec failure closes with EncodingError via the error callback', async (t) => {
  const { codec, outputs, errors } = collectTest({ failAt: 3 });
  for (let i = 0; i < 5; i++) {
    const f = makeI420Frame(16, 16, i);
    codec.encode(f);
    f.close();
  }
  await t.rejects(codec.flush(), { name: 'EncodingError' });
  t.equal(errors.length, 1);
  t.equal(errors[0]!.name, 'EncodingError');
  t.equal(codec.state, 'closed');
  t.equal(outputs.length, 2, 'outputs before the failure were delivered');
});

t.test('exceeding the queued-work bound reclaims the codec with QuotaExceededError', async (t) => {
  const errors: DOMException[] = [];
  const codec = new TestCodec({ output: () => {}, error: (e) => errors.push(e), maxQueuedBytes: 64 * 1024 });
  codec.configure({ latencyUs: 5000 });
  let thrown: unknown = null;
  try {
    for (let i = 0; i < 200 && codec.state !== 'closed'; i++) {
      const f = makeI420Frame(64, 64, i);
      codec.encode(f);
      f.close();
    }
  } catch (e) {
    thrown = e;
  }
  t.equal(thrown, null, 'encode() itself does not throw');
  t.equal(codec.state, 'closed');
  t.equal(errors.length, 1);
  t.equal(errors[0]!.name, 'QuotaExceededError');
  t.match(errors[0]!.message, /dequeue/, 'the message says what to do');
});

t.test('calls in the wrong state throw InvalidStateError; bad arguments throw TypeError', async (t) => {
  const encoder = new VideoEncoder({ output: () => {}, error: () => {} });
  const f = makeI420Frame(16, 16, 0);
  t.throws(() => encoder.encode(f), { name: 'InvalidStateError' });
  t.throws(() => encoder.encode({} as VideoFrame), TypeError);
  f.close();
  encoder.configure({ codec: 'avc1.42001e', width: 16, height: 16 });
  t.throws(() => encoder.encode(f), TypeError, 'a closed frame is detached');
  encoder.close();
  t.throws(() => new VideoEncoder({ output: 1, error: () => {} } as never), TypeError);
  t.throws(() => new VideoDecoder({} as never), TypeError);
  const d = new VideoDecoder({ output: () => {}, error: () => {} });
  t.throws(() => d.decode({} as EncodedVideoChunk), TypeError);
  d.close();
});
