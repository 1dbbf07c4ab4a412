// AudioData: construction, attributes, errors, allocationSize/copyTo with every format pair.
import t from 'tap';
import { AudioData, getLiveCounters, type AudioSampleFormat } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';

checkNoLiveFramesAfterEach(t);

type SampleType = 'u8' | 's16' | 's32' | 'f32';
const TYPES: SampleType[] = ['u8', 's16', 's32', 'f32'];
const FORMATS: AudioSampleFormat[] = ['u8', 's16', 's32', 'f32', 'u8-planar', 's16-planar', 's32-planar', 'f32-planar'];
const ARRAYS = { u8: Uint8Array, s16: Int16Array, s32: Int32Array, f32: Float32Array };
const SCALE = { u8: 128, s16: 32768, s32: 2147483648 };

const typeOf = (format: AudioSampleFormat) => format.replace('-planar', '') as SampleType;
const planar = (format: AudioSampleFormat) => format.endsWith('-planar');

/** Values that exercise each type: extremes, the bias, both signs, halves between steps. */
const RAMP: Record<SampleType, number[]> = {
  u8: [0, 1, 64, 127, 128, 129, 192, 254, 255],
  s16: [-32768, -32767, -16384, -129, -128, -1, 0, 1, 127, 128, 255, 16384, 32767],
  s32: [-2147483648, -2147483647, -1073741824, -32769, -32768, -1, 0, 1, 32768, 65535, 8388607 * 256, 1073741824, 2147483647],
  f32: [-1.5, -1, -0.75, -0.5, -1 / 65536, 0, 1 / 65536, 0.25, 0.5, 0.9999, 1, 1.5, 0.1].map(Math.fround),
};

/** The documented rule, written independently of the implementation. */
function expected(value: number, src: SampleType, dst: SampleType): number {
  const x = src === 'f32' ? value : (value - (src === 'u8' ? 128 : 0)) / SCALE[src];
  if (dst === 'f32') return Math.fround(x);
  const scaled = x * SCALE[dst];
  const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
  return Math.min(Math.max(rounded, -SCALE[dst]), SCALE[dst] - 1) + (dst === 'u8' ? 128 : 0) + 0;
}

/** An AudioData in `format` whose sample (frame i, channel c) is value(i, c). */
function makeData(format: AudioSampleFormat, frames: number, channels: number, value: (i: number, c: number) => number, timestamp = 0): AudioData {
  const data = new ARRAYS[typeOf(format)](frames * channels);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channels; c++) data[planar(format) ? c * frames + i : i * channels + c] = value(i, c);
  }
  return new AudioData({ format, sampleRate: 48000, numberOfFrames: frames, numberOfChannels: channels, timestamp, data });
}

const base = () => ({ format: 's16' as const, sampleRate: 48000, numberOfFrames: 480, numberOfChannels: 2, timestamp: 1234, data: new Int16Array(960) });

t.test('constructor copies the samples and sets every attribute', async (t) => {
  const init = base();
  init.data.fill(7);
  const data = new AudioData(init);
  init.data.fill(9);
  t.equal(data.format, 's16');
  t.equal(data.sampleRate, 48000);
  t.equal(data.numberOfFrames, 480);
  t.equal(data.numberOfChannels, 2);
  t.equal(data.timestamp, 1234);
  t.equal(data.duration, 10000, 'duration in microseconds');
  t.equal(String(data), '[object AudioData]');
  const out = new Int16Array(960);
  data.copyTo(out, { planeIndex: 0 });
  t.ok(out.every((v) => v === 7), 'the AudioData holds its own copy');
  t.equal(getLiveCounters().audioData, 1, 'one live native AudioData');
  data.close();
});

t.test('duration is exact in microseconds', async (t) => {
  const cases: [number, number, number][] = [
    [441, 44100, 10000],
    [960, 48000, 20000],
    [1024, 44100, 23219], // 23219.95...: the IDL integer truncates
    [1, 8000, 125],
    [48000 * 3600, 48000, 3600e6],
  ];
  for (const [frames, sampleRate, duration] of cases) {
    const data = new AudioData({ format: 'u8', sampleRate, numberOfFrames: frames, numberOfChannels: 1, timestamp: 0, data: new Uint8Array(frames) });
    t.equal(data.duration, duration, `${frames} frames at ${sampleRate} Hz`);
    data.close();
  }
  const odd = new AudioData({ ...base(), sampleRate: 44100.5 });
  t.equal(odd.sampleRate, 44100.5, 'sampleRate is a float');
  odd.close();
});

t.test('invalid AudioDataInit throws TypeError', async (t) => {
  const bad: [string, Record<string, unknown>][] = [
    ['sampleRate 0', { sampleRate: 0 }],
    ['negative sampleRate', { sampleRate: -48000 }],
    ['NaN sampleRate', { sampleRate: NaN }],
    ['infinite sampleRate', { sampleRate: Infinity }],
    ['numberOfFrames 0', { numberOfFrames: 0 }],
    ['negative numberOfFrames', { numberOfFrames: -1 }],
    ['NaN numberOfFrames', { numberOfFrames: NaN }],
    ['numberOfChannels 0', { numberOfChannels: 0 }],
    ['numberOfChannels above unsigned long', { numberOfChannels: 2 ** 32 }],
    ['too little data', { data: new Int16Array(959) }],
    ['unknown format', { format: 's24' }],
    ['missing format', { format: undefined }],
    ['missing timestamp', { timestamp: undefined }],
    ['missing data', { data: undefined }],
    ['data not a buffer', { data: [1, 2, 3] }],
    ['shared memory', { data: new Int16Array(new SharedArrayBuffer(1920)) }],
    ['transfer not a sequence', { transfer: 5 }],
  ];
  for (const [name, change] of bad) {
    t.throws(() => new AudioData({ ...base(), ...change } as never), TypeError, name);
  }
  t.throws(() => new (AudioData as unknown as new () => AudioData)(), TypeError, 'no init');
  const detached = new ArrayBuffer(1920);
  structuredClone(detached, { transfer: [detached] });
  t.throws(() => new AudioData({ ...base(), data: detached }), TypeError, 'detached data');
  t.equal(getLiveCounters().audioData, 0, 'nothing allocated');
});

t.test('numberOfFrames and numberOfChannels follow [EnforceRange]: fractions are truncated', async (t) => {
  const data = new AudioData({ ...base(), numberOfFrames: 2.9, numberOfChannels: 1.5 });
  t.equal(data.numberOfFrames, 2);
  t.equal(data.numberOfChannels, 1);
  data.close();
});

t.test('transfer detaches the buffers, adopting the data; bad transfer lists throw DataCloneError', async (t) => {
  const samples = new Int16Array(960).fill(3);
  const other = new ArrayBuffer(8);
  const data = new AudioData({ ...base(), data: samples, transfer: [samples.buffer as ArrayBuffer, other] });
  t.equal(samples.byteLength, 0, 'data buffer detached');
  t.equal(other.byteLength, 0, 'every listed buffer detached');
  const out = new Int16Array(960);
  data.copyTo(out, { planeIndex: 0 });
  t.ok(out.every((v) => v === 3), 'samples survive the transfer');
  data.close();

  const buffer = new ArrayBuffer(1920);
  t.throws(() => new AudioData({ ...base(), data: buffer, transfer: [buffer, buffer] }), { name: 'DataCloneError' }, 'listed twice');
  const gone = new ArrayBuffer(8);
  structuredClone(gone, { transfer: [gone] });
  t.throws(() => new AudioData({ ...base(), data: buffer, transfer: [gone] }), { name: 'DataCloneError' }, 'already detached');
  t.equal(buffer.byteLength, 1920, 'nothing detached when construction fails');
});

t.test('clone shares the samples; close is final and clears the attributes', async (t) => {
  const data = makeData('f32-planar', 4, 2, (i, c) => i + c / 10, 99);
  const copy = data.clone();
  t.equal(getLiveCounters().audioData, 2);
  data.close();
  data.close();
  t.equal(data.format, null);
  t.equal(data.sampleRate, 0);
  t.equal(data.numberOfFrames, 0);
  t.equal(data.numberOfChannels, 0);
  t.equal(data.duration, 0);
  t.equal(data.timestamp, 99, 'the timestamp stays readable');
  t.throws(() => data.clone(), { name: 'InvalidStateError' });
  t.throws(() => data.allocationSize({ planeIndex: 0 }), { name: 'InvalidStateError' });
  t.throws(() => data.copyTo(new Float32Array(8), { planeIndex: 0 }), { name: 'InvalidStateError' });
  const out = new Float32Array(4);
  copy.copyTo(out, { planeIndex: 1 });
  t.same([...out], [0.1, 1.1, 2.1, 3.1].map(Math.fround), 'the clone still reads the shared samples');
  t.equal(copy.timestamp, 99);
  {
    using scoped = copy;
    t.equal(scoped.numberOfChannels, 2);
  }
  t.equal(copy.format, null, '[Symbol.dispose] closes');
});

t.test('allocationSize and copyTo follow "Compute Copy Element Count"', async (t) => {
  const data = makeData('s16', 10, 3, (i, c) => i * 10 + c);
  t.equal(data.allocationSize({ planeIndex: 0 }), 10 * 3 * 2, 'interleaved: all channels');
  t.equal(data.allocationSize({ planeIndex: 2, format: 's16-planar' }), 10 * 2, 'planar: one channel');
  t.equal(data.allocationSize({ planeIndex: 0, frameOffset: 4 }), 6 * 3 * 2);
  t.equal(data.allocationSize({ planeIndex: 0, frameOffset: 4, frameCount: 2, format: 'f32' }), 2 * 3 * 4);
  t.equal(data.allocationSize({ planeIndex: 0, frameCount: 0 }), 0);
  t.throws(() => data.allocationSize({ planeIndex: 1 }), RangeError, 'interleaved has only plane 0');
  t.throws(() => data.allocationSize({ planeIndex: 3, format: 'f32-planar' }), RangeError, 'planar: one plane per channel');
  t.throws(() => data.allocationSize({ planeIndex: 0, frameOffset: 10 }), RangeError, 'frameOffset past the end');
  t.throws(() => data.allocationSize({ planeIndex: 0, frameOffset: 4, frameCount: 7 }), RangeError, 'frameCount past the end');
  t.throws(() => data.allocationSize({} as never), TypeError, 'planeIndex is required');
  t.throws(() => data.allocationSize({ planeIndex: -1 }), TypeError, 'planeIndex is an unsigned long');
  t.throws(() => data.allocationSize({ planeIndex: 0, format: 'f64' as never }), TypeError, 'unknown format');

  const out = new Int16Array(6);
  data.copyTo(out, { planeIndex: 0, frameOffset: 4, frameCount: 2 });
  t.same([...out], [40, 41, 42, 50, 51, 52], 'frameOffset and frameCount select frames');
  const plane = new Int16Array(3);
  data.copyTo(plane, { planeIndex: 1, frameOffset: 7, format: 's16-planar' });
  t.same([...plane], [71, 81, 91], 'planeIndex selects a channel when the destination is planar');
  t.throws(() => data.copyTo(new Int16Array(5), { planeIndex: 0, frameOffset: 4, frameCount: 2 }), RangeError, 'destination too small');
  t.throws(() => data.copyTo('nope' as never, { planeIndex: 0 }), TypeError, 'destination must be a buffer');

  const unaligned = new Uint8Array(1 + 6 * 4);
  data.copyTo(new DataView(unaligned.buffer, 1), { planeIndex: 0, frameOffset: 4, frameCount: 2, format: 'f32' });
  t.equal(new DataView(unaligned.buffer).getFloat32(1, true), 40 / 32768, 'unaligned DataView destination, converted');
  const shared = new Int16Array(new SharedArrayBuffer(60));
  data.copyTo(shared, { planeIndex: 0 });
  t.equal(shared[29], 92, 'SharedArrayBuffer destination');
  data.close();
});

t.test('known conversions between sample types', async (t) => {
  const cases: [SampleType, number, SampleType, number][] = [
    ['s16', -32768, 'f32', -1],
    ['s16', 16384, 'f32', 0.5],
    ['s16', 32767, 'f32', 32767 / 32768],
    ['u8', 0, 'f32', -1],
    ['u8', 128, 'f32', 0],
    ['u8', 255, 'f32', 0.9921875],
    ['s32', -2147483648, 'f32', -1],
    ['s32', 1073741824, 'f32', 0.5],
    ['s32', 8388607 * 256, 'f32', 8388607 / 8388608],
    ['f32', 8388607 / 8388608, 's32', 8388607 * 256],
    ['f32', 1, 's16', 32767],
    ['f32', -1, 's16', -32768],
    ['f32', 1.5, 's16', 32767],
    ['f32', -2, 's16', -32768],
    ['f32', 0.5, 's16', 16384],
    ['f32', NaN, 's16', 0],
    ['f32', 1 / 65536, 's16', 1],
    ['f32', -1 / 65536, 's16', -1],
    ['f32', 1, 'u8', 255],
    ['f32', -1, 'u8', 0],
    ['f32', NaN, 'u8', 128],
    ['f32', 1, 's32', 2147483647],
    ['f32', -1, 's32', -2147483648],
    ['f32', 0.25, 's32', 536870912],
    ['f32', 1.5, 'f32', 1.5],
    ['u8', 0, 's16', -32768],
    ['u8', 255, 's16', 32512],
    ['u8', 129, 's32', 16777216],
    ['s16', 32767, 'u8', 255],
    ['s16', -32768, 'u8', 0],
    ['s16', 128, 'u8', 129],
    ['s16', -128, 'u8', 127],
    ['s16', 127, 'u8', 128],
    ['s16', -1, 's32', -65536],
    ['s32', 5 * 65536, 's16', 5],
    ['s32', 32768, 's16', 1],
    ['s32', -32768, 's16', -1],
    ['s32', 2147483647, 's16', 32767],
  ];
  for (const [src, value, dst, want] of cases) {
    const data = makeData(src, 1, 1, () => value);
    const out = new ARRAYS[dst](1);
    data.copyTo(out, { planeIndex: 0, format: dst });
    t.equal(out[0], dst === 'f32' ? Math.fround(want) : want, `${src} ${value} -> ${dst} ${want}`);
    data.close();
  }
});

t.test('every format pair converts exactly, for every plane and frame range', async (t) => {
  const frames = 13;
  const channels = 3;
  for (const src of FORMATS) {
    const ramp = RAMP[typeOf(src)];
    const value = (i: number, c: number) => ramp[(i * channels + c) % ramp.length]!;
    const data = makeData(src, frames, channels, value);
    for (const dst of FORMATS) {
      for (const [frameOffset, frameCount] of [[0, frames], [2, 7], [12, 1]] as const) {
        const planes = planar(dst) ? channels : 1;
        for (let planeIndex = 0; planeIndex < planes; planeIndex++) {
          const options = { planeIndex, frameOffset, frameCount, format: dst };
          const out = new ARRAYS[typeOf(dst)](data.allocationSize(options) / ARRAYS[typeOf(dst)].BYTES_PER_ELEMENT);
          data.copyTo(out, options);
          const want: number[] = [];
          for (let i = frameOffset; i < frameOffset + frameCount; i++) {
            if (planar(dst)) want.push(expected(value(i, planeIndex), typeOf(src), typeOf(dst)));
            else for (let c = 0; c < channels; c++) want.push(expected(value(i, c), typeOf(src), typeOf(dst)));
          }
          const label = `${src} -> ${dst}, plane ${planeIndex}, frames ${frameOffset}+${frameCount}`;
          if (![...out].every((v, k) => v === want[k])) t.fail(label, { found: [...out], wanted: want });
        }
      }
      t.pass(`${src} -> ${dst}`);
    }
    data.close();
  }
});

t.test('int -> f32 -> int gives every sample back', async (t) => {
  for (const type of ['u8', 's16'] as const) {
    const count = type === 'u8' ? 256 : 65536;
    const data = makeData(type, count, 1, (i) => (type === 'u8' ? i : i - 32768));
    const floats = new Float32Array(count);
    data.copyTo(floats, { planeIndex: 0, format: 'f32' });
    data.close();
    const back = new AudioData({ format: 'f32', sampleRate: 48000, numberOfFrames: count, numberOfChannels: 1, timestamp: 0, data: floats });
    const ints = new ARRAYS[type](count);
    back.copyTo(ints, { planeIndex: 0, format: type });
    back.close();
    t.ok(ints.every((v, i) => v === (type === 'u8' ? i : i - 32768)), `${type} round trip through f32`);
  }
});

t.test('copyTo is synchronous for large AudioData', async (t) => {
  const frames = 48000 * 2;
  const data = makeData('f32', frames, 2, (i, c) => ((i % 1000) - 500) / 1000 + c / 4);
  const same = new Float32Array(frames * 2);
  data.copyTo(same, { planeIndex: 0 });
  t.equal(same[same.length - 1], Math.fround(((frames - 1) % 1000 - 500) / 1000 + 0.25), 'the last sample is there when copyTo returns');
  const converted = new Int16Array(frames);
  data.copyTo(converted, { planeIndex: 1, format: 's16-planar' });
  t.equal(converted[frames - 1], Math.round((((frames - 1) % 1000 - 500) / 1000 + 0.25) * 32768));
  data.close();
});

t.test('planar AudioData with more than 8 channels reads every channel', async (t) => {
  const channels = 12;
  const data = makeData('s32-planar', 5, channels, (i, c) => c * 1000 + i);
  const plane = new Int32Array(5);
  data.copyTo(plane, { planeIndex: 11 });
  t.same([...plane], [11000, 11001, 11002, 11003, 11004]);
  const interleaved = new Int32Array(5 * channels);
  data.copyTo(interleaved, { planeIndex: 0, format: 's32' });
  t.equal(interleaved[3 * channels + 10], 10003);
  data.close();
});
