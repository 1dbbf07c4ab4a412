// Model-based tests of the codec processing model on the deterministic test codec: random
// sequences of configure/encode|decode/flush/reset/close, calls made from inside the output,
// error, dequeue and flush callbacks, random latencies, delays and injected failures, checked
// against model.ts (spec state machine + an exact simulation of native/test_codec_core.cc).
//
// A failure prints the shrunk command list and a trace; replay it with
//   RELIABILITY_SEED=<seed> RELIABILITY_PATH=<path> npx tap test/property/test-codec.test.ts
// and RELIABILITY_SCALE=20 runs twenty times as many sequences (see docs/reliability.md).
import t from 'tap';
import fc from 'fast-check';
import { EncodedVideoChunk, VideoFrame } from '../../src/index.js';
import { TestCodec, type TestCodecConfig, type TestCodecOutput } from '../../src/testing.js';
import { makeI420Frame } from '../helpers/media.js';
import { modelProperty, runParameters, stats, type CoreSim, type Driver, type Predicted } from './model.js';

/** native/test_codec_core.cc, message by message. */
export class TestCoreSim implements CoreSim<TestCodecConfig> {
  #config: TestCodecConfig = {};
  #inputs = 0;
  #held: { timestamp: number; epoch: number }[] = [];

  configure(config: TestCodecConfig): Predicted[] {
    if (config.failConfigure) return [{ kind: 'error', name: 'NotSupportedError' }];
    const out = this.#emitAll();
    this.#config = config;
    this.#inputs = 0;
    return [...out, { kind: 'configured' }];
  }

  input(timestamp: number, epoch: number): Predicted[] {
    this.#inputs++;
    if (this.#config.failAt === this.#inputs) return [{ kind: 'error', name: 'EncodingError' }];
    this.#held.push({ timestamp, epoch });
    const out: Predicted[] = [];
    while (this.#held.length > (this.#config.delay ?? 0)) out.push(this.#emit());
    return out;
  }

  flush(flushId: number): Predicted[] {
    if (this.#config.failFlush) return [{ kind: 'error', name: 'EncodingError' }];
    return [...this.#emitAll(), { kind: 'flush', flushId }];
  }

  #emit(): Predicted {
    const { timestamp, epoch } = this.#held.shift()!;
    return { kind: 'output', timestamp, epoch };
  }

  #emitAll(): Predicted[] {
    const out: Predicted[] = [];
    while (this.#held.length > 0) out.push(this.#emit());
    return out;
  }
}

const FRAME_SIZE = 16;
/** What a queued 16x16 I420 frame counts for resource reclamation (its native buffer). */
const FRAME_BYTES = (() => {
  const frame = makeI420Frame(FRAME_SIZE, FRAME_SIZE, 0);
  const bytes = VideoFrame.internals(frame)!.nativeFrame.info()!.bytes;
  frame.close();
  return bytes;
})();

function testCodecDriver(shape: 'encoder' | 'decoder'): Driver<TestCodecConfig> {
  return {
    label: `test codec (${shape})`,
    keyChunks: false,
    decoderConfigs: false,
    inputBytes: shape === 'encoder' ? FRAME_BYTES : 8,
    create(callbacks, maxQueuedBytes) {
      return new TestCodec({
        output: (o: TestCodecOutput) => {
          // Encoded timestamps are the model's input numbers (see prepare()).
          const timestamp = shape === 'encoder' ? o.timestamp / 33333 : o.timestamp;
          callbacks.output({ timestamp, release: () => (o instanceof VideoFrame ? o.close() : undefined) });
        },
        error: callbacks.error,
        ...(maxQueuedBytes !== undefined ? { maxQueuedBytes } : {}),
      });
    },
    queueSize: (codec) => (codec as TestCodec).queueLength,
    classify: () => 'ok',
    configure: (codec, config) => (codec as TestCodec).configure(config),
    dims: () => null,
    prepare(input) {
      if (shape === 'decoder') {
        return {
          earlyError: null,
          key: true,
          submit(codec, timestamp) {
            const chunk = new EncodedVideoChunk({ type: 'key', timestamp, data: new Uint8Array(8) });
            (codec as TestCodec).decode(chunk);
          },
          accepted() {},
        };
      }
      const closed = input.variant === 'closed-frame';
      return {
        // encode() step 1: a detached (closed) frame is a TypeError, whatever the state.
        earlyError: closed ? 'TypeError' : null,
        key: true,
        submit(codec, timestamp) {
          const frame = makeI420Frame(FRAME_SIZE, FRAME_SIZE, timestamp);
          if (closed) frame.close();
          try {
            (codec as TestCodec).encode(frame, { keyFrame: input.seed % 7 === 0 });
          } finally {
            frame.close(); // the codec holds its own reference
          }
        },
        accepted() {},
      };
    },
    newSim: () => new TestCoreSim(),
    describe: (config) => JSON.stringify(config),
  };
}

// Latencies are small (the sequences are about ordering, not speed); failures are rare enough
// that most sequences get far: failAt in one configure in five, failFlush in one in ten,
// failConfigure in one in fifteen.
const sometimes = <T>(arbitrary: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: oneIn - 1 }, { arbitrary, weight: 1 });

const config: fc.Arbitrary<TestCodecConfig> = fc
  .record({
    latencyUs: fc.constantFrom(0, 0, 50, 300, 1500),
    delay: fc.integer({ min: 0, max: 4 }),
    failAt: sometimes(fc.integer({ min: 1, max: 12 }), 5),
    failFlush: sometimes(fc.constant(true), 10),
    failConfigure: sometimes(fc.constant(true), 15),
  })
  .map((c) => {
    const out: TestCodecConfig = { latencyUs: c.latencyUs, delay: c.delay };
    if (c.failAt !== undefined) out.failAt = c.failAt;
    if (c.failFlush !== undefined) out.failFlush = true;
    if (c.failConfigure !== undefined) out.failConfigure = true;
    return out;
  });

// One byte budget in six small enough that a burst reaches it (resource reclamation).
const maxQueuedBytes = fc.oneof(
  { arbitrary: fc.constant(undefined), weight: 5 },
  { arbitrary: fc.integer({ min: 3, max: 16 }).map((frames) => frames * FRAME_BYTES), weight: 1 },
);

t.test('test codec, encoder-shaped: random command sequences follow the spec model', async (t) => {
  Object.assign(stats, { runs: 0, calls: 0, callbacks: 0 });
  await fc.assert(
    modelProperty(() => testCodecDriver('encoder'), {
      config,
      inputs: [
        ['frame', 12],
        ['closed-frame', 1],
      ],
      maxBurst: 10,
      maxCommands: 30,
      maxQueuedBytes,
    }),
    runParameters(2000),
  );
  t.pass(`${stats.runs} sequences matched the model (${stats.calls} calls, ${stats.callbacks} callbacks and settlements checked)`);
});

t.test('test codec, decoder-shaped: random command sequences follow the spec model', async (t) => {
  Object.assign(stats, { runs: 0, calls: 0, callbacks: 0 });
  await fc.assert(
    modelProperty(() => testCodecDriver('decoder'), {
      config,
      inputs: [['chunk', 1]],
      maxBurst: 10,
      maxCommands: 30,
    }),
    runParameters(800),
  );
  t.pass(`${stats.runs} sequences matched the model (${stats.calls} calls, ${stats.callbacks} callbacks and settlements checked)`);
});
