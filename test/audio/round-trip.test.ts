// Every encodable codec: a 1 s sine sweep (48 kHz stereo unless said otherwise) through
// AudioEncoder then AudioDecoder. Lossy codecs keep an SNR floor once the decoded audio is
// aligned by the encoder delay; FLAC and PCM give back the exact samples.
import t, { type Test } from 'tap';
import type { AudioData, AudioEncoderConfig, AudioSampleFormat } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { channelOf, closeAll, decodeAudio, deinterleave, encodeAudio, snr, sweep, toFormat, type EncodedAudio } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const RATE = 48000;
const CHANNELS = 2;
/** Input pieces that divide no codec frame size, so the encoder has to re-chunk. */
const PIECE = 1234;
const START = 5000;

/** Chunks and decoded AudioData both tile the timeline from the first input timestamp. */
function checkTimeline(t: Test, encoded: EncodedAudio, decoded: AudioData[]): void {
  const { chunks } = encoded;
  t.equal(chunks[0]!.timestamp, START, 'the first chunk starts at the first input timestamp');
  t.ok(chunks.every((c) => c.type === 'key'), 'audio chunks are key chunks');
  const gaps = chunks.slice(1).filter((c, i) => c.timestamp !== chunks[i]!.timestamp + chunks[i]!.duration!);
  t.equal(gaps.length, 0, 'each chunk starts where the previous one ends');
  t.ok(chunks.every((c) => c.duration! > 0), 'every chunk has a duration');
  t.equal(encoded.configs, 1, 'one decoderConfig, with the first chunk');
  t.equal(decoded[0]!.timestamp, START, 'decoded audio starts at the first chunk timestamp');
  const jumps = decoded.slice(1).filter((d, i) => Math.abs(d.timestamp - (decoded[i]!.timestamp + decoded[i]!.duration)) > 1);
  t.equal(jumps.length, 0, 'decoded AudioData follow each other without gaps (to the microsecond)');
}

interface Lossy {
  name: string;
  config: AudioEncoderConfig;
  inputRate?: number;
  minSnr: number;
  /** Decoders that take the priming out themselves (OpusHead pre-skip). */
  trimmedByDecoder?: boolean;
  format?: AudioSampleFormat;
}

const lossy: Lossy[] = [
  // Every Opus encode carries the OpusHead (as in Chrome), so our decoder drops the pre-skip.
  { name: 'Opus', config: { codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS }, minSnr: 20, trimmedByDecoder: true },
  {
    name: 'Opus, ogg format (OpusHead description)',
    config: { codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS, opus: { format: 'ogg', frameDuration: 10000, complexity: 5 } },
    minSnr: 20,
    trimmedByDecoder: true,
  },
  {
    name: 'Opus from 44.1 kHz input (resampled to 48 kHz)',
    config: { codec: 'opus', sampleRate: 44100, numberOfChannels: CHANNELS, bitrate: 128000, bitrateMode: 'constant' },
    inputRate: 44100,
    minSnr: 20,
    trimmedByDecoder: true,
  },
  { name: 'AAC LC, raw with AudioSpecificConfig', config: { codec: 'mp4a.40.2', sampleRate: RATE, numberOfChannels: CHANNELS, bitrate: 192000 }, minSnr: 20 },
  {
    name: 'AAC LC, ADTS',
    config: { codec: 'mp4a.40.2', sampleRate: RATE, numberOfChannels: CHANNELS, bitrate: 192000, aac: { format: 'adts' } },
    minSnr: 20,
    format: 's16',
  },
  { name: 'MP3', config: { codec: 'mp3', sampleRate: RATE, numberOfChannels: CHANNELS, bitrate: 192000 }, minSnr: 20 },
  { name: 'Vorbis', config: { codec: 'vorbis', sampleRate: RATE, numberOfChannels: CHANNELS, bitrate: 192000 }, minSnr: 20, format: 'f32-planar' },
  {
    name: 'Vorbis, 10 channels (planar output past the 8 planes of an AVFrame)',
    config: { codec: 'vorbis', sampleRate: RATE, numberOfChannels: 10 },
    minSnr: 20,
  },
  { name: 'G.711 u-law', config: { codec: 'ulaw', sampleRate: 8000, numberOfChannels: 1 }, inputRate: 8000, minSnr: 30, format: 's16' },
  { name: 'G.711 A-law', config: { codec: 'alaw', sampleRate: 8000, numberOfChannels: 1 }, inputRate: 8000, minSnr: 30, format: 's16' },
];

/** Interleaved f32 samples as AudioData input in `format`. */
function input(samples: Float32Array, channels: number, format: AudioSampleFormat): ArrayBufferView {
  if (format !== 'f32-planar') return toFormat(samples, format as 'u8' | 's16' | 's32' | 'f32');
  const frames = samples.length / channels;
  const planar = new Float32Array(samples.length);
  for (let c = 0; c < channels; c++) planar.set(deinterleave(samples, channels, c), c * frames);
  return planar;
}

for (const test of lossy) {
  t.test(`${test.name}: SNR >= ${test.minSnr} dB after aligning by the encoder delay`, async (t) => {
    const inputRate = test.inputRate ?? RATE;
    const channels = test.config.numberOfChannels;
    const format = test.format ?? 'f32';
    const source = sweep(inputRate, channels);
    const piece = format === 'f32-planar' ? source.length / channels : PIECE;
    const encoded = await encodeAudio(test.config, input(source, channels, format), format, piece, START);
    const config = encoded.decoderConfig;
    t.equal(config.codec, test.config.codec);
    t.equal(config.sampleRate, test.config.sampleRate, 'decoderConfig has the configured rate');
    t.equal(config.numberOfChannels, channels);
    t.type(config.encoderDelay, 'number', 'the encoder delay is reported');
    const decoded = await decodeAudio(config, encoded.chunks);
    checkTimeline(t, encoded, decoded);
    const outputRate = decoded[0]!.sampleRate;
    t.equal(outputRate, test.config.codec === 'opus' ? 48000 : inputRate, 'decoded at the codec rate');
    const reference = sweep(outputRate, channels);
    const skip = test.trimmedByDecoder === true ? 0 : config.encoderDelay!;
    for (let c = 0; c < channels; c++) {
      const output = channelOf(decoded, c).subarray(skip);
      t.ok(output.length >= reference.length / channels, `channel ${c}: the whole input comes back`);
      const quality = snr(deinterleave(reference, channels, c), output);
      t.ok(quality >= test.minSnr, `channel ${c}: SNR ${quality.toFixed(1)} dB >= ${test.minSnr}`);
    }
    closeAll(decoded);
  });
}

interface Lossless {
  name: string;
  codec: string;
  format: 'u8' | 's16' | 's32' | 'f32';
  /** What the samples hold, when narrower than the format (24-bit audio sits in s32's top bits). */
  bits?: number;
  config?: Partial<AudioEncoderConfig>;
}

const lossless: Lossless[] = [
  { name: 'FLAC, 16-bit', codec: 'flac', format: 's16', config: { flac: { blockSize: 1152, compressLevel: 8 } } },
  { name: 'FLAC, 24-bit in s32', codec: 'flac', format: 's32', bits: 24 },
  { name: 'pcm-u8', codec: 'pcm-u8', format: 'u8' },
  { name: 'pcm-s16', codec: 'pcm-s16', format: 's16' },
  { name: 'pcm-s24 (decoded as s32)', codec: 'pcm-s24', format: 's32', bits: 24 },
  { name: 'pcm-s32', codec: 'pcm-s32', format: 's32' },
  { name: 'pcm-f32', codec: 'pcm-f32', format: 'f32' },
];

for (const test of lossless) {
  t.test(`${test.name}: decoded samples are bit-exact`, async (t) => {
    const source = toFormat(sweep(RATE, CHANNELS), test.format) as Int32Array;
    if (test.bits !== undefined) for (let i = 0; i < source.length; i++) source[i] = (source[i]! >> (32 - test.bits)) << (32 - test.bits);
    const config = { codec: test.codec, sampleRate: RATE, numberOfChannels: CHANNELS, ...test.config };
    const encoded = await encodeAudio(config, source, test.format, PIECE, START);
    t.equal(encoded.decoderConfig.encoderDelay, 0, 'no priming');
    if (test.codec === 'flac') {
      const description = new Uint8Array(encoded.decoderConfig.description!);
      t.same([...description.subarray(0, 4)], [0x66, 0x4c, 0x61, 0x43], 'description starts with "fLaC"');
      t.equal(description[4]! & 0x7f, 0, 'then the STREAMINFO block');
    } else {
      t.equal(encoded.decoderConfig.description, undefined, 'PCM has no description');
    }
    const decoded = await decodeAudio(encoded.decoderConfig, encoded.chunks);
    checkTimeline(t, encoded, decoded);
    const output = new (source.constructor as Int32ArrayConstructor)(source.length);
    let offset = 0;
    for (const data of decoded) {
      data.copyTo(output.subarray(offset), { planeIndex: 0, format: test.format });
      offset += data.numberOfFrames * CHANNELS;
    }
    t.equal(decoded[0]!.format, test.format, `decoded in ${test.format}, the natural format`);
    t.equal(offset, source.length, 'every frame comes back');
    t.ok(output.every((v, i) => Object.is(v, source[i])), 'every sample is identical');
    closeAll(decoded);
  });
}
