// The spec's errors: TypeError for an invalid init, NotSupportedError, EncodingError for corrupt
// data, RangeError past the last frame, InvalidStateError once closed, AbortError on reset/close.
import t from 'tap';
import { ImageDecoder } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { bytesOf, makeImage, manualStream } from './helpers.js';

checkNoLiveFramesAfterEach(t);

function png(): Uint8Array {
  return bytesOf(makeImage('ok.png', ['-frames:v', '1']));
}

/** Offset of the first byte of a PNG chunk's data. */
function chunkData(bytes: Uint8Array, type: string): number {
  for (let pos = 8; pos + 8 <= bytes.length; ) {
    const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(pos);
    if (Buffer.from(bytes.subarray(pos + 4, pos + 8)).toString('latin1') === type) return pos + 8;
    pos += 12 + length;
  }
  throw new Error(`no ${type} chunk`);
}

t.test('an invalid ImageDecoderInit is a TypeError', async (t) => {
  const data = png();
  t.throws(() => new ImageDecoder({ type: 'video/mp4', data }), TypeError, 'not an image MIME type');
  t.throws(() => new ImageDecoder({ type: 'png', data }), TypeError, 'not a MIME type');
  t.throws(() => new ImageDecoder({ data } as never), TypeError, 'no type');
  t.throws(() => new ImageDecoder({ type: 'image/png', data: new Uint8Array(0) }), TypeError, 'empty data');
  t.throws(() => new ImageDecoder({ type: 'image/png', data: 42 } as never), TypeError, 'data of another kind');
  const detached = new ArrayBuffer(8);
  structuredClone(detached, { transfer: [detached] });
  t.throws(() => new ImageDecoder({ type: 'image/png', data: detached }), TypeError, 'detached data');
  const locked = manualStream().stream;
  locked.getReader();
  t.throws(() => new ImageDecoder({ type: 'image/png', data: locked }), TypeError, 'a locked stream');
  t.throws(() => new ImageDecoder({ type: 'image/png', data, desiredWidth: 10 }), TypeError, 'desiredWidth without desiredHeight');
  t.throws(() => new ImageDecoder({ type: 'image/png', data, colorSpaceConversion: 'srgb' as never }), TypeError, 'unknown colorSpaceConversion');
  const buffer = data.slice().buffer;
  t.throws(() => new ImageDecoder({ type: 'image/png', data: buffer, transfer: [buffer, buffer] }), { name: 'DataCloneError' }, 'a buffer transferred twice');
});

t.test('an unsupported type closes the decoder with NotSupportedError', async (t) => {
  const decoder = new ImageDecoder({ type: 'image/x-unknown', data: png() });
  await t.rejects(decoder.tracks.ready, { name: 'NotSupportedError' });
  await t.rejects(decoder.decode(), { name: 'InvalidStateError' }, 'decode() on the closed decoder');
  await decoder.completed; // a buffer was complete before the decoder closed
});

t.test('an animated WebP is NotSupportedError (FFmpeg 5.1 decodes still WebP only)', async (t) => {
  const path = makeImage('anim.webp', ['-frames:v', '3', '-c:v', 'libwebp_anim', '-loop', '0']);
  const decoder = new ImageDecoder({ type: 'image/webp', data: bytesOf(path) });
  const decoded = decoder.decode();
  await t.rejects(decoder.tracks.ready, { name: 'NotSupportedError', message: /animated WebP/ });
  await t.rejects(decoded, { name: 'NotSupportedError' }, 'the pending decode is rejected with the close reason');
});

t.test('corrupt image data is EncodingError', async (t) => {
  const data = png();
  const idat = chunkData(data, 'IDAT');
  const corrupt = data.slice();
  corrupt.fill(0x5a, idat, idat + 40); // the chunk structure stays, the compressed pixels do not
  const decoder = new ImageDecoder({ type: 'image/png', data: corrupt });
  await decoder.tracks.ready; // the header is fine
  await t.rejects(decoder.decode(), { name: 'EncodingError' });
  await t.rejects(decoder.decode(), { name: 'InvalidStateError' }, 'the decoder closed');
  t.equal(decoder.tracks.length, 0, 'closing empties the track list');
});

for (const [type, data] of [
  ['image/gif', new TextEncoder().encode('GIF89a this is not a GIF at all, only some text')],
  ['image/jpeg', new Uint8Array([0xff, 0xd8, 1, 2, 3, 4, 5, 6, 7, 8])],
  ['image/png', new TextEncoder().encode('plain text')],
] as const) {
  t.test(`malformed ${type} data is EncodingError`, async (t) => {
    const decoder = new ImageDecoder({ type, data });
    const decoded = decoder.decode();
    await t.rejects(decoder.tracks.ready, { name: 'EncodingError' });
    await t.rejects(decoded, { name: 'EncodingError' });
  });
}

t.test('a GIF cut in the middle of a frame: earlier frames decode, the cut one is EncodingError', async (t) => {
  const bytes = bytesOf(makeImage('cut.gif', ['-frames:v', '3']));
  const decoder = new ImageDecoder({ type: 'image/gif', data: bytes.subarray(0, bytes.length - 20) });
  const { image } = await decoder.decode({ frameIndex: 0 });
  image.close();
  t.equal(decoder.tracks[0]!.frameCount, 3, 'the third frame has begun');
  await t.rejects(decoder.decode({ frameIndex: 2 }), { name: 'EncodingError', message: /truncated/ });
});

t.test('data that ends inside the header is InvalidStateError (spec "Establish Tracks")', async (t) => {
  const decoder = new ImageDecoder({ type: 'image/png', data: png().subarray(0, 20) });
  await t.rejects(decoder.tracks.ready, { name: 'InvalidStateError' });
});

t.test('a frame index past the end is RangeError; the decoder stays open', async (t) => {
  const decoder = new ImageDecoder({ type: 'image/png', data: png() });
  await t.rejects(decoder.decode({ frameIndex: 1 }), RangeError);
  await t.rejects(decoder.decode({ frameIndex: -1 }), TypeError, 'frameIndex is an unsigned long');
  const { image } = await decoder.decode();
  image.close();
  decoder.close();
});

t.test('decode() after close() is InvalidStateError', async (t) => {
  const decoder = new ImageDecoder({ type: 'image/png', data: png() });
  decoder.close();
  await t.rejects(decoder.decode(), { name: 'InvalidStateError' });
  t.equal(decoder.tracks.length, 0);
  t.equal(decoder.tracks.selectedIndex, -1);
  decoder.reset(); // harmless once closed
});

t.test('reset() aborts pending decodes; the data stays and later decodes work', async (t) => {
  const { stream, push, end } = manualStream();
  const decoder = new ImageDecoder({ type: 'image/png', data: stream });
  const first = decoder.decode();
  const second = decoder.decode();
  decoder.reset();
  await t.rejects(first, { name: 'AbortError' });
  await t.rejects(second, { name: 'AbortError' });
  const third = decoder.decode();
  push(png());
  end();
  const { image } = await third;
  t.equal(image.codedWidth, 48);
  image.close();
  decoder.close();
});

t.test('close() aborts pending decodes and rejects ready and completed when they are pending', async (t) => {
  const { stream } = manualStream();
  const decoder = new ImageDecoder({ type: 'image/png', data: stream });
  const pending = decoder.decode();
  decoder.close();
  await t.rejects(pending, { name: 'AbortError' });
  await t.rejects(decoder.tracks.ready, { name: 'AbortError' });
  await t.rejects(decoder.completed, { name: 'AbortError' });
});

t.test('closing before the tracks are known leaves no unhandled rejection', async (t) => {
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  process.on('unhandledRejection', onRejection);
  new ImageDecoder({ type: 'image/png', data: manualStream().stream }).close();
  new ImageDecoder({ type: 'image/x-unknown', data: png() }).close();
  await new Promise((resolve) => setImmediate(resolve));
  process.off('unhandledRejection', onRejection);
  t.same(rejections, [], 'tracks.ready and completed are rejected but count as handled');
});

t.test('a failing stream closes the decoder with NotReadableError', async (t) => {
  const { stream, push, fail } = manualStream();
  const decoder = new ImageDecoder({ type: 'image/png', data: stream });
  const pending = decoder.decode();
  push(png().subarray(0, 10));
  fail(new Error('connection reset'));
  await t.rejects(pending, { name: 'NotReadableError', message: /connection reset/ });
  await t.rejects(decoder.completed, { name: 'NotReadableError' });
});

t.test('a stream chunk that is not a Uint8Array closes the decoder with DataError', async (t) => {
  const { stream, push } = manualStream();
  const decoder = new ImageDecoder({ type: 'image/png', data: stream });
  const pending = decoder.decode();
  push('not bytes' as never);
  await t.rejects(pending, { name: 'DataError' });
});

t.test('deselecting the track aborts pending decodes and makes decode() an InvalidStateError', async (t) => {
  const { stream, push, end } = manualStream();
  const decoder = new ImageDecoder({ type: 'image/png', data: stream });
  push(png());
  await decoder.tracks.ready;
  const track = decoder.tracks[0]!;
  const list = decoder.tracks;
  t.equal(list.selectedTrack, track);
  t.same([...list], [track], 'the list is iterable');
  const pending = decoder.decode({ frameIndex: 1 }); // waits: the stream may still bring frame 1
  track.selected = false;
  await t.rejects(pending, { name: 'AbortError' });
  t.equal(list.selectedIndex, -1);
  t.equal(list.selectedTrack, null);
  t.equal(track.selected, false);
  await t.rejects(decoder.decode(), { name: 'InvalidStateError' });
  track.selected = true;
  t.equal(list.selectedIndex, 0);
  end();
  const { image } = await decoder.decode();
  image.close();
  decoder.close();
});

t.test('ImageTrack and ImageTrackList cannot be constructed', async (t) => {
  const decoder = new ImageDecoder({ type: 'image/png', data: png() });
  await decoder.tracks.ready;
  const Track = decoder.tracks[0]!.constructor as new () => unknown;
  const List = decoder.tracks.constructor as new () => unknown;
  t.throws(() => new Track(), TypeError);
  t.throws(() => new List(), TypeError);
  t.equal(Object.prototype.toString.call(decoder), '[object ImageDecoder]');
  decoder.close();
});
