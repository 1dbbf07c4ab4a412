// Every stream class in pipeThrough chains: outputs complete and in order, flush on close,
// in-band and method reconfiguration in write order, key frame requests.
import t from 'tap';
import {
  VideoDecoderStream,
  VideoEncoderStream,
  VideoFrame,
  type EncodedVideoChunk,
  type VideoDecoderConfig,
  type VideoEncoderStreamOutput,
} from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { makeI420Frame } from '../helpers/media.js';
import { TestDecoderStream, TestEncoderStream, chunksOnly, drainTimestamps, makeChunk, makeFrame, pullSource } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const avc = { codec: 'avc1.42001e', width: 160, height: 96, latencyMode: 'realtime' } as const;

async function readAll<T>(readable: ReadableStream<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of readable) items.push(item);
  return items;
}

t.test('TestEncoderStream -> TestDecoderStream: 1,000 frames come out complete and in order', async (t) => {
  const n = 1000;
  const timestamps = await drainTimestamps(
    pullSource(n, (i) => makeFrame(i))
      .pipeThrough(new TestEncoderStream({ delay: 3 }))
      .pipeThrough(chunksOnly())
      .pipeThrough(new TestDecoderStream({ delay: 5 })),
  );
  t.same(timestamps, Array.from({ length: n }, (_, i) => i * 1000));
});

t.test('writable.close() flushes: outputs the codec held back (its delay) are all delivered', async (t) => {
  const delay = 7;
  const stream = new TestEncoderStream({ delay, latencyUs: 100 });
  const writer = stream.writable.getWriter();
  const outputs: number[] = [];
  const reading = (async () => {
    for await (const { chunk } of stream.readable) outputs.push(chunk.timestamp);
  })();
  for (let i = 0; i < 20; i++) await writer.write(makeFrame(i));
  await writer.close();
  await reading;
  t.same(outputs, Array.from({ length: 20 }, (_, i) => i * 1000), 'every output, including the last `delay` ones');
});

t.test('VideoEncoderStream -> VideoDecoderStream with pipeThrough: H.264 round trip in presentation order', async (t) => {
  const n = 30;
  const encoder = new VideoEncoderStream(avc);
  let decoderConfig: VideoDecoderConfig | undefined;
  const chunks = await readAll(
    pullSource(n, (i) => makeI420Frame(160, 96, i)).pipeThrough(encoder).pipeThrough(
      new TransformStream<VideoEncoderStreamOutput, EncodedVideoChunk>({
        transform({ chunk, metadata }, controller) {
          if (metadata.decoderConfig !== undefined) decoderConfig ??= metadata.decoderConfig as VideoDecoderConfig;
          controller.enqueue(chunk);
        },
      }),
    ),
  );
  t.equal(chunks.length, n, 'one chunk per frame');
  t.equal(chunks[0]!.type, 'key', 'starts with a key chunk');
  t.ok(decoderConfig, 'the first output carries metadata.decoderConfig');
  const frames = await readAll(pullSource(n, (i) => chunks[i]!).pipeThrough(new VideoDecoderStream(decoderConfig!)));
  t.same(
    frames.map((f) => f.timestamp),
    chunks.map((c) => c.timestamp),
    'decoded frames keep the timestamps, in order',
  );
  t.ok(frames.every((f) => f.codedWidth === 160 && f.codedHeight === 96));
  for (const f of frames) f.close();
});

t.test('decode -> encode transcoding chain (H.264 -> H.264 at another size) with in-band config', async (t) => {
  const source = new VideoEncoderStream(avc);
  const n = 24;
  const outputs = await readAll(
    pullSource(n, (i) => makeI420Frame(160, 96, i))
      .pipeThrough(source)
      .pipeThrough(
        // A demuxer-like stage: the decoder config travels in-band, ahead of the first chunk.
        new TransformStream<VideoEncoderStreamOutput, EncodedVideoChunk | { config: VideoDecoderConfig }>({
          transform({ chunk, metadata }, controller) {
            if (metadata.decoderConfig !== undefined) controller.enqueue({ config: metadata.decoderConfig as VideoDecoderConfig });
            controller.enqueue(chunk);
          },
        }),
      )
      .pipeThrough(new VideoDecoderStream(null))
      .pipeThrough(
        new TransformStream<VideoFrame, VideoFrame>({
          // Scale by cropping the visible rect: a new frame that shares the pixels.
          transform(frame, controller) {
            const cropped = new VideoFrame(frame, { visibleRect: { x: 0, y: 0, width: 96, height: 64 } });
            frame.close();
            controller.enqueue(cropped);
          },
        }),
      )
      .pipeThrough(new VideoEncoderStream({ codec: 'avc1.42001e', width: 96, height: 64, latencyMode: 'realtime' })),
  );
  t.equal(outputs.length, n);
  t.same(
    outputs.map((o) => o.chunk.timestamp),
    Array.from({ length: n }, (_, i) => i * 33333),
    'timestamps survive decode and re-encode in order',
  );
  t.equal(outputs[0]!.metadata.decoderConfig?.codedWidth, 96, 'the second encoder describes its own output');
});

t.test('{ frame, options: { keyFrame } } and requestKeyFrame() make exactly the asked frames key frames', async (t) => {
  const stream = new VideoEncoderStream(avc);
  const writer = stream.writable.getWriter();
  const reading = readAll(stream.readable);
  for (let i = 0; i < 12; i++) {
    if (i === 9) stream.requestKeyFrame();
    const frame = makeI420Frame(160, 96, i);
    await writer.write(i === 5 ? { frame, options: { keyFrame: true } } : frame);
  }
  await writer.close();
  const types = (await reading).map((o) => o.chunk.type);
  t.same(
    types.flatMap((type, i) => (type === 'key' ? [i] : [])),
    [0, 5, 9],
    'key frames at the first frame, the per-frame option and the requested one',
  );
});

t.test('configure() applies after every frame written before it, even ones still queued in the writable', async (t) => {
  const stream = new VideoEncoderStream(avc, { highWaterMark: 1 });
  const writer = stream.writable.getWriter();
  const reading = readAll(stream.readable);
  // Written without waiting: most of these sit in the WritableStream's queue when configure() runs.
  const writes = Array.from({ length: 6 }, (_, i) => writer.write(makeI420Frame(160, 96, i)));
  stream.configure({ codec: 'avc1.42001e', width: 64, height: 64, latencyMode: 'realtime' });
  const after = Array.from({ length: 4 }, (_, i) => writer.write(makeI420Frame(64, 64, 6 + i)));
  await Promise.all([...writes, ...after]);
  await writer.close();
  const outputs = await reading;
  t.equal(outputs.length, 10);
  const announced = outputs.flatMap((o, i) => (o.metadata.decoderConfig !== undefined ? [i] : []));
  t.same(announced, [0, 6], 'a new decoderConfig exactly at the first frame written after configure()');
  t.equal(outputs[6]!.chunk.type, 'key', 'which is a key frame');
  // Decoding proves where the boundary is: frames written before configure() keep their size.
  const inputs: (EncodedVideoChunk | { config: VideoDecoderConfig })[] = [];
  outputs.forEach(({ chunk, metadata }) => {
    if (metadata.decoderConfig !== undefined) inputs.push({ config: metadata.decoderConfig as VideoDecoderConfig });
    inputs.push(chunk);
  });
  const frames = await readAll(pullSource(inputs.length, (i) => inputs[i]!).pipeThrough(new VideoDecoderStream(null)));
  t.same(
    frames.map((f) => f.codedWidth),
    [160, 160, 160, 160, 160, 160, 64, 64, 64, 64],
  );
  for (const f of frames) f.close();
  t.throws(() => stream.configure({ codec: 'avc1.42001e', width: 64, height: 64 }), { name: 'InvalidStateError' }, 'not after the stream ended');
});

t.test('configure() rejects an invalid config at the call, before anything is queued', async (t) => {
  const stream = new VideoEncoderStream(avc);
  t.throws(() => stream.configure({ codec: 'avc1.42001e', width: 0, height: 64 }), TypeError);
  t.throws(() => new VideoEncoderStream({ codec: '', width: 64, height: 64 }), TypeError, 'the constructor too');
  await stream.writable.close();
  t.same(await readAll(stream.readable), []);
});

t.test('in-band { config } on a decoder stream reconfigures between the chunks around it', async (t) => {
  const stream = new TestDecoderStream(null);
  const writer = stream.writable.getWriter();
  const reading = drainTimestamps(stream.readable);
  await writer.write({ config: { delay: 2 } });
  for (let i = 0; i < 5; i++) await writer.write(makeChunk(i));
  await writer.write({ config: { delay: 0 } });
  for (let i = 5; i < 8; i++) await writer.write(makeChunk(i));
  await writer.close();
  t.same(await reading, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * 1000), 'reconfiguring drains the old configuration first, in order');
});

t.test('an empty stream closes cleanly on both sides, and the counters start at zero', async (t) => {
  const stream = new VideoDecoderStream(null, { skipUntilKeyChunk: true, live: { maxBufferedFrames: 2 } });
  await stream.writable.close();
  t.same(await readAll(stream.readable), []);
  t.equal(stream.droppedChunks, 0);
  t.equal(stream.droppedFrames, 0);
  t.equal(Object.prototype.toString.call(stream), '[object VideoDecoderStream]');
});

t.test('option validation', async (t) => {
  t.throws(() => new TestEncoderStream({}, { highWaterMark: 0 }), RangeError);
  t.throws(() => new TestEncoderStream({}, { readableHighWaterMark: 1.5 }), RangeError);
  t.throws(() => new TestDecoderStream({}, { live: { maxBufferedFrames: 0 } }), RangeError);
  t.throws(() => new TestEncoderStream({}, { signal: {} as AbortSignal }), TypeError);
});
