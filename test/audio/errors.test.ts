// Failure paths and the codec state machine for audio: corrupt input, reset and reconfigure,
// key chunk rules, AudioData the encoder cannot take, unsupported configurations.
import t from 'tap';
import { AudioData, AudioDecoder, AudioEncoder, EncodedAudioChunk } from '../../src/index.js';
import { checkNoLiveFramesAfterEach } from '../helpers/leaks.js';
import { channelOf, closeAll, encodeAudio, sweep, toFormat } from './helpers.js';

checkNoLiveFramesAfterEach(t);

const flacConfig = { codec: 'flac', sampleRate: 48000, numberOfChannels: 2 };

async function flacClip() {
  return encodeAudio(flacConfig, toFormat(sweep(48000, 2, 0.5), 's16'), 's16', 4800, 0);
}

function garbage(size: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 7919 + 13) & 0xff);
}

t.test('a corrupt chunk closes the decoder with EncodingError on the main thread', async (t) => {
  const { isMainThread } = await import('node:worker_threads');
  const clip = await flacClip();
  for (const [name, config, good] of [
    ['FLAC', clip.decoderConfig, clip.chunks.slice(0, 2)],
    ['AAC with an AudioSpecificConfig', { codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 2, description: new Uint8Array([0x11, 0x90]) }, []],
  ] as const) {
    const errors: DOMException[] = [];
    let onMain = false;
    const decoder = new AudioDecoder({
      output: (data) => data.close(),
      error: (e) => {
        onMain = isMainThread;
        errors.push(e);
      },
    });
    decoder.configure(config);
    for (const chunk of good) decoder.decode(chunk);
    decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: 200000, data: garbage(700) }));
    await t.rejects(decoder.flush(), { name: 'EncodingError' }, `${name}: the pending flush is rejected`);
    t.equal(errors.length, 1, `${name}: one error`);
    t.equal(errors[0]!.name, 'EncodingError');
    t.ok(onMain, 'reported on the main thread');
    t.equal(decoder.state, 'closed', 'an error closes the decoder');
    t.throws(() => decoder.configure(clip.decoderConfig), { name: 'InvalidStateError' }, 'closed is final');
  }
});

t.test('reset() drops pending work; configure() again decodes a new timeline', async (t) => {
  const clip = await flacClip();
  const outputs: AudioData[] = [];
  const decoder = new AudioDecoder({ output: (data) => outputs.push(data), error: (e) => t.fail(e.message) });
  decoder.configure(clip.decoderConfig);
  for (const chunk of clip.chunks) decoder.decode(chunk);
  const aborted = decoder.flush();
  decoder.reset();
  await t.rejects(aborted, { name: 'AbortError' }, 'reset() aborts the pending flush');
  t.equal(decoder.state, 'unconfigured');
  t.equal(decoder.decodeQueueSize, 0);
  closeAll(outputs.splice(0));
  t.throws(() => decoder.decode(clip.chunks[0]!), { name: 'InvalidStateError' }, 'decode needs a configuration');

  decoder.configure(clip.decoderConfig);
  const shift = 7_000_000;
  for (const chunk of clip.chunks) {
    const bytes = new Uint8Array(chunk.byteLength);
    chunk.copyTo(bytes);
    decoder.decode(new EncodedAudioChunk({ type: 'key', timestamp: chunk.timestamp + shift, duration: chunk.duration!, data: bytes }));
  }
  await decoder.flush();
  t.equal(outputs[0]!.timestamp, shift, 'outputs start at the first chunk after configure()');
  t.equal(outputs.reduce((sum, d) => sum + d.numberOfFrames, 0), 24000, 'the whole clip decodes again');
  const left = channelOf(outputs, 0);
  const expected = sweep(48000, 2, 0.5);
  t.equal(left[1000], Math.round(expected[2000]! * 32768) / 32768, 'with the right samples');
  closeAll(outputs);
  decoder.close();
});

t.test('a decoder needs a key chunk after configure() and flush() (DataError)', async (t) => {
  const clip = await flacClip();
  const decoder = new AudioDecoder({ output: (data) => data.close(), error: (e) => t.fail(e.message) });
  const delta = new EncodedAudioChunk({ type: 'delta', timestamp: 0, data: new Uint8Array(4) });
  t.throws(() => decoder.decode(clip.chunks[0]!), { name: 'InvalidStateError' }, 'unconfigured');
  decoder.configure(clip.decoderConfig);
  t.throws(() => decoder.decode(delta), { name: 'DataError' }, 'delta first after configure()');
  decoder.decode(clip.chunks[0]!);
  await decoder.flush();
  t.throws(() => decoder.decode(delta), { name: 'DataError' }, 'delta first after flush()');
  t.throws(() => decoder.decode({} as EncodedAudioChunk), TypeError, 'not a chunk');
  decoder.close();
});

t.test('the encoder rejects AudioData it is not configured for with EncodingError', async (t) => {
  const errors: DOMException[] = [];
  const encoder = new AudioEncoder({ output: () => t.fail('no output expected'), error: (e) => errors.push(e) });
  const data = new AudioData({ format: 'f32', sampleRate: 44100, numberOfChannels: 2, numberOfFrames: 441, timestamp: 0, data: new Float32Array(882) });
  t.throws(() => encoder.encode(data), { name: 'InvalidStateError' }, 'encode needs a configuration');
  encoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2 });
  encoder.encode(data);
  await t.rejects(encoder.flush(), { name: 'EncodingError' });
  t.equal(errors[0]?.name, 'EncodingError');
  t.match(errors[0]?.message, /44100 Hz/, 'the message names the mismatch');
  t.equal(encoder.state, 'closed');
  data.close();
  t.throws(() => encoder.encode(data), TypeError, 'a closed AudioData is a TypeError');
  t.throws(() => encoder.encode({} as AudioData), TypeError, 'not an AudioData');
});

t.test('configure(): invalid configs throw TypeError, unsupported ones close with NotSupportedError', async (t) => {
  const errors: DOMException[] = [];
  const encoder = new AudioEncoder({ output: () => t.fail('no output'), error: (e) => errors.push(e) });
  t.throws(() => encoder.configure({ codec: 'opus', sampleRate: 0, numberOfChannels: 2 }), TypeError);
  t.throws(() => encoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 2, opus: { frameDuration: 7000 } }), TypeError);
  t.equal(encoder.state, 'unconfigured', 'a TypeError leaves the state alone');
  encoder.configure({ codec: 'mp4a.40.5', sampleRate: 48000, numberOfChannels: 2 });
  t.equal(encoder.state, 'configured');
  // The worker reports it in order, after anything queued before the configure.
  await t.rejects(encoder.flush(), { name: 'NotSupportedError' });
  t.equal(errors[0]?.name, 'NotSupportedError', 'HE-AAC has no encoder here');
  t.equal(encoder.state, 'closed');

  const decoderErrors: DOMException[] = [];
  const decoder = new AudioDecoder({ output: (d) => d.close(), error: (e) => decoderErrors.push(e) });
  decoder.configure({ codec: 'flac', sampleRate: 48000, numberOfChannels: 2, description: new Uint8Array([1, 2, 3]) });
  await t.rejects(decoder.flush(), { name: 'NotSupportedError' });
  t.equal(decoderErrors[0]?.name, 'NotSupportedError', 'a malformed FLAC description cannot be decoded');
});

t.test('flush() in the middle: encoding continues on a new timeline, the same decoderConfig is not repeated', async (t) => {
  const chunks: EncodedAudioChunk[] = [];
  let configs = 0;
  const encoder = new AudioEncoder({
    output: (chunk, metadata) => {
      chunks.push(chunk);
      if (metadata?.decoderConfig) configs++;
    },
    error: (e) => t.fail(e.message),
  });
  encoder.configure({ codec: 'mp4a.40.2', sampleRate: 48000, numberOfChannels: 1 });
  const piece = (timestamp: number) =>
    new AudioData({ format: 'f32', sampleRate: 48000, numberOfChannels: 1, numberOfFrames: 4800, timestamp, data: sweep(48000, 1, 0.1) });
  for (const timestamp of [0, 100000]) {
    const data = piece(timestamp);
    encoder.encode(data);
    data.close();
  }
  await encoder.flush();
  const before = chunks.length;
  const data = piece(500000);
  encoder.encode(data);
  data.close();
  await encoder.flush();
  t.equal(chunks[before]!.timestamp, 500000, 'the stream after flush() starts at its first input');
  t.equal(configs, 1, 'the decoderConfig did not change, so it is not repeated');
  encoder.configure({ codec: 'opus', sampleRate: 48000, numberOfChannels: 1 });
  const more = piece(900000);
  encoder.encode(more);
  more.close();
  await encoder.flush();
  t.equal(configs, 2, 'a new codec announces a new decoderConfig');
  encoder.close();
});
