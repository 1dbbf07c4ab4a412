// The Opus encoder (libopus, native/opus_packet_encoder.cc): DTX drops silent packets and keeps
// every emitted chunk's timestamp exact, the signal type and every frame duration configure and
// round-trip, constant bitrate is hard CBR, 1 to 8 channels keep their places, and
// isConfigSupported answers what configure() then does.
import t from 'tap';
import { AudioEncoder, type AudioData, type AudioEncoderConfig, type EncodedAudioChunk } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { channelOf, closeAll, decodeAudio, deinterleave, encodeAudio, snr, sweep } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const RATE = 48000;
const CHANNELS = 2;
const START = 5000;
/** Input pieces that divide no Opus frame, so the encoder re-chunks. */
const PIECE = 1234;

/** `seconds` of sweep, then `silent` seconds of digital silence, then the sweep again. */
function speechWithPause(seconds: number, silent: number): Float32Array {
  const active = sweep(RATE, CHANNELS, seconds);
  const out = new Float32Array(active.length * 2 + Math.round(silent * RATE) * CHANNELS);
  out.set(active, 0);
  out.set(active, out.length - active.length);
  return out;
}

const bytes = (chunks: EncodedAudioChunk[]) => chunks.reduce((sum, c) => sum + c.byteLength, 0);

/** Decoded AudioData placed on a sample grid by their timestamps (from START), f32, one channel. */
function onTimeline(decoded: AudioData[], channel: number, frames: number): Float32Array {
  const out = new Float32Array(frames);
  for (const data of decoded) {
    const at = Math.round(((data.timestamp - START) * RATE) / 1e6);
    const samples = channelOf([data], channel);
    out.set(samples.subarray(0, Math.max(0, Math.min(samples.length, frames - at))), at);
  }
  return out;
}

t.test('usedtx: silent frames are not sent, and every chunk that is keeps its exact timestamp', async (t) => {
  // Half silence: 1 s of sweep, 2 s of silence, 1 s of sweep.
  const source = speechWithPause(1, 2);
  const frames = source.length / CHANNELS;
  const config = { codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS };
  const normal = await encodeAudio({ ...config, opus: { usedtx: false } }, source, 'f32', PIECE, START);
  const dtx = await encodeAudio({ ...config, opus: { usedtx: true } }, source, 'f32', PIECE, START);

  const contiguous = normal.chunks.slice(1).every((c, i) => c.timestamp === normal.chunks[i]!.timestamp + normal.chunks[i]!.duration!);
  t.ok(contiguous, 'without DTX the chunks tile the timeline');
  // libopus sends the first 200 ms of silence, then one packet every 400 ms (it codes digital
  // silence at 3 bytes a frame without DTX, so most of the bytes saved are the decay's).
  const inPause = (chunks: EncodedAudioChunk[]) => chunks.filter((c) => c.timestamp >= START + 1e6 && c.timestamp < START + 3e6);
  const [dtxPause, normalPause] = [inPause(dtx.chunks), inPause(normal.chunks)];
  t.ok(dtxPause.length < normalPause.length * 0.25, `the silent half sends far fewer chunks with DTX (${dtxPause.length} vs ${normalPause.length})`);
  t.ok(bytes(dtxPause) < bytes(normalPause) * 0.6, `and fewer bytes (${bytes(dtxPause)} vs ${bytes(normalPause)})`);
  t.ok(bytes(dtx.chunks) < bytes(normal.chunks), `fewer bytes in all (${bytes(dtx.chunks)} vs ${bytes(normal.chunks)})`);
  t.ok(dtx.chunks.every((c) => c.byteLength > 2), 'no DTX packet (2 bytes or less) is emitted');

  // Every emitted chunk is one of the 20 ms packets of the stream, at the timestamp of its first
  // sample: the same timestamp and duration as the chunk at that place without DTX.
  const normalAt = new Map(normal.chunks.map((c) => [c.timestamp, c.duration]));
  t.ok(dtx.chunks.every((c) => normalAt.get(c.timestamp) === c.duration), 'each chunk has the timestamp and duration of its place in the stream');
  t.ok(dtx.chunks.every((c) => (c.timestamp - START) % 20000 === 0), 'timestamps are exact multiples of the frame duration from the start');
  t.equal(dtx.chunks[0]!.timestamp, START, 'the first chunk starts at the first input timestamp');
  t.ok(dtx.chunks.every((c) => c.type === 'key'), 'key chunks');
  let overlaps = 0;
  let gaps = 0;
  for (let i = 1; i < dtx.chunks.length; i++) {
    const previous = dtx.chunks[i - 1]!;
    if (dtx.chunks[i]!.timestamp < previous.timestamp + previous.duration!) overlaps++;
    if (dtx.chunks[i]!.timestamp > previous.timestamp + previous.duration!) gaps++;
  }
  t.equal(overlaps, 0, 'strictly increasing, no chunk overlaps the next');
  t.ok(gaps >= 1, `the timeline has gaps where packets were not sent (${gaps})`);
  const last = dtx.chunks.at(-1)!;
  const end = normal.chunks.at(-1)!;
  t.equal(last.timestamp + last.duration!, end.timestamp + end.duration!, 'the stream ends where it ends without DTX (the sweep after the pause is sent)');

  // Our AudioDecoder follows the chunks' timestamps across the gaps; the audio after the pause
  // lands where it belongs (a misplaced chunk would wreck the SNR).
  // The OpusHead description makes the decoder drop the pre-skip, so decoded audio is on the
  // input's timeline: the first AudioData at the first chunk's timestamp, each later one at its
  // chunk's timestamp less the encoder delay.
  const decoded = await decodeAudio(dtx.decoderConfig, dtx.chunks);
  const delayUs = Math.round((dtx.decoderConfig.encoderDelay! * 1e6) / RATE);
  const byTimestamp = new Map(dtx.chunks.map((c) => [c.timestamp, c]));
  t.equal(decoded[0]!.timestamp, dtx.chunks[0]!.timestamp, 'the first AudioData at the first chunk');
  t.ok(decoded.slice(1).every((d) => byTimestamp.has(d.timestamp + delayUs)), 'each later AudioData at its chunk, less the pre-skip');
  const activeFrames = RATE;
  for (let c = 0; c < CHANNELS; c++) {
    const output = onTimeline(decoded, c, frames);
    const reference = deinterleave(source, CHANNELS, c);
    const before = snr(reference.subarray(0, activeFrames), output.subarray(0, activeFrames));
    const after = snr(reference.subarray(frames - activeFrames), output.subarray(frames - activeFrames));
    t.ok(before >= 20, `channel ${c}: SNR before the pause ${before.toFixed(1)} dB >= 20`);
    t.ok(after >= 20, `channel ${c}: SNR after the pause ${after.toFixed(1)} dB >= 20`);
  }
  closeAll(decoded);
});

t.test('signal "voice" and "music": supported, and both round-trip at SNR >= 20 dB', async (t) => {
  const source = sweep(RATE, CHANNELS);
  for (const signal of ['voice', 'music'] as const) {
    const config: AudioEncoderConfig = { codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS, opus: { signal } };
    const support = await AudioEncoder.isConfigSupported(config);
    t.equal(support.supported, true, `${signal}: isConfigSupported`);
    t.equal(support.config.opus?.signal, signal, `${signal}: kept in the returned config`);
    const encoded = await encodeAudio(config, source, 'f32', PIECE, START);
    const decoded = await decodeAudio(encoded.decoderConfig, encoded.chunks);
    // The decoder drops the pre-skip (OpusHead), so the output starts with the first input sample.
    for (let c = 0; c < CHANNELS; c++) {
      const quality = snr(deinterleave(source, CHANNELS, c), channelOf(decoded, c));
      t.ok(quality >= 20, `${signal}, channel ${c}: SNR ${quality.toFixed(1)} dB >= 20`);
    }
    closeAll(decoded);
  }
});

t.test('signal reaches libopus: at 24 kbit/s "voice" picks the speech layer, "music" the MDCT layer', async (t) => {
  // RFC 6716 3.1: TOC configurations 0-15 are SILK-only or hybrid (speech), 16-31 CELT-only.
  const configurations = async (signal: 'voice' | 'music') => {
    const config: AudioEncoderConfig = { codec: 'opus', sampleRate: RATE, numberOfChannels: 1, bitrate: 24000, opus: { signal } };
    const { chunks } = await encodeAudio(config, sweep(RATE, 1), 'f32', PIECE, START);
    return chunks.map((c) => {
      const data = new Uint8Array(c.byteLength);
      c.copyTo(data);
      return data[0]! >> 3;
    });
  };
  t.ok((await configurations('voice')).every((c) => c < 16), 'voice: every packet is SILK or hybrid');
  t.ok((await configurations('music')).every((c) => c >= 16), 'music: every packet is CELT');
});

t.test('every frame duration: chunks of that duration, exact timeline, decodable', async (t) => {
  const source = sweep(RATE, 1, 0.5);
  for (const frameDuration of [2500, 5000, 10000, 20000, 40000, 60000, 80000, 100000, 120000]) {
    const config: AudioEncoderConfig = { codec: 'opus', sampleRate: RATE, numberOfChannels: 1, bitrate: 96000, opus: { frameDuration } };
    t.equal((await AudioEncoder.isConfigSupported(config)).supported, true, `${frameDuration} us is supported`);
    const { chunks, decoderConfig } = await encodeAudio(config, source, 'f32', PIECE, START);
    t.ok(chunks.slice(0, -1).every((c) => c.duration === frameDuration), `${frameDuration} us: every chunk but the last lasts ${frameDuration} us`);
    const tiled = chunks.slice(1).every((c, i) => c.timestamp === chunks[i]!.timestamp + chunks[i]!.duration!);
    t.ok(tiled, `${frameDuration} us: chunks tile the timeline`);
    const last = chunks.at(-1)!;
    const delayUs = Math.round((decoderConfig.encoderDelay! * 1e6) / RATE);
    t.equal(last.timestamp + last.duration!, START + 500000 + delayUs, `${frameDuration} us: the chunks cover the input and the priming`);
    const decoded = await decodeAudio(decoderConfig, chunks);
    const quality = snr(source, channelOf(decoded, 0));
    t.ok(quality >= 15, `${frameDuration} us: SNR ${quality.toFixed(1)} dB >= 15`);
    closeAll(decoded);
  }
});

t.test('bitrateMode "constant" is hard CBR; "variable" is not', async (t) => {
  const source = sweep(RATE, CHANNELS);
  const config = { codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS, bitrate: 64000 };
  const cbr = await encodeAudio({ ...config, bitrateMode: 'constant' }, source, 'f32', PIECE, START);
  const vbr = await encodeAudio({ ...config, bitrateMode: 'variable' }, source, 'f32', PIECE, START);
  t.same(new Set(cbr.chunks.map((c) => c.byteLength)), new Set([(64000 * 0.02) / 8]), 'every packet is 160 bytes (64 kbit/s, 20 ms)');
  t.ok(new Set(vbr.chunks.map((c) => c.byteLength)).size > 1, 'variable bitrate varies the packet size');
});

t.test('1 to 8 channels: OpusHead mapping family 0 or 1, every channel comes back in its place', async (t) => {
  const seconds = 0.5;
  // A low tone per channel (an LFE channel is coded band-limited), told apart by correlation.
  const tone = (c: number) => 80 + 40 * c;
  for (let channels = 1; channels <= 8; channels++) {
    const frames = RATE * seconds;
    const source = new Float32Array(frames * channels);
    for (let i = 0; i < frames; i++) for (let c = 0; c < channels; c++) source[i * channels + c] = 0.4 * Math.sin((2 * Math.PI * tone(c) * i) / RATE);
    const config: AudioEncoderConfig = { codec: 'opus', sampleRate: RATE, numberOfChannels: channels, bitrate: 64000 * channels, opus: { format: 'ogg' } };
    t.equal((await AudioEncoder.isConfigSupported(config)).supported, true, `${channels} channels are supported`);
    const { chunks, decoderConfig } = await encodeAudio(config, source, 'f32', PIECE, START);
    const head = new Uint8Array(decoderConfig.description as ArrayBuffer);
    t.equal(new TextDecoder().decode(head.subarray(0, 8)), 'OpusHead');
    t.equal(head[9], channels, `${channels} channels: channel count`);
    t.equal(head[10]! | (head[11]! << 8), decoderConfig.encoderDelay, `${channels} channels: pre-skip is the encoder delay`);
    t.equal(head[18], channels > 2 ? 1 : 0, `${channels} channels: mapping family`);
    t.equal(head.length, channels > 2 ? 21 + channels : 19, `${channels} channels: OpusHead size`);
    const decoded = await decodeAudio(decoderConfig, chunks);
    const misplaced: string[] = [];
    for (let c = 0; c < channels; c++) {
      const output = channelOf(decoded, c);
      const power = (k: number) => {
        let re = 0;
        let im = 0;
        for (let i = 2000; i < frames - 2000; i++) {
          re += output[i]! * Math.cos((2 * Math.PI * tone(k) * i) / RATE);
          im += output[i]! * Math.sin((2 * Math.PI * tone(k) * i) / RATE);
        }
        return re * re + im * im;
      };
      const loudest = Array.from({ length: channels }, (_, k) => k).reduce((a, b) => (power(b) > power(a) ? b : a));
      if (loudest !== c) misplaced.push(`${c} came back with channel ${loudest}'s tone`);
    }
    t.same(misplaced, [], `${channels} channels: each channel in its place`);
    closeAll(decoded);
  }
});

t.test('isConfigSupported answers what configure() does', async (t) => {
  const base = { codec: 'opus', sampleRate: RATE, numberOfChannels: CHANNELS };
  const supported: [string, AudioEncoderConfig][] = [
    ['usedtx, stereo', { ...base, opus: { usedtx: true } }],
    ['usedtx, mono, voip, voice', { ...base, numberOfChannels: 1, opus: { usedtx: true, application: 'voip', signal: 'voice' } }],
    ['signal music, lowdelay, 5 ms', { ...base, opus: { signal: 'music', application: 'lowdelay', frameDuration: 5000 } }],
    ['3 channels', { ...base, numberOfChannels: 3 }],
    ['usedtx with FEC and packet loss', { ...base, opus: { usedtx: true, useinbandfec: true, packetlossperc: 20 } }],
    ['the lowest bitrate', { ...base, bitrate: 500 }],
  ];
  for (const [name, config] of supported) {
    t.equal((await AudioEncoder.isConfigSupported(config)).supported, true, `${name}: supported`);
    const encoded = await encodeAudio(config, sweep(RATE, config.numberOfChannels, 0.1), 'f32', PIECE, START);
    t.ok(encoded.chunks.length > 0, `${name}: configures and encodes`);
  }
  const unsupported: [string, AudioEncoderConfig][] = [
    ['usedtx with 6 channels (several Opus streams)', { ...base, numberOfChannels: 6, opus: { usedtx: true } }],
    ['9 channels', { ...base, numberOfChannels: 9 }],
    ['a bitrate below 500', { ...base, bitrate: 499 }],
    ['a bitrate above 256 kbit/s per channel', { ...base, bitrate: 512001 }],
  ];
  for (const [name, config] of unsupported) {
    t.equal((await AudioEncoder.isConfigSupported(config)).supported, false, `${name}: not supported`);
    const errors: DOMException[] = [];
    const encoder = new AudioEncoder({ output: () => t.fail('no output'), error: (e) => errors.push(e) });
    encoder.configure(config);
    await t.rejects(encoder.flush(), { name: 'NotSupportedError' }, `${name}: configure() closes with NotSupportedError`);
    t.match(errors[0]?.message, /\w/, `${name}: with a message`);
  }
});
