// Bad input at the public API: every constructor and method with wrong types, missing members,
// negative/huge/NaN/infinite numbers, BigInts and Symbols, detached buffers, closed objects and
// wrong-state calls. Each must give the error the spec (and WebIDL, for argument conversion)
// names — TypeError, InvalidStateError, DataError, RangeError, DataCloneError, NotSupportedError —
// synchronously or as a rejected promise as the method's steps say, and never crash.
// (close() on a closed codec and the VideoFrame(frame, init) error-path leak are pinned in
// test/property/regressions.test.ts.)
import t, { type Test } from 'tap';
import {
  AudioData,
  AudioDecoder,
  AudioEncoder,
  EncodedAudioChunk,
  EncodedVideoChunk,
  VideoColorSpace,
  VideoDecoder,
  VideoEncoder,
  VideoFrame,
  getLiveCounters,
} from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { makeI420Frame } from '../helpers/media.js';

checkNoLiveFramesAfterEach(t);

type Expectation = string | null; // an error name, or null: no error

/** A JavaScript engine error leaking out of our code (a bug) rather than a spec exception. */
const INTERNAL = /Cannot read propert|is not a function|is not iterable|Cannot convert (?!a (Symbol|BigInt) value to a (number|string))|Cannot destructure|undefined is not|null is not|Invalid array length|Maximum call stack/;

function detachedBuffer(size = 16): ArrayBuffer {
  const buffer = new ArrayBuffer(size);
  structuredClone(buffer, { transfer: [buffer] });
  return buffer;
}

function closedFrame(): VideoFrame {
  const frame = makeI420Frame(16, 16, 0);
  frame.close();
  return frame;
}

function audio(init: Partial<Record<string, unknown>> = {}): AudioData {
  return new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: 4, numberOfChannels: 2, timestamp: 0, data: new Float32Array(8), ...init } as never);
}

/** Runs `fn`; a returned promise counts as the call's outcome (its rejection is the error). */
async function outcome(fn: () => unknown): Promise<{ name: string | null; message: string; sync: boolean }> {
  let value: unknown;
  try {
    value = fn();
  } catch (error) {
    return { name: (error as Error).name ?? String(error), message: String((error as Error).message), sync: true };
  }
  if (value instanceof Promise) {
    try {
      await value;
    } catch (error) {
      return { name: (error as Error).name, message: String((error as Error).message), sync: false };
    }
  }
  if (value instanceof VideoFrame || value instanceof AudioData) value.close();
  return { name: null, message: '', sync: true };
}

interface Case {
  what: string;
  call: () => unknown;
  expect: Expectation;
  /** Promise-returning methods report errors by rejecting, never by throwing. */
  rejects?: boolean;
}

const alive = () => getLiveCounters().videoFrames + getLiveCounters().audioData;

async function check(t: Test, cases: Case[]): Promise<void> {
  for (const c of cases) {
    const before = alive();
    const got = await outcome(c.call);
    // A call that fails must not leave a frame or AudioData behind (error paths leak easily).
    if (alive() !== before) t.fail(`${c.what}: ${alive() - before} frame(s)/AudioData left alive`);
    t.equal(got.name, c.expect, `${c.what}: ${c.expect ?? 'no error'}${got.name !== c.expect ? ` (got ${got.name}: ${got.message})` : ''}`);
    if (got.name !== null && INTERNAL.test(got.message)) t.fail(`${c.what}: an internal error leaked: ${got.message}`);
    if (c.rejects && got.name !== null) t.notOk(got.sync, `${c.what}: reported by a rejected promise, not a throw`);
  }
}

// Values that no numeric member, dictionary or callback accepts.
const nonFinite = [NaN, Infinity, -Infinity];
const noop = () => {};
const init = { output: noop, error: noop };

t.test('codec constructors: the init dictionary and its callbacks', async (t) => {
  const cases: Case[] = [];
  for (const Codec of [VideoEncoder, VideoDecoder, AudioEncoder, AudioDecoder] as const) {
    const C = Codec as unknown as new (init?: unknown) => { close(): void };
    for (const bad of [undefined, null, {}, { output: noop }, { error: noop }, { output: 1, error: noop }, { output: noop, error: 'x' }, 5, 'init', Symbol('x'), 1n]) {
      cases.push({ what: `new ${Codec.name}(${String(typeof bad === 'object' ? JSON.stringify(bad) : typeof bad === 'symbol' ? 'Symbol' : bad)})`, call: () => new C(bad).close(), expect: 'TypeError' });
    }
    cases.push({ what: `${Codec.name}() without new`, call: () => (Codec as unknown as (i: unknown) => unknown)(init), expect: 'TypeError' });
  }
  await check(t, cases);
});

t.test('VideoEncoder: configure, encode, flush, reset and isConfigSupported with bad input and in the wrong state', async (t) => {
  const encoder = new VideoEncoder(init);
  const good = { codec: 'avc1.42001e', width: 64, height: 64 };
  const frame = makeI420Frame(64, 64, 0);
  const cases: Case[] = [
    { what: 'encode() before configure()', call: () => encoder.encode(frame), expect: 'InvalidStateError' },
    { what: 'flush() before configure()', call: () => encoder.flush(), expect: 'InvalidStateError', rejects: true },
    { what: 'reset() before configure()', call: () => encoder.reset(), expect: null },
    { what: 'configure() without a config', call: () => encoder.configure(undefined as never), expect: 'TypeError' },
    { what: 'configure(5)', call: () => encoder.configure(5 as never), expect: 'TypeError' },
    { what: 'configure() without codec', call: () => encoder.configure({ width: 64, height: 64 } as never), expect: 'TypeError' },
    { what: 'configure() without width', call: () => encoder.configure({ codec: 'avc1.42001e', height: 64 } as never), expect: 'TypeError' },
    { what: 'configure() with an empty codec', call: () => encoder.configure({ ...good, codec: '  ' }), expect: 'TypeError' },
    { what: 'configure() with a Symbol codec', call: () => encoder.configure({ ...good, codec: Symbol('c') as never }), expect: 'TypeError' },
    { what: 'configure() with width 0', call: () => encoder.configure({ ...good, width: 0 }), expect: 'TypeError' },
    { what: 'configure() with width -1', call: () => encoder.configure({ ...good, width: -1 }), expect: 'TypeError' },
    { what: 'configure() with width 2^32', call: () => encoder.configure({ ...good, width: 2 ** 32 }), expect: 'TypeError' },
    { what: 'configure() with a BigInt height', call: () => encoder.configure({ ...good, height: 64n as never }), expect: 'TypeError' },
    { what: 'configure() with displayWidth 0', call: () => encoder.configure({ ...good, displayWidth: 0, displayHeight: 10 }), expect: 'TypeError' },
    { what: 'configure() with bitrate -1', call: () => encoder.configure({ ...good, bitrate: -1 }), expect: 'TypeError' },
    { what: 'configure() with framerate 0', call: () => encoder.configure({ ...good, framerate: 0 }), expect: 'TypeError' },
    { what: "configure() with latencyMode 'fast'", call: () => encoder.configure({ ...good, latencyMode: 'fast' as never }), expect: 'TypeError' },
    { what: "configure() with hardwareAcceleration 'gpu'", call: () => encoder.configure({ ...good, hardwareAcceleration: 'gpu' as never }), expect: 'TypeError' },
    { what: "configure() with bitrateMode 'x'", call: () => encoder.configure({ ...good, bitrateMode: 'x' as never }), expect: 'TypeError' },
    ...nonFinite.flatMap((n): Case[] => [
      { what: `configure() with width ${n}`, call: () => encoder.configure({ ...good, width: n }), expect: 'TypeError' },
      { what: `configure() with framerate ${n}`, call: () => encoder.configure({ ...good, framerate: n }), expect: 'TypeError' },
      { what: `configure() with bitrate ${n}`, call: () => encoder.configure({ ...good, bitrate: n }), expect: 'TypeError' },
    ]),
    { what: 'isConfigSupported() with width 0', call: () => VideoEncoder.isConfigSupported({ ...good, width: 0 }), expect: 'TypeError', rejects: true },
    { what: 'isConfigSupported(null)', call: () => VideoEncoder.isConfigSupported(null as never), expect: 'TypeError', rejects: true },
    { what: 'isConfigSupported() with a huge but valid size', call: () => VideoEncoder.isConfigSupported({ ...good, width: 2 ** 31, height: 2 ** 31 }), expect: null },
    { what: 'isConfigSupported() with an unknown codec', call: () => VideoEncoder.isConfigSupported({ ...good, codec: 'nonsense' }), expect: null },
    { what: 'still unconfigured after all that', call: () => encoder.encode(frame), expect: 'InvalidStateError' },
    { what: 'configure() with a valid config', call: () => encoder.configure(good), expect: null },
    { what: 'encode(undefined)', call: () => encoder.encode(undefined as never), expect: 'TypeError' },
    { what: 'encode({})', call: () => encoder.encode({} as never), expect: 'TypeError' },
    { what: 'encode(an AudioData)', call: () => {
      const data = audio();
      try {
        encoder.encode(data as never);
      } finally {
        data.close();
      }
    }, expect: 'TypeError' },
    { what: 'encode(a closed frame)', call: () => encoder.encode(closedFrame()), expect: 'TypeError' },
    { what: 'encode(frame, 5)', call: () => encoder.encode(frame, 5 as never), expect: 'TypeError' },
    { what: 'encode() a frame with another rotation than the first', call: () => {
      encoder.encode(frame);
      const rotated = new VideoFrame(frame, { rotation: 90 });
      try {
        encoder.encode(rotated);
      } finally {
        rotated.close();
        encoder.reset(); // releases the first frame's queued clone
        encoder.configure(good);
      }
    }, expect: 'DataError' },
    { what: 'reset()', call: () => encoder.reset(), expect: null },
    { what: 'close()', call: () => encoder.close(), expect: null },
    { what: 'configure() when closed', call: () => encoder.configure(good), expect: 'InvalidStateError' },
    { what: 'configure() of an invalid config when closed (validity is checked first)', call: () => encoder.configure({ ...good, width: 0 }), expect: 'TypeError' },
    { what: 'encode() when closed', call: () => encoder.encode(frame), expect: 'InvalidStateError' },
    { what: 'encode() of a closed frame when closed (detached is checked first)', call: () => encoder.encode(closedFrame()), expect: 'TypeError' },
    { what: 'flush() when closed', call: () => encoder.flush(), expect: 'InvalidStateError', rejects: true },
    { what: 'reset() when closed', call: () => encoder.reset(), expect: 'InvalidStateError' },
  ];
  await check(t, cases);
  frame.close();
  t.equal(encoder.encodeQueueSize, 0);
});

t.test('a huge valid configuration is refused through the error callback, not by a crash', async (t) => {
  for (const config of [
    { codec: 'avc1.42001e', width: 65536, height: 65536 },
    { codec: 'avc1.640034', width: 16384, height: 16384 },
    { codec: 'vp8', width: 2 ** 31, height: 2 },
  ]) {
    const errors: string[] = [];
    const encoder = new VideoEncoder({ output: noop, error: (e) => errors.push(e.name) });
    encoder.configure(config);
    await encoder.flush().catch(noop);
    t.same(errors, ['NotSupportedError'], `${JSON.stringify(config)}: NotSupportedError`);
    t.equal(encoder.state, 'closed');
  }
});

t.test('VideoDecoder and AudioDecoder: bad configs, bad chunks, key chunks, states', async (t) => {
  const video = new VideoDecoder(init);
  const audioDecoder = new AudioDecoder(init);
  const vchunk = (type: 'key' | 'delta') => new EncodedVideoChunk({ type, timestamp: 0, data: new Uint8Array([0, 0, 0, 1, 0x65, 0x88]) });
  const achunk = (type: 'key' | 'delta') => new EncodedAudioChunk({ type, timestamp: 0, data: new Uint8Array(8) });
  const cases: Case[] = [
    { what: 'VideoDecoder.decode() before configure()', call: () => video.decode(vchunk('key')), expect: 'InvalidStateError' },
    { what: 'VideoDecoder.configure({})', call: () => video.configure({} as never), expect: 'TypeError' },
    { what: "VideoDecoder.configure({ codec: '' })", call: () => video.configure({ codec: '' }), expect: 'TypeError' },
    { what: 'VideoDecoder.configure() with codedWidth only', call: () => video.configure({ codec: 'avc1.42001e', codedWidth: 16 }), expect: 'TypeError' },
    { what: 'VideoDecoder.configure() with codedWidth -5', call: () => video.configure({ codec: 'avc1.42001e', codedWidth: -5, codedHeight: 16 }), expect: 'TypeError' },
    { what: 'VideoDecoder.configure() with displayAspectWidth 0', call: () => video.configure({ codec: 'avc1.42001e', displayAspectWidth: 0, displayAspectHeight: 1 }), expect: 'TypeError' },
    { what: 'VideoDecoder.configure() with a detached description', call: () => video.configure({ codec: 'avc1.42001e', description: detachedBuffer() }), expect: 'TypeError' },
    { what: 'VideoDecoder.configure() with description 5', call: () => video.configure({ codec: 'avc1.42001e', description: 5 as never }), expect: 'TypeError' },
    { what: 'VideoDecoder.configure() with colorSpace.primaries "x"', call: () => video.configure({ codec: 'avc1.42001e', colorSpace: { primaries: 'x' as never } }), expect: 'TypeError' },
    { what: 'VideoDecoder.isConfigSupported({})', call: () => VideoDecoder.isConfigSupported({} as never), expect: 'TypeError', rejects: true },
    { what: 'VideoDecoder.configure() annexb H.264', call: () => video.configure({ codec: 'avc1.42001e' }), expect: null },
    { what: 'VideoDecoder.decode(undefined)', call: () => video.decode(undefined as never), expect: 'TypeError' },
    { what: 'VideoDecoder.decode(an EncodedAudioChunk)', call: () => video.decode(achunk('key') as never), expect: 'TypeError' },
    { what: 'VideoDecoder.decode(a delta chunk) first', call: () => video.decode(vchunk('delta')), expect: 'DataError' },
    { what: 'VideoDecoder.decode(a "key" chunk whose bitstream is a non-IDR slice)', call: () => video.decode(new EncodedVideoChunk({ type: 'key', timestamp: 0, data: new Uint8Array([0, 0, 0, 1, 0x41, 0x9a]) })), expect: 'DataError' },
    { what: 'VideoDecoder.flush() then a delta chunk', call: () => {
      void video.flush().catch(noop);
      video.decode(vchunk('delta'));
    }, expect: 'DataError' },
    { what: 'VideoDecoder.reset() then decode()', call: () => {
      video.reset();
      video.decode(vchunk('key'));
    }, expect: 'InvalidStateError' },
    { what: 'AudioDecoder.configure() without sampleRate', call: () => audioDecoder.configure({ codec: 'opus', numberOfChannels: 1 } as never), expect: 'TypeError' },
    { what: 'AudioDecoder.configure() with numberOfChannels 0', call: () => audioDecoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 0 }), expect: 'TypeError' },
    { what: 'AudioDecoder.configure() with sampleRate NaN', call: () => audioDecoder.configure({ codec: 'opus', sampleRate: NaN, numberOfChannels: 1 }), expect: 'TypeError' },
    { what: 'AudioDecoder.isConfigSupported() with sampleRate -1', call: () => AudioDecoder.isConfigSupported({ codec: 'opus', sampleRate: -1, numberOfChannels: 1 }), expect: 'TypeError', rejects: true },
    { what: 'AudioDecoder.configure(opus)', call: () => audioDecoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 }), expect: null },
    { what: 'AudioDecoder.decode(an EncodedVideoChunk)', call: () => audioDecoder.decode(vchunk('key') as never), expect: 'TypeError' },
    { what: 'AudioDecoder.decode(a delta chunk) first', call: () => audioDecoder.decode(achunk('delta')), expect: 'DataError' },
  ];
  await check(t, cases);
  video.close();
  audioDecoder.close();
  await check(t, [
    { what: 'VideoDecoder.configure() when closed', call: () => video.configure({ codec: 'avc1.42001e' }), expect: 'InvalidStateError' },
    { what: 'VideoDecoder.decode() when closed', call: () => video.decode(vchunk('key')), expect: 'InvalidStateError' },
    { what: 'AudioDecoder.flush() when closed', call: () => audioDecoder.flush(), expect: 'InvalidStateError', rejects: true },
    { what: 'AudioDecoder.reset() when closed', call: () => audioDecoder.reset(), expect: 'InvalidStateError' },
  ]);
});

t.test('AudioEncoder: bad configs, bad AudioData, states', async (t) => {
  const encoder = new AudioEncoder(init);
  const good = { codec: 'opus', sampleRate: 48000, numberOfChannels: 2 };
  const closedAudio = audio();
  closedAudio.close();
  await check(t, [
    { what: 'encode() before configure()', call: () => {
      const data = audio();
      try {
        encoder.encode(data);
      } finally {
        data.close();
      }
    }, expect: 'InvalidStateError' },
    { what: 'configure() without numberOfChannels', call: () => encoder.configure({ codec: 'opus', sampleRate: 48000 } as never), expect: 'TypeError' },
    { what: 'configure() with sampleRate 0', call: () => encoder.configure({ ...good, sampleRate: 0 }), expect: 'TypeError' },
    { what: 'configure() with numberOfChannels 2^32', call: () => encoder.configure({ ...good, numberOfChannels: 2 ** 32 }), expect: 'TypeError' },
    { what: 'configure() with bitrate -1', call: () => encoder.configure({ ...good, bitrate: -1 }), expect: 'TypeError' },
    { what: "configure() with opus.frameDuration 'x'", call: () => encoder.configure({ ...good, opus: { frameDuration: 'x' as never } }), expect: 'TypeError' },
    { what: 'isConfigSupported() with sampleRate Infinity', call: () => AudioEncoder.isConfigSupported({ ...good, sampleRate: Infinity }), expect: 'TypeError', rejects: true },
    { what: 'configure() valid', call: () => encoder.configure(good), expect: null },
    { what: 'encode(undefined)', call: () => encoder.encode(undefined as never), expect: 'TypeError' },
    { what: 'encode(a VideoFrame)', call: () => {
      const frame = makeI420Frame(16, 16, 0);
      try {
        encoder.encode(frame as never);
      } finally {
        frame.close();
      }
    }, expect: 'TypeError' },
    { what: 'encode(a closed AudioData)', call: () => encoder.encode(closedAudio), expect: 'TypeError' },
  ]);
  encoder.close();
  await check(t, [
    { what: 'configure() when closed', call: () => encoder.configure(good), expect: 'InvalidStateError' },
    { what: 'encode() when closed', call: () => {
      const data = audio();
      try {
        encoder.encode(data);
      } finally {
        data.close();
      }
    }, expect: 'InvalidStateError' },
  ]);
});

t.test('VideoFrame: constructor from buffers and frames, methods, closed frames', async (t) => {
  const init = { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp: 0 } as const;
  const data = new Uint8Array(16 * 16 * 3 / 2);
  const frame = makeI420Frame(16, 16, 0);
  const closed = closedFrame();
  const cases: Case[] = [
    { what: 'new VideoFrame()', call: () => new VideoFrame(undefined as never), expect: 'TypeError' },
    { what: 'new VideoFrame(5)', call: () => new VideoFrame(5 as never), expect: 'TypeError' },
    { what: "new VideoFrame('pixels')", call: () => new VideoFrame('pixels' as never), expect: 'TypeError' },
    { what: 'new VideoFrame({})', call: () => new VideoFrame({} as never), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) without init', call: () => new VideoFrame(data), expect: 'TypeError' },
    { what: 'new VideoFrame(a closed frame)', call: () => new VideoFrame(closed), expect: 'InvalidStateError' },
    { what: 'new VideoFrame(buffer) without format', call: () => new VideoFrame(data, { ...init, format: undefined } as never), expect: 'TypeError' },
    { what: "new VideoFrame(buffer) with format 'YUV'", call: () => new VideoFrame(data, { ...init, format: 'YUV' as never }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) without timestamp', call: () => new VideoFrame(data, { ...init, timestamp: undefined } as never), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with codedWidth 0', call: () => new VideoFrame(data, { ...init, codedWidth: 0 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with codedWidth -16', call: () => new VideoFrame(data, { ...init, codedWidth: -16 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with codedWidth 2^32', call: () => new VideoFrame(data, { ...init, codedWidth: 2 ** 32 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with a huge coded size and a small buffer', call: () => new VideoFrame(data, { ...init, codedWidth: 65536, codedHeight: 65536 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with RGBA 2^31 wide (allocation size overflow)', call: () => new VideoFrame(data, { ...init, format: 'RGBA', codedWidth: 2 ** 31, codedHeight: 2 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) one byte short', call: () => new VideoFrame(data.subarray(1), init), expect: 'TypeError' },
    { what: 'new VideoFrame(a detached buffer)', call: () => new VideoFrame(detachedBuffer(384), init), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with a stride below the row size', call: () => new VideoFrame(data, { ...init, layout: [{ offset: 0, stride: 8 }, { offset: 256, stride: 8 }, { offset: 320, stride: 8 }] }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with a plane past the end', call: () => new VideoFrame(data, { ...init, layout: [{ offset: 0, stride: 16 }, { offset: 256, stride: 8 }, { offset: 2 ** 31, stride: 8 }] }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with two planes only', call: () => new VideoFrame(data, { ...init, layout: [{ offset: 0, stride: 16 }, { offset: 256, stride: 8 }] }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with a negative layout offset', call: () => new VideoFrame(data, { ...init, layout: [{ offset: -1, stride: 16 }, { offset: 256, stride: 8 }, { offset: 320, stride: 8 }] }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with layout 5', call: () => new VideoFrame(data, { ...init, layout: 5 as never }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with a visibleRect outside', call: () => new VideoFrame(data, { ...init, visibleRect: { x: 8, y: 0, width: 16, height: 16 } }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with a NaN visibleRect', call: () => new VideoFrame(data, { ...init, visibleRect: { x: 0, y: 0, width: NaN, height: 16 } }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with an odd visibleRect.x for I420', call: () => new VideoFrame(data, { ...init, visibleRect: { x: 1, y: 0, width: 8, height: 8 } }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with displayWidth 0', call: () => new VideoFrame(data, { ...init, displayWidth: 0, displayHeight: 16 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with displayWidth only', call: () => new VideoFrame(data, { ...init, displayWidth: 16 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with rotation 45 (rounded to 90, no error)', call: () => new VideoFrame(data, { ...init, rotation: 45 }), expect: null },
    { what: 'new VideoFrame(buffer) with timestamp NaN', call: () => new VideoFrame(data, { ...init, timestamp: NaN }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with timestamp 2^63', call: () => new VideoFrame(data, { ...init, timestamp: 2 ** 63 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with duration -1', call: () => new VideoFrame(data, { ...init, duration: -1 }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) with colorSpace.matrix "x"', call: () => new VideoFrame(data, { ...init, colorSpace: { matrix: 'x' as never } }), expect: 'TypeError' },
    { what: 'new VideoFrame(buffer) transferring one buffer twice', call: () => {
      const bytes = new Uint8Array(384);
      return new VideoFrame(bytes, { ...init, transfer: [bytes.buffer, bytes.buffer] });
    }, expect: 'DataCloneError' },
    { what: 'new VideoFrame(buffer) transferring a detached buffer', call: () => new VideoFrame(new Uint8Array(384), { ...init, transfer: [detachedBuffer()] }), expect: 'DataCloneError' },
    // new VideoFrame(frame, init) with a bad timestamp, duration or metadata: see
    // regressions.test.ts (the error is right, but the frame's clone leaks).
    { what: "new VideoFrame(frame) with alpha 'x'", call: () => new VideoFrame(frame, { alpha: 'x' as never }), expect: 'TypeError' },
    { what: 'new VideoFrame(frame) with a visibleRect outside', call: () => new VideoFrame(frame, { visibleRect: { x: 0, y: 0, width: 32, height: 32 } }), expect: 'TypeError' },
    { what: 'new VideoFrame(frame) with rotation NaN', call: () => new VideoFrame(frame, { rotation: NaN }), expect: 'TypeError' },
    { what: 'allocationSize() with a rect outside', call: () => frame.allocationSize({ rect: { x: 0, y: 0, width: 17, height: 16 } }), expect: 'TypeError' },
    { what: "allocationSize() with format 'x'", call: () => frame.allocationSize({ format: 'x' as never }), expect: 'TypeError' },
    { what: 'allocationSize() with a too short layout', call: () => frame.allocationSize({ layout: [{ offset: 0, stride: 16 }] }), expect: 'TypeError' },
    { what: 'copyTo() a too small buffer', call: () => frame.copyTo(new Uint8Array(10)), expect: 'TypeError', rejects: true },
    { what: 'copyTo() a detached buffer', call: () => frame.copyTo(detachedBuffer()), expect: 'TypeError', rejects: true },
    { what: 'copyTo(5)', call: () => frame.copyTo(5 as never), expect: 'TypeError', rejects: true },
    { what: 'copyTo() with a NaN rect', call: () => frame.copyTo(new Uint8Array(1000), { rect: { x: NaN } }), expect: 'TypeError', rejects: true },
    { what: "copyTo() with colorSpace 'rec2020'", call: () => frame.copyTo(new Uint8Array(4000), { format: 'RGBA', colorSpace: 'rec2020' as never }), expect: 'TypeError', rejects: true },
    { what: 'copyTo() converting to RGBA', call: () => frame.copyTo(new Uint8Array(16 * 16 * 4), { format: 'RGBA' }), expect: null },
    { what: 'closed frame: allocationSize()', call: () => closed.allocationSize(), expect: 'InvalidStateError' },
    { what: 'closed frame: copyTo()', call: () => closed.copyTo(new Uint8Array(1000)), expect: 'InvalidStateError', rejects: true },
    { what: 'closed frame: clone()', call: () => closed.clone(), expect: 'InvalidStateError' },
    { what: 'closed frame: metadata()', call: () => closed.metadata(), expect: 'InvalidStateError' },
    { what: 'closed frame: close() again', call: () => closed.close(), expect: null },
  ];
  await check(t, cases);
  t.equal(closed.format, null, 'a closed frame reports format null');
  t.equal(closed.codedWidth, 0);
  t.equal(closed.visibleRect, null);
  frame.close();
});

t.test('AudioData: constructor and methods', async (t) => {
  const data = audio();
  const closedData = audio();
  closedData.close();
  await check(t, [
    { what: 'new AudioData()', call: () => new AudioData(undefined as never), expect: 'TypeError' },
    { what: 'new AudioData({})', call: () => new AudioData({} as never), expect: 'TypeError' },
    { what: "new AudioData() with format 'f64'", call: () => audio({ format: 'f64' }), expect: 'TypeError' },
    { what: 'new AudioData() with sampleRate 0', call: () => audio({ sampleRate: 0 }), expect: 'TypeError' },
    { what: 'new AudioData() with sampleRate NaN', call: () => audio({ sampleRate: NaN }), expect: 'TypeError' },
    { what: 'new AudioData() with numberOfFrames 0', call: () => audio({ numberOfFrames: 0 }), expect: 'TypeError' },
    { what: 'new AudioData() with numberOfFrames -1', call: () => audio({ numberOfFrames: -1 }), expect: 'TypeError' },
    { what: 'new AudioData() with numberOfChannels 2^32', call: () => audio({ numberOfChannels: 2 ** 32 }), expect: 'TypeError' },
    { what: 'new AudioData() with too little data', call: () => audio({ numberOfFrames: 5 }), expect: 'TypeError' },
    { what: 'new AudioData() with 2^31 frames and a small buffer', call: () => audio({ numberOfFrames: 2 ** 31 }), expect: 'TypeError' },
    { what: 'new AudioData() with data 5', call: () => audio({ data: 5 }), expect: 'TypeError' },
    { what: 'new AudioData() with a detached buffer', call: () => audio({ data: detachedBuffer(32) }), expect: 'TypeError' },
    { what: 'new AudioData() with timestamp Infinity', call: () => audio({ timestamp: Infinity }), expect: 'TypeError' },
    { what: 'new AudioData() transferring one buffer twice', call: () => {
      const samples = new Float32Array(8);
      return audio({ data: samples, transfer: [samples.buffer, samples.buffer] });
    }, expect: 'DataCloneError' },
    { what: 'allocationSize() without planeIndex', call: () => data.allocationSize({} as never), expect: 'TypeError' },
    { what: 'allocationSize() with planeIndex 1 of interleaved f32', call: () => data.allocationSize({ planeIndex: 1 }), expect: 'RangeError' },
    { what: 'allocationSize() with frameOffset 4 of 4 frames', call: () => data.allocationSize({ planeIndex: 0, frameOffset: 4 }), expect: 'RangeError' },
    { what: 'allocationSize() with frameCount 5 of 4 frames', call: () => data.allocationSize({ planeIndex: 0, frameCount: 5 }), expect: 'RangeError' },
    { what: 'allocationSize() with planeIndex -1', call: () => data.allocationSize({ planeIndex: -1 }), expect: 'TypeError' },
    { what: 'copyTo() a too small buffer', call: () => data.copyTo(new Uint8Array(4), { planeIndex: 0 }), expect: 'RangeError' },
    { what: 'copyTo(5)', call: () => data.copyTo(5 as never, { planeIndex: 0 }), expect: 'TypeError' },
    { what: 'copyTo() planar plane 2 of 2 channels', call: () => data.copyTo(new Uint8Array(64), { planeIndex: 2, format: 'f32-planar' }), expect: 'RangeError' },
    { what: 'copyTo() converted to s16-planar', call: () => data.copyTo(new Uint8Array(8), { planeIndex: 1, format: 's16-planar' }), expect: null },
    { what: 'closed AudioData: allocationSize()', call: () => closedData.allocationSize({ planeIndex: 0 }), expect: 'InvalidStateError' },
    { what: 'closed AudioData: copyTo()', call: () => closedData.copyTo(new Uint8Array(64), { planeIndex: 0 }), expect: 'InvalidStateError' },
    { what: 'closed AudioData: clone()', call: () => closedData.clone(), expect: 'InvalidStateError' },
    { what: 'closed AudioData: close() again', call: () => closedData.close(), expect: null },
  ]);
  data.close();
});

t.test('EncodedVideoChunk and EncodedAudioChunk: constructor and copyTo', async (t) => {
  const cases: Case[] = [];
  for (const Chunk of [EncodedVideoChunk, EncodedAudioChunk] as const) {
    const C = Chunk as unknown as new (init: unknown) => EncodedVideoChunk;
    const good = { type: 'key', timestamp: 0, data: new Uint8Array(4) };
    const chunk = new C(good);
    cases.push(
      { what: `new ${Chunk.name}()`, call: () => new C(undefined), expect: 'TypeError' },
      { what: `new ${Chunk.name}(5)`, call: () => new C(5), expect: 'TypeError' },
      { what: `${Chunk.name} without type`, call: () => new C({ ...good, type: undefined }), expect: 'TypeError' },
      { what: `${Chunk.name} with type 'frame'`, call: () => new C({ ...good, type: 'frame' }), expect: 'TypeError' },
      { what: `${Chunk.name} without timestamp`, call: () => new C({ ...good, timestamp: undefined }), expect: 'TypeError' },
      { what: `${Chunk.name} without data`, call: () => new C({ ...good, data: undefined }), expect: 'TypeError' },
      { what: `${Chunk.name} with data 'abc'`, call: () => new C({ ...good, data: 'abc' }), expect: 'TypeError' },
      { what: `${Chunk.name} with duration -1`, call: () => new C({ ...good, duration: -1 }), expect: 'TypeError' },
      { what: `${Chunk.name} with a BigInt timestamp`, call: () => new C({ ...good, timestamp: 1n }), expect: 'TypeError' },
      { what: `${Chunk.name} with timestamp 2^53`, call: () => new C({ ...good, timestamp: 2 ** 53 }), expect: 'TypeError' },
      { what: `${Chunk.name} with timestamp -(2^53 - 1)`, call: () => new C({ ...good, timestamp: -(2 ** 53 - 1) }), expect: null },
      ...nonFinite.map((n): Case => ({ what: `${Chunk.name} with timestamp ${n}`, call: () => new C({ ...good, timestamp: n }), expect: 'TypeError' })),
      { what: `${Chunk.name} transferring a detached buffer`, call: () => new C({ ...good, transfer: [detachedBuffer()] }), expect: 'DataCloneError' },
      { what: `${Chunk.name} transferring 5`, call: () => new C({ ...good, transfer: [5] }), expect: 'TypeError' },
      { what: `${Chunk.name}.copyTo() a too small buffer`, call: () => chunk.copyTo(new Uint8Array(3)), expect: 'TypeError' },
      { what: `${Chunk.name}.copyTo(null)`, call: () => chunk.copyTo(null as never), expect: 'TypeError' },
      { what: `${Chunk.name}.copyTo() an exact buffer`, call: () => chunk.copyTo(new ArrayBuffer(4)), expect: null },
    );
  }
  await check(t, cases);
});

t.test('VideoColorSpace: constructor', async (t) => {
  await check(t, [
    { what: 'new VideoColorSpace()', call: () => new VideoColorSpace(), expect: null },
    { what: 'new VideoColorSpace(5)', call: () => new VideoColorSpace(5 as never), expect: 'TypeError' },
    { what: "new VideoColorSpace({ primaries: 'rec709' })", call: () => new VideoColorSpace({ primaries: 'rec709' as never }), expect: 'TypeError' },
    { what: "new VideoColorSpace({ transfer: 'gamma' })", call: () => new VideoColorSpace({ transfer: 'gamma' as never }), expect: 'TypeError' },
    { what: 'new VideoColorSpace({ matrix: Symbol })', call: () => new VideoColorSpace({ matrix: Symbol('m') as never }), expect: 'TypeError' },
    { what: 'new VideoColorSpace({ fullRange: "yes" }) (any value converts to boolean)', call: () => new VideoColorSpace({ fullRange: 'yes' as never }), expect: null },
  ]);
});

t.test('nothing is left alive', async (t) => {
  t.equal(getLiveCounters().videoFrames, 0);
  t.equal(getLiveCounters().audioData, 0);
});
