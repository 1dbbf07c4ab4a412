// Lifecycle and ownership: close flushes, abort and cancel reset and close the codec and settle
// both sides, a codec error reaches both sides as the same DOMException, the stream closes
// exactly the frames it owns (written and not yet encoded, decoded and not yet read).
import t from 'tap';
import { VideoDecoderStream, VideoEncoderStream, VideoFrame, type EncodedVideoChunk } from '../../src/index.js';
import { encodeClip } from '../helpers/codecs.js';
import { checkNoLiveFramesAfterEach, eventually } from '../helpers/leaks.js';
import { makeI420Frame } from '../helpers/media.js';
import { TestDecoderStream, TestEncoderStream, liveFrames, makeChunk, makeFrame, turns } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const settled = (p: Promise<unknown>) =>
  p.then(
    (value) => ({ status: 'fulfilled' as const, value }),
    (reason: unknown) => ({ status: 'rejected' as const, reason }),
  );

t.test('a frame written into an encoder stream is closed by the stream right after encode()', async (t) => {
  const stream = new TestEncoderStream({ delay: 4, latencyUs: 100 });
  const writer = stream.writable.getWriter();
  let outputs = 0;
  const reading = (async () => {
    for await (const _ of stream.readable) outputs++;
  })();
  const frames = Array.from({ length: 6 }, (_, i) => makeFrame(i));
  for (const frame of frames) {
    await writer.write(frame);
    t.equal(frame.format, null, 'closed once its write resolved (the encoder holds its own reference)');
  }
  await writer.close();
  await reading;
  t.equal(outputs, 6);
});

t.test('writable.abort(): the codec is reset and closed, unread outputs and unwritten frames are closed', async (t) => {
  const stream = new TestDecoderStream({ delay: 0 }, { highWaterMark: 1, readableHighWaterMark: 1 });
  const writer = stream.writable.getWriter();
  for (let i = 0; i < 3; i++) void writer.write(makeChunk(i)).catch(() => {});
  t.ok(await eventually(() => stream.outputQueueSize >= 1), 'outputs wait for a reader');
  t.ok(liveFrames() > 0);
  const reason = new Error('stop');
  const reader = stream.readable.getReader();
  await writer.abort(reason);
  t.equal(liveFrames(), 0, 'the frames the stream held are closed');
  await t.rejects(reader.read(), reason, 'the readable errors with the abort reason');
  await t.rejects(writer.closed, reason);
});

t.test('writable.abort() while writes wait for the codec: both sides settle, queued frames are closed', async (t) => {
  // Large frames fill the worker's inbox after 4, and the slow codec keeps it full: the 5th frame
  // waits in the codec's queue (W = 1), the 6th in the WritableStream's own queue.
  const large = makeI420Frame(1280, 720, 0);
  const stream = new TestEncoderStream({ latencyUs: 20_000 }, { highWaterMark: 1 });
  const writer = stream.writable.getWriter();
  const writes = Array.from({ length: 6 }, () => settled(writer.write(large.clone())));
  large.close();
  t.ok(await eventually(() => stream.encodeQueueSize === 1), 'a frame waits in the codec queue');
  t.ok(liveFrames() >= 1, `unwritten frames are held by the stream (${liveFrames()})`);
  await writer.abort('enough');
  const results = await Promise.all(writes);
  t.ok(results.some((r) => r.status === 'rejected'), 'the writes that were waiting reject');
  t.equal(liveFrames(), 0, 'frames in the codec queue and in the writable queue were closed by the stream');
  t.equal(await stream.readable.getReader().read().catch((e: unknown) => e), 'enough');
});

t.test('readable.cancel(): the codec is closed, the writable errors with the reason, queued outputs are closed', async (t) => {
  const stream = new TestDecoderStream({ delay: 2 });
  const writer = stream.writable.getWriter();
  const writes = Array.from({ length: 8 }, (_, i) => settled(writer.write(makeChunk(i))));
  t.ok(await eventually(() => stream.outputQueueSize >= 2));
  const reader = stream.readable.getReader();
  const first = await reader.read();
  t.ok(first.value instanceof VideoFrame);
  await reader.cancel('not interested');
  t.equal(liveFrames(), 1, 'only the frame the reader took is alive: it belongs to the reader');
  first.value!.close();
  t.equal(await writer.closed.catch((e: unknown) => e), 'not interested', 'the writable errors with the reason');
  await Promise.all(writes);
  await t.rejects(writer.write(makeChunk(99)), undefined, 'later writes reject');
});

t.test('for await with break cancels the stream and closes what it still holds', async (t) => {
  const stream = new TestEncoderStream({ delay: 1 });
  const writer = stream.writable.getWriter();
  const writes = Array.from({ length: 10 }, (_, i) => settled(writer.write(makeFrame(i))));
  let read = 0;
  for await (const _ of stream.readable) {
    if (++read === 3) break;
  }
  await Promise.all(writes);
  t.equal(liveFrames(), 0, 'frames that never reached the encoder were closed');
  await t.rejects(writer.closed);
});

t.test('a codec error errors both sides with the same DOMException, and closes what the stream holds', async (t) => {
  const stream = new TestEncoderStream({ failAt: 5, latencyUs: 200 });
  const writer = stream.writable.getWriter();
  const writes = Array.from({ length: 12 }, (_, i) => settled(writer.write(makeFrame(i))));
  const reader = stream.readable.getReader();
  let readError: unknown;
  for (;;) {
    try {
      const { done } = await reader.read();
      if (done) break;
    } catch (error) {
      readError = error;
      break;
    }
  }
  const writeError = await writer.closed.catch((e: unknown) => e);
  t.ok(readError instanceof DOMException, 'the readable errors with a DOMException');
  t.equal((readError as DOMException).name, 'EncodingError');
  t.equal(writeError, readError, 'the very same exception on the writable');
  await Promise.all(writes);
  t.equal(liveFrames(), 0);
});

t.test('a codec error during the close flush rejects close() with it', async (t) => {
  const stream = new TestEncoderStream({ failFlush: true });
  const writer = stream.writable.getWriter();
  const reading = settled(stream.readable.pipeTo(new WritableStream()));
  await writer.write(makeFrame(0));
  const closing = await settled(writer.close());
  t.equal(closing.status, 'rejected');
  const error = (closing as { reason: unknown }).reason as DOMException;
  t.equal(error.name, 'EncodingError');
  const piped = await reading;
  t.equal((piped as { reason: unknown }).reason, error, 'the readable side saw the same exception');
});

t.test('a bad input (not a frame) errors both sides with the TypeError from encode()', async (t) => {
  const stream = new VideoEncoderStream({ codec: 'avc1.42001e', width: 64, height: 64 });
  const writer = stream.writable.getWriter();
  const write = settled(writer.write({} as VideoFrame));
  const read = settled(stream.readable.getReader().read());
  const [w, r] = await Promise.all([write, read]);
  t.equal(w.status, 'rejected');
  t.type((w as { reason: unknown }).reason, TypeError);
  t.equal((r as { reason: unknown }).reason, (w as { reason: unknown }).reason);
});

t.test('write() hands a frame over: rejected writes after close() was requested are closed by the stream', async (t) => {
  const stream = new TestEncoderStream();
  const writer = stream.writable.getWriter();
  const closing = writer.close();
  const afterClose = makeFrame(1);
  await t.rejects(writer.write(afterClose), TypeError, 'a write after close() is rejected');
  await closing;
  t.equal(afterClose.format, null, 'and its frame closed by the stream');
  // A stream that has already ended is never handed the frame (the WritableStream rejects the
  // write before asking the stream anything): it stays the caller's, who closes it.
  const ended = new TestEncoderStream();
  const endedWriter = ended.writable.getWriter();
  await endedWriter.abort('gone');
  const frame = makeFrame(0);
  await t.rejects(endedWriter.write(frame));
  t.not(frame.format, null, 'not taken');
  frame.close();
  await t.rejects(ended.readable.getReader().read());
});

t.test('signal: aborting it aborts the stream; an already aborted signal starts it aborted', async (t) => {
  const controller = new AbortController();
  const stream = new TestDecoderStream({}, { signal: controller.signal });
  const writer = stream.writable.getWriter();
  for (let i = 0; i < 4; i++) void writer.write(makeChunk(i)).catch(() => {});
  t.ok(await eventually(() => stream.outputQueueSize >= 1));
  controller.abort(new Error('user left'));
  await t.rejects(writer.closed, { message: 'user left' });
  await t.rejects(stream.readable.getReader().read(), { message: 'user left' });
  t.equal(liveFrames(), 0);

  const aborted = new TestEncoderStream({}, { signal: AbortSignal.abort('early') });
  t.equal(await aborted.writable.getWriter().closed.catch((e: unknown) => e), 'early');
  t.equal(await aborted.readable.getReader().read().catch((e: unknown) => e), 'early');
});

t.test('the readable keeps draining after writable.close(): outputs the reader has not taken are not lost', async (t) => {
  const stream = new TestDecoderStream({ delay: 3 }, { readableHighWaterMark: 2 });
  const writer = stream.writable.getWriter();
  const writing = (async () => {
    for (let i = 0; i < 10; i++) await writer.write(makeChunk(i));
    await writer.close();
  })();
  const reader = stream.readable.getReader();
  const seen: number[] = [];
  for (;;) {
    await turns(2);
    const { done, value } = await reader.read();
    if (done) break;
    seen.push(value.timestamp);
    value.close();
  }
  await writing;
  t.same(seen, Array.from({ length: 10 }, (_, i) => i * 1000));
});

t.test('skipUntilKeyChunk: delta chunks before the first key chunk are dropped and counted', async (t) => {
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 64, height: 64, latencyMode: 'realtime' }, 24, 8);
  t.same(
    clip.chunks.flatMap((c, i) => (c.type === 'key' ? [i] : [])),
    [0, 8, 16],
  );
  // A live relay joins mid-stream, at chunk 3: 5 deltas until the key chunk at 8.
  const joined = clip.chunks.slice(3);
  const decode = async (options: { skipUntilKeyChunk?: boolean }) => {
    const stream = new VideoDecoderStream(clip.decoderConfig, options);
    const writer = stream.writable.getWriter();
    const writing = settled(
      (async () => {
        for (const chunk of joined) await writer.write(chunk);
        await writer.close();
      })(),
    );
    const timestamps: number[] = [];
    try {
      for await (const frame of stream.readable) {
        timestamps.push(frame.timestamp);
        frame.close();
      }
    } finally {
      await writing;
    }
    return { timestamps, dropped: stream.droppedChunks };
  };
  const skipping = await decode({ skipUntilKeyChunk: true });
  t.equal(skipping.dropped, 5);
  t.same(skipping.timestamps, clip.chunks.slice(8).map((c: EncodedVideoChunk) => c.timestamp), 'decoding starts at the key chunk');
  await t.rejects(decode({}), { name: 'DataError' }, 'without the option a delta chunk first is a DataError');
});

t.test('skipUntilKeyChunk applies again after an in-band config', async (t) => {
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 64, height: 64, latencyMode: 'realtime' }, 10, 5);
  const stream = new VideoDecoderStream(null, { skipUntilKeyChunk: true });
  const writer = stream.writable.getWriter();
  const reading = (async () => {
    const out: number[] = [];
    for await (const frame of stream.readable) {
      out.push(frame.timestamp);
      frame.close();
    }
    return out;
  })();
  await writer.write({ config: clip.decoderConfig });
  for (const chunk of clip.chunks.slice(0, 3)) await writer.write(chunk);
  await writer.write({ config: clip.decoderConfig });
  for (const chunk of clip.chunks.slice(3)) await writer.write(chunk);
  await writer.close();
  const out = await reading;
  t.equal(stream.droppedChunks, 2, 'chunks 3 and 4 (deltas after the new config) dropped');
  t.same(out, [0, 1, 2, 5, 6, 7, 8, 9].map((i) => clip.chunks[i]!.timestamp));
});

t.test('a decoder stream over H.264 closed early by the consumer leaves nothing alive', async (t) => {
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 160, height: 96, latencyMode: 'realtime' }, 30);
  const stream = new VideoDecoderStream(clip.decoderConfig);
  const writer = stream.writable.getWriter();
  const writes = clip.chunks.map((c) => settled(writer.write(c)));
  const reader = stream.readable.getReader();
  const { value } = await reader.read();
  value!.close();
  await reader.cancel();
  await Promise.all(writes);
  t.equal(liveFrames(), 0);
  const encoder = new VideoEncoderStream({ codec: 'avc1.42001e', width: 160, height: 96 });
  const encoderWriter = encoder.writable.getWriter();
  const encodes = Array.from({ length: 8 }, (_, i) => settled(encoderWriter.write(makeI420Frame(160, 96, i))));
  await encoderWriter.abort();
  await Promise.all(encodes);
  t.equal(liveFrames(), 0);
});
