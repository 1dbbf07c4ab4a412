// ImageDecoder against ffmpeg's own decode of the same file: every supported type, pixel for
// pixel, from a buffer and from a slow stream.
import t, { type Test } from 'tap';
import { ImageDecoder, getLiveCounters, type VideoFrame } from '../../src/index.js';
import { checkNoLiveFramesAfterEach, eventually } from '../helpers/leaks.js';
import { bytesOf, ffmpegFrames, ffmpegPixFmt, makeImage, pixelsOf, slowStream } from './helpers.js';

checkNoLiveFramesAfterEach(t);

interface Case {
  name: string;
  type: string;
  file: string;
  args: string[];
  /** The WebCodecs format FFmpeg's output becomes. */
  format: string;
  source?: string;
  /** Width and height, when not the source's 48x32. */
  size?: [number, number];
}

const cases: Case[] = [
  { name: 'PNG, rgb24 (converted to RGBA)', type: 'image/png', file: 'rgb.png', args: ['-frames:v', '1', '-pix_fmt', 'rgb24'], format: 'RGBA' },
  { name: 'PNG, rgba', type: 'image/png', file: 'rgba.png', args: ['-frames:v', '1', '-pix_fmt', 'rgba'], format: 'RGBA' },
  { name: 'PNG, pal8 (converted to RGBA)', type: 'image/png', file: 'pal8.png', args: ['-frames:v', '1', '-pix_fmt', 'pal8'], format: 'RGBA' },
  { name: 'PNG, gray (converted to RGBA)', type: 'image/png', file: 'gray.png', args: ['-frames:v', '1', '-pix_fmt', 'gray'], format: 'RGBA' },
  { name: 'PNG, rgb48be (converted to RGBA)', type: 'image/png', file: 'rgb48.png', args: ['-frames:v', '1', '-pix_fmt', 'rgb48be'], format: 'RGBA' },
  { name: 'JPEG, 4:2:0', type: 'image/jpeg', file: '420.jpg', args: ['-frames:v', '1', '-pix_fmt', 'yuvj420p'], format: 'I420' },
  {
    name: 'JPEG, 4:2:0, odd size',
    type: 'image/jpeg',
    file: 'odd.jpg',
    args: ['-vf', 'scale=33:21', '-frames:v', '1', '-pix_fmt', 'yuvj420p'],
    format: 'I420',
    size: [33, 21],
  },
  { name: 'JPEG, 4:4:4', type: 'image/jpeg', file: '444.jpg', args: ['-frames:v', '1', '-pix_fmt', 'yuvj444p'], format: 'I444' },
  // -loop -1: no loop extension, which would announce an animation.
  { name: 'GIF, still', type: 'image/gif', file: 'still.gif', args: ['-frames:v', '1', '-loop', '-1'], format: 'BGRA' },
  { name: 'WebP, lossy', type: 'image/webp', file: 'lossy.webp', args: ['-frames:v', '1', '-c:v', 'libwebp', '-lossless', '0'], format: 'I420' },
  {
    name: 'WebP, lossy with alpha',
    type: 'image/webp',
    file: 'alpha.webp',
    args: ['-frames:v', '1', '-c:v', 'libwebp', '-lossless', '0'],
    source: 'testsrc2=size=48x32,format=rgba,colorchannelmixer=aa=0.5',
    format: 'I420A',
  },
  { name: 'WebP, lossless (argb converted to RGBA)', type: 'image/webp', file: 'lossless.webp', args: ['-frames:v', '1', '-c:v', 'libwebp', '-lossless', '1'], format: 'RGBA' },
  { name: 'AVIF', type: 'image/avif', file: 'still.avif', args: ['-frames:v', '1', '-c:v', 'libaom-av1', '-still-picture', '1', '-cpu-used', '8'], format: 'I420' },
  { name: 'BMP, bgr24 (converted to RGBA)', type: 'image/bmp', file: 'bgr.bmp', args: ['-frames:v', '1', '-pix_fmt', 'bgr24'], format: 'RGBA' },
];

async function expectSameAsFfmpeg(t: Test, frame: VideoFrame, path: string, frameIndex = 0): Promise<void> {
  const pixFmt = ffmpegPixFmt(frame);
  const ours = await pixelsOf(frame);
  const reference = ffmpegFrames(path, pixFmt);
  const size = ours.byteLength;
  t.equal(reference.byteLength % size, 0, `ffmpeg's ${pixFmt} frames have our frame's size`);
  t.ok(Buffer.from(ours).equals(reference.subarray(frameIndex * size, (frameIndex + 1) * size)), `frame ${frameIndex} equals ffmpeg's ${pixFmt} decode, every byte`);
}

for (const c of cases) {
  t.test(`${c.name}: decodes exactly as ffmpeg does`, async (t) => {
    const path = makeImage(c.file, c.args, c.source);
    t.equal(await ImageDecoder.isTypeSupported(c.type), true, `${c.type} is supported`);
    const decoder = new ImageDecoder({ type: c.type, data: bytesOf(path) });
    t.equal(decoder.type, c.type);
    t.equal(decoder.complete, true, 'a buffer is complete at once');
    await decoder.completed;
    await decoder.tracks.ready;
    t.equal(decoder.tracks.length, 1, 'one track');
    t.equal(decoder.tracks.selectedIndex, 0);
    const track = decoder.tracks.selectedTrack!;
    t.equal(track, decoder.tracks[0], 'selectedTrack is tracks[0]');
    t.equal(track.selected, true);
    t.equal(track.animated, false);
    t.equal(track.frameCount, 1);
    t.equal(track.repetitionCount, 0);
    const { image, complete } = await decoder.decode();
    t.equal(complete, true);
    t.equal(image.format, c.format, `decoded as ${c.format}`);
    const [width, height] = c.size ?? [48, 32];
    t.equal(image.codedWidth, width);
    t.equal(image.codedHeight, height);
    t.equal(image.timestamp, 0, 'a still image has timestamp 0');
    t.equal(image.duration, null, 'and no duration');
    await expectSameAsFfmpeg(t, image, path);
    image.close();
    decoder.close();
  });

  t.test(`${c.name}: the same pixels from a slow stream of 100-byte chunks`, async (t) => {
    const path = makeImage(c.file, c.args, c.source);
    const bytes = bytesOf(path);
    const decoder = new ImageDecoder({ type: c.type, data: slowStream(bytes, 100) });
    t.equal(decoder.complete, false, 'a stream is not complete at first');
    const { image } = await decoder.decode();
    await expectSameAsFfmpeg(t, image, path);
    image.close();
    await decoder.completed;
    t.equal(decoder.complete, true);
    decoder.close();
  });
}

t.test('a decoded frame can be decoded again (same pixels, a new VideoFrame)', async (t) => {
  const path = makeImage('again.png', ['-frames:v', '1']);
  const decoder = new ImageDecoder({ type: 'image/png', data: bytesOf(path) });
  const first = (await decoder.decode()).image;
  const second = (await decoder.decode({ frameIndex: 0 })).image;
  t.not(first, second);
  t.same(await pixelsOf(first), await pixelsOf(second));
  first.close();
  t.equal(second.format, 'RGBA', 'closing one leaves the other usable');
  second.close();
  decoder.close();
});

t.test('RGB outputs describe themselves as sRGB', async (t) => {
  const decoder = new ImageDecoder({ type: 'image/png', data: bytesOf(makeImage('srgb.png', ['-frames:v', '1'])) });
  const { image } = await decoder.decode();
  t.same(image.colorSpace.toJSON(), { primaries: 'bt709', transfer: 'iec61966-2-1', matrix: 'rgb', fullRange: true });
  image.close();
  decoder.close();
});

t.test('desiredWidth and desiredHeight scale the output', async (t) => {
  const decoder = new ImageDecoder({
    type: 'image/jpeg',
    data: bytesOf(makeImage('scaled.jpg', ['-frames:v', '1'])),
    desiredWidth: 24,
    desiredHeight: 16,
  });
  const { image } = await decoder.decode();
  t.equal(image.codedWidth, 24);
  t.equal(image.codedHeight, 16);
  t.equal(image.format, 'I420');
  t.equal(image.colorSpace.fullRange, true, 'scaling keeps the JPEG full range');
  image.close();
  decoder.close();
});

t.test('an EXIF orientation becomes rotation and flip', async (t) => {
  const jpeg = bytesOf(makeImage('oriented.jpg', ['-frames:v', '1']));
  // An APP1 Exif segment with one IFD entry: Orientation (0x0112) = 6, "rotate 90 clockwise".
  const tiff = [0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
  const payload = [...Buffer.from('Exif\0\0'), ...tiff];
  const app1 = [0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload];
  const data = new Uint8Array([...jpeg.subarray(0, 2), ...app1, ...jpeg.subarray(2)]);
  const decoder = new ImageDecoder({ type: 'image/jpeg', data });
  const { image } = await decoder.decode();
  t.equal(image.rotation, 90);
  t.equal(image.flip, false);
  image.close();
  decoder.close();
});

t.test('isTypeSupported', async (t) => {
  for (const type of ['image/png', 'image/apng', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'IMAGE/PNG; x=y']) {
    t.equal(await ImageDecoder.isTypeSupported(type), true, type);
  }
  for (const type of ['image/tiff', 'image/x-unknown', 'image/svg+xml']) {
    t.equal(await ImageDecoder.isTypeSupported(type), false, type);
  }
  for (const type of ['video/mp4', 'png', 'image/', '']) {
    await t.rejects(ImageDecoder.isTypeSupported(type), TypeError, `"${type}" is not an image MIME type`);
  }
});

t.test('transfer detaches the given buffer', async (t) => {
  const bytes = bytesOf(makeImage('transfer.png', ['-frames:v', '1']));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const decoder = new ImageDecoder({ type: 'image/png', data: buffer, transfer: [buffer] });
  t.equal(buffer.byteLength, 0, 'the transferred buffer is detached');
  const { image } = await decoder.decode();
  t.equal(image.codedWidth, 48);
  image.close();
  decoder.close();
});

t.test('data in a SharedArrayBuffer decodes too', async (t) => {
  const bytes = bytesOf(makeImage('shared.png', ['-frames:v', '1']));
  const shared = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  shared.set(bytes);
  const decoder = new ImageDecoder({ type: 'image/png', data: shared });
  const { image } = await decoder.decode();
  t.equal(image.codedWidth, 48);
  image.close();
  decoder.close();
});

t.test('each decoder runs on a codec thread that ends with close()', async (t) => {
  // Threads of the decoders closed by earlier tests end asynchronously.
  t.ok(await eventually(() => getLiveCounters().codecs === 0), 'no codec thread left from earlier tests');
  const decoder = new ImageDecoder({ type: 'image/png', data: bytesOf(makeImage('thread.png', ['-frames:v', '1'])) });
  t.equal(getLiveCounters().codecs, 1, 'one codec thread');
  (await decoder.decode()).image.close();
  decoder.close();
  t.ok(await eventually(() => getLiveCounters().codecs === 0), 'the thread is gone after close()');
});
