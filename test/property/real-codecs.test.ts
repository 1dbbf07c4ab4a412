// The model-based tests of test-codec.test.ts on real codecs: H.264 through VideoEncoder and
// VideoDecoder at tiny sizes (and VP8 when VideoEncoder.isConfigSupported says it is there).
// Real codecs hold frames for as long as they like, so the model only asks that outputs follow
// inputs one for one, in order (baseline profile: no B-frames), and that a flush has delivered
// every earlier output when it resolves. Configs are valid, unsupported (NotSupportedError via
// the error callback) or invalid (TypeError), and isConfigSupported() must agree.
import t from 'tap';
import fc from 'fast-check';
import { EncodedVideoChunk, VideoDecoder, VideoEncoder, VideoFrame, type VideoDecoderConfig, type VideoEncoderConfig } from '../../src/index.js';
import { encodeClip, type EncodedClip } from '../helpers/codecs.js';
import { makeI420Frame } from '../helpers/media.js';
import { modelProperty, runParameters, stats, type ConfigClass, type CoreSim, type Driver, type PreparedInput } from './model.js';

/** A real codec as the model sees it: one output per input, in input order, whenever it likes. */
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

const US_PER_INPUT = 33333; // makeI420Frame(…, index) stamps index * 33333 µs

// --- encoders -----------------------------------------------------------------------------

type EncoderCase = { config: VideoEncoderConfig; kind: ConfigClass };

function encoderConfigs(codec: string, only: 'ok' | 'all' = 'all'): fc.Arbitrary<EncoderCase> {
  const ok = fc
    .record({
      width: fc.constantFrom(16, 32, 48),
      height: fc.constantFrom(16, 32),
      latencyMode: fc.constantFrom('quality', 'realtime') as fc.Arbitrary<'quality' | 'realtime'>,
      format: fc.constantFrom('avc', 'annexb') as fc.Arbitrary<'avc' | 'annexb'>,
    })
    .map(({ width, height, latencyMode, format }): EncoderCase => ({
      config: { codec, width, height, latencyMode, ...(codec.startsWith('avc1') ? { avc: { format } } : {}) },
      kind: 'ok',
    }));
  // Valid but unsupported: an unknown codec string; for H.264 also an odd size (4:2:0 needs even).
  const unsupported: EncoderCase[] = [{ config: { codec: 'bogus', width: 16, height: 16 }, kind: 'unsupported' }];
  if (codec.startsWith('avc1')) unsupported.push({ config: { codec, width: 17, height: 16 }, kind: 'unsupported' });
  if (only === 'ok') return ok;
  return fc.oneof(
    { arbitrary: ok, weight: 12 },
    { arbitrary: fc.constantFrom(...unsupported), weight: 1 },
    // Not a valid VideoEncoderConfig: TypeError, nothing queued.
    { arbitrary: fc.constant<EncoderCase>({ config: { codec, width: 0, height: 16 }, kind: 'type-error' }), weight: 1 },
    { arbitrary: fc.constant<EncoderCase>({ config: { codec: ' ', width: 16, height: 16 }, kind: 'type-error' }), weight: 1 },
  );
}

function encoderDriver(codec: string): Driver<EncoderCase> {
  // [[active orientation]]: set by the first frame after configure(); a frame with another
  // rotation is a DataError (encode() step 3).
  let activeRotation: number | null = null;
  return {
    label: `VideoEncoder ${codec}`,
    keyChunks: false,
    decoderConfigs: true,
    inputBytes: 0,
    create(callbacks) {
      return new VideoEncoder({
        output: (chunk, metadata) =>
          callbacks.output({ timestamp: chunk.timestamp / US_PER_INPUT, decoderConfig: metadata?.decoderConfig, release() {} }),
        error: callbacks.error,
      });
    },
    queueSize: (codec) => (codec as VideoEncoder).encodeQueueSize,
    classify: (c) => c.kind,
    configure(encoder, c) {
      (encoder as VideoEncoder).configure(c.config);
      activeRotation = null;
    },
    dims: (c) => ({ width: c.config.width, height: c.config.height }),
    prepare(input): PreparedInput {
      const closed = input.variant === 'closed-frame';
      const rotation = input.variant === 'rotated-frame' ? 90 : 0;
      const size = [16, 32][input.seed % 2]!;
      return {
        earlyError: closed ? 'TypeError' : null,
        key: true,
        lateError: () => (activeRotation !== null && activeRotation !== rotation ? 'DataError' : null),
        submit(encoder, timestamp) {
          let frame = makeI420Frame(size, size, timestamp);
          if (rotation !== 0) {
            const rotated = new VideoFrame(frame, { rotation });
            frame.close();
            frame = rotated;
          }
          if (closed) frame.close();
          try {
            (encoder as VideoEncoder).encode(frame, { keyFrame: input.seed % 5 === 0 });
          } finally {
            frame.close();
          }
        },
        accepted() {
          activeRotation ??= rotation;
        },
      };
    },
    newSim: () => new OrderedSim(),
    describe: (c) => JSON.stringify(c.config),
    isConfigSupported: (c) => VideoEncoder.isConfigSupported(c.config),
  };
}

// --- decoders -----------------------------------------------------------------------------

type DecoderCase = { config: VideoDecoderConfig; kind: ConfigClass };

function decoderConfigs(clip: EncodedClip, only: 'ok' | 'all' = 'all'): fc.Arbitrary<DecoderCase> {
  const ok = fc.boolean().map((optimizeForLatency): DecoderCase => ({ config: { ...clip.decoderConfig, optimizeForLatency }, kind: 'ok' }));
  if (only === 'ok') return ok;
  return fc.oneof(
    { arbitrary: ok, weight: 12 },
    { arbitrary: fc.constant<DecoderCase>({ config: { codec: 'bogus' }, kind: 'unsupported' }), weight: 1 },
    {
      // An avcC must start with configurationVersion 1: unsupported, closed with NotSupportedError.
      arbitrary: fc.constant<DecoderCase>({ config: { codec: clip.decoderConfig.codec, description: new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7]) }, kind: 'unsupported' }),
      weight: 1,
    },
    { arbitrary: fc.constant<DecoderCase>({ config: { codec: '' }, kind: 'type-error' }), weight: 1 },
    { arbitrary: fc.constant<DecoderCase>({ config: { codec: clip.decoderConfig.codec, codedWidth: 32 }, kind: 'type-error' }), weight: 1 },
  );
}

function decoderDriver(clip: EncodedClip): Driver<DecoderCase> {
  const keys = clip.chunks.flatMap((c, i) => (c.type === 'key' ? [i] : []));
  let position = 0; // the next chunk of the clip "next" decodes
  return {
    label: `VideoDecoder ${clip.decoderConfig.codec}`,
    keyChunks: true,
    decoderConfigs: false,
    inputBytes: 0,
    create(callbacks) {
      return new VideoDecoder({
        output: (frame) => callbacks.output({ timestamp: frame.timestamp, release: () => frame.close() }),
        error: callbacks.error,
      });
    },
    queueSize: (codec) => (codec as VideoDecoder).decodeQueueSize,
    classify: (c) => c.kind,
    configure: (decoder, c) => (decoder as VideoDecoder).configure(c.config),
    dims: () => null,
    prepare(input): PreparedInput {
      // "next" continues the clip (a delta chunk after a flush or configure is a DataError);
      // "key" jumps to one of its key chunks.
      const index = input.variant === 'key' ? keys[input.seed % keys.length]! : position;
      const source = clip.chunks[index]!;
      return {
        earlyError: null,
        key: source.type === 'key',
        submit(decoder, timestamp) {
          const data = new Uint8Array(source.byteLength);
          source.copyTo(data);
          (decoder as VideoDecoder).decode(new EncodedVideoChunk({ type: source.type, timestamp, data }));
        },
        accepted() {
          position = (index + 1) % clip.chunks.length;
        },
      };
    },
    newSim: () => new OrderedSim(),
    describe: (c) => JSON.stringify(c.config, (key, value) => (value instanceof ArrayBuffer || ArrayBuffer.isView(value) ? `<${(value as ArrayBuffer).byteLength} bytes>` : value)),
    isConfigSupported: (c) => VideoDecoder.isConfigSupported(c.config),
  };
}

// --- the properties ---------------------------------------------------------------------------

const encoderCodecs = ['avc1.42001e'];
// VP8 joins automatically once VideoEncoder supports it (the model asks nothing H.264-specific).
if ((await VideoEncoder.isConfigSupported({ codec: 'vp8', width: 32, height: 32 })).supported) encoderCodecs.push('vp8');

for (const codec of encoderCodecs) {
  t.test(`VideoEncoder ${codec}: random command sequences follow the spec model`, async (t) => {
    Object.assign(stats, { runs: 0, calls: 0, callbacks: 0 });
    await fc.assert(
      modelProperty(() => encoderDriver(codec), {
        config: encoderConfigs(codec),
        initialConfig: encoderConfigs(codec, 'ok'),
        inputs: [
          ['frame', 12],
          ['closed-frame', 1],
          ['rotated-frame', 1],
        ],
        maxBurst: 6,
        maxCommands: 20,
      }),
      runParameters(400),
    );
    t.pass(`${stats.runs} sequences matched the model (${stats.calls} calls, ${stats.callbacks} callbacks and settlements checked)`);
  });
}

t.test('VideoDecoder avc1.42001e: random command sequences follow the spec model', async (t) => {
  // A 32x32 baseline clip with a key chunk every 6 frames, in the avc (length-prefixed) format.
  const clip = await encodeClip({ codec: 'avc1.42001e', width: 32, height: 32, avc: { format: 'avc' } }, 18, 6);
  t.ok(clip.chunks.filter((c) => c.type === 'key').length >= 3, 'the clip has several key chunks to jump to');
  Object.assign(stats, { runs: 0, calls: 0, callbacks: 0 });
  await fc.assert(
    modelProperty(() => decoderDriver(clip), {
      config: decoderConfigs(clip),
      initialConfig: decoderConfigs(clip, 'ok'),
      inputs: [
        ['next', 6],
        ['key', 1],
      ],
      maxBurst: 6,
      maxCommands: 20,
    }),
    runParameters(400),
  );
  t.pass(`${stats.runs} sequences matched the model (${stats.calls} calls, ${stats.callbacks} callbacks and settlements checked)`);
});
