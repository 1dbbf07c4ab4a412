// The model-based tests on the audio codecs: AudioEncoder with PCM (one packet per AudioData, so
// the one-output-per-input model applies) and AudioDecoder with Opus (one AudioData per packet;
// [[key chunk required]] makes a "delta" chunk after configure/flush a DataError). Opus encoding
// re-chunks audio into 20 ms packets plus priming, so it is not one-to-one; it is exercised by the
// fuzz and stress tests instead.
import t from 'tap';
import fc from 'fast-check';
import { AudioData, AudioDecoder, AudioEncoder, EncodedAudioChunk, type AudioDecoderConfig, type AudioEncoderConfig } from '../../src/index.js';
import { modelProperty, runParameters, stats, type ConfigClass, type CoreSim, type Driver, type PreparedInput } from './model.js';

class OrderedSim<C> implements CoreSim<C> {
  configure() {
    return [{ kind: 'configured' as const }];
  }
  input(timestamp: number, epoch: number) {
    return [{ kind: 'output' as const, timestamp, epoch }];
  }
  flush(flushId: number) {
    return [{ kind: 'flush' as const, flushId }];
  }
}

const RATE = 48000;
const FRAMES = 960; // 20 ms
/** Input number k is the k-th 20 ms of a contiguous timeline, as real audio is. (The audio cores
 * count output timestamps in samples and re-anchor at gaps; regressions.test.ts covers gaps.) */
const US = 20000;

function audioData(timestamp: number, channels: number): AudioData {
  const samples = new Float32Array(FRAMES * channels);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.sin((i + timestamp) / 7) * 0.5;
  return new AudioData({ format: 'f32', sampleRate: RATE, numberOfFrames: FRAMES, numberOfChannels: channels, timestamp: timestamp * US, data: samples });
}

type EncoderCase = { config: AudioEncoderConfig; kind: ConfigClass };

const encoderConfigs = (only: 'ok' | 'all'): fc.Arbitrary<EncoderCase> => {
  const ok = fc.constantFrom(1, 2).map((numberOfChannels): EncoderCase => ({ config: { codec: 'pcm-s16', sampleRate: RATE, numberOfChannels }, kind: 'ok' }));
  if (only === 'ok') return ok;
  return fc.oneof(
    { arbitrary: ok, weight: 12 },
    { arbitrary: fc.constant<EncoderCase>({ config: { codec: 'bogus', sampleRate: RATE, numberOfChannels: 1 }, kind: 'unsupported' }), weight: 1 },
    { arbitrary: fc.constant<EncoderCase>({ config: { codec: 'pcm-s16', sampleRate: 0, numberOfChannels: 1 }, kind: 'type-error' }), weight: 1 },
  );
};

function encoderDriver(): Driver<EncoderCase> {
  let channels = 1;
  return {
    label: 'AudioEncoder pcm-s16',
    keyChunks: false,
    decoderConfigs: false,
    inputBytes: 0,
    create: (callbacks) =>
      new AudioEncoder({ output: (chunk) => callbacks.output({ timestamp: chunk.timestamp / US, release() {} }), error: callbacks.error }),
    queueSize: (codec) => (codec as AudioEncoder).encodeQueueSize,
    classify: (c) => c.kind,
    configure(encoder, c) {
      (encoder as AudioEncoder).configure(c.config);
      channels = c.config.numberOfChannels;
    },
    dims: () => null,
    prepare(input): PreparedInput {
      const closed = input.variant === 'closed-data';
      return {
        earlyError: closed ? 'TypeError' : null,
        key: true,
        submit(encoder, timestamp) {
          const data = audioData(timestamp, channels);
          if (closed) data.close();
          try {
            (encoder as AudioEncoder).encode(data);
          } finally {
            data.close();
          }
        },
        accepted() {},
      };
    },
    newSim: () => new OrderedSim(),
    describe: (c) => JSON.stringify(c.config),
    isConfigSupported: (c) => AudioEncoder.isConfigSupported(c.config),
  };
}

type DecoderCase = { config: AudioDecoderConfig; kind: ConfigClass };

function decoderDriver(packets: Uint8Array[]): Driver<DecoderCase> {
  let position = 0;
  return {
    label: 'AudioDecoder opus',
    keyChunks: true,
    decoderConfigs: false,
    inputBytes: 0,
    create: (callbacks) =>
      new AudioDecoder({ output: (data) => callbacks.output({ timestamp: data.timestamp / US, release: () => data.close() }), error: callbacks.error }),
    queueSize: (codec) => (codec as AudioDecoder).decodeQueueSize,
    classify: (c) => c.kind,
    configure: (decoder, c) => (decoder as AudioDecoder).configure(c.config),
    dims: () => null,
    prepare(input): PreparedInput {
      // Every Opus packet is a key chunk; "delta" labels one as delta (a DataError when a key
      // chunk is required, decoded normally otherwise).
      const delta = input.variant === 'delta';
      const index = position;
      return {
        earlyError: null,
        key: !delta,
        submit(decoder, timestamp) {
          (decoder as AudioDecoder).decode(new EncodedAudioChunk({ type: delta ? 'delta' : 'key', timestamp: timestamp * US, data: packets[index]! }));
        },
        accepted() {
          position = (index + 1) % packets.length;
        },
      };
    },
    newSim: () => new OrderedSim(),
    describe: (c) => JSON.stringify(c.config),
    isConfigSupported: (c) => AudioDecoder.isConfigSupported(c.config),
  };
}

const decoderConfigs = (only: 'ok' | 'all'): fc.Arbitrary<DecoderCase> => {
  const ok = fc.constant<DecoderCase>({ config: { codec: 'opus', sampleRate: RATE, numberOfChannels: 1 }, kind: 'ok' });
  if (only === 'ok') return ok;
  return fc.oneof(
    { arbitrary: ok, weight: 12 },
    { arbitrary: fc.constant<DecoderCase>({ config: { codec: 'bogus', sampleRate: RATE, numberOfChannels: 1 }, kind: 'unsupported' }), weight: 1 },
    { arbitrary: fc.constant<DecoderCase>({ config: { codec: '', sampleRate: RATE, numberOfChannels: 1 }, kind: 'type-error' }), weight: 1 },
  );
};

t.test('AudioEncoder pcm-s16: random command sequences follow the spec model', async (t) => {
  Object.assign(stats, { runs: 0, calls: 0, callbacks: 0 });
  await fc.assert(
    modelProperty(encoderDriver, {
      config: encoderConfigs('all'),
      initialConfig: encoderConfigs('ok'),
      inputs: [
        ['data', 12],
        ['closed-data', 1],
      ],
      maxBurst: 8,
      maxCommands: 20,
    }),
    runParameters(250),
  );
  t.pass(`${stats.runs} sequences matched the model (${stats.calls} calls, ${stats.callbacks} callbacks and settlements checked)`);
});

t.test('AudioDecoder opus: random command sequences follow the spec model', async (t) => {
  // 20 ms mono Opus packets to decode, made by AudioEncoder.
  const packets: Uint8Array[] = [];
  const encoder = new AudioEncoder({
    output: (chunk) => {
      const data = new Uint8Array(chunk.byteLength);
      chunk.copyTo(data);
      packets.push(data);
    },
    error: (e) => t.fail(String(e)),
  });
  encoder.configure({ codec: 'opus', sampleRate: RATE, numberOfChannels: 1 });
  for (let i = 0; i < 12; i++) {
    const data = audioData(i, 1);
    encoder.encode(data);
    data.close();
  }
  await encoder.flush();
  encoder.close();
  t.ok(packets.length >= 12, `${packets.length} Opus packets to decode`);
  Object.assign(stats, { runs: 0, calls: 0, callbacks: 0 });
  await fc.assert(
    modelProperty(() => decoderDriver(packets), {
      config: decoderConfigs('all'),
      initialConfig: decoderConfigs('ok'),
      inputs: [
        ['key', 10],
        ['delta', 1],
      ],
      maxBurst: 8,
      maxCommands: 20,
    }),
    runParameters(250),
  );
  t.pass(`${stats.runs} sequences matched the model (${stats.calls} calls, ${stats.callbacks} callbacks and settlements checked)`);
});
