// The codec streams with other stream implementations: Node's web streams, web-streams-polyfill
// on either side, Node's object-mode streams (Readable.fromWeb, Writable.toWeb, Duplex.fromWeb,
// stream.pipeline) and for await.
//
// WHATWG streams brand-check each other: Node's pipeThrough/pipeTo accept only Node's own
// ReadableStream/WritableStream, and the polyfill's only its own. Mixing implementations is done
// the standard way: ReadableStream.from() (any async iterable, in both implementations), a reader
// on the other implementation's readable, and a WritableStream whose sink forwards to a writer.
import t from 'tap';
import { Duplex, Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ReadableStream as PolyReadable, WritableStream as PolyWritable } from 'web-streams-polyfill';
import { VideoFrame, type EncodedVideoChunk } from '../../src/index.js';
import { checkNoLiveFramesAfterEach, eventually } from '../helpers/leaks.js';
import { TestDecoderStream, TestEncoderStream, chunksOnly, liveFrames, makeChunk, makeFrame } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const expected = (n: number) => Array.from({ length: n }, (_, i) => i * 1000);

/** A polyfill WritableStream that forwards to a native writable (backpressure included: each
 * write resolves when the native write does). */
function polyWritableFor<T>(writable: WritableStream<T>): PolyWritable<T> {
  const writer = writable.getWriter();
  return new PolyWritable<T>({
    write: (chunk) => writer.write(chunk),
    close: () => writer.close(),
    abort: (reason) => writer.abort(reason),
  });
}

/** A polyfill { writable, readable } pair over a codec stream, for the polyfill's pipeThrough. */
function polyPair<I, O>(stream: { writable: WritableStream<I>; readable: ReadableStream<O> }) {
  return { writable: polyWritableFor(stream.writable), readable: PolyReadable.from(stream.readable) };
}

function polyFrameSource(n: number): PolyReadable<VideoFrame> {
  let i = 0;
  return new PolyReadable<VideoFrame>(
    {
      pull(controller) {
        if (i < n) controller.enqueue(makeFrame(i++));
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

t.test("Node's web streams: a native TransformStream between the codec streams, pipeTo a native WritableStream", async (t) => {
  const seen: number[] = [];
  await new ReadableStream<VideoFrame>({
    start(controller) {
      for (let i = 0; i < 50; i++) controller.enqueue(makeFrame(i));
      controller.close();
    },
  })
    .pipeThrough(new TestEncoderStream({ delay: 2 }))
    .pipeThrough(chunksOnly())
    .pipeThrough(new TestDecoderStream({ delay: 1 }))
    .pipeTo(
      new WritableStream<VideoFrame>({
        write(frame) {
          seen.push(frame.timestamp);
          frame.close();
        },
      }),
    );
  t.same(seen, expected(50));
});

t.test('web-streams-polyfill on both sides of pipeThrough: polyfill source -> codec streams -> polyfill sink', async (t) => {
  const seen: number[] = [];
  const sink = new PolyWritable<VideoFrame>({
    write(frame) {
      seen.push(frame.timestamp);
      frame.close();
    },
  });
  await polyFrameSource(60)
    .pipeThrough(polyPair(new TestEncoderStream({ delay: 3 })))
    .pipeThrough(polyPair(chunksOnly()))
    .pipeThrough(polyPair(new TestDecoderStream()))
    .pipeTo(sink);
  t.same(seen, expected(60));
});

t.test('web-streams-polyfill into and out of native pipes: ReadableStream.from() and PolyReadable.from()', async (t) => {
  // Polyfill readable into the codec stream's writable, through Node's pipeThrough...
  const native = ReadableStream.from(polyFrameSource(40)).pipeThrough(new TestEncoderStream({ delay: 1 }));
  // ...and the codec stream's readable read by the polyfill's own reader.
  const reader = PolyReadable.from(native).getReader();
  const seen: number[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen.push(value.chunk.timestamp);
  }
  t.same(seen, expected(40));
});

t.test('web-streams-polyfill: cancelling the polyfill side cancels the codec stream and closes its frames', async (t) => {
  const decoder = new TestDecoderStream({ delay: 2 });
  const frames = new TestEncoderStream();
  const polyReadable = PolyReadable.from(
    ReadableStream.from(polyFrameSource(30)).pipeThrough(frames).pipeThrough(chunksOnly()).pipeThrough(decoder),
  );
  const reader = polyReadable.getReader();
  const first = await reader.read();
  first.value!.close();
  await reader.cancel('enough');
  // The cancel travels up the chain through the pipes, one promise reaction at a time.
  t.ok(await eventually(() => liveFrames() === 0), 'no frame left alive anywhere in the chain');
});

t.test('Readable.fromWeb + stream.pipeline in object mode', async (t) => {
  const seen: number[] = [];
  const encoder = new TestEncoderStream({ delay: 2 });
  const writing = ReadableStream.from((async function* () {
    for (let i = 0; i < 50; i++) yield makeFrame(i);
  })()).pipeTo(encoder.writable);
  await pipeline(
    Readable.fromWeb(encoder.readable as import('node:stream/web').ReadableStream, { objectMode: true, highWaterMark: 1 }),
    new Writable({
      objectMode: true,
      highWaterMark: 1,
      write({ chunk }: { chunk: EncodedVideoChunk }, _encoding, callback) {
        seen.push(chunk.timestamp);
        callback();
      },
    }),
  );
  await writing;
  t.same(seen, expected(50));
});

t.test('Writable.toWeb as the destination of pipeTo', async (t) => {
  const seen: number[] = [];
  const nodeSink = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(frame: VideoFrame, _encoding, callback) {
      seen.push(frame.timestamp);
      frame.close();
      setImmediate(callback); // a slow Node consumer: backpressure goes back through pipeTo
    },
  });
  const decoder = new TestDecoderStream({ delay: 1 }, { readableHighWaterMark: 1 });
  const encoder = new TestEncoderStream();
  await ReadableStream.from((async function* () {
    for (let i = 0; i < 40; i++) yield makeFrame(i);
  })())
    .pipeThrough(encoder)
    .pipeThrough(chunksOnly())
    .pipeThrough(decoder)
    .pipeTo(Writable.toWeb(nodeSink) as unknown as WritableStream<VideoFrame>);
  t.same(seen, expected(40));
});

t.test('Duplex.fromWeb(codec stream) in a stream.pipeline of Node object-mode streams', async (t) => {
  const seen: number[] = [];
  const toChunks = new Transform({
    objectMode: true,
    transform(output: { chunk: EncodedVideoChunk }, _encoding, callback) {
      callback(null, output.chunk);
    },
  });
  await pipeline(
    Readable.from((function* () {
      for (let i = 0; i < 30; i++) yield makeFrame(i);
    })()),
    Duplex.fromWeb(new TestEncoderStream({ delay: 1 }) as unknown as Parameters<typeof Duplex.fromWeb>[0], { objectMode: true }),
    toChunks,
    Duplex.fromWeb(new TestDecoderStream() as unknown as Parameters<typeof Duplex.fromWeb>[0], { objectMode: true }),
    new Writable({
      objectMode: true,
      write(frame: VideoFrame, _encoding, callback) {
        seen.push(frame.timestamp);
        frame.close();
        callback();
      },
    }),
  );
  t.same(seen, expected(30));
});

t.test('for await over the readable, and a second reader cannot take it while it is locked', async (t) => {
  const stream = new TestDecoderStream({ delay: 1 });
  const writing = ReadableStream.from((async function* () {
    for (let i = 0; i < 20; i++) yield makeChunk(i);
  })()).pipeTo(stream.writable);
  const seen: number[] = [];
  for await (const frame of stream.readable) {
    t.throws(() => stream.readable.getReader(), TypeError);
    seen.push(frame.timestamp);
    frame.close();
  }
  await writing;
  t.same(seen, expected(20));
});
