// Abort, cancel, a signal, a codec error or a normal close at a random point, with random bounds,
// delays, producer and consumer behaviour: afterwards no frame is alive and no promise is pending
// (every write, read, close and pipe settled). fast-check shrinks a failure to the smallest case.
import t from 'tap';
import fc from 'fast-check';
import type { VideoFrame } from '../../src/index.js';
import { checkNoLiveFramesAfterEach, eventually } from '../helpers/leaks.js';
import { makeI420Frame } from '../helpers/media.js';
import { PromiseTracker, TestDecoderStream, TestEncoderStream, chunksOnly, liveFrames, makeChunk, makeFrame, turns } from './helpers.js';

checkNoLiveFramesAfterEach(t);

type Ending = 'close' | 'abort' | 'cancel' | 'signal' | 'codec-error';

interface Scenario {
  kind: 'encoder' | 'decoder' | 'chain';
  /** Large frames (clones of one 720p frame) fill the worker's inbox after 4 inputs, small ones
   * after 64: only large ones make an encoder's queue, and so its writes, wait on the codec. */
  largeFrames: boolean;
  ending: Ending;
  inputs: number;
  endAt: number;
  W: number;
  R: number;
  delay: number;
  latencyUs: number;
  /** Producer waits for writer.ready before each write (false: fires all writes at once). */
  producerWaits: boolean;
  /** Turns of the event loop the consumer waits before each read. */
  consumerPause: number;
  /** The consumer stops reading after this many outputs (if it has not ended by then). */
  consumerStopsAfter: number;
}

const scenarioArbitrary: fc.Arbitrary<Scenario> = fc
  .record({
    kind: fc.constantFrom('encoder' as const, 'decoder' as const, 'chain' as const),
    largeFrames: fc.boolean(),
    ending: fc.constantFrom<Ending>('close', 'abort', 'cancel', 'signal', 'codec-error'),
    inputs: fc.integer({ min: 0, max: 150 }),
    endAt: fc.nat(150),
    W: fc.integer({ min: 1, max: 4 }),
    R: fc.integer({ min: 1, max: 4 }),
    delay: fc.integer({ min: 0, max: 4 }),
    latencyUs: fc.constantFrom(0, 100, 500),
    producerWaits: fc.boolean(),
    consumerPause: fc.integer({ min: 0, max: 3 }),
    consumerStopsAfter: fc.integer({ min: 0, max: 200 }),
  })
  .map((s) => ({ ...s, endAt: Math.min(s.endAt, s.inputs) }));

/** Closes whatever the consumer read: frames from decoders, nothing for encoded chunks. */
function closeOutput(output: unknown): void {
  if (typeof output === 'object' && output !== null && 'close' in output) (output as VideoFrame).close();
}

async function runScenario(s: Scenario): Promise<{ pending: number; live: number }> {
  const tracker = new PromiseTracker();
  // Counted from here, so that a leak in one run does not blame the runs fast-check shrinks to.
  const liveBefore = liveFrames();
  const large = s.largeFrames ? makeI420Frame(1280, 720, 0) : null;
  const makeVideoFrame = (i: number) => (large !== null ? large.clone() : makeFrame(i));
  const abortController = new AbortController();
  const signal = abortController.signal;
  const failAt = s.ending === 'codec-error' ? s.endAt + 1 : undefined;
  const config = { delay: s.delay, latencyUs: s.latencyUs, ...(failAt !== undefined ? { failAt } : {}) };
  const options = { highWaterMark: s.W, readableHighWaterMark: s.R, signal };

  // Build the pipeline: what the producer writes into and what the consumer reads from.
  let writable: WritableStream<unknown>;
  let readable: ReadableStream<unknown>;
  let makeInput: (i: number) => unknown;
  if (s.kind === 'encoder') {
    const stream = new TestEncoderStream(config, options);
    [writable, readable, makeInput] = [stream.writable, stream.readable, makeVideoFrame];
  } else if (s.kind === 'decoder') {
    const stream = new TestDecoderStream(config, options);
    [writable, readable, makeInput] = [stream.writable, stream.readable, (i) => makeChunk(i)];
  } else {
    // A failure injected in the first stage must travel through the pipe to the second.
    const encoder = new TestEncoderStream(config, options);
    const decoder = new TestDecoderStream({ delay: s.delay }, { highWaterMark: s.W, readableHighWaterMark: s.R });
    tracker.track(encoder.readable.pipeThrough(chunksOnly()).pipeTo(decoder.writable));
    [writable, readable, makeInput] = [encoder.writable, decoder.readable, makeVideoFrame];
  }

  const writer = writable.getWriter();
  const reader = readable.getReader();
  tracker.track(writer.closed);
  tracker.track(reader.closed);

  const end = () => {
    switch (s.ending) {
      case 'close':
        tracker.track(writer.close());
        break;
      case 'abort':
        tracker.track(writer.abort(new Error('abort')));
        break;
      case 'cancel':
        tracker.track(reader.cancel(new Error('cancel')));
        break;
      case 'signal':
        abortController.abort(new Error('signal'));
        break;
      case 'codec-error':
        // failAt makes the (endAt+1)-th input fail; close after the last input so the stream ends
        // either way (with the error if it came first).
        break;
    }
  };

  // A producer writes until it ends the stream itself, or until the writer tells it the stream
  // ended. It never closes what it wrote: every frame it wrote is the stream's to close.
  const producing = (async () => {
    for (let i = 0; i < s.inputs; i++) {
      if (i === s.endAt && s.ending !== 'codec-error') {
        end();
        return;
      }
      if (s.producerWaits) {
        try {
          await writer.ready;
        } catch {
          return;
        }
      }
      // desiredSize is null once the stream errored: a write now would be rejected without the
      // stream ever seeing the frame (so it would stay the producer's), and a producer stops here.
      if (writer.desiredSize === null) return;
      tracker.track(writer.write(makeInput(i))).catch(() => {});
    }
    if (s.ending === 'codec-error' || s.endAt >= s.inputs) {
      if (s.ending === 'codec-error' || s.ending === 'close') tracker.track(writer.close()).catch(() => {});
      else end();
    }
  })();

  const consuming = (async () => {
    for (let read = 0; read < s.consumerStopsAfter; read++) {
      await turns(s.consumerPause);
      let result: ReadableStreamReadResult<unknown>;
      try {
        result = await tracker.track(reader.read());
      } catch {
        return;
      }
      if (result.done) return;
      closeOutput(result.value);
    }
    // A consumer that lost interest cancels, as `for await ... break` does.
    tracker.track(reader.cancel('consumer stopped'));
  })();

  await tracker.track(producing);
  await tracker.track(consuming);
  await eventually(() => tracker.pending === 0, 5000);
  large?.close();
  return { pending: tracker.pending, live: liveFrames() - liveBefore };
}

t.test('any ending at any point leaves no live frame and no pending promise', async (t) => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(scenarioArbitrary, async (scenario) => {
      runs++;
      const { pending, live } = await runScenario(scenario);
      if (pending !== 0 || live !== 0) {
        throw new Error(`${pending} promise(s) pending and ${live} frame(s) alive after ${JSON.stringify(scenario)}`);
      }
    }),
    { numRuns: 60 },
  );
  t.equal(runs >= 60, true, `${runs} scenarios`);
});

t.test('regression: every ending on each kind of stream at the first, a middle and the last input', async (t) => {
  for (const kind of ['encoder', 'decoder', 'chain'] as const) {
    for (const ending of ['close', 'abort', 'cancel', 'signal', 'codec-error'] as const) {
      for (const [endAt, consumerStopsAfter, largeFrames] of [
        [0, 200, false],
        [40, 200, true],
        [80, 3, false],
        [80, 3, true],
      ] as const) {
        const scenario: Scenario = {
          kind,
          largeFrames,
          ending,
          inputs: 80,
          endAt,
          W: 2,
          R: 1,
          delay: 2,
          latencyUs: 100,
          producerWaits: endAt !== 40,
          consumerPause: 1,
          consumerStopsAfter,
        };
        const { pending, live } = await runScenario(scenario);
        t.same({ pending, live }, { pending: 0, live: 0 }, JSON.stringify(scenario));
      }
    }
  }
});
